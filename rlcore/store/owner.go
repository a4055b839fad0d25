package store

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore/internal/proc"
)

// Owner identifies the process that runs a run: its pid, the host it runs
// on and the process's start time (so that a recycled pid is not taken for
// the owner).
type Owner struct {
	PID   int
	Host  string
	Start string // the kernel's start time of the process; "" when unknown
}

func (o Owner) String() string { return fmt.Sprintf("process %d on %s", o.PID, o.Host) }

var self = sync.OnceValue(func() Owner {
	host, _ := os.Hostname()
	pid := os.Getpid()
	return Owner{PID: pid, Host: host, Start: proc.Start(pid)}
})

// Self is this process as a run owner.
func Self() Owner { return self() }

// gone reports whether the owner process has ended. known is false when
// this process cannot tell (another host, or no owner recorded): the
// heartbeat decides then.
func (o Owner) gone() (gone, known bool) {
	me := Self()
	if !proc.CanCheck || o.PID <= 0 || o.Host == "" || o.Host != me.Host {
		return false, false
	}
	if o == me {
		return false, true
	}
	if !proc.Exists(o.PID) {
		return true, true
	}
	if o.Start != "" {
		if st := proc.Start(o.PID); st != "" && st != o.Start {
			return true, true // the pid now belongs to another process
		}
	}
	return false, true
}

// HeartbeatInterval is how often a running run's owner writes its
// heartbeat (see KeepAlive).
const HeartbeatInterval = 15 * time.Second

// StaleAfter is how old the heartbeat of a running run must be for Open to
// take its owner for gone when the owner cannot be checked directly (it
// runs on another host, or an older version wrote the run).
const StaleAfter = 2 * time.Minute

// Heartbeat records that run id's owner is alive.
func (s *Store) Heartbeat(ctx context.Context, id int64) error {
	_, err := s.exec(ctx, `UPDATE runs SET heartbeat=? WHERE id=? AND status=?`, now(), id, StatusRunning)
	if err != nil {
		return fmt.Errorf("heartbeat of run %d: %w", id, err)
	}
	return nil
}

// KeepAlive writes run id's heartbeat every HeartbeatInterval until stop
// is called. Errors are not fatal (the next beat tries again).
func (s *Store) KeepAlive(id int64) (stop func()) {
	done := make(chan struct{})
	var once sync.Once
	go func() {
		t := time.NewTicker(HeartbeatInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), HeartbeatInterval)
				_ = s.Heartbeat(ctx, id)
				cancel()
			}
		}
	}()
	return func() { once.Do(func() { close(done) }) }
}

// markAbandoned marks every running run whose owner is gone as abandoned:
// its owner process has ended on this host, or (when that cannot be
// checked) its heartbeat is older than StaleAfter. Everything the run
// stored stays; finished is set to its last heartbeat.
func (s *Store) markAbandoned(ctx context.Context) error {
	running, err := queryAll(ctx, s, scanRun, "listing running runs", `SELECT `+runCols+` FROM runs WHERE status=?`, StatusRunning)
	if err != nil {
		return err
	}
	for _, r := range running {
		last := r.Heartbeat
		if last.IsZero() {
			last = r.Started
		}
		var why string
		switch gone, known := r.Owner.gone(); {
		case known && gone:
			why = fmt.Sprintf("abandoned: its owner, %s, ended without finishing it (last heartbeat %s)", r.Owner, last.Format(time.RFC3339))
		case !known && time.Since(last) > StaleAfter:
			owner := "an unknown process"
			if r.Owner.PID > 0 {
				owner = r.Owner.String()
			}
			why = fmt.Sprintf("abandoned: its owner, %s, sent no heartbeat since %s", owner, last.Format(time.RFC3339))
		default:
			continue
		}
		_, err := s.exec(ctx, `UPDATE runs SET status=?, finished=?, error=? WHERE id=? AND status=?`,
			StatusAbandoned, last.UTC().Format(time.RFC3339Nano), strings.TrimSpace(r.Error+" "+why), r.ID, StatusRunning)
		if err != nil {
			return fmt.Errorf("marking run %d abandoned: %w", r.ID, err)
		}
		r.Status, r.Finished, r.Error = StatusAbandoned, last, why
		s.Abandoned = append(s.Abandoned, r)
	}
	return nil
}
