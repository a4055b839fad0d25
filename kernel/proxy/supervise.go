package proxy

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/supersonic-rl/supersonic/kernel/wire"
)

// supervisor keeps one gonb child kernel running for the proxy.
//
//   - start starts gonb, lets the kernel attach it (relays, kernel_info,
//     cell module: an attach error stops the child and fails the start)
//     and publishes it;
//   - current hands out the running child, waiting while a restart is
//     under way; running returns it without waiting (nil meanwhile);
//   - its health is watched: when the process exits or its heartbeat goes
//     unanswered for Config.HeartbeatTimeout (pinged every
//     HeartbeatEvery), the child is killed, the kernel told at once (died:
//     it notes the restart for the next cell and fails the requests the
//     dead child can no longer answer), the child's leftovers stopped and
//     a new child started, retried every second until one starts;
//   - stop ends supervision at shutdown: no restart follows, and a child
//     a restart was starting meanwhile is stopped instead of published.
type supervisor struct {
	cfg    *Config
	attach func(ctx context.Context, g *child) error
	died   func(g *child)

	mu      sync.Mutex
	gonb    *child
	ready   chan struct{} // closed when gonb is up; replaced while restarting
	stopped bool
}

func newSupervisor(cfg *Config, attach func(context.Context, *child) error, died func(*child)) *supervisor {
	return &supervisor{cfg: cfg, attach: attach, died: died, ready: make(chan struct{})}
}

// start starts a gonb child, has the kernel attach it and publishes it.
func (s *supervisor) start(ctx context.Context) error {
	g, err := startChild(ctx, s.cfg)
	if err != nil {
		return err
	}
	if err := s.attach(ctx, g); err != nil {
		g.stop(0)
		return err
	}
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		g.stop(0) // a shutdown came while gonb was restarting
		return nil
	}
	s.gonb = g
	close(s.ready)
	s.mu.Unlock()
	go s.watch(ctx, g)
	return nil
}

// current returns the running gonb, waiting while it is being restarted.
func (s *supervisor) current() *child {
	for {
		s.mu.Lock()
		ready, g := s.ready, s.gonb
		s.mu.Unlock()
		<-ready
		if g != nil && g.alive() {
			return g
		}
		s.mu.Lock()
		same := s.ready == ready
		s.mu.Unlock()
		if same {
			time.Sleep(20 * time.Millisecond) // death noticed, restart about to begin
		}
	}
}

// running returns the running gonb without waiting: nil while it is being
// restarted.
func (s *supervisor) running() *child {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gonb
}

// stop ends the supervision (no restart follows) and returns the running
// gonb, nil if none, for the caller to shut down.
func (s *supervisor) stop() *child {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	return s.gonb
}

// watch restarts gonb when its process exits or its heartbeat stops.
func (s *supervisor) watch(ctx context.Context, g *child) {
	hbDead := make(chan struct{})
	go s.watchHeartbeat(ctx, g, hbDead)
	select {
	case <-ctx.Done():
		return
	case <-g.done:
	case <-hbDead:
		slog.Error("gonb stopped answering heartbeats; killing it", "pid", g.cmd.Process.Pid)
		killTree(g.cmd.Process.Pid, descendantsOf(g.cmd.Process.Pid))
		<-g.done
	}
	s.mu.Lock()
	if s.stopped || s.gonb != g {
		s.mu.Unlock()
		return
	}
	s.ready = make(chan struct{})
	s.gonb = nil
	s.mu.Unlock()
	s.died(g) // first: the next cell must find the kernel's notice
	slog.Error("gonb died; restarting it", "err", g.exitErr)
	g.stop(0)
	for {
		err := s.start(ctx)
		if err == nil {
			return
		}
		slog.Error("restarting gonb failed; retrying", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// watchHeartbeat pings gonb's heartbeat channel and closes dead after a
// ping goes unanswered for HeartbeatTimeout.
func (s *supervisor) watchHeartbeat(ctx context.Context, g *child, dead chan struct{}) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := becomeSubreaper(); err != nil {
		slog.Warn("cannot adopt gonb's orphans; a gopls may outlive a crashed gonb", "err", err)
	}
	sweepStaleGopls()
	go func() {
		<-g.done
		cancel()
	}()
	req := zmq4.NewReq(ctx)
	defer req.Close()
	if err := req.Dial(g.conn.Endpoint(wire.HB)); err != nil {
		slog.Warn("cannot watch gonb's heartbeat", "err", err)
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.cfg.HeartbeatEvery):
		}
		pong := make(chan error, 1)
		go func() {
			if err := req.Send(zmq4.NewMsgString("ping")); err != nil {
				pong <- err
				return
			}
			_, err := req.Recv()
			pong <- err
		}()
		select {
		case <-ctx.Done():
			return
		case err := <-pong:
			if err != nil && ctx.Err() == nil {
				slog.Warn("gonb heartbeat error", "err", err)
			}
		case <-time.After(s.cfg.HeartbeatTimeout):
			if ctx.Err() == nil {
				close(dead)
			}
			return
		}
	}
}
