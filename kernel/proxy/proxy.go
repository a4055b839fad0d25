// Package proxy is the Supersonic Jupyter kernel: it binds the five channels
// where the frontend's connection file says, runs a gonb child kernel on
// loopback with a connection file of its own, and relays shell, control,
// stdin and iopub messages both ways, re-signing each with the other side's
// key. Cells that start with a Supersonic magic are parsed, validated and
// expanded into Go by package magic before gonb sees them; errors in a magic
// are answered here without reaching gonb.
//
// The proxy also makes gonb behave like a conforming kernel: a cell whose
// program panics or exits non-zero replies status "error" (cells.go,
// outcome.go); execution counts are the proxy's own, so magic errors count
// too; it answers is_complete_request (package iscomplete) and
// history_request (history.go); it shows a status line while a cell
// compiles and cancels the compile on an interrupt. It answers heartbeats
// itself, keeps gonb running through a supervisor (supervise.go: restarts
// it when it dies; gonb.go says so in the cell's output and fails the
// requests the dead one left), forwards interrupts, ends when its frontend
// dies (parent.go), and leaves no process behind.
package proxy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/supersonic-rl/supersonic/kernel/iscomplete"
	"github.com/supersonic-rl/supersonic/kernel/magic"
	"github.com/supersonic-rl/supersonic/kernel/wire"
)

// Config says how to run the kernel.
type Config struct {
	Connection *wire.Connection // the frontend's connection file
	GonbPath   string           // the gonb binary
	GonbArgs   []string         // extra gonb flags, e.g. --raw_error
	// Checkout is the Supersonic checkout cells import from; "" leaves
	// gonb's cell module as gonb made it.
	Checkout string
	// KernelID is the Jupyter kernel id (from the frontend's connection
	// file name kernel-ID.json), passed on to gonb; "" for a random one.
	KernelID string
	// Self is the kernel binary, which stands in for gopls so that gopls
	// dies with gonb (see RunGoplsShim); "" runs gopls directly.
	Self string
	// HistoryPath is the file the cells' history is kept in across
	// kernels (as IPython keeps its history); "" keeps it in memory only.
	HistoryPath string
	// ParentPID is the frontend process that started the kernel; the kernel
	// exits when it dies (as ipykernel's parent poller does). 0: not watched.
	ParentPID int
	// HeartbeatEvery and HeartbeatTimeout pace the watch of gonb's
	// heartbeat; zero means 5s and 30s.
	HeartbeatEvery, HeartbeatTimeout time.Duration
}

// kernel is a running Supersonic kernel.
type kernel struct {
	cfg     Config
	session string
	signer  *wire.Signer

	shell, control, stdin, iopub *wire.Socket
	hb                           zmq4.Socket

	gonb *supervisor

	mu         sync.Mutex
	pending    map[string]pendingRequest
	original   map[string]string // msg_id → the cell as typed, for magic cells
	internal   map[string]chan *wire.Message
	comms      map[string]string // open comm_id → target_name, for comm_info_request
	cells      map[string]*cell  // msg_id → an execute_request relayed to gonb, until replied
	notice     string            // said in the next cell's output (gonb was restarted)
	execCount  int               // the kernel's execution counter (gonb's own is not shown)
	history    *history
	shutdownCh chan struct{}
	closeOnce  sync.Once
}

// pendingRequest is a request relayed to gonb awaiting its reply.
type pendingRequest struct {
	from *wire.Socket
	msg  *wire.Message
}

