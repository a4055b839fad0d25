package llvm

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// compileC compiles a C file to O0 bitcode as the codesize task does.
// crcC is a small C program with a loop, a table and a main: the codesize
// task's own test suite program, read here from the parent package.
const crcC = "../testdata/suite/crc.c"

func compileC(t testing.TB, src string, flags ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.bc")
	args := append([]string{"-O0", "-Xclang", "-disable-O0-optnone", "-emit-llvm", "-c", src, "-o", out}, flags...)
	cmd := exec.Command("clang-19", args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("clang-19: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func parseFile(t testing.TB, ctx *Context, path string) *Module {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ctx.Parse(data, path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestAutophaseOfKnownCFG(t *testing.T) {
	ctx := NewContext()
	defer ctx.Dispose()
	m := parseFile(t, ctx, "testdata/diamond.ll")
	defer m.Dispose()
	got := m.Autophase()
	want := map[string]int64{
		"BBNumArgsHi": 0, "BBNumArgsLo": 1, "onePred": 1, "onePredOneSuc": 1, "onePredTwoSuc": 0,
		"oneSuccessor": 1, "twoPred": 1, "twoPredOneSuc": 0, "twoEach": 0, "twoSuccessor": 1,
		"morePreds": 0, "BB03Phi": 1, "BBHiPhi": 0, "BBNoPhi": 2, "BeginPhi": 1, "BranchCount": 2,
		"returnInt": 0, "CriticalCount": 1, "NumEdges": 3, "const32Bit": 3, "const64Bit": 0,
		"numConstZeroes": 2, "numConstOnes": 1, "UncondBranches": 1, "binaryConstArg": 1,
		"NumAddInst": 1, "NumBrInst": 2, "NumICmpInst": 1, "NumPHIInst": 1, "NumRetInst": 1,
		"BlockLow": 3, "BlockMid": 0, "TotalBlocks": 3, "TotalInsts": 6, "TotalMemInst": 0,
		"TotalFuncs": 2, "ArgsPhi": 2, "testUnary": 0,
	}
	for i, name := range AutophaseNames {
		if w, ok := want[name]; ok && got[i] != w {
			t.Errorf("%s = %d, want %d", name, got[i], w)
		}
	}
	ic := m.InstCount()
	wantIC := map[string]int64{"TotalInsts": 6, "TotalBlocks": 3, "TotalFuncs": 2, "ICmp": 1, "Br": 2, "Add": 1, "PHI": 1, "Ret": 1, "Load": 0}
	for i, name := range InstCountNames {
		if w, ok := wantIC[name]; ok && ic[i] != w {
			t.Errorf("InstCount %s = %d, want %d", name, ic[i], w)
		}
	}
	if n := m.InstructionCount(); n != 6 {
		t.Errorf("InstructionCount = %d, want 6", n)
	}
}

func TestPassesCloneBitcodeAndObject(t *testing.T) {
	ctx := NewContext()
	defer ctx.Dispose()
	bc := compileC(t, crcC)
	m, err := ctx.Parse(bc, "crc.bc")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Dispose()
	tm, err := NewHostTargetMachine()
	if err != nil {
		t.Fatal(err)
	}
	defer tm.Dispose()

	o0 := m.InstructionCount()
	ic := m.InstCount()
	var sum int64
	for _, v := range ic[3:] {
		sum += v
	}
	if sum != o0 || ic[0] != o0 {
		t.Fatalf("opcode counts sum to %d, TotalInsts %d, InstructionCount %d", sum, ic[0], o0)
	}
	if ap := m.Autophase(); ap[51] != o0 {
		t.Fatalf("Autophase TotalInsts = %d, want %d", ap[51], o0)
	}

	clone := m.Clone()
	defer clone.Dispose()
	if err := clone.RunPasses("mem2reg,instcombine<no-verify-fixpoint>,loop(loop-rotate),simplifycfg", tm, PassOptions{VerifyEach: true}); err != nil {
		t.Fatal(err)
	}
	if err := clone.Verify(); err != nil {
		t.Fatal(err)
	}
	if got := clone.InstructionCount(); got >= o0 {
		t.Errorf("after mem2reg,instcombine: %d instructions, want fewer than O0's %d", got, o0)
	}
	if m.InstructionCount() != o0 {
		t.Errorf("running passes on the clone changed the original")
	}
	if m.Hash() == clone.Hash() {
		t.Errorf("original and optimized module hash equal")
	}

	// Bitcode round trip keeps the module.
	again, err := ctx.Parse(clone.Bitcode(), "again")
	if err != nil {
		t.Fatal(err)
	}
	defer again.Dispose()
	if again.Hash() != clone.Hash() || again.InstructionCount() != clone.InstructionCount() {
		t.Errorf("bitcode round trip changed the module")
	}

	// Object code: optimized code is smaller, and emitting leaves the module unchanged.
	sizes := map[string]int64{}
	for name, mod := range map[string]*Module{"o0": m, "opt": clone} {
		h := mod.Hash()
		obj, err := tm.EmitObject(mod)
		if err != nil {
			t.Fatal(err)
		}
		if mod.Hash() != h {
			t.Errorf("EmitObject changed module %s", name)
		}
		if sizes[name], err = TextSize(obj); err != nil {
			t.Fatal(err)
		}
	}
	if sizes["opt"] <= 0 || sizes["opt"] >= sizes["o0"] {
		t.Errorf(".text sizes: O0 %d, optimized %d; want 0 < optimized < O0", sizes["o0"], sizes["opt"])
	}
}

func TestErrors(t *testing.T) {
	ctx := NewContext()
	defer ctx.Dispose()
	if _, err := ctx.Parse(nil, "empty.ll"); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty input: %v, want ErrEmpty", err)
	}
	if _, err := ctx.Parse([]byte("define i32 @f( {"), "bad.ll"); err == nil || !strings.Contains(err.Error(), "bad.ll") {
		t.Errorf("bad IR: %v, want a parse error naming bad.ll", err)
	}
	m := parseFile(t, ctx, "testdata/diamond.ll")
	defer m.Dispose()
	err := m.RunPasses("no-such-pass", nil, PassOptions{})
	if err == nil || !strings.Contains(err.Error(), "no-such-pass") {
		t.Errorf("unknown pass: %v, want an error naming it", err)
	}
	if _, err := TextSize([]byte("not an object")); err == nil {
		t.Errorf("TextSize of garbage: no error")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("define void @f() {\n  ret void\n}\n"))
	f.Add([]byte("BC\xc0\xde"))
	ctx := NewContext()
	f.Cleanup(ctx.Dispose)
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ctx.Parse(data, "fuzz")
		if err != nil {
			return
		}
		defer m.Dispose()
		if m.InstructionCount() != m.InstCount()[0] {
			t.Fatal("InstructionCount disagrees with InstCount")
		}
	})
}
