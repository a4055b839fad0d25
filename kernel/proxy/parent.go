package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

// watchParent ends the kernel when the frontend that started it dies, as
// ipykernel's parent poller does: a kernel whose frontend was killed would
// otherwise live on, with gonb and gopls below it, answering no one. The
// parent is gone when the kernel was re-parented (its parent process id
// changed) or the process JPY_PARENT_PID names no longer exists.
func watchParent(ctx context.Context, parent int, every time.Duration, gone func()) {
	initial := os.Getppid()
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		if os.Getppid() != initial || (parent > 0 && parent != initial && !processExists(parent)) {
			slog.Warn("the frontend that started this kernel is gone; shutting down", "parent", parent)
			gone()
			return
		}
	}
}

// processExists reports whether pid is a live (not zombie) process.
func processExists(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	b, err := os.ReadFile("/proc/" + itoa(pid) + "/stat")
	if err != nil {
		return true // no /proc: trust kill
	}
	s := string(b)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ')' {
			return !(len(s) > i+2 && s[i+2] == 'Z')
		}
	}
	return true
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// GoplsShimEnv names the real gopls for the shim (see RunGoplsShim).
const GoplsShimEnv = "SUPERSONIC_GOPLS"

// RunGoplsShim is what the kernel binary does when gonb starts it as
// "gopls". gonb starts gopls in a process group of its own, so when the
// kernel is killed outright (kill -9), gonb dies by its parent-death signal
// but gopls would live on. The shim runs the real gopls ($SUPERSONIC_GOPLS)
// as its child, killed by the kernel if the shim dies, and ends it when
// gonb dies (the shim is then re-parented) or when gonb stops it. A
// parent-death signal set on gopls directly would not do: Linux sends it
// when the thread that started the process exits, and gonb's threads come
// and go.
func RunGoplsShim(args []string) error {
	real := os.Getenv(GoplsShimEnv)
	if real == "" {
		return errors.New("gopls shim: $" + GoplsShimEnv + " does not name the real gopls")
	}
	// The child's parent-death signal follows this thread, which lives as
	// long as the shim: main's goroutine stays on it.
	runtime.LockOSThread()
	parent := os.Getppid()
	cmd := exec.Command(real, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("gopls shim: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				os.Exit(max(exit.ExitCode(), 1))
			}
			if err != nil {
				return fmt.Errorf("gopls shim: %w", err)
			}
			os.Exit(0)
		case sig := <-signals:
			_ = cmd.Process.Signal(sig)
		case <-tick.C:
			if os.Getppid() != parent { // gonb is gone
				_ = cmd.Process.Kill()
				<-done
				os.Exit(1)
			}
		}
	}
}
