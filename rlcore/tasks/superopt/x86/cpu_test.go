package x86

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// testRegs are the registers the CPU test uses (every one but rsp).
var testRegs = []Reg{RAX, RCX, RDX, RBX, RBP, RSI, RDI, R8, R9, R12, R15}

// cpuInstructions lists one or more concrete instructions for every opcode,
// width and condition of the subset.
func cpuInstructions() []Inst {
	var out []Inst
	rng := rand.New(rand.NewPCG(1, 2))
	reg := func() Reg { return testRegs[rng.IntN(len(testRegs))] }
	imms := []int64{0, 1, -1, 2, 31, 0x7fffffff, -0x80000000, 0x55555555, 0x0f0f0f0f, 12345}
	for _, w := range []Width{W32, W64} {
		for op := Op(0); op < NumOps; op++ {
			info := op.Info()
			switch info.Form {
			case FormNone:
				if w == W32 {
					out = append(out, Inst{Op: Nop})
				}
			case FormR:
				if op == SetCC {
					if w == W32 {
						for c := Cond(0); c < NumConds; c++ {
							out = append(out, Inst{Op: op, W: W8, Cond: c, Dst: reg()})
						}
					}
					continue
				}
				for range 3 {
					out = append(out, Inst{Op: op, W: w, Dst: reg()})
				}
				out = append(out, Inst{Op: op, W: w, Dst: RCX}, Inst{Op: op, W: w, Dst: RAX}, Inst{Op: op, W: w, Dst: RDX})
			case FormRR:
				conds := []Cond{0}
				if info.HasCond {
					conds = conds[:0]
					for c := Cond(0); c < NumConds; c++ {
						conds = append(conds, c)
					}
				}
				for _, c := range conds {
					d := reg()
					out = append(out, Inst{Op: op, W: w, Cond: c, Dst: d, Src: reg()}, Inst{Op: op, W: w, Cond: c, Dst: d, Src: d})
				}
			case FormRI:
				switch op {
				case ShlRI, ShrRI, SarRI, RolRI, RorRI:
					for _, n := range []int64{0, 1, 2, 5, 16, 31, 32, 33, 63} {
						out = append(out, Inst{Op: op, W: w, Dst: reg(), Imm: n})
					}
					continue
				}
				for _, v := range imms {
					out = append(out, Inst{Op: op, W: w, Dst: reg(), Imm: v})
				}
				if op == MovRI && w == W64 {
					out = append(out, Inst{Op: op, W: w, Dst: reg(), Imm: -0x123456789})
				}
			case FormRRI:
				for _, v := range imms {
					out = append(out, Inst{Op: op, W: w, Dst: reg(), Src: reg(), Imm: v})
				}
			case FormRM:
				for _, sc := range []uint8{1, 2, 4, 8} {
					out = append(out, Inst{Op: op, W: w, Dst: reg(), Mem: Mem{Base: reg(), Index: reg(), Scale: sc, Disp: int32(rng.IntN(200) - 100)}})
				}
				out = append(out, Inst{Op: op, W: w, Dst: reg(), Mem: Mem{Base: reg(), Index: NoReg, Disp: -1}})
				out = append(out, Inst{Op: op, W: w, Dst: reg(), Mem: Mem{Base: reg(), Index: NoReg, Disp: 0x7fffffff}})
			}
		}
	}
	return out
}

var edgeValues = []uint64{0, 1, 2, 0xffffffffffffffff, 0xffffffff, 0x7fffffff, 0x80000000, 0x8000000000000000,
	0x7fffffffffffffff, 0x100000000, 0xfffffffe, 0x80000001, 31, 32, 63, 64, 0xff, 0x80}

func randomState(rng *rand.Rand) State {
	var s State
	for r := range s.R {
		switch rng.IntN(4) {
		case 0:
			s.R[r] = edgeValues[rng.IntN(len(edgeValues))]
		case 1:
			s.R[r] = uint64(rng.Uint32())
		case 2:
			s.R[r] = uint64(rng.IntN(70))
		default:
			s.R[r] = rng.Uint64()
		}
	}
	s.Flags = Flags(rng.Uint32()) & AllFlags
	s.Noise = rng.Uint64()
	return s
}