// Run runs the kernel until a shutdown_request, SIGTERM or ctx ends it.
func Run(ctx context.Context, cfg Config) error {
	if cfg.HeartbeatEvery == 0 {
		cfg.HeartbeatEvery = 5 * time.Second
	}
	if cfg.HeartbeatTimeout == 0 {
		cfg.HeartbeatTimeout = 30 * time.Second
	}
	k := &kernel{
		cfg:        cfg,
		session:    wire.NewID(),
		signer:     wire.NewSigner(cfg.Connection.Key),
		pending:    map[string]pendingRequest{},
		original:   map[string]string{},
		internal:   map[string]chan *wire.Message{},
		comms:      map[string]string{},
		cells:      map[string]*cell{},
		shutdownCh: make(chan struct{}),
		history:    openHistory(cfg.HistoryPath),
	}
	k.gonb = newSupervisor(&k.cfg, k.attachGonb, k.gonbDied)
	if cfg.Connection.Key == "" {
		slog.Warn("the connection file has an empty key: messages are not signed, and anyone who can reach these ports can run code as this user")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := becomeSubreaper(); err != nil {
		slog.Warn("cannot adopt gonb's orphans; a gopls may outlive a crashed gonb", "err", err)
	}
	sweepStaleGopls()

	// Bind first: gonb's first iopub messages need somewhere to go, and a
	// frontend request arriving meanwhile waits for gonb to be ready.
	if err := k.bind(ctx); err != nil {
		return err
	}
	defer k.closeFrontend()
	if err := k.gonb.start(ctx); err != nil {
		return err
	}
	defer func() {
		if g := k.gonb.running(); g != nil {
			g.stop(3 * time.Second)
		}
	}()

	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(signals)

	if cfg.ParentPID > 0 {
		go watchParent(ctx, cfg.ParentPID, time.Second, func() {
			k.gonb.stop()
			k.closeOnce.Do(func() { close(k.shutdownCh) })
		})
	}
	go k.serveHeartbeat()
	go k.serveRequests(k.shell)
	go k.serveRequests(k.control)
	go k.serveStdin()
	slog.Debug("supersonic kernel ready", "shell", cfg.Connection.Endpoint(wire.Shell))

	for {
		select {
		case <-ctx.Done():
			return nil
		case <-k.shutdownCh:
			return nil
		case sig := <-signals:
			if sig == syscall.SIGINT {
				k.interruptBySignal()
				continue
			}
			slog.Info("stopping on signal", "signal", sig)
			return nil
		}
	}
}

// bind binds the frontend's five channels exactly where the connection
// file says.
func (k *kernel) bind(ctx context.Context) error {
	c := k.cfg.Connection
	k.shell = &wire.Socket{Name: "frontend shell", Sock: zmq4.NewRouter(ctx), Signer: k.signer}
	k.control = &wire.Socket{Name: "frontend control", Sock: zmq4.NewRouter(ctx), Signer: k.signer}
	k.stdin = &wire.Socket{Name: "frontend stdin", Sock: zmq4.NewRouter(ctx), Signer: k.signer}
	k.iopub = &wire.Socket{Name: "frontend iopub", Sock: zmq4.NewPub(ctx), Signer: k.signer}
	k.hb = zmq4.NewRep(ctx)
	for _, s := range []struct {
		sock zmq4.Socket
		ch   wire.Channel
	}{{k.shell.Sock, wire.Shell}, {k.control.Sock, wire.Control}, {k.stdin.Sock, wire.Stdin}, {k.iopub.Sock, wire.IOPub}, {k.hb, wire.HB}} {
		if err := s.sock.Listen(c.Endpoint(s.ch)); err != nil {
			return fmt.Errorf("binding the %s channel at %s: %w", s.ch, c.Endpoint(s.ch), err)
		}
	}
	return nil
}

func (k *kernel) closeFrontend() {
	for _, s := range []*wire.Socket{k.shell, k.control, k.stdin, k.iopub} {
		s.Close()
	}
	k.hb.Close()
}

func (k *kernel) serveHeartbeat() {
	for {
		msg, err := k.hb.Recv()
		if err != nil {
			return
		}
		if err := k.hb.Send(msg); err != nil {
			return
		}
	}
}

func (k *kernel) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.execCount
}

