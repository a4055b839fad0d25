package isolate

import (
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
)

// ErrCrashed is matched (errors.Is) by every error of a call whose worker
// died: a native abort, a signal, a timeout, running out of memory.
var ErrCrashed = errors.New("worker process died")

// ErrTimeout is matched by the error of a call killed at its deadline.
var ErrTimeout = errors.New("worker call timed out")

// ErrDeadline is matched by the error of a call stopped by the caller's
// deadline (WithCallDeadline: a search's wall budget ran out), as opposed
// to its own time limit: nothing is wrong with the code the call ran, so a
// task reports it as a budget cut, not as a crash. It matches ErrTimeout
// too.
var ErrDeadline error = deadlineError{}

type deadlineError struct{}

func (deadlineError) Error() string        { return "worker call stopped at the caller's deadline" }
func (deadlineError) Is(target error) bool { return target == ErrTimeout }

// ErrOutOfMemory is matched by the error of a call whose worker ran out of
// its memory limit.
var ErrOutOfMemory = errors.New("worker ran out of memory")

// CrashKind classifies how a worker died.
type CrashKind string

const (
	Aborted     CrashKind = "aborted"       // SIGABRT: a failed native check
	Segfault    CrashKind = "segfault"      // SIGSEGV, SIGBUS: a bad memory access
	Timeout     CrashKind = "timeout"       // killed at the call's deadline
	OutOfMemory CrashKind = "out of memory" // the memory limit was reached
	Killed      CrashKind = "killed"        // SIGKILL from elsewhere (the kernel's OOM killer, a user)
	Panicked    CrashKind = "panic"         // a Go panic or runtime fatal error in a handler
	Exited      CrashKind = "exited"        // any other end
)

// CrashError is the error of a call whose worker died. Error() is one
// readable line: the service, the call, how it died and the message the
// native code or the Go runtime printed (the LLVM error, the panic line,
// the signal), not the whole dump; Stderr holds the end of the worker's
// stderr for the curious.
type CrashError struct {
	Service string
	Call    string    // the request name
	Kind    CrashKind //
	Status  string    // the process status: "signal: aborted", "exit status 2"
	Message string    // the readable part of stderr ("" when none)
	Stderr  string    // the last bytes of stderr
	// Reproducer is set by the task: a command or recipe that repeats
	// the failure outside the search.
	Reproducer string
	// Limit is the memory limit (OutOfMemory) or timeout (Timeout) that
	// was exceeded, in words.
	Limit string
	// AtDeadline says a Timeout was the caller's deadline, not the call's
	// own limit (see ErrDeadline).
	AtDeadline bool
}