// asmHarness writes, for instruction i, a function t<i>(uint64_t st[17])
// that loads the registers and flags from st, executes the instruction and
// stores the registers and flags back.
func asmHarness(insts []Inst) string {
	var b strings.Builder
	b.WriteString(".intel_syntax noprefix\n.text\n")
	for i, in := range insts {
		fmt.Fprintf(&b, ".globl t%d\nt%d:\n", i, i)
		b.WriteString("push rbx\npush rbp\npush r12\npush r13\npush r14\npush r15\npush rdi\n")
		b.WriteString("push qword ptr [rdi+128]\npopfq\n")
		for r := Reg(0); r < NumRegs; r++ {
			if r == RSP || r == RDI {
				continue
			}
			fmt.Fprintf(&b, "mov %s, [rdi+%d]\n", r.Name(W64), 8*r)
		}
		b.WriteString("mov rdi, [rdi+56]\n")
		b.WriteString(in.String() + "\n")
		b.WriteString("pushfq\nxchg rdi, [rsp+8]\n")
		for r := Reg(0); r < NumRegs; r++ {
			if r == RSP || r == RDI {
				continue
			}
			fmt.Fprintf(&b, "mov [rdi+%d], %s\n", 8*r, r.Name(W64))
		}
		b.WriteString("pop rax\nmov [rdi+128], rax\npop rax\nmov [rdi+56], rax\n")
		b.WriteString("pop r15\npop r14\npop r13\npop r12\npop rbp\npop rbx\nret\n")
	}
	b.WriteString(".section .note.GNU-stack,\"\",@progbits\n")
	return b.String()
}

// TestInterpreterMatchesCPU runs every instruction of the subset on random
// states both on this machine's CPU and in the interpreter and compares all
// registers and every flag the SDM defines.
func TestInterpreterMatchesCPU(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed")
	}
	insts := cpuInstructions()
	const casesPer = 48
	rng := rand.New(rand.NewPCG(7, 8))
	states := make([][]State, len(insts))
	dir := t.TempDir()
	var c strings.Builder
	c.WriteString("#include <stdio.h>\n#include <stdint.h>\n")
	for i := range insts {
		fmt.Fprintf(&c, "void t%d(uint64_t*);\n", i)
	}
	fmt.Fprintf(&c, "typedef void (*fn)(uint64_t*);\nstatic fn fns[%d] = {", len(insts))
	for i := range insts {
		fmt.Fprintf(&c, "t%d,", i)
	}
	c.WriteString("};\nstatic const uint64_t init[][17] = {\n")
	for i := range insts {
		for range casesPer {
			s := randomState(rng)
			states[i] = append(states[i], s)
			c.WriteString("{")
			for _, v := range s.R {
				fmt.Fprintf(&c, "0x%xull,", v)
			}
			fmt.Fprintf(&c, "0x%xull},\n", s.Flags.RFLAGS())
		}
	}
	fmt.Fprintf(&c, "};\nint main(void){\n for (int i = 0; i < %d; i++) for (int k = 0; k < %d; k++) {\n", len(insts), casesPer)
	fmt.Fprintf(&c, "  uint64_t st[17]; for (int j = 0; j < 17; j++) st[j] = init[i*%d+k][j];\n", casesPer)
	c.WriteString("  fns[i](st); for (int j = 0; j < 17; j++) printf(\"%lx \", (unsigned long)st[j]); printf(\"\\n\");\n }\n return 0;\n}\n")
	if err := os.WriteFile(filepath.Join(dir, "main.c"), []byte(c.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "insts.s"), []byte(asmHarness(insts)), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "cpu")
	if out, err := exec.Command("gcc", "-O1", "-o", bin, filepath.Join(dir, "main.c"), filepath.Join(dir, "insts.s")).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	failures := 0
	checked := map[Op]int{}
	for i, in := range insts {
		for k := range casesPer {
			if !sc.Scan() {
				t.Fatalf("CPU harness output ended early at instruction %d case %d", i, k)
			}
			f := strings.Fields(sc.Text())
			var cpu [17]uint64
			for j := range cpu {
				cpu[j], _ = strconv.ParseUint(f[j], 16, 64)
			}
			s := states[i][k]
			before := s
			s.Step(&in, 0)
			bad := ""
			for r := Reg(0); r < NumRegs; r++ {
				if r == RSP {
					continue
				}
				if (in.Op == BsfRR || in.Op == BsrRR) && r == in.Dst && before.read(in.Src, in.W) == 0 {
					continue // destination undefined for a zero source
				}
				if s.R[r] != cpu[r] {
					bad += fmt.Sprintf(" %s: interp %#x cpu %#x;", r.Name(W64), s.R[r], cpu[r])
				}
			}
			defined := AllFlags &^ s.Undef
			if got, want := s.Flags&defined, FlagsFromRFLAGS(cpu[16])&defined; got != want {
				bad += fmt.Sprintf(" flags(defined %v): interp %v cpu %v;", defined, got, want)
			}
			if bad != "" {
				failures++
				if failures <= 20 {
					t.Errorf("%s on rax=%#x rcx=%#x rdx=%#x flags=%v:%s", in, before.R[RAX], before.R[RCX], before.R[RDX], before.Flags, bad)
				}
			}
			checked[in.Op]++
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("CPU harness: %v", err)
	}
	for op := Op(0); op < NumOps; op++ {
		if checked[op] == 0 {
			t.Errorf("opcode %s (%d) was not checked against the CPU", op, op)
		}
	}
	if failures > 0 {
		t.Errorf("%d mismatches between interpreter and CPU", failures)
	}
	t.Logf("checked %d instructions × %d states against the CPU", len(insts), casesPer)
}
