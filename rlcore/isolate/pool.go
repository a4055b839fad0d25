package isolate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Config configures a Pool.
type Config struct {
	// Service is the registered service the workers serve (required).
	Service string
	// Idle is how many idle workers the pool keeps warm for the next
	// calls; default GOMAXPROCS.
	Idle int
	// Warm workers are started in the background when the pool is
	// created, so that the first calls do not wait for a process start.
	Warm int
	// CallTimeout bounds each call (WithCallTimeout overrides it per
	// context, WithCallDeadline and the context's deadline bound it
	// further); 0 means no per-call limit besides those deadlines.
	CallTimeout time.Duration
	// MemoryLimit is each worker's address-space limit (RLIMIT_AS) in
	// bytes: 0 means DefaultMemoryLimit(), a negative value none. It
	// counts reserved address space, not resident memory: an idle Go
	// worker already reserves about 1.6 GB, so limits under 2 GiB leave
	// it almost nothing. Binaries
	// built with -race run their workers without a limit (the race
	// detector's shadow memory does not fit under one).
	MemoryLimit int64
	// MaxUses recycles a worker after that many acquisitions (bounding
	// what a long-lived native library accumulates); 0 means never.
	MaxUses int
	// StartTimeout bounds the wait for a new worker; default one minute.
	StartTimeout time.Duration
}

// DefaultMemoryLimit is a quarter of the machine's physical memory, and at
// least 4 GiB: enough for any sane native call, and it stops a runaway one
// (LLVM's gvn-hoist has been seen taking 22 GB) long before the machine
// swaps or the kernel's OOM killer picks a victim.
func DefaultMemoryLimit() int64 {
	return max(physicalMemory()/4, 4<<30)
}

// Pool runs calls in worker processes of one service: this program
// re-executed, serving the handlers its Register call declared. Idle
// workers are kept for the next calls; a worker that dies costs the call
// that killed it (and the calls of whoever held it) and is replaced.
// A Pool is safe for concurrent use.
type Pool struct {
	cfg Config

	mu      sync.Mutex
	closed  bool
	idle    []*Worker
	live    map[*Worker]bool
	warming int
}

// NewPool creates a pool. The service must be registered in this program
// (it is, when the task's package is imported).
func NewPool(cfg Config) (*Pool, error) {
	if cfg.Service == "" {
		return nil, errors.New("isolate: NewPool: Config.Service is empty")
	}
	if !registered(cfg.Service) {
		return nil, fmt.Errorf("isolate: service %q is not registered in this program (import the package that registers it)", cfg.Service)
	}
	if cfg.Idle <= 0 {
		cfg.Idle = runtime.GOMAXPROCS(0)
	}
	if cfg.MemoryLimit == 0 {
		cfg.MemoryLimit = DefaultMemoryLimit()
	}
	if cfg.StartTimeout <= 0 {
		cfg.StartTimeout = time.Minute
	}
	p := &Pool{cfg: cfg, live: map[*Worker]bool{}}
	for range min(cfg.Warm, cfg.Idle) {
		p.warmOne()
	}
	return p, nil
}

// Config returns the pool's configuration with defaults filled in.
func (p *Pool) Config() Config { return p.cfg }

// warmOne starts a worker in the background for the idle list.
func (p *Pool) warmOne() {
	p.mu.Lock()
	if p.closed || len(p.idle)+p.warming >= p.cfg.Idle {
		p.mu.Unlock()
		return
	}
	p.warming++
	p.mu.Unlock()
	go func() {
		w, err := p.start()
		p.mu.Lock()
		p.warming--
		if err == nil && !p.closed && len(p.idle) < p.cfg.Idle {
			p.idle = append(p.idle, w)
			w = nil
		}
		p.mu.Unlock()
		if err != nil {
			slog.Warn("isolate: could not start a warm worker", "service", p.cfg.Service, "err", err)
		}
		if w != nil {
			w.close()
		}
	}()
}

// Call runs one request on any worker.
func (p *Pool) Call(ctx context.Context, name string, req []byte) ([]byte, error) {
	w, err := p.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer w.Release()
	return w.Call(ctx, name, req)
}

// Acquire takes an idle worker (or starts one) for a sequence of calls
// that share the worker's state: the caller holds one reference and must
// Release it.
func (p *Pool) Acquire(ctx context.Context) (*Worker, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, fmt.Errorf("isolate: %s pool is closed", p.cfg.Service)
	}
	for len(p.idle) > 0 {
		w := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if w.Alive() {
			p.take(w)
			p.mu.Unlock()
			return w, nil
		}
	}
	p.mu.Unlock()
	w, err := p.start()
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		w.close()
		return nil, fmt.Errorf("isolate: %s pool is closed", p.cfg.Service)
	}
	p.take(w)
	return w, nil
}

