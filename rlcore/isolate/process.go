package isolate

import (
	"os/exec"
	"runtime"
	"sync"
	"syscall"
)

// Linux sends PR_SET_PDEATHSIG when the *thread* that started the child
// exits, not the process. Go may end an OS thread (a goroutine that locked
// it and returned), so every worker is started from one goroutine that
// locks its thread for the life of the process: the signal then comes
// exactly when the parent process dies.
var (
	spawnOnce sync.Once
	spawnJobs chan spawnJob
)

type spawnJob struct {
	cmd  *exec.Cmd
	done chan error
}

func spawn(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnJobs = make(chan spawnJob)
		go func() {
			runtime.LockOSThread() // never unlocked: this thread lives as long as the process
			for j := range spawnJobs {
				j.done <- j.cmd.Start()
			}
		}()
	})
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// The worker dies with its parent, even on kill -9.
		Pdeathsig: syscall.SIGKILL,
		// Its own process group: a terminal's Ctrl-C goes to the parent,
		// which decides, and killing the group ends whatever the worker
		// started too.
		Setpgid: true,
	}
	done := make(chan error, 1)
	spawnJobs <- spawnJob{cmd: cmd, done: done}
	return <-done
}

// killGroup ends the worker and everything in its process group.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Process.Kill()
}

// physicalMemory is the machine's RAM in bytes (0 if unknown).
func physicalMemory() int64 {
	var si syscall.Sysinfo_t
	if err := syscall.Sysinfo(&si); err != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}
