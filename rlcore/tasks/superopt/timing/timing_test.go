package timing

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

func TestAssemblySavesCalleeSavedRegisters(t *testing.T) {
	asm := Assembly([]Function{{Name: "f", Code: x86.MustParse("mov ebx, edi\nnop\nlea eax, [rbx+1]")}})
	for _, want := range []string{"f:\n\tpush rbx\n\tmov ebx, edi\n\tlea eax, [rbx+1]\n\tpop rbx\n\tret"} {
		if !strings.Contains(asm, want) {
			t.Errorf("assembly lacks %q:\n%s", want, asm)
		}
	}
}

// TestMeasureChecksums: functions computing the same thing agree, a
// different one does not, and the C function is linked beside them.
func TestMeasureChecksums(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed")
	}
	fns := []Function{
		{Name: "inc_a", Code: x86.MustParse("lea eax, [rdi+1]")},
		{Name: "inc_b", Code: x86.MustParse("mov eax, edi\nadd eax, 1")},
		{Name: "dec", Code: x86.MustParse("lea eax, [rdi-1]")},
	}
	ts, err := Measure(context.Background(), 2, fns, "unsigned inc_c(unsigned x, unsigned y) { return x + 1; }\n",
		[]string{"inc_c"}, []string{"-O3"}, Config{Iterations: 1000, Runs: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 4 {
		t.Fatalf("%d timings for 4 functions", len(ts))
	}
	if ts[0].Checksum != ts[1].Checksum || ts[0].Checksum != ts[3].Checksum {
		t.Errorf("equal functions have checksums %d %d %d", ts[0].Checksum, ts[1].Checksum, ts[3].Checksum)
	}
	if ts[2].Checksum == ts[0].Checksum {
		t.Error("a different function has the same checksum")
	}
	for _, x := range ts {
		if len(x.Runs) != 3 || x.MinNsPerOp <= 0 || x.NsPerOp < x.MinNsPerOp {
			t.Errorf("%s: runs %v median %v min %v", x.Name, x.Runs, x.NsPerOp, x.MinNsPerOp)
		}
	}
	if _, err := Measure(context.Background(), 5, fns, "", nil, nil, Config{}); err == nil {
		t.Error("5 parameters accepted")
	}
}

func TestCompileO3(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed")
	}
	p, _, err := CompileO3(context.Background(), "unsigned f(unsigned x) { return x & (x - 1); }\n", "f")
	if err != nil {
		t.Fatal(err)
	}
	if p.Latency() != 2 {
		t.Errorf("gcc -O3 code of x & (x-1):\n%s\nhas latency %d, want 2", p, p.Latency())
	}
	if _, _, err := CompileO3(context.Background(), "unsigned f(unsigned x) { while (x) x >>= 1; return x; }\n", "f"); err == nil {
		t.Error("a function with a loop was read back")
	}
}
