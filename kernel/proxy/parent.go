package proxy

import (
	"context"
	"errors"
	"log/slog"
	"os"
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
// "gopls": gonb starts gopls in a process group of its own, so when the
// kernel is killed outright (kill -9), gonb dies by its parent-death signal
// but gopls would live on. The shim asks the kernel to kill it when its
// parent (gonb) dies, then becomes the real gopls, named by
// $SUPERSONIC_GOPLS; the request survives the exec.
func RunGoplsShim(args []string) error {
	real := os.Getenv(GoplsShimEnv)
	if real == "" {
		return errors.New("gopls shim: $" + GoplsShimEnv + " does not name the real gopls")
	}
	// The parent-death signal belongs to the thread that execs.
	runtime.LockOSThread()
	parent := os.Getppid()
	const prSetPdeathsig = 1
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetPdeathsig, uintptr(syscall.SIGKILL), 0); errno != 0 {
		return errno
	}
	if os.Getppid() != parent {
		os.Exit(1) // gonb died before the request took effect
	}
	return syscall.Exec(real, append([]string{real}, args...), os.Environ())
}
