package codesize

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/codesize/llvm"
)

func TestPassTable(t *testing.T) {
	if len(Passes) != 118 || len(Passes)+len(OmittedPasses) != 124 {
		t.Fatalf("%d passes and %d omitted, want 118 + 6 = CompilerGym's 124", len(Passes), len(OmittedPasses))
	}
	seen := map[string]bool{}
	for i, p := range Passes {
		if seen[p.Name] || seen[p.Pipeline] {
			t.Errorf("duplicate action %v", p)
		}
		seen[p.Name], seen[p.Pipeline] = true, true
		for _, spelling := range []string{p.Name, strings.TrimPrefix(p.Name, "-"), p.Pipeline} {
			if a, err := LookupPass(spelling); err != nil || a != i {
				t.Errorf("LookupPass(%q) = %d, %v; want %d", spelling, a, err, i)
			}
		}
	}
	oz := ozSubset()
	if len(oz) < 40 || len(oz) >= len(Passes) {
		t.Errorf("oz-passes has %d actions", len(oz))
	}
	for _, name := range []string{"-mem2reg", "-instcombine", "-licm", "-simplifycfg", "-loop-rotate"} {
		a := mustPass(t, name)
		found := false
		for _, i := range oz {
			found = found || i == a
		}
		if !found {
			t.Errorf("oz-passes lacks %s, which -Oz runs", name)
		}
	}
}

// TestEveryPassRuns applies each action alone to the O0 module of a real
// program, in process, and verifies the result.
func TestEveryPassRuns(t *testing.T) {
	b := prepared(t, "testdata/suite/crc.c")
	m, tm, dispose := parseInProcess(t, b.bitcode, b.name)
	defer dispose()
	for _, p := range Passes {
		c := m.Clone()
		if err := c.RunPasses(p.Pipeline, tm, llvm.PassOptions{}); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		} else if err := c.Verify(); err != nil {
			t.Errorf("%s leaves a broken module: %v", p.Name, err)
		}
		c.Dispose()
	}
}

func TestParseSeeds(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []uint64
		err  bool
	}{
		{"7", []uint64{7}, false},
		{"1-3", []uint64{1, 2, 3}, false},
		{"1,5-6, 9", []uint64{1, 5, 6, 9}, false},
		{"3-1", nil, true},
		{"", nil, true},
		{"a-b", nil, true},
		{"0-99999999999", nil, true},
	} {
		got, err := parseSeeds(tc.in)
		if (err != nil) != tc.err || (!tc.err && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("parseSeeds(%q) = %v, %v; want %v (error %v)", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func FuzzExpandSpec(f *testing.F) {
	for _, s := range []string{"csmith:1-10", "csmith:3,5-7", "builtin:*", "builtin:crc32,sha256", "testdata/suite", "x.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		names, err := expandSpec(spec)
		if err != nil {
			return
		}
		if len(names) == 0 || len(names) > maxCsmithSeeds+len(builtinNames()) && !strings.Contains(spec, " ") {
			t.Fatalf("expandSpec(%q) gave %d names", spec, len(names))
		}
		for _, n := range names {
			if strings.HasPrefix(n, csmithPrefix) || strings.HasPrefix(n, builtinPrefix) {
				continue
			}
			if _, err := os.Stat(n); err != nil {
				t.Fatalf("expandSpec(%q) gave %q: %v", spec, n, err)
			}
		}
	})
}

func TestCheckSpec(t *testing.T) {
	tests := []struct {
		spec, wantErr string
	}{
		{spec: "builtin:*"},
		{spec: "builtin:crc32,sha256 csmith:1-3"},
		{spec: "no/such/file.c"}, // a path is checked where the search runs
		{spec: "builtin:nosuch", wantErr: `unknown built-in benchmark "nosuch"`},
		{spec: "csmith:x", wantErr: `benchmark spec "csmith:x"`},
		{spec: `"unterminated`, wantErr: "unterminated"},
		{spec: " ", wantErr: "empty benchmark spec"},
	}
	for _, tt := range tests {
		err := checkSpec(tt.spec)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("checkSpec(%q) = %v, want error containing %q", tt.spec, err, tt.wantErr)
		}
	}
}

// parseInProcess parses bitcode in a new LLVM context of this process and
// makes the host's target machine; dispose frees all three (on the same OS
// thread, when the caller keeps to one).
func parseInProcess(tb testing.TB, bitcode []byte, name string) (m *llvm.Module, tm *llvm.TargetMachine, dispose func()) {
	tb.Helper()
	lc := llvm.NewContext()
	tm, err := llvm.NewHostTargetMachine()
	if err != nil {
		lc.Dispose()
		tb.Fatal(err)
	}
	m, err = lc.Parse(bitcode, name)
	if err != nil {
		tm.Dispose()
		lc.Dispose()
		tb.Fatal(err)
	}
	return m, tm, func() {
		m.Dispose()
		tm.Dispose()
		lc.Dispose()
	}
}
