package llvm

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestFeaturesMatchCxxReference checks the C-API feature extractors against
// testdata/ref/features_ref.cpp, an independent implementation over LLVM's
// C++ API (InstVisitor, pred_size, isCriticalEdge, isa<>), on real modules
// before and after optimization.
func TestFeaturesMatchCxxReference(t *testing.T) {
	dir := t.TempDir()
	ref := filepath.Join(dir, "features_ref")
	cxxflags, err := exec.Command("llvm-config-19", "--cxxflags").Output()
	if err != nil {
		t.Fatalf("llvm-config-19: %v", err)
	}
	args := append(strings.Fields(string(cxxflags)), "testdata/ref/features_ref.cpp", "-o", ref,
		"-L/usr/lib/llvm-19/lib", "-lLLVM-19", "-Wl,-rpath,/usr/lib/llvm-19/lib")
	if out, err := exec.Command("clang++-19", args...).CombinedOutput(); err != nil {
		t.Fatalf("build the C++ reference: %v\n%s", err, out)
	}

	csmith := filepath.Join(dir, "csmith7.c")
	cmd := exec.Command("csmith", "--seed", "7", "-o", csmith)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("csmith: %v\n%s", err, out)
	}
	sources := map[string][]byte{"crc.c": compileC(t, crcC), "csmith7": compileC(t, csmith, "-I/usr/include/csmith", "-w")}
	data, err := os.ReadFile("testdata/diamond.ll")
	if err != nil {
		t.Fatal(err)
	}
	sources["diamond.ll"] = data

	ctx := NewContext()
	defer ctx.Dispose()
	tm, err := NewHostTargetMachine()
	if err != nil {
		t.Fatal(err)
	}
	defer tm.Dispose()
	for name, bc := range sources {
		for _, pipeline := range []string{"", "default<O2>", "default<Oz>", "reg2mem,simplifycfg,lower-switch"} {
			m, err := ctx.Parse(bc, name)
			if err != nil {
				t.Fatal(err)
			}
			if pipeline != "" {
				if err := m.RunPasses(pipeline, tm, PassOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(dir, "m.bc")
			if err := os.WriteFile(path, m.Bitcode(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(ref, path).Output()
			if err != nil {
				t.Fatalf("%s %s: reference: %v", name, pipeline, err)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			ap, ic := m.Autophase(), m.InstCount()
			compare(t, name+" "+pipeline+" Autophase", AutophaseNames[:], ap[:], lines[0])
			compare(t, name+" "+pipeline+" InstCount", InstCountNames[:], ic[:], lines[1])
			m.Dispose()
		}
	}
}

func compare(t *testing.T, what string, names []string, got []int64, want string) {
	t.Helper()
	fields := strings.Fields(want)
	if len(fields) != len(got) {
		t.Errorf("%s: reference has %d features, we have %d", what, len(fields), len(got))
		return
	}
	for i, f := range fields {
		w, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got[i] != w {
			t.Errorf("%s: %s = %d, reference %d", what, names[i], got[i], w)
		}
	}
}
