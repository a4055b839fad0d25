package proxy

import (
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/supersonic-rl/supersonic/kernel/wire"
)

// cell is one execute_request relayed to gonb, from the moment the proxy
// forwards it until its reply has gone out. It shows a status line while
// gonb compiles ("compiling the cell… 12 s"), cancels the compile when
// the kernel is interrupted before the program starts, and turns gonb's
// "ok" into an error when the program failed (see outcome.go).
type cell struct {
	k       *kernel
	req     *wire.Message // the request as the frontend sent it
	from    *wire.Socket
	magic   bool
	count   int // the execution count the frontend sees
	start   time.Time
	gonbPID int

	mu        sync.Mutex
	stderr    tail
	exitLine  string
	statusID  string // display id of the status line; "" once cleared or never shown
	shown     bool   // the status line was displayed
	running   bool   // the cell's program has started
	output    bool   // the cell has shown output of its own
	cancelled bool   // interrupted before its program started
	reply     *wire.Message
	idle      *wire.Message
	sent      bool
	stop      chan struct{}
}

// statusDelay is how long a plain Go cell runs silent before the status
// line appears (a magic's appears at once).
const statusDelay = 500 * time.Millisecond

func (k *kernel) newCell(from *wire.Socket, req *wire.Message, isMagic bool, gonbPID, count int) *cell {
	c := &cell{k: k, req: req, from: from, magic: isMagic, count: count, start: time.Now(), gonbPID: gonbPID,
		stderr: tail{max: 64 << 10}, stop: make(chan struct{})}
	var content struct {
		Silent bool `json:"silent"`
	}
	_ = req.DecodeContent(&content)
	if !content.Silent {
		c.statusID = "supersonic-status-" + wire.NewID()
		go c.tick()
	}
	return c
}

// tick keeps the status line current until the cell shows output or ends.
func (c *cell) tick() {
	delay := statusDelay
	if c.magic {
		delay = 0
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-timer.C:
		}
		c.observe()
		c.mu.Lock()
		if c.statusID == "" {
			c.mu.Unlock()
			return
		}
		text := c.statusText()
		msgType := "update_display_data"
		if !c.shown {
			msgType, c.shown = "display_data", true
		}
		id := c.statusID
		cancelled := c.cancelled
		c.k.publish(c.req, msgType, statusContent(text, id))
		c.mu.Unlock()
		if cancelled {
			timer.Reset(100 * time.Millisecond)
		} else {
			timer.Reset(time.Second)
		}
	}
}

// statusText says what the cell is doing; c.mu is held.
func (c *cell) statusText() string {
	secs := int(time.Since(c.start).Seconds())
	switch {
	case c.cancelled:
		return fmt.Sprintf("interrupted while compiling: stopping, nothing will run… %d s", secs)
	case c.running:
		return fmt.Sprintf("running the cell… %d s", secs)
	}
	return fmt.Sprintf("compiling the cell… %d s", secs)
}

// statusContent is the status line as display data. It has HTML only: a
// frontend that shows HTML (Notebook, Lab, VS Code) also updates and
// clears displays, while jupyter console prints a display's text/plain
// once and ignores the updates and the clear, so a plain-text status line
// stayed there ("compiling the cell… 0 s") above every cell's output.
func statusContent(text, id string) map[string]any {
	return map[string]any{
		"data": map[string]any{
			"text/html": `<div style="color:#666;font-style:italic">` + html.EscapeString(text) + `</div>`,
		},
		"metadata":  map[string]any{},
		"transient": map[string]any{"display_id": id},
	}
}

