package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/supersonic-rl/supersonic/kernel/wire"
)

// The supervision of gonb: start it, wait until it answers, watch its
// process and heartbeat, restart it when it dies (failing the requests it
// can no longer answer), and hold Go completions until its gopls is ready.

// startGonb starts a gonb child, waits until it answers, prepares its cell
// module and starts relaying its messages.
func (k *kernel) startGonb(ctx context.Context) error {
	g, err := startChild(ctx, &k.cfg)
	if err != nil {
		return err
	}
	go k.relayReplies(g, g.shell)
	go k.relayReplies(g, g.control)
	go k.relayInputRequests(g)
	go k.relayIOPub(g)
	if _, err := k.ask(ctx, g, "kernel_info_request", map[string]any{}, 60*time.Second); err != nil {
		g.stop(0)
		return fmt.Errorf("gonb did not answer kernel_info: %w", err)
	}
	if k.cfg.Checkout != "" {
		if err := g.prepareCellModule(k.cfg.Checkout); err != nil {
			// Go cells still work; only imports of the checkout will fail.
			slog.Error("cells will not be able to import the Supersonic checkout", "err", err)
		}
	}
	k.mu.Lock()
	if k.shutdown {
		k.mu.Unlock()
		g.stop(0) // a shutdown came while gonb was restarting
		return nil
	}
	k.gonb = g
	close(k.ready)
	k.mu.Unlock()
	go k.watch(ctx, g)
	go k.warmGopls(ctx, g)
	return nil
}

// goplsPatience bounds how long a completion or inspection that arrives
// before gopls is ready waits for it. On a loaded machine gopls can take
// most of warmGopls's minute (gonb restarts a gopls that misses its
// deadline), and a frontend's completion timeout is usually longer.
const goplsPatience = 75 * time.Second

// goplsWarmUp is the completion the proxy asks for until gopls answers it.
const goplsWarmUp = "import \"fmt\"\n\n%%\nfmt.Prin"

// warmGopls asks gonb for a Go completion until gopls answers with
// matches (or a minute passes), then lets the frontend's completions
// through: right after start-up gonb would answer them empty.
func (k *kernel) warmGopls(ctx context.Context, g *child) {
	defer close(g.goplsReady)
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		r, err := k.ask(ctx, g, "complete_request", map[string]any{"code": goplsWarmUp, "cursor_pos": len(goplsWarmUp)}, 30*time.Second)
		if err != nil && !g.alive() {
			return
		}
		var c struct {
			Matches []string `json:"matches"`
		}
		if err == nil && r.DecodeContent(&c) == nil && len(c.Matches) > 0 {
			slog.Info("gopls answers completions", "after", time.Since(deadline.Add(-time.Minute)).Round(time.Millisecond))
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-g.done:
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
	slog.Warn("gopls did not answer a completion within a minute; Go completion may come back empty")
}

// afterGopls forwards a completion or inspection once gopls is ready (at
// most goplsPatience later), without holding up the requests behind it.
func (k *kernel) afterGopls(from *wire.Socket, m *wire.Message) {
	g := k.current()
	select {
	case <-g.goplsReady:
		k.forward(from, m)
		return
	default:
	}
	go func() {
		select {
		case <-g.goplsReady:
		case <-time.After(goplsPatience):
		}
		k.forward(from, m)
	}()
}

// ask sends an internal request to gonb and waits for its reply; its
// messages are not shown to the frontend.
func (k *kernel) ask(ctx context.Context, g *child, msgType string, content any, timeout time.Duration) (*wire.Message, error) {
	m, err := wire.New(msgType, k.session, nil, content)
	if err != nil {
		return nil, err
	}
	ch := make(chan *wire.Message, 1)
	k.mu.Lock()
	k.internal[m.Header.MsgID] = ch
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		delete(k.internal, m.Header.MsgID)
		k.mu.Unlock()
	}()
	if err := g.shell.Send(m); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r, nil
	case <-g.done:
		return nil, fmt.Errorf("gonb exited: %v", g.exitErr)
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(timeout):
		return nil, fmt.Errorf("no %s reply within %s", msgType, timeout)
	}
}

// current returns the running gonb, waiting while it is being restarted.
func (k *kernel) current() *child {
	for {
		k.mu.Lock()
		ready, g := k.ready, k.gonb
		k.mu.Unlock()
		<-ready
		if g != nil && g.alive() {
			return g
		}
		k.mu.Lock()
		same := k.ready == ready
		k.mu.Unlock()
		if same {
			time.Sleep(20 * time.Millisecond) // death noticed, restart about to begin
		}
	}
}

// watch restarts gonb when its process exits or its heartbeat stops.
func (k *kernel) watch(ctx context.Context, g *child) {
	hbDead := make(chan struct{})
	go k.watchHeartbeat(ctx, g, hbDead)
	select {
	case <-ctx.Done():
		return
	case <-g.done:
	case <-hbDead:
		slog.Error("gonb stopped answering heartbeats; killing it", "pid", g.cmd.Process.Pid)
		killTree(g.cmd.Process.Pid, descendantsOf(g.cmd.Process.Pid))
		<-g.done
	}
	k.mu.Lock()
	if k.shutdown || k.gonb != g {
		k.mu.Unlock()
		return
	}
	k.ready = make(chan struct{})
	k.gonb = nil
	pending := k.pending
	k.pending = map[string]pendingRequest{}
	why := fmt.Sprintf("Supersonic: the Go kernel (gonb) stopped unexpectedly (%v) and was restarted; declarations from earlier cells are gone, re-run the cells you need.", g.exitErr)
	k.notice = why
	k.comms = map[string]string{} // they lived in the dead gonb
	k.mu.Unlock()
	slog.Error("gonb died; restarting it", "err", g.exitErr)
	g.stop(0)
	for _, p := range pending {
		k.failPending(p, why)
	}
	for {
		err := k.startGonb(ctx)
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
func (k *kernel) watchHeartbeat(ctx context.Context, g *child, dead chan struct{}) {
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
		case <-time.After(k.cfg.HeartbeatEvery):
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
		case <-time.After(k.cfg.HeartbeatTimeout):
			if ctx.Err() == nil {
				close(dead)
			}
			return
		}
	}
}

// failPending answers a request gonb can no longer answer.
func (k *kernel) failPending(p pendingRequest, why string) {
	replyType := strings.TrimSuffix(p.msg.Header.MsgType, "_request") + "_reply"
	content := map[string]any{"status": "error", "ename": "GonbDied", "evalue": why, "traceback": []string{why}}
	if p.msg.Header.MsgType == "execute_request" {
		count := k.count()
		if c := k.cellOf(p.msg.Header.MsgID); c != nil {
			c.abandon()
			k.forgetCell(p.msg.Header.MsgID)
			count = c.count
		}
		content["execution_count"] = count
		k.publish(p.msg, "error", map[string]any{"ename": "GonbDied", "evalue": why, "traceback": []string{why}})
	}
	k.reply(p.from, p.msg, replyType, content)
	k.publish(p.msg, "status", map[string]any{"execution_state": "idle"})
}