func (e *CrashError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s worker", e.Service)
	if e.Call != "" {
		fmt.Fprintf(&b, " (call %s)", e.Call)
	}
	switch e.Kind {
	case Timeout:
		fmt.Fprintf(&b, " timed out after %s and was killed", e.Limit)
	case OutOfMemory:
		fmt.Fprintf(&b, " ran out of memory (limit %s)", e.Limit)
	default:
		fmt.Fprintf(&b, " died (%s)", e.Status)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Reproducer != "" {
		fmt.Fprintf(&b, "; reproduce with: %s", e.Reproducer)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrCrashed) true for every crash, and ErrTimeout,
// ErrDeadline and ErrOutOfMemory for their kinds.
func (e *CrashError) Is(target error) bool {
	switch target {
	case ErrCrashed:
		return true
	case ErrTimeout:
		return e.Kind == Timeout
	case ErrDeadline:
		return e.Kind == Timeout && e.AtDeadline
	case ErrOutOfMemory:
		return e.Kind == OutOfMemory
	}
	return false
}

// WithReproducer returns a copy of e that carries a reproducer.
func (e *CrashError) WithReproducer(r string) *CrashError {
	c := *e
	c.Reproducer = r
	return &c
}

// diagnose classifies a dead worker from its exit status and stderr.
func diagnose(ps *exitInfo, timedOut bool, notable []string) (CrashKind, string) {
	msg := strings.Join(notable, "; ")
	lower := strings.ToLower(msg)
	switch {
	case timedOut:
		return Timeout, msg
	case strings.Contains(lower, "out of memory") || strings.Contains(lower, "bad_alloc") ||
		strings.Contains(lower, "cannot allocate memory") || strings.Contains(lower, "allocation failed"):
		return OutOfMemory, msg
	case ps.signal == syscall.SIGABRT:
		return Aborted, msg
	case ps.signal == syscall.SIGSEGV || ps.signal == syscall.SIGBUS || strings.Contains(msg, "SIGSEGV") || strings.Contains(msg, "SIGBUS"):
		return Segfault, msg
	case ps.signal == syscall.SIGKILL:
		if msg == "" {
			msg = "SIGKILL from outside the pool (the kernel's OOM killer or a user)"
		}
		return Killed, msg
	case strings.Contains(msg, "panic: ") || strings.Contains(msg, "fatal error: "):
		return Panicked, msg
	}
	return Exited, msg
}

// exitInfo is what the pool knows about an ended process.
type exitInfo struct {
	status string
	signal syscall.Signal // 0 when the process exited
}

func exitOf(cmd *exec.Cmd) *exitInfo {
	ps := cmd.ProcessState
	if ps == nil {
		return &exitInfo{status: "unknown status"}
	}
	info := &exitInfo{status: ps.String()}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		info.signal = ws.Signal()
	}
	return info
}

// stderrWatch keeps the tail of a worker's stderr and, line by line, the
// lines that say what went wrong (an LLVM error, an assertion, a Go panic
// or fatal error with its signal line and the C call it happened in).
type stderrWatch struct {
	mu      sync.Mutex
	tail    []byte
	max     int
	partial []byte
	notable []string
	// cgoCall: after a Go fatal signal, the first "_Cfunc_" frame names
	// the C function that faulted.
	wantFrame bool
}

const (
	maxNotable     = 6
	maxNotableLine = 300
)

func (w *stderrWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tail = append(w.tail, p...)
	if over := len(w.tail) - w.max; over > 0 {
		w.tail = append(w.tail[:0], w.tail[over:]...)
	}
	w.partial = append(w.partial, p...)
	for {
		i := strings.IndexByte(string(w.partial), '\n')
		if i < 0 {
			break
		}
		w.line(string(w.partial[:i]))
		w.partial = w.partial[i+1:]
	}
	if len(w.partial) > 4096 {
		w.line(string(w.partial))
		w.partial = w.partial[:0]
	}
	return len(p), nil
}

// goSignalLine is the first line of the Go runtime's report of a signal in
// C code: "SIGSEGV: segmentation violation".
var goSignalLine = regexp.MustCompile(`^SIG[A-Z]+: `)

// notablePrefixes start lines that explain a crash.
var notablePrefixes = []string{
	"LLVM ERROR:", "panic: ", "fatal error: ", "terminate called", "UNREACHABLE", "Assertion",
	"runtime: out of memory", "error: ", "Error: ", "what():",
}

func (w *stderrWatch) line(l string) {
	l = strings.TrimSpace(l)
	if w.wantFrame && strings.Contains(l, "_Cfunc_") {
		name := l
		if i := strings.Index(name, "_Cfunc_"); i >= 0 {
			name = name[i+len("_Cfunc_"):]
		}
		if i := strings.IndexByte(name, '('); i >= 0 {
			name = name[:i]
		}
		w.add("in C function " + name)
		w.wantFrame = false
		return
	}
	if goSignalLine.MatchString(l) || strings.HasPrefix(l, "[signal ") {
		// The Go runtime caught a signal: name the C call it came from.
		w.wantFrame = true
		w.add(l)
		return
	}
	for _, p := range notablePrefixes {
		if strings.HasPrefix(l, p) || (p == "Assertion" && strings.Contains(l, "Assertion `")) {
			w.add(l)
			return
		}
	}
}

func (w *stderrWatch) add(l string) {
	if len(l) > maxNotableLine {
		l = l[:maxNotableLine] + "…"
	}
	for _, have := range w.notable {
		if have == l {
			return
		}
	}
	if len(w.notable) == maxNotable {
		w.notable = w.notable[1:]
	}
	w.notable = append(w.notable, l)
}

// reset forgets the notable lines: each call is diagnosed from what the
// worker printed while serving it.
func (w *stderrWatch) reset() {
	w.mu.Lock()
	w.notable, w.wantFrame = nil, false
	w.mu.Unlock()
}

func (w *stderrWatch) report() (notable []string, tail string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) > 0 {
		w.line(string(w.partial))
		w.partial = w.partial[:0]
	}
	return append([]string(nil), w.notable...), string(w.tail)
}