// take marks w in use; p.mu must be held.
func (p *Pool) take(w *Worker) {
	w.refs = 1
	w.uses++
	p.live[w] = true
}

// Close ends the idle workers; workers still held end when released.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, w := range idle {
		w.close()
	}
	return nil
}

// release is Worker.Release.
func (p *Pool) release(w *Worker) {
	p.mu.Lock()
	w.refs--
	if w.refs > 0 {
		p.mu.Unlock()
		return
	}
	if w.refs < 0 {
		p.mu.Unlock()
		panic("isolate: Worker released more often than acquired and retained")
	}
	delete(p.live, w)
	alive := w.Alive()
	keep := !p.closed && alive && len(p.idle) < p.cfg.Idle && (p.cfg.MaxUses <= 0 || w.uses < p.cfg.MaxUses)
	if keep {
		p.idle = append(p.idle, w)
	}
	closed := p.closed
	p.mu.Unlock()
	if !keep {
		w.close()
	}
	if !alive && !closed {
		p.warmOne() // replace the dead worker before the next call needs one
	}
}

// Worker is the parent's handle on one worker process. Its calls are
// serialised. Holders of a reference (Acquire, Retain) must Release it.
type Worker struct {
	pool   *Pool
	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	in     *bufio.Writer
	out    *bufio.Reader
	stderr *stderrWatch
	waited chan struct{}
	dead   error // set once the process is gone: a *CrashError or a closed error

	refs, uses int // guarded by pool.mu
}

// Pid is the worker's process id.
func (w *Worker) Pid() int { return w.cmd.Process.Pid }

// Retain adds a reference (for instance, a forked episode that shares
// its parent's worker).
func (w *Worker) Retain() {
	w.pool.mu.Lock()
	w.refs++
	w.pool.mu.Unlock()
}

// Release drops a reference; when none is left a healthy worker goes back
// to the pool and a dead one is replaced.
func (w *Worker) Release() { w.pool.release(w) }

// Alive reports whether the worker can take calls.
func (w *Worker) Alive() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dead == nil
}

// Err is why the worker cannot take calls (nil while it can): a
// *CrashError after a crash.
func (w *Worker) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.deadErr()
}

// deadErr returns a copy of a crash error, so that callers can add their
// reproducer to theirs; w.mu must be held.
func (w *Worker) deadErr() error {
	var ce *CrashError
	if errors.As(w.dead, &ce) {
		c := *ce
		return &c
	}
	return w.dead
}

// start launches a worker process and waits for its greeting.
func (p *Pool) start() (*Worker, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("isolate: start %s worker: find own executable: %w", p.cfg.Service, err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), envService+"="+p.cfg.Service, envParent+"="+strconv.Itoa(os.Getpid()))
	if p.cfg.MemoryLimit > 0 && !raceEnabled {
		cmd.Env = append(cmd.Env, envMemory+"="+strconv.FormatInt(p.cfg.MemoryLimit, 10))
	}
	w := &Worker{pool: p, cmd: cmd, stderr: &stderrWatch{max: 4 << 10}, waited: make(chan struct{})}
	cmd.Stderr = w.stderr
	if w.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("isolate: start %s worker: %w", p.cfg.Service, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("isolate: start %s worker: %w", p.cfg.Service, err)
	}
	if err := spawn(cmd); err != nil {
		return nil, fmt.Errorf("isolate: start %s worker %s: %w", p.cfg.Service, exe, err)
	}
	w.in = bufio.NewWriter(w.stdin)
	w.out = bufio.NewReaderSize(stdout, 64<<10)
	go func() {
		cmd.Wait()
		close(w.waited)
	}()
	if err := awaitGreeting(w.out, p.cfg.Service, p.cfg.StartTimeout); err != nil {
		w.mu.Lock()
		w.markDead("start", false)
		err = fmt.Errorf("isolate: start %s worker: %w: %w", p.cfg.Service, err, w.dead)
		w.mu.Unlock()
		return nil, err
	}
	return w, nil
}

// awaitGreeting skips output until the worker's greeting line.
func awaitGreeting(out *bufio.Reader, service string, timeout time.Duration) error {
	want := greeting + service + "\n"
	done := make(chan error, 1)
	go func() {
		for skipped := 0; skipped < 1<<20; {
			line, err := out.ReadString('\n')
			if err != nil {
				done <- fmt.Errorf("no greeting: %w", err)
				return
			}
			if line == want {
				done <- nil
				return
			}
			skipped += len(line)
		}
		done <- errors.New("no greeting in the first MiB of output")
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("no greeting within %v", timeout)
	}
}

