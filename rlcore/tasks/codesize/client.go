package codesize

import (
	"bufio"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// ErrCrashed is wrapped by the errors of episodes whose worker process
// died (an LLVM abort, a signal): errors.Is(err, ErrCrashed) tells a crash
// from an ordinary error.
var ErrCrashed = errors.New("LLVM worker process died")

// worker is the parent's handle on one worker process. Requests are
// serialised; the episodes sharing a worker (an episode and its forks)
// hold a reference each.
type worker struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	in     *bufio.Writer
	enc    *gob.Encoder
	dec    *gob.Decoder
	stderr *tailBuffer
	waited chan struct{}
	dead   error // set once the process is gone
	loads  int   // modules loaded, to recycle long-lived workers
	refs   int   // live handles (guarded by the problem's pool lock)
}

// startWorker re-executes this binary as a worker.
func startWorker() (*worker, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("start LLVM worker: find own executable: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), workerEnv+"=1")
	w := &worker{cmd: cmd, stderr: &tailBuffer{max: 2 << 10}, waited: make(chan struct{})}
	cmd.Stderr = w.stderr
	if w.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("start LLVM worker: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start LLVM worker: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start LLVM worker %s: %w", exe, err)
	}
	w.in = bufio.NewWriter(w.stdin)
	w.enc = gob.NewEncoder(w.in)
	out := bufio.NewReader(stdout)
	w.dec = gob.NewDecoder(out)
	go func() {
		cmd.Wait()
		close(w.waited)
	}()
	if err := awaitGreeting(out); err != nil {
		w.mu.Lock()
		w.markDead()
		err = fmt.Errorf("start LLVM worker: %w: %w", err, w.dead)
		w.mu.Unlock()
		return nil, err
	}
	return w, nil
}

// workerStartTimeout bounds the wait for a new worker's greeting.
const workerStartTimeout = time.Minute

// awaitGreeting skips output until the worker's greeting line.
func awaitGreeting(out *bufio.Reader) error {
	done := make(chan error, 1)
	go func() {
		for skipped := 0; skipped < 1<<20; {
			line, err := out.ReadString('\n')
			if err != nil {
				done <- fmt.Errorf("no greeting: %w", err)
				return
			}
			if line == workerGreeting {
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
	case <-time.After(workerStartTimeout):
		return fmt.Errorf("no greeting within %v", workerStartTimeout)
	}
}

// call sends one request and waits for the answer. Cancelling ctx kills
// the worker. A request error (bad pipeline, …) comes back as an error
// that leaves the worker usable; a dead worker returns ErrCrashed
// wrapped with its exit status and the end of its stderr.
func (w *worker) call(ctx context.Context, req *request) (*response, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dead != nil {
		return nil, w.dead
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { w.cmd.Process.Kill() })
	defer stop()
	var resp response
	err := w.enc.Encode(req)
	if err == nil {
		err = w.in.Flush()
	}
	if err == nil {
		err = w.dec.Decode(&resp)
	}
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			w.stop(fmt.Errorf("LLVM worker stopped: request cancelled: %w", cerr))
			return nil, cerr
		}
		w.markDead()
		return nil, w.dead
	}
	if resp.Err != "" {
		return &resp, errors.New(resp.Err)
	}
	return &resp, nil
}

// stop kills the process and records why; w.mu must be held.
func (w *worker) stop(why error) {
	w.cmd.Process.Kill()
	<-w.waited
	w.dead = why
}

// markDead records why the process is gone; w.mu must be held.
func (w *worker) markDead() {
	w.cmd.Process.Kill()
	<-w.waited
	status := "exited"
	if ps := w.cmd.ProcessState; ps != nil {
		status = ps.String()
	}
	msg := status
	if tail := strings.TrimSpace(w.stderr.String()); tail != "" {
		msg += "; stderr: " + tail
	}
	w.dead = fmt.Errorf("%w (%s)", ErrCrashed, msg)
}

// alive reports whether the worker can take requests.
func (w *worker) alive() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dead == nil
}

// close ends the worker: closing stdin makes it exit.
func (w *worker) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.dead != nil {
		return
	}
	w.stdin.Close()
	<-w.waited
	w.dead = errors.New("LLVM worker closed")
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
