package widgets

import (
	"context"
	"encoding/gob"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// fakeGonb plays gonb's side of the named pipes a cell program talks to:
// it decodes what gonbui sends, acknowledges syncs, and can send values
// back as the browser would. gonbui opens its pipes once per process, so
// only one test may use it.
type fakeGonb struct {
	mu   sync.Mutex
	msgs []*protocol.DisplayData
	got  chan struct{} // a message arrived
	back *gob.Encoder
	bmu  sync.Mutex
}

// theFakeGonb is shared by the test runs of a process (go test -count N).
var theFakeGonb struct {
	once sync.Once
	g    *fakeGonb
	err  error
}

// startFakeGonb makes the program look like a notebook cell for the test.
func startFakeGonb(t *testing.T) *fakeGonb {
	t.Helper()
	f := &theFakeGonb
	f.once.Do(func() { f.g, f.err = newFakeGonb() })
	if f.err != nil {
		t.Skipf("cannot fake gonb's pipes: %v", f.err)
	}
	// IsNotebook stays true for the rest of the process: gonb's goroutines
	// read it at any time, so changing it back would be a data race. The
	// headless tests skip themselves when it is set.
	f.g.mu.Lock()
	f.g.msgs = nil
	f.g.mu.Unlock()
	return f.g
}

func newFakeGonb() (*fakeGonb, error) {
	dir, err := os.MkdirTemp("", "fakegonb")
	if err != nil {
		return nil, err
	}
	toGonb, fromGonb := filepath.Join(dir, "pipe"), filepath.Join(dir, "pipe_back")
	for _, p := range []string{toGonb, fromGonb} {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			return nil, err
		}
	}
	// gonbui reads these when it opens its pipes, once per process.
	os.Setenv(protocol.GONB_PIPE_ENV, toGonb)
	os.Setenv(protocol.GONB_PIPE_BACK_ENV, fromGonb)
	gonbui.IsNotebook = true
	g := &fakeGonb{got: make(chan struct{}, 1)}
	ready := make(chan struct{})
	go func() {
		// Same order as gonbui opens them: its writer, then its reader.
		in, err := os.OpenFile(toGonb, os.O_RDONLY, 0)
		if err != nil {
			panic(err)
		}
		out, err := os.OpenFile(fromGonb, os.O_WRONLY, 0)
		if err != nil {
			panic(err)
		}
		g.back = gob.NewEncoder(out)
		close(ready)
		dec := gob.NewDecoder(in)
		for {
			msg := &protocol.DisplayData{}
			if err := dec.Decode(msg); err != nil {
				if err != io.EOF {
					panic(err)
				}
				return
			}
			if v, ok := commValue(msg); ok && v.Address == protocol.GonbuiSyncAddress {
				g.send(protocol.GonbuiSyncAckAddress, v.Value)
			}
			g.mu.Lock()
			g.msgs = append(g.msgs, msg)
			g.mu.Unlock()
			select {
			case g.got <- struct{}{}:
			default:
			}
		}
	}()
	if err := gonbui.Open(); err != nil {
		return nil, err
	}
	<-ready
	// The pipes are open: their names are no longer needed.
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	return g, nil
}

func commValue(msg *protocol.DisplayData) (protocol.CommValue, bool) {
	switch v := msg.Data[protocol.MIMECommValue].(type) {
	case protocol.CommValue:
		return v, true
	case *protocol.CommValue:
		return *v, true
	}
	return protocol.CommValue{}, false
}

// send delivers a value from the "browser" to the program.
func (g *fakeGonb) send(address string, value any) {
	g.bmu.Lock()
	defer g.bmu.Unlock()
	if err := g.back.Encode(&protocol.CommValue{Address: address, Value: value}); err != nil {
		panic(err)
	}
}

