package isolate_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore/internal/testproc"
	"github.com/supersonic-rl/supersonic/rlcore/isolate"
)

// The test binary is its own worker: re-executed with the service's
// environment, this init serves requests.
const service = "isolate-test"

// calls counts the requests a worker served: per-worker state.
var calls int

func init() {
	isolate.Register(isolate.Service{
		Name:  service,
		Setup: func() error { calls = 100; return nil },
		Handlers: map[string]isolate.Handler{
			"echo": func(_ context.Context, req []byte) ([]byte, error) { return req, nil },
			"count": func(context.Context, []byte) ([]byte, error) {
				calls++
				return []byte(strconv.Itoa(calls)), nil
			},
			"pid":  func(context.Context, []byte) ([]byte, error) { return []byte(strconv.Itoa(os.Getpid())), nil },
			"fail": func(context.Context, []byte) ([]byte, error) { return nil, errors.New("bad request: want x") },
			"panic": func(context.Context, []byte) ([]byte, error) {
				var m map[string]int
				m["x"] = 1 // a Go runtime panic
				return nil, nil
			},
			"deadline": func(ctx context.Context, _ []byte) ([]byte, error) {
				d, ok := ctx.Deadline()
				if !ok {
					return []byte("none"), nil
				}
				return []byte(strconv.FormatInt(d.UnixNano(), 10)), nil
			},
			"square": isolate.GobHandler(func(_ context.Context, r *squareReq) (*squareResp, error) {
				return &squareResp{Y: r.X * r.X}, nil
			}),
		},
	})
}

type squareReq struct{ X int }
type squareResp struct{ Y int }

// envParentMode makes the re-executed test binary a parent that holds a
// worker and prints its pid, for the kill -9 test.
const envParentMode = "ISOLATE_TEST_PARENT"

func TestMain(m *testing.M) {
	if os.Getenv(envParentMode) == "1" {
		os.Exit(holdWorker())
	}
	os.Exit(m.Run())
}

func holdWorker() int {
	p, err := isolate.NewPool(isolate.Config{Service: service})
	if err != nil {
		fmt.Println("error:", err)
		return 2
	}
	w, err := p.Acquire(context.Background())
	if err != nil {
		fmt.Println("error:", err)
		return 2
	}
	fmt.Println(w.Pid())
	// Keep the worker busy forever: the parent is killed meanwhile.
	w.Call(context.Background(), isolate.FaultHang, nil)
	return 0
}

