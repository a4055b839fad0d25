package cluster

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
	"github.com/supersonic-rl/supersonic/rlcore/store"
	"github.com/supersonic-rl/supersonic/rlcore/store/storetest"
)

// TestFaults runs a real code-size search through one coordinator (this
// test), a NATS server and three worker processes, and while it runs
// kills a worker in the middle of a pull and stops the server for 10 s.
// The killed pull is redone by another worker, nothing is lost or counted
// twice, and the search resumes when the server is back.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes and stops a server for 10s")
	}
	c := newCluster(t)
	for _, n := range []string{"w1", "w2", "w3"} {
		c.startWorker(n, 1)
	}
	nc := c.connect()
	c.waitWorkers(nc, 3)
	ctx := context.Background()
	e := c.executor(ctx, nc, Options{AckWait: 3 * time.Second, CancelGrace: time.Second})
	st := storetest.Open(t)
	spec, err := search.ParseSpec("faults", `task: codesize
benchmarks: builtin:crc32, builtin:bitcount
states: autophase
rewards: ic-oz
algorithms: random, greedy
horizon: 5
pull: 2s
seed: 3`)
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu       sync.Mutex
		killed   string // the killed worker
		victim   string // the job it was running
		killedAt time.Time
		stopped  time.Duration
		done     atomic.Int32
	)
	faults := make(chan struct{})
	go func() { // kill a worker that has just started a pull
		defer close(faults)
		// A job seen running in one poll may finish (its result already on
		// the way) before the kill lands; one that was not running in the
		// previous poll, a few hundred milliseconds ago, has most of its 2 s
		// pull left.
		var seen map[string]bool // nil before the first poll
		for done.Load() < 12 {
			ws, _ := Workers(ctx, nc, 200*time.Millisecond)
			previous := seen
			seen = map[string]bool{}
			for _, w := range ws {
				for _, j := range w.Running {
					seen[j] = true
				}
			}
			for _, w := range ws {
				if len(w.Running) > 0 && previous != nil && !previous[w.Running[0]] && done.Load() >= 1 {
					mu.Lock()
					killed, victim, killedAt = w.Name, w.Running[0], time.Now()
					mu.Unlock()
					c.workers[w.Name].Process.Kill()
					c.workers[w.Name].Wait()
					delete(c.workers, w.Name)
					goto outage
				}
			}
		}
		return
	outage: // wait for two more pulls, then stop the server for 10 s
		for n := done.Load(); done.Load() < n+2; {
			time.Sleep(50 * time.Millisecond)
		}
		t0 := time.Now()
		c.srv.Close()
		time.Sleep(10 * time.Second)
		s, err := StartServer(ServerOptions{Listen: c.listen, StoreDir: c.store})
		if err != nil {
			t.Error(err)
			return
		}
		c.srv = s
		mu.Lock()
		stopped = time.Since(t0)
		mu.Unlock()
	}()
	res, err := search.Search(ctx, spec, search.Options{Budget: rlcore.Budget{Pulls: 12}, Workers: 3, Store: st, Executor: e,
		OnPull: func(search.PullEvent) { done.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	<-faults
	if killed == "" || stopped < 10*time.Second {
		t.Fatalf("the faults did not happen: killed %q, server stopped for %v", killed, stopped)
	}
	pulls, err := st.Pulls(ctx, res.RunID, false)
	if err != nil {
		t.Fatal(err)
	}
	seqs := map[int]int{}
	for _, p := range pulls {
		seqs[p.Seq]++
		if p.Status == store.PullInterrupted {
			t.Errorf("pull %d: %s %s", p.Seq, p.Status, p.Error)
		}
	}
	for i := range 12 {
		if seqs[i] != 1 {
			t.Errorf("pull %d stored %d times, want once", i, seqs[i])
		}
	}
	redoneBy := ""
	for _, p := range res.Pulls {
		if strings.HasPrefix(victim, fmt.Sprintf("faults.%d.", res.RunID)) && strings.HasSuffix(victim, fmt.Sprintf(".pull.%d", p.Seq)) {
			redoneBy = p.Runner
		}
	}
	t.Logf("killed %s at %v in job %s, redone by %s; server stopped %v; %d pulls in %v; status %s", killed, killedAt.Format(time.StampMilli), victim,
		redoneBy, stopped, len(pulls), res.Elapsed, res.Status)
	if redoneBy == "" || redoneBy == killed {
		t.Errorf("the killed worker's job %s was redone by %q, want another worker", victim, redoneBy)
	}
	if len(pulls) != 12 || res.Elapsed < 10*time.Second {
		t.Fatalf("%d pulls in %v", len(pulls), res.Elapsed)
	}
}
