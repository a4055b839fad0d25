package proxy

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/kernel/wire"
)

// The kernel's side of its gonb child (the supervisor starts, watches and
// restarts it): attaching a started child, asking it internal requests,
// waiting for its gopls, and failing the requests a dead one leaves.

// attachGonb connects a started gonb child to the kernel: it relays the
// child's messages, waits until it answers kernel_info, prepares its cell
// module and starts warming up its gopls.
func (k *kernel) attachGonb(ctx context.Context, g *child) error {
	go k.relayReplies(g, g.shell)
	go k.relayReplies(g, g.control)
	go k.relayInputRequests(g)
	go k.relayIOPub(g)
	if _, err := k.ask(ctx, g, "kernel_info_request", map[string]any{}, 60*time.Second); err != nil {
		return fmt.Errorf("gonb did not answer kernel_info: %w", err)
	}
	if k.cfg.Checkout != "" {
		if err := g.prepareCellModule(k.cfg.Checkout); err != nil {
			// Go cells still work; only imports of the checkout will fail.
			slog.Error("cells will not be able to import the Supersonic checkout", "err", err)
		}
	}
	go k.warmGopls(ctx, g)
	return nil
}

// gonbDied fails the requests the dead child g can no longer answer and
// says so in the next cell; the comms it held are gone.
func (k *kernel) gonbDied(g *child) {
	k.mu.Lock()
	pending := k.pending
	k.pending = map[string]pendingRequest{}
	why := fmt.Sprintf("Supersonic: the Go kernel (gonb) stopped unexpectedly (%v) and was restarted; declarations from earlier cells are gone, re-run the cells you need.", g.exitErr)
	k.notice = why
	k.comms = map[string]string{} // they lived in the dead gonb
	k.mu.Unlock()
	for _, p := range pending {
		k.failPending(p, why)
	}
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
			slog.Debug("gopls answers completions", "after", time.Since(deadline.Add(-time.Minute)).Round(time.Millisecond))
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
	g := k.gonb.current()
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