func newPool(t *testing.T, cfg isolate.Config) *isolate.Pool {
	t.Helper()
	cfg.Service = service
	p, err := isolate.NewPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestCallsAndWorkerState(t *testing.T) {
	ctx := context.Background()
	p := newPool(t, isolate.Config{})
	big := bytes.Repeat([]byte("0123456789"), 1<<20)
	if out, err := p.Call(ctx, "echo", big); err != nil || !bytes.Equal(out, big) {
		t.Fatalf("echo of %d bytes: %d bytes back, %v", len(big), len(out), err)
	}
	if out, err := p.Call(ctx, "echo", nil); err != nil || len(out) != 0 {
		t.Fatalf("echo of nothing: %q, %v", out, err)
	}
	w, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := w.Call(ctx, "count", nil)
	second, _ := w.Call(ctx, "count", nil)
	a, _ := strconv.Atoi(string(first))
	b, _ := strconv.Atoi(string(second))
	if a <= 100 || b != a+1 {
		t.Errorf("per-worker state: counts %q then %q, want > 100 (Setup ran) and consecutive", first, second)
	}
	// An ordinary error leaves the worker up.
	if _, err := w.Call(ctx, "fail", nil); err == nil || errors.Is(err, isolate.ErrCrashed) || err.Error() != "bad request: want x" {
		t.Errorf("handler error: %v, want the handler's message and no crash", err)
	}
	if _, err := w.Call(ctx, "no-such-call", nil); err == nil || !strings.Contains(err.Error(), `no handler "no-such-call"`) {
		t.Errorf("unknown call: %v", err)
	}
	if !w.Alive() {
		t.Errorf("worker died on an ordinary error")
	}
	w.Release()
	sq, err := isolate.CallGob[squareResp](ctx, p, "square", &squareReq{X: 7})
	if err != nil || sq.Y != 49 {
		t.Errorf("CallGob square(7) = %+v, %v", sq, err)
	}
	// The pool reuses the idle worker.
	w2, _ := p.Acquire(ctx)
	if w2 != w {
		t.Errorf("Acquire after Release started a new worker instead of reusing the idle one")
	}
	w2.Release()
}

func TestConcurrentCalls(t *testing.T) {
	ctx := context.Background()
	p := newPool(t, isolate.Config{Idle: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			msg := []byte(strconv.Itoa(i))
			out, err := p.Call(ctx, "echo", msg)
			if err == nil && !bytes.Equal(out, msg) {
				err = fmt.Errorf("echo %q gave %q", msg, out)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestCrashes kills workers in every way native code can and checks that
// each costs one call, says what happened in one line, and that the pool
// goes on with a new worker.
func TestCrashes(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		call    string
		cfg     isolate.Config
		ctx     func(context.Context) context.Context
		kind    isolate.CrashKind
		is      error
		isNot   error // a kind the error must not match
		message []string
		within  time.Duration
	}{
		{call: isolate.FaultAbort, kind: isolate.Aborted, is: isolate.ErrCrashed, message: []string{"signal: aborted"}},
		{call: isolate.FaultSegfault, kind: isolate.Segfault, is: isolate.ErrCrashed,
			message: []string{"SIGSEGV", "in C function ss_isolate_segfault"}},
		{call: "panic", kind: isolate.Panicked, is: isolate.ErrCrashed, message: []string{"panic: assignment to entry in nil map"}},
		{call: isolate.FaultHang, cfg: isolate.Config{CallTimeout: 300 * time.Millisecond}, kind: isolate.Timeout,
			is: isolate.ErrTimeout, isNot: isolate.ErrDeadline, message: []string{"timed out after 300ms"}, within: 5 * time.Second},
		{call: isolate.FaultHang, ctx: func(c context.Context) context.Context {
			return isolate.WithCallDeadline(c, time.Now().Add(200*time.Millisecond))
		}, kind: isolate.Timeout, is: isolate.ErrDeadline, message: []string{"the caller's deadline"}, within: 5 * time.Second},
		// An idle Go worker reserves about 1.6 GB of address space: 2.5 GiB
		// lets the hog touch most of a gigabyte before the limit ends it.
		{call: isolate.FaultHog, cfg: isolate.Config{MemoryLimit: 5 << 29}, kind: isolate.OutOfMemory,
			is: isolate.ErrOutOfMemory, message: []string{"out of memory (limit 2.5 GiB)", "runtime: out of memory"}, within: 30 * time.Second},
	} {
		t.Run(tc.call+"/"+string(tc.kind), func(t *testing.T) {
			if tc.kind == isolate.OutOfMemory && raceEnabled {
				t.Skip("-race: workers run without a memory limit")
			}
			p := newPool(t, tc.cfg)
			w, err := p.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pid := w.Pid()
			cctx := ctx
			if tc.ctx != nil {
				cctx = tc.ctx(ctx)
			}
			start := time.Now()
			_, err = w.Call(cctx, tc.call, nil)
			took := time.Since(start)
			var ce *isolate.CrashError
			if !errors.As(err, &ce) || !errors.Is(err, isolate.ErrCrashed) || !errors.Is(err, tc.is) {
				t.Fatalf("%s: %v, want a *CrashError matching %v", tc.call, err, tc.is)
			}
			if tc.isNot != nil && errors.Is(err, tc.isNot) {
				t.Errorf("%s: %v matches %v", tc.call, err, tc.isNot)
			}
			if tc.kind == isolate.Timeout && !errors.Is(err, isolate.ErrTimeout) {
				t.Errorf("%s: %v does not match ErrTimeout", tc.call, err)
			}
			if ce.Kind != tc.kind {
				t.Errorf("kind %q, want %q (error %v; stderr %q)", ce.Kind, tc.kind, err, ce.Stderr)
			}
			msg := err.Error()
			t.Logf("after %v: %s", took.Round(time.Millisecond), msg)
			for _, want := range append(tc.message, service, tc.call) {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
			if len(msg) > 600 || strings.Contains(msg, "goroutine ") {
				t.Errorf("error is not one readable line (%d bytes): %q", len(msg), msg)
			}
			if tc.within > 0 && took > tc.within {
				t.Errorf("the call ended after %v, want within %v", took, tc.within)
			}
			if err := syscall.Kill(pid, 0); err == nil && !zombie(pid) {
				t.Errorf("worker %d still runs after its crash", pid)
			}
			// Later calls on the dead worker fail the same way; the task
			// adds its reproducer to its own copy.
			_, again := w.Call(ctx, "echo", nil)
			var ce2 *isolate.CrashError
			if !errors.As(again, &ce2) || ce2 == ce || ce2.Kind != tc.kind {
				t.Errorf("call on the dead worker: %v, want a copy of the crash error", again)
			}
			if r := ce2.WithReproducer("opt-19 x.bc").Error(); !strings.HasSuffix(r, "reproduce with: opt-19 x.bc") {
				t.Errorf("WithReproducer: %q", r)
			}
			w.Release()
			// The pool goes on with another worker.
			out, err := p.Call(ctx, "pid", nil)
			if err != nil || string(out) == strconv.Itoa(pid) {
				t.Errorf("call after the crash: pid %s, %v; want a live new worker", out, err)
			}
		})
	}
}

// TestKilledFromOutside: a worker killed by someone else (the kernel's OOM
// killer, a user) costs the call it was serving.
func TestKilledFromOutside(t *testing.T) {
	p := newPool(t, isolate.Config{})
	w, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Release()
	time.AfterFunc(200*time.Millisecond, func() { syscall.Kill(w.Pid(), syscall.SIGKILL) })
	_, err = w.Call(context.Background(), isolate.FaultHang, nil)
	var ce *isolate.CrashError
	if !errors.As(err, &ce) || ce.Kind != isolate.Killed || !strings.Contains(err.Error(), "signal: killed") {
		t.Errorf("worker killed from outside: %v, want a crash of kind %q", err, isolate.Killed)
	}
}

func TestCancelAndDeadline(t *testing.T) {
	p := newPool(t, isolate.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := p.Call(ctx, isolate.FaultHang, nil)
	if !errors.Is(err, context.Canceled) || errors.Is(err, isolate.ErrCrashed) || time.Since(start) > 5*time.Second {
		t.Errorf("cancelled call: %v after %v, want context.Canceled promptly", err, time.Since(start))
	}
	// The handler sees the call's deadline.
	dl := time.Now().Add(time.Hour)
	out, err := p.Call(isolate.WithCallDeadline(context.Background(), dl), "deadline", nil)
	if err != nil || string(out) != strconv.FormatInt(dl.UnixNano(), 10) {
		t.Errorf("handler's deadline: %s, %v; want %d", out, err, dl.UnixNano())
	}
	// A deadline already past does not start the call, and kills nothing.
	w, _ := p.Acquire(context.Background())
	defer w.Release()
	_, err = w.Call(isolate.WithCallDeadline(context.Background(), time.Now().Add(-time.Second)), "echo", nil)
	if !errors.Is(err, isolate.ErrTimeout) || errors.Is(err, isolate.ErrCrashed) || !w.Alive() {
		t.Errorf("call past its deadline: %v (alive %v), want ErrTimeout without a crash", err, w.Alive())
	}
}

// TestWorkersDieWithTheirParent kills -9 a process holding a busy worker
// and checks that the worker does not outlive it.
func TestWorkersDieWithTheirParent(t *testing.T) {
	parent := testproc.Command(envParentMode + "=1")
	line := testproc.StartAndReadLine(t, parent)
	pid, err := strconv.Atoi(line)
	if err != nil {
		parent.Process.Kill()
		t.Fatalf("parent's output %q: %v", line, err)
	}
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("worker %d is not running before the kill: %v", pid, err)
	}
	parent.Process.Signal(syscall.SIGKILL)
	parent.Wait()
	for deadline := time.Now().Add(5 * time.Second); ; {
		if err := syscall.Kill(pid, 0); err != nil || zombie(pid) {
			return
		}
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("worker %d outlived its parent by 5 s", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// zombie reports whether pid has ended and waits to be reaped.
func zombie(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}

func TestBadConfig(t *testing.T) {
	if _, err := isolate.NewPool(isolate.Config{Service: "no-such-service"}); err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Errorf("unknown service: %v", err)
	}
	if _, err := isolate.NewPool(isolate.Config{}); err == nil {
		t.Errorf("empty service: no error")
	}
}

func TestRunChild(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	// A shell whose own child would outlive a plain kill of the shell.
	cmd := exec.CommandContext(ctx, "sh", "-c", "sleep 30 & echo $!; wait")
	var out bytes.Buffer
	cmd.Stdout = &out
	start := time.Now()
	if err := isolate.RunChild(cmd); err == nil {
		t.Fatalf("RunChild of a command past its context's deadline: no error")
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("cancellation took %v", time.Since(start))
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out.String()))
	if err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	time.Sleep(100 * time.Millisecond)
	if err := syscall.Kill(pid, 0); err == nil && !zombie(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the child's own child %d outlived the cancellation", pid)
	}
}