// observe looks at gonb's processes: has the cell's program started? When
// the cell was cancelled, it ends the compile (or the program, should it
// have started before the compile could be stopped).
func (c *cell) observe() {
	if c.gonbPID == 0 {
		return
	}
	var build, program []int
	for _, pid := range childrenTree(c.gonbPID) {
		switch comm := procComm(pid); {
		case strings.HasPrefix(comm, "gonb_"):
			program = append(program, pid)
		case buildTools[comm]:
			build = append(build, pid)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(program) > 0 {
		c.running = true
	}
	if !c.cancelled {
		return
	}
	for _, pid := range append(build, program...) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// buildTools are the processes gonb runs to turn a cell into a program.
var buildTools = map[string]bool{"go": true, "goimports": true, "compile": true, "link": true, "asm": true, "cgo": true, "vet": true}

func procComm(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// cancel is the kernel being interrupted: a cell whose program has not
// started yet stops compiling and runs nothing; a running program gets
// gonb's interrupt as before.
func (c *cell) cancel() bool {
	c.mu.Lock()
	if c.running || c.sent {
		c.mu.Unlock()
		return false
	}
	c.cancelled = true
	c.mu.Unlock()
	c.observe()
	return true
}

// clearStatus removes the status line before the cell's own output;
// c.mu is held.
func (c *cell) clearStatus() {
	if c.statusID == "" {
		return
	}
	c.statusID = ""
	if c.shown {
		c.k.publish(c.req, "clear_output", map[string]any{"wait": false})
	}
}

// iopub sees each of gonb's iopub messages for this cell before it is
// relayed, and says whether to relay it now (an idle status waits for the
// reply, so that the frontend sees reply then idle as from any kernel).
func (c *cell) iopub(m *wire.Message) (relay bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch m.Header.MsgType {
	case "stream":
		var s struct {
			Name string `json:"name"`
			Text string `json:"text"`
		}
		if m.DecodeContent(&s) == nil && s.Name == "stderr" {
			if exitLineRE.MatchString(s.Text) {
				c.exitLine = s.Text
			} else {
				c.stderr.add(s.Text)
			}
		}
		c.output = true
		c.clearStatus()
	case "display_data", "update_display_data", "execute_result", "error", "clear_output":
		c.output = true
		c.clearStatus()
	case "status":
		var s struct {
			State string `json:"execution_state"`
		}
		if m.DecodeContent(&s) == nil && s.State == "idle" {
			c.idle = m
			if c.reply != nil {
				c.finish()
			}
			return false
		}
	}
	return true
}

// replied takes gonb's execute_reply; it goes out with the idle status (or
// after a short wait for it).
func (c *cell) replied(m *wire.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reply = m
	if c.idle != nil {
		c.finish()
		return
	}
	time.AfterFunc(2*time.Second, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if !c.sent {
			slog.Warn("gonb's idle status did not follow its execute_reply; replying without it")
			c.finish()
		}
	})
}

// finish sends the reply, corrected when the program failed, then the idle
// status; c.mu is held.
func (c *cell) finish() {
	if c.sent {
		return
	}
	c.sent = true
	close(c.stop)
	c.clearStatus()
	reply := c.reply
	var content map[string]any
	if json.Unmarshal(reply.Content, &content) == nil {
		if fail := c.failure(content); fail != nil {
			c.k.publish(c.req, "error", map[string]any{"ename": fail.EName, "evalue": fail.EValue, "traceback": []string{fail.EName + ": " + fail.EValue}})
			content = map[string]any{
				"status": "error", "ename": fail.EName, "evalue": fail.EValue,
				"traceback": fail.Traceback, "user_expressions": map[string]any{}, "payload": []any{},
			}
		}
		content["execution_count"] = c.count
		out := *reply
		out.Content, _ = json.Marshal(content)
		reply = &out
	}
	if err := c.from.Send(reply); err != nil {
		slog.Error("relaying gonb's execute_reply", "err", err)
	}
	if c.idle != nil {
		c.k.relayIOPubMessage(c.idle)
	}
	c.k.forgetCell(c.req.Header.MsgID)
}

// failure is why an "ok" reply is in truth a failure, or nil; c.mu is held.
func (c *cell) failure(content map[string]any) *failure {
	if c.cancelled && !c.running {
		return &failure{EName: "KeyboardInterrupt", EValue: "interrupted while compiling: the cell did not run",
			Traceback: []string{"KeyboardInterrupt: interrupted while compiling: the cell did not run"}}
	}
	if content["status"] != "ok" {
		return nil
	}
	if c.exitLine == "" {
		return nil
	}
	return classify(c.stderr.String(), c.exitLine)
}

// abandon stops following a cell gonb will never answer (it died).
func (c *cell) abandon() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.sent {
		c.sent = true
		close(c.stop)
		c.clearStatus()
	}
}

// childrenTree returns the processes below pid from the children lists of
// its threads (/proc/PID/task/TID/children), which is much cheaper than
// reading every process's stat as descendantsOf does; the status line
// looks every second.
func childrenTree(pid int) []int {
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", p))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			for _, field := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(field); err == nil {
					out = append(out, c)
					queue = append(queue, c)
				}
			}
		}
	}
	return out
}
