package codesize

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/scratch/scratchtest"
	"github.com/supersonic-rl/supersonic/rlcore/tasktest"
)

// Issue 18, item 2: tasks check their external tools when they open and
// say what is missing and how to install it.
func TestOpenWithoutClangSaysWhatIsMissing(t *testing.T) {
	tasktest.MissingTools(t, TaskName, map[string]string{"cache": t.TempDir()}, "clang-19", "./install.sh", "apt-get install clang-19")
}

// Issue 18, item 5: kill -9 during a comparison left a
// supersonic-validate-* folder behind. The folders carry their process's
// identity now, and opening the task removes those of gone processes.
func TestOpenSweepsValidateFoldersOfKilledProcesses(t *testing.T) {
	stale := scratchtest.GoneDir(t, validatePrefix)
	if err := os.WriteFile(filepath.Join(stale, "o0.bc"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Open(Options{CacheDir: testCache})
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("the folder of a killed process is still there: %v", err)
	}
}

// Issue 18, item 7: a path with a space was split in two.
func TestSpecFieldsKeepQuotedAndExistingPaths(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "with space")
	os.MkdirAll(dir, 0o755)
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"builtin:crc32 csmith:1-3", []string{"builtin:crc32", "csmith:1-3"}},
		{dir, []string{dir}},
		{`"` + dir + `" builtin:sha`, []string{dir, "builtin:sha"}},
		{"  ", nil},
	} {
		got, err := specFields(c.in)
		if err != nil || strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("specFields(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := specFields(`"open`); err == nil {
		t.Error("an unterminated quote was accepted")
	}
}
