package scratch

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/scratch/scratchtest"
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
	dead := scratchtest.GoneDir(t, prefix)
	if err := os.MkdirAll(filepath.Join(dead, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
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