// waitFor waits until a received message satisfies ok and returns it.
func (g *fakeGonb) waitFor(t *testing.T, what string, ok func(*protocol.DisplayData) bool) *protocol.DisplayData {
	t.Helper()
	deadline := time.After(30 * time.Second) // a guard against hanging, not a speed check
	for {
		g.mu.Lock()
		for _, m := range g.msgs {
			if ok(m) {
				g.mu.Unlock()
				return m
			}
		}
		g.mu.Unlock()
		select {
		case <-g.got:
		case <-deadline:
			t.Fatalf("gonb never received %s", what)
		}
	}
}

func (g *fakeGonb) htmlUpdates(id string) []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, m := range g.msgs {
		if h, ok := m.Data[protocol.MIMETextHTML].(string); ok && m.DisplayID == id {
			out = append(out, h)
		}
	}
	return out
}

func htmlOf(m *protocol.DisplayData) string {
	h, _ := m.Data[protocol.MIMETextHTML].(string)
	return h
}

// TestNotebookThroughGonbPipes runs the widgets as in a notebook cell: the
// frames reach gonb as display updates of one block, and a click on the
// Stop button, sent back by the browser, cancels the search.
func TestNotebookThroughGonbPipes(t *testing.T) {
	g := startFakeGonb(t)

	// Live curves: Display nil means the notebook here.
	lc := NewLiveCurves(LiveOptions{Title: "search nb", Interval: 5 * time.Millisecond})
	if _, ok := lc.display.(Notebook); !ok {
		t.Fatalf("in a notebook the default display is %T, want Notebook", lc.display)
	}
	if lc.progress != nil {
		t.Errorf("in a notebook progress lines go to %v, want nowhere", lc.progress)
	}
	for i, e := range syntheticSearch(6, 3, 300) {
		lc.Observe(e)
		if i%100 == 0 {
			time.Sleep(2 * time.Millisecond) // let a few frames through
		}
	}
	if err := lc.Close(); err != nil {
		t.Fatal(err)
	}
	frames := g.htmlUpdates(lc.id)
	if len(frames) != lc.Frames() || len(frames) < 2 {
		t.Fatalf("gonb got %d updates of the chart's block for %d frames", len(frames), lc.Frames())
	}
	if last := frames[len(frames)-1]; !strings.Contains(last, "<svg") || !strings.Contains(last, armName(2)) {
		t.Errorf("last frame is not the chart with every arm: %.200s…", last)
	}

	// Stop button.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := StopButton(cancel)
	button := g.waitFor(t, "the button", func(m *protocol.DisplayData) bool {
		return m.DisplayID == stop.blockID && strings.Contains(htmlOf(m), "&#9632; Stop")
	})
	addr := regexp.MustCompile(`newSyncedVariable\("([^"]+)"`).FindStringSubmatch(htmlOf(button))
	if addr == nil || !strings.HasPrefix(addr[1], "/supersonic/stop/") {
		t.Fatalf("button script has no address: %s", htmlOf(button))
	}
	g.waitFor(t, "the subscription to the button's address", func(m *protocol.DisplayData) bool {
		switch v := m.Data[protocol.MIMECommSubscribe].(type) {
		case protocol.CommSubscription:
			return v.Address == addr[1] && !v.Unsubscribe
		case *protocol.CommSubscription:
			return v.Address == addr[1] && !v.Unsubscribe
		}
		return false
	})
	g.send(addr[1], 0) // the browser created the button
	if ctx.Err() != nil || stop.Clicked() {
		t.Fatal("creating the button cancelled the search")
	}
	g.send(addr[1], 1) // a click
	select {
	case <-ctx.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("a click on Stop did not cancel the context")
	}
	if !stop.Clicked() {
		t.Error("Clicked is false after a click")
	}
	stop.Close()
	g.waitFor(t, "the stopped note", func(m *protocol.DisplayData) bool {
		return m.DisplayID == stop.blockID && strings.Contains(htmlOf(m), "stopped by the user")
	})
	stop.Close() // twice is fine
}

func TestStopButtonHeadless(t *testing.T) {
	if InNotebook() {
		t.Skip("runs outside a notebook")
	}
	called := false
	s := StopButton(func() { called = true })
	s.Close()
	if called || s.Clicked() {
		t.Error("a headless Stop button cancelled the search")
	}
}
