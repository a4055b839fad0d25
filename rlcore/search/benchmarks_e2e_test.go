package search_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/codesize"
)

// Issue 18, item 7: one C file that does not compile failed the whole
// search when it was listed with commas, while in a folder it was skipped;
// a path with a space was split in two. Now a bad file is skipped with its
// diagnostics wherever it comes from, unless nothing usable is left, and a
// quoted path keeps its spaces.
func TestBadBenchmarkFilesAreSkippedWhereverListed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my benchmarks")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good one.c")
	bad := filepath.Join(dir, "bad.c")
	os.WriteFile(good, []byte("int f(int x) { int y = x * 2; return y + 1; }\nint main(void) { return f(3) - 7; }\n"), 0o644)
	os.WriteFile(bad, []byte("int f(int x) { return x +; }\n"), 0o644)
	p, err := codesize.Open(codesize.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	for _, c := range []struct{ name, benchmarks string }{
		{"comma list", `"` + good + `", ` + bad},
		{"folder", `"` + dir + `"`},
	} {
		spec, err := search.ParseSpec("bench", "task: codesize\nbenchmarks: "+c.benchmarks+"\nstates: autophase\nalgorithms: ppo\n")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		train, _, err := spec.Split(ctx, p)
		if err != nil {
			t.Fatalf("%s: the bad file failed the search: %v", c.name, err)
		}
		if len(train) != 1 || train[0] != good {
			t.Fatalf("%s: benchmarks %q, want only %q", c.name, train, good)
		}
	}
	// Nothing usable left: an error with the compiler's diagnostics.
	spec, err := search.ParseSpec("bench", "task: codesize\nbenchmarks: "+bad+"\nstates: autophase\nalgorithms: ppo\n")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = spec.Split(ctx, p)
	if err == nil || !errors.Is(err, rlcore.ErrNoUsableBenchmark) || !strings.Contains(err.Error(), "expected expression") {
		t.Fatalf("only a bad file: %v, want no usable benchmark with clang's diagnostics", err)
	}
	// The spec written back keeps the quotes.
	spec, _ = search.ParseSpec("bench", "task: codesize\nbenchmarks: \""+good+"\"\nstates: autophase\nalgorithms: ppo\n")
	back, err := search.ParseSpec("bench", spec.Body())
	if err != nil || len(back.Benchmarks) != 1 || back.Benchmarks[0] != good {
		t.Fatalf("round trip of a path with spaces: %q, %v", back.Benchmarks, err)
	}
}