// reply sends a reply to req on the socket it came from.
func (k *kernel) reply(to *wire.Socket, req *wire.Message, msgType string, content any) {
	m, err := wire.New(msgType, k.session, req, content)
	if err == nil {
		err = to.Send(m)
	}
	if err != nil {
		slog.Error("sending reply", "type", msgType, "err", err)
	}
}

// publish sends an iopub message whose parent is req.
func (k *kernel) publish(req *wire.Message, msgType string, content any) {
	m, err := wire.New(msgType, k.session, req, content)
	if err != nil {
		slog.Error("building iopub message", "type", msgType, "err", err)
		return
	}
	m.Identities = [][]byte{[]byte("kernel." + k.session + "." + msgType)}
	if err := k.iopub.Send(m); err != nil {
		slog.Error("publishing", "type", msgType, "err", err)
	}
}

// serveRequests handles the frontend's shell or control channel.
func (k *kernel) serveRequests(from *wire.Socket) {
	for {
		m, err := from.Recv()
		if err != nil {
			return
		}
		k.handleRequest(from, m)
	}
}

// magicReply is the kernel's own reply to a complete or inspect request
// about a magic; without one (ok false) gonb's gopls answers the request.
func magicReply(m *wire.Message) (msgType string, content map[string]any, ok bool) {
	var c struct {
		Code      string `json:"code"`
		CursorPos int    `json:"cursor_pos"`
	}
	if m.DecodeContent(&c) != nil {
		return "", nil, false
	}
	if m.Header.MsgType == "inspect_request" {
		help, ok := magic.Inspect(c.Code)
		return "inspect_reply", map[string]any{
			"status": "ok", "found": true, "data": map[string]any{"text/plain": help}, "metadata": map[string]any{},
		}, ok
	}
	comp, ok := magic.Complete(c.Code, c.CursorPos)
	return "complete_reply", map[string]any{
		"status": "ok", "matches": nonNil(comp.Matches), "cursor_start": comp.Start, "cursor_end": comp.End, "metadata": map[string]any{},
	}, ok
}

func (k *kernel) handleRequest(from *wire.Socket, m *wire.Message) {
	switch m.Header.MsgType {
	case "execute_request":
		k.handleExecute(from, m)
		return
	case "complete_request", "inspect_request":
		if reply, content, ok := magicReply(m); ok {
			k.answer(from, m, reply, content)
		} else {
			k.afterGopls(from, m)
		}
		return
	case "is_complete_request":
		// gonb does not answer it (a notebook never asks); a console asks
		// whether to run the lines typed so far or wait for more.
		var c struct {
			Code string `json:"code"`
		}
		_ = m.DecodeContent(&c)
		status, indent := iscomplete.Check(c.Code)
		content := map[string]any{"status": string(status)}
		if status == iscomplete.Incomplete {
			content["indent"] = indent
		}
		k.answer(from, m, "is_complete_reply", content)
		return
	case "history_request":
		// gonb keeps no history; the proxy does.
		var q historyQuery
		_ = m.DecodeContent(&q)
		k.answer(from, m, "history_reply", map[string]any{"status": "ok", "history": k.history.answer(q)})
		return
	case "interrupt_request":
		// A cell still compiling is cancelled here (gonb interrupts only a
		// running program); gonb gets the request either way.
		k.cancelCompiles()
	case "shutdown_request":
		k.handleShutdown(from, m)
		return
	case "comm_info_request":
		// gonb does not answer it; the proxy sees every comm_open and
		// comm_close pass.
		k.answer(from, m, "comm_info_reply", map[string]any{"status": "ok", "comms": k.commInfo(m)})
		return
	case "comm_open", "comm_close":
		k.trackComm(m)
	}
	k.forward(from, m)
}

