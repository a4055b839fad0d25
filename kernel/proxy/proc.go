package proxy

import (
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// descendantsOf returns the pids of every process below pid, found in /proc.
func descendantsOf(pid int) []int {
	children := map[int][]int{}
	entries, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, e := range entries {
		data, err := os.ReadFile(e)
		if err != nil {
			continue
		}
		// The command name is in parentheses and may hold spaces: the
		// fields after the last ')' are state, ppid, ….
		s := string(data)
		end := strings.LastIndexByte(s, ')')
		if end < 0 {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 2 {
			continue
		}
		ppid, err1 := strconv.Atoi(fields[1])
		self, err2 := strconv.Atoi(filepath.Base(filepath.Dir(e)))
		if err1 == nil && err2 == nil {
			children[ppid] = append(children[ppid], self)
		}
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// killTree sends SIGKILL to pid's process group and to each descendant.
func killTree(pid int, descendants []int) {
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	for _, d := range descendants {
		_ = syscall.Kill(d, syscall.SIGKILL)
	}
}

// interruptGroup sends SIGINT to pid's process group: gonb and the cell
// program it runs.
func interruptGroup(pid int) error { return syscall.Kill(-pid, syscall.SIGINT) }

// becomeSubreaper makes orphaned descendants (gopls, when gonb dies) the
// kernel's children instead of init's, so they can be found and ended.
func becomeSubreaper() error {
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		return errno
	}
	return nil
}

// reap collects the exit status of killed children that os/exec does not
// wait for (orphans adopted as subreaper), so they do not stay zombies.
func reap(pids []int) {
	for _, p := range pids {
		var ws syscall.WaitStatus
		for range 50 {
			got, err := syscall.Wait4(p, &ws, syscall.WNOHANG, nil)
			if err != nil || got == p {
				break // not our child (ECHILD), or reaped
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// sweepStaleGopls kills gopls servers left behind by Supersonic kernels that
// were killed outright (gonb then dies by its parent-death signal, but its
// gopls, in a process group of its own, lives on): a gopls listening in a
// supersonic-gonb-* directory whose parent is not a gonb.
func sweepStaleGopls() {
	entries, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, e := range entries {
		data, err := os.ReadFile(e)
		if err != nil || !strings.Contains(string(data), "gopls") || !strings.Contains(string(data), "/supersonic-gonb-") {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(e)))
		if err != nil {
			continue
		}
		if belowGonb(pid) {
			continue // a live kernel's gopls (below gonb, through the kernel's gopls shim)
		}
		slog.Info("ending a gopls left behind by a killed kernel", "pid", pid)
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// belowGonb reports whether pid's nearest ancestor that is not a gopls is
// a gonb.
func belowGonb(pid int) bool {
	for range 8 {
		switch parentComm(pid) {
		case "gonb":
			return true
		case "gopls":
			pid = parentOf(pid)
		default:
			return false
		}
	}
	return false
}

func parentComm(pid int) string {
	ppid := parentOf(pid)
	if ppid <= 0 {
		return ""
	}
	comm, _ := os.ReadFile("/proc/" + strconv.Itoa(ppid) + "/comm")
	return strings.TrimSpace(string(comm))
}

// parentOf returns pid's parent process id, or 0.
func parentOf(pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(data)
	end := strings.LastIndexByte(s, ')')
	if end < 0 {
		return 0
	}
	fields := strings.Fields(s[end+1:])
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(fields[1])
	return ppid
}

// without returns pids without p.
func without(pids []int, p int) []int {
	var out []int
	for _, q := range pids {
		if q != p {
			out = append(out, q)
		}
	}
	return out
}
