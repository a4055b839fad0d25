// Package scratchtest makes, for tests, the temporary folder that a
// process that has ended (killed with -9, say) left behind, named as
// scratch.Dir names its folders, so that a test can check it is swept.
package scratchtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// GoneDir creates the folder, with prefix, of a real process that has
// ended: its pid is free, or reused by a later process, which the start
// time in the name tells apart. The folder is removed at the end of the
// test if the code under test left it.
func GoneDir(t testing.TB, prefix string) string {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(os.TempDir(), prefix+strconv.Itoa(cmd.Process.Pid)+"-1-gone")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}