// trackComm records comms opened and closed by either side.
func (k *kernel) trackComm(m *wire.Message) {
	var c struct {
		CommID     string `json:"comm_id"`
		TargetName string `json:"target_name"`
	}
	if m.DecodeContent(&c) != nil || c.CommID == "" {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if m.Header.MsgType == "comm_open" {
		k.comms[c.CommID] = c.TargetName
	} else {
		delete(k.comms, c.CommID)
	}
}

// commInfo lists the open comms, of the requested target if one is given.
func (k *kernel) commInfo(m *wire.Message) map[string]any {
	var c struct {
		TargetName string `json:"target_name"`
	}
	_ = m.DecodeContent(&c)
	k.mu.Lock()
	defer k.mu.Unlock()
	out := map[string]any{}
	for id, target := range k.comms {
		if c.TargetName == "" || c.TargetName == target {
			out[id] = map[string]any{"target_name": target}
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// answer replies to m from the proxy itself, between busy and idle.
func (k *kernel) answer(from *wire.Socket, m *wire.Message, replyType string, content any) {
	k.publish(m, "status", map[string]any{"execution_state": "busy"})
	k.reply(from, m, replyType, content)
	k.publish(m, "status", map[string]any{"execution_state": "idle"})
}

// forward relays a frontend request to gonb, re-signed with gonb's key.
func (k *kernel) forward(from *wire.Socket, m *wire.Message) {
	g := k.gonb.current()
	to := g.shell
	if from == k.control {
		to = g.control
	}
	if strings.HasSuffix(m.Header.MsgType, "_request") { // comm messages get no reply
		k.mu.Lock()
		k.pending[m.Header.MsgID] = pendingRequest{from: from, msg: m}
		k.mu.Unlock()
	}
	if err := to.Send(m); err != nil {
		slog.Error("relaying to gonb", "type", m.Header.MsgType, "err", err)
	}
}

type executeContent struct {
	Code         string `json:"code"`
	Silent       bool   `json:"silent"`
	StoreHistory *bool  `json:"store_history"`
}

// handleExecute expands magic cells and relays every execute_request.
func (k *kernel) handleExecute(from *wire.Socket, m *wire.Message) {
	var c executeContent
	if err := m.DecodeContent(&c); err != nil {
		slog.Warn("undecodable execute_request", "err", err)
		return
	}
	count := k.countCell(c)
	k.mu.Lock()
	notice := k.notice
	k.notice = ""
	k.mu.Unlock()
	if notice != "" {
		k.publish(m, "stream", map[string]any{"name": "stderr", "text": notice + "\n"})
	}
	if _, ok := magic.Detect(c.Code); !ok {
		if err := magic.Unknown(c.Code); err != nil {
			k.magicError(from, m, c.Code, count, err)
			return
		}
		magic.NoteGoCell(c.Code)
		k.forwardCell(from, m, false, count)
		return
	}
	exp, err := magic.Run(c.Code)
	if err != nil {
		k.magicError(from, m, c.Code, count, err)
		return
	}
	var content map[string]json.RawMessage
	if err := json.Unmarshal(m.Content, &content); err != nil {
		slog.Warn("undecodable execute_request", "err", err)
		return
	}
	content["code"], _ = json.Marshal(exp.Code)
	rewritten := *m
	rewritten.Content, _ = json.Marshal(content)
	k.mu.Lock()
	k.original[m.Header.MsgID] = c.Code
	k.mu.Unlock()
	k.forwardCell(from, &rewritten, true, count)
}

// countCell numbers a cell as ipykernel does: every request that stores
// history takes the next execution count, whatever its outcome (gonb's own
// counter skips the cells the proxy answers, so the proxy keeps the count).
// It records the cell in the history.
func (k *kernel) countCell(c executeContent) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	if c.Silent || (c.StoreHistory != nil && !*c.StoreHistory) {
		return k.execCount
	}
	k.execCount++
	k.history.add(k.execCount, c.Code)
	return k.execCount
}

// forwardCell relays an execute_request to gonb and follows the cell until
// its reply.
func (k *kernel) forwardCell(from *wire.Socket, m *wire.Message, isMagic bool, count int) {
	g := k.gonb.current()
	c := k.newCell(from, m, isMagic, g.cmd.Process.Pid, count)
	k.mu.Lock()
	k.cells[m.Header.MsgID] = c
	k.mu.Unlock()
	k.forward(from, m)
}

// cellOf returns the cell a message of gonb's belongs to, or nil.
func (k *kernel) cellOf(parent string) *cell {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.cells[parent]
}

func (k *kernel) forgetCell(id string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.cells, id)
}

// cancelCompiles cancels the cells that have not started running.
func (k *kernel) cancelCompiles() {
	k.mu.Lock()
	var cells []*cell
	for _, c := range k.cells {
		cells = append(cells, c)
	}
	k.mu.Unlock()
	for _, c := range cells {
		if c.cancel() {
			slog.Info("interrupted while compiling: the cell will not run", "msg_id", c.req.Header.MsgID)
		}
	}
}

// maxEValue bounds an error message sent back to the frontend.
const maxEValue = 4000

// magicError answers a bad magic without sending anything to gonb.
func (k *kernel) magicError(from *wire.Socket, m *wire.Message, code string, count int, err error) {
	evalue := err.Error()
	if r := []rune(evalue); len(r) > maxEValue {
		evalue = string(r[:maxEValue]) + fmt.Sprintf("… (%d more characters)", len(r)-maxEValue)
	}
	k.publish(m, "status", map[string]any{"execution_state": "busy"})
	k.publish(m, "execute_input", map[string]any{"code": code, "execution_count": count})
	k.publish(m, "error", map[string]any{"ename": magic.EName, "evalue": evalue, "traceback": []string{magic.EName + ": " + evalue}})
	k.reply(from, m, "execute_reply", map[string]any{
		"status": "error", "execution_count": count, "ename": magic.EName, "evalue": evalue,
		"traceback": []string{magic.EName + ": " + evalue}, "user_expressions": map[string]any{}, "payload": []any{},
	})
	k.publish(m, "status", map[string]any{"execution_state": "idle"})
}

// handleShutdown relays the shutdown to gonb, waits for it to stop and ends
// the kernel (a restart is the frontend starting a new kernel process).
func (k *kernel) handleShutdown(from *wire.Socket, m *wire.Message) {
	g := k.gonb.stop()
	var content struct {
		Restart bool `json:"restart"`
	}
	_ = m.DecodeContent(&content)
	if g != nil && g.alive() {
		ch := make(chan *wire.Message, 1)
		k.mu.Lock()
		k.internal[m.Header.MsgID] = ch
		k.mu.Unlock()
		if err := g.control.Send(m); err == nil {
			select {
			case <-ch:
			case <-g.done:
			case <-time.After(5 * time.Second):
				slog.Warn("gonb did not answer shutdown_request")
			}
		}
		g.stop(3 * time.Second)
	}
	k.answer(from, m, "shutdown_reply", map[string]any{"status": "ok", "restart": content.Restart})
	time.Sleep(100 * time.Millisecond) // let the reply leave before closing sockets
	k.closeOnce.Do(func() { close(k.shutdownCh) })
}

// interruptBySignal forwards a SIGINT to gonb's process group.
func (k *kernel) interruptBySignal() {
	g := k.gonb.running()
	if g == nil || !g.alive() {
		return
	}
	k.cancelCompiles()
	if err := interruptGroup(g.cmd.Process.Pid); err != nil {
		slog.Warn("interrupting gonb", "err", err)
	}
}

// serveStdin relays input_reply messages to gonb.
func (k *kernel) serveStdin() {
	for {
		m, err := k.stdin.Recv()
		if err != nil {
			return
		}
		if err := k.gonb.current().stdin.Send(m); err != nil {
			slog.Error("relaying input_reply to gonb", "err", err)
		}
	}
}

// relayReplies relays gonb's shell or control replies to the frontend.
func (k *kernel) relayReplies(g *child, from *wire.Socket) {
	for {
		m, err := from.Recv()
		if err != nil {
			return
		}
		parent := m.ParentID()
		k.mu.Lock()
		if ch, ok := k.internal[parent]; ok {
			k.mu.Unlock()
			ch <- m
			continue
		}
		p, ok := k.pending[parent]
		delete(k.pending, parent)
		delete(k.original, parent)
		c := k.cells[parent]
		k.mu.Unlock()
		if !ok {
			slog.Warn("dropping a gonb reply to an unknown request", "type", m.Header.MsgType)
			continue
		}
		if c != nil && m.Header.MsgType == "execute_reply" {
			c.replied(m)
			continue
		}
		if m.Header.MsgType == "kernel_info_reply" {
			m = k.brand(m)
		}
		if err := p.from.Send(m); err != nil {
			slog.Error("relaying a gonb reply", "type", m.Header.MsgType, "err", err)
		}
	}
}

// brand presents gonb's kernel_info_reply as Supersonic's.
func (k *kernel) brand(m *wire.Message) *wire.Message {
	var c map[string]any
	if err := json.Unmarshal(m.Content, &c); err != nil {
		return m
	}
	if li, ok := c["language_info"].(map[string]any); ok {
		// gonb names no lexer; consoles and nbconvert then show Go as
		// plain text.
		li["pygments_lexer"] = "go"
		li["codemirror_mode"] = "go"
	}
	c["implementation"] = "supersonic"
	c["implementation_version"] = magic.Version
	c["protocol_version"] = wire.Version
	c["banner"] = fmt.Sprintf("Supersonic %s — Go notebooks for RL in compilers (gonb %s inside); %%supersonic help for the magics", magic.Version, magic.GonbVersion)
	out := *m
	out.Content, _ = json.Marshal(c)
	return &out
}

// relayInputRequests relays gonb's input_request messages to the frontend.
func (k *kernel) relayInputRequests(g *child) {
	for {
		m, err := g.stdin.Recv()
		if err != nil {
			return
		}
		if err := k.stdin.Send(m); err != nil {
			slog.Error("relaying input_request", "err", err)
		}
	}
}

// relayIOPub relays gonb's iopub messages, showing magic cells as typed.
func (k *kernel) relayIOPub(g *child) {
	for {
		m, err := g.iopub.Recv()
		if err != nil {
			return
		}
		parent := m.ParentID()
		k.mu.Lock()
		_, internal := k.internal[parent]
		code, isMagic := k.original[parent]
		k.mu.Unlock()
		if internal {
			continue
		}
		if m.Header.MsgType == "comm_open" || m.Header.MsgType == "comm_close" {
			k.trackComm(m)
		}
		c := k.cellOf(parent)
		if c != nil && (m.Header.MsgType == "execute_input" || m.Header.MsgType == "execute_result") {
			m = rewriteContent(m, func(content map[string]json.RawMessage) {
				content["execution_count"], _ = json.Marshal(c.count)
				if isMagic && m.Header.MsgType == "execute_input" {
					content["code"], _ = json.Marshal(code)
				}
			})
		}
		if c != nil && !c.iopub(m) {
			continue // held until the reply is sent
		}
		k.relayIOPubMessage(m)
	}
}

// relayIOPubMessage publishes one of gonb's iopub messages to the frontend.
func (k *kernel) relayIOPubMessage(m *wire.Message) {
	m.Identities = [][]byte{[]byte("kernel." + k.session + "." + m.Header.MsgType)}
	if err := k.iopub.Send(m); err != nil && !errors.Is(err, context.Canceled) {
		slog.Error("relaying iopub", "type", m.Header.MsgType, "err", err)
	}
}

// rewriteContent returns a copy of m with its content changed by edit.
func rewriteContent(m *wire.Message, edit func(map[string]json.RawMessage)) *wire.Message {
	var content map[string]json.RawMessage
	if json.Unmarshal(m.Content, &content) != nil {
		return m
	}
	edit(content)
	out := *m
	out.Content, _ = json.Marshal(content)
	return &out
}
