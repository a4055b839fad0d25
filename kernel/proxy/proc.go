package proxy

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
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