// Call sends one request to this worker and waits for the answer.
//
// A handler's error comes back as an ordinary error and the worker stays
// usable. A call that outlives its limit (Config.CallTimeout,
// WithCallTimeout, WithCallDeadline) kills the worker and returns a
// *CrashError matching ErrTimeout; a worker that dies (abort, signal,
// memory limit) returns a *CrashError matching ErrCrashed, and so does
// every later call on it. Cancelling ctx (or its deadline passing) kills
// the worker and returns ctx's error.
func (w *Worker) Call(ctx context.Context, name string, req []byte) ([]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dead != nil {
		return nil, w.deadErr()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := time.Now()
	limit, timeout := callLimit(ctx, now, w.pool.cfg.CallTimeout)
	deadline := limit
	if d, ok := ctx.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	var timedOut atomic.Bool
	if !limit.IsZero() {
		if !limit.After(now) {
			// Nothing started: the worker stays usable.
			return nil, fmt.Errorf("isolate: %s call %s not started, %v after its deadline: %w",
				w.pool.cfg.Service, name, now.Sub(limit).Round(time.Millisecond), ErrDeadline)
		}
		t := time.AfterFunc(limit.Sub(now), func() {
			timedOut.Store(true)
			killGroup(w.cmd)
		})
		defer t.Stop()
	}
	stop := context.AfterFunc(ctx, func() { killGroup(w.cmd) })
	defer stop()
	w.stderr.reset()
	var dl int64
	if !deadline.IsZero() {
		dl = deadline.UnixNano()
	}
	err := writeRequest(w.in, name, dl, req)
	var resp []byte
	var remote error
	if err == nil {
		resp, remote, err = readResponse(w.out)
	}
	if err != nil {
		if timedOut.Load() {
			w.markDead(name, true)
			w.setLimit(limit, now, timeout)
			return nil, w.deadErr()
		}
		if cerr := ctx.Err(); cerr != nil {
			killGroup(w.cmd)
			<-w.waited
			w.dead = fmt.Errorf("isolate: %s worker stopped: call %s cancelled: %w", w.pool.cfg.Service, name, cerr)
			return nil, fmt.Errorf("isolate: %s call %s: %w", w.pool.cfg.Service, name, cerr)
		}
		w.markDead(name, false)
		return nil, w.deadErr()
	}
	if remote != nil {
		return nil, remote
	}
	return resp, nil
}

// setLimit records the exceeded time limit in words; w.mu must be held.
func (w *Worker) setLimit(limit, start time.Time, timeout time.Duration) {
	if ce, ok := w.dead.(*CrashError); ok {
		d := limit.Sub(start)
		if timeout > 0 && d >= timeout {
			ce.Limit = timeout.String()
		} else {
			ce.Limit = d.Round(time.Millisecond).String() + " (the caller's deadline)"
			ce.AtDeadline = true
		}
	}
}

// markDead kills the process if needed and records how it died; w.mu must
// be held.
func (w *Worker) markDead(call string, timedOut bool) {
	killGroup(w.cmd)
	<-w.waited
	info := exitOf(w.cmd)
	notable, tail := w.stderr.report()
	kind, msg := diagnose(info, timedOut, notable)
	ce := &CrashError{Service: w.pool.cfg.Service, Call: call, Kind: kind, Status: info.status, Message: msg, Stderr: strings.TrimSpace(tail)}
	if kind == OutOfMemory {
		ce.Limit = formatBytes(w.pool.cfg.MemoryLimit)
	}
	w.dead = ce
}

// close ends the worker: closing stdin makes it exit.
func (w *Worker) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dead != nil {
		return
	}
	w.stdin.Close()
	select {
	case <-w.waited:
	case <-time.After(5 * time.Second):
		killGroup(w.cmd)
		<-w.waited
	}
	w.dead = fmt.Errorf("isolate: %s worker closed", w.pool.cfg.Service)
}

func formatBytes(n int64) string {
	if n <= 0 {
		return "none"
	}
	const gib, mib = 1 << 30, 1 << 20
	if n >= gib {
		return strconv.FormatFloat(float64(n)/gib, 'f', 1, 64) + " GiB"
	}
	return strconv.FormatFloat(float64(n)/mib, 'f', 0, 64) + " MiB"
}
