package scratch

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A folder of a process that was killed is swept; this process's own
// folder stays.
func TestSweepRemovesFoldersOfGoneProcesses(t *testing.T) {
	const prefix = "supersonic-scratchtest-"
	mine, err := Dir(prefix)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(mine)
	// A real process that has ended: its pid is free (or reused, which the
	// start time tells apart).
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(os.TempDir(), prefix+strconv.Itoa(cmd.Process.Pid)+"-1-x")
	if err := os.MkdirAll(filepath.Join(dead, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dead)
	other := filepath.Join(os.TempDir(), prefix+"notmine")
	os.MkdirAll(other, 0o755)
	defer os.RemoveAll(other)

	removed, err := Sweep(prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || removed[0] != dead {
		t.Fatalf("Sweep removed %v, want only %s", removed, dead)
	}
	for _, keep := range []string{mine, other} {
		if _, err := os.Stat(keep); err != nil {
			t.Errorf("%s was removed: %v", keep, err)
		}
	}
	if !strings.HasPrefix(filepath.Base(mine), prefix+strconv.Itoa(os.Getpid())+"-") {
		t.Errorf("Dir made %s: want the pid in the name", mine)
	}
}
