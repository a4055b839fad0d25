package proxy

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestDescendantsAndKillTree(t *testing.T) {
	// A shell in its own process group with a grandchild, like gonb and
	// the cell program it runs.
	cmd := exec.Command("/bin/sh", "-c", "sleep 60 & wait")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var below []int
	for range 200 {
		if below = descendantsOf(cmd.Process.Pid); len(below) > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(below) != 1 {
		t.Fatalf("descendants of the shell = %v, want its sleep", below)
	}
	if !slices.Contains(descendantsOf(os.Getpid()), below[0]) {
		t.Errorf("the grandchild is not among the test's descendants")
	}
	killTree(cmd.Process.Pid, below)
	<-done
	for range 200 {
		if !running(below[0]) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("grandchild %d still runs after killTree", below[0])
}

func TestWithout(t *testing.T) {
	if got := without([]int{1, 2, 3, 2}, 2); !slices.Equal(got, []int{1, 3}) {
		t.Errorf("without = %v", got)
	}
}

// running reports whether pid exists and is not a zombie.
func running(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(fields) > 0 && fields[0] != "Z"
}

func TestChildrenTree(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 30 & wait")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if got := childrenTree(os.Getpid()); len(got) >= 2 {
			want := descendantsOf(os.Getpid())
			if len(got) != len(want) {
				t.Fatalf("childrenTree = %v, descendantsOf = %v", got, want)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("childrenTree never saw sh and sleep: %v", childrenTree(os.Getpid()))
}
