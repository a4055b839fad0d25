package smt

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/hd"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

func needZ3(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath(Z3); err != nil {
		t.Skip("z3 not installed")
	}
}

func TestP01Rewrites(t *testing.T) {
	needZ3(t)
	p01, _ := hd.Lookup("p01")
	ctx := context.Background()
	cases := []struct {
		rewrite string
		want    Verdict
	}{
		{"lea rax, [rdi-1]\nand rax, rdi", Equivalent},
		{"lea eax, [rdi-1]\nand eax, edi", Equivalent},
		{"mov eax, edi\ndec eax\nand eax, edi", Equivalent},
		{"lea eax, [rdi+1]\nand eax, edi", Different}, // that is p02
		{"lea rax, [rdi-1]\nand rax, rsi", Different}, // wrong register
		{"mov eax, edi\nsub eax, 1\nsetc cl\nand eax, edi", Equivalent},
		{"mov eax, edi\nshl eax, 40\nand eax, edi", Different}, // count masked to 8
	}
	for _, c := range cases {
		q := Query{Target: p01.Code, Rewrite: x86.MustParse(c.rewrite), LiveOut: x86.RAX, OutWidth: x86.W32}
		res, err := Check(ctx, q, 10*time.Second)
		if err != nil {
			t.Fatalf("%q: %v", c.rewrite, err)
		}
		if res.Verdict != c.want {
			t.Errorf("%q: verdict %v, want %v", c.rewrite, res.Verdict, c.want)
			continue
		}
		if res.Verdict == Different {
			// The counterexample must really separate the programs.
			a, b := res.Counterexample, res.Counterexample
			q.Target.Run(&a)
			q.Rewrite.Run(&b)
			if uint32(a.R[x86.RAX]) == uint32(b.R[x86.RAX]) {
				t.Errorf("%q: counterexample rdi=%#x rsi=%#x does not separate the programs", c.rewrite, res.Counterexample.R[x86.RDI], res.Counterexample.R[x86.RSI])
			}
		}
	}
}

// TestUndefinedFlagsAreNotTrusted: a rewrite that reads a flag the SDM
// leaves undefined is refuted even if the interpreter's noise happens to
// make it right.
func TestUndefinedFlagsAreNotTrusted(t *testing.T) {
	needZ3(t)
	target := x86.MustParse("mov eax, 0")
	rewrite := x86.MustParse("imul eax, edi, 3\nsetz al\nmovzx eax, al\nxor eax, eax")
	res, err := Check(context.Background(), Query{Target: target, Rewrite: rewrite, LiveOut: x86.RAX, OutWidth: x86.W32}, 10*time.Second)
	if err != nil || res.Verdict != Equivalent {
		t.Fatalf("dead read of undefined ZF: verdict %v, err %v; want equivalent", res.Verdict, err)
	}
	rewrite = x86.MustParse("imul eax, edi, 3\nsetz al\nmovzx eax, al")
	res, err = Check(context.Background(), Query{Target: target, Rewrite: rewrite, LiveOut: x86.RAX, OutWidth: x86.W32}, 10*time.Second)
	if err != nil || res.Verdict != Different {
		t.Fatalf("live read of undefined ZF: verdict %v, err %v; want different", res.Verdict, err)
	}
}

var testRegs = []x86.Reg{x86.RAX, x86.RCX, x86.RDX, x86.RSI, x86.RDI, x86.R8}

func randomInsts(rng *rand.Rand) []x86.Inst {
	reg := func() x86.Reg { return testRegs[rng.IntN(len(testRegs))] }
	var out []x86.Inst
	for _, w := range []x86.Width{x86.W32, x86.W64} {
		for op := x86.Op(1); op < x86.NumOps; op++ {
			for range 3 {
				in := x86.Inst{Op: op, W: w, Dst: reg(), Src: reg(), Cond: x86.Cond(rng.IntN(x86.NumConds))}
				switch op.Info().Form {
				case x86.FormRI, x86.FormRRI:
					in.Imm = int64(int32(rng.Uint32() >> rng.IntN(32)))
					if op >= x86.ShlRI && op <= x86.RorRI {
						in.Imm = rng.Int64N(64)
					}
				case x86.FormRM:
					in.Mem = x86.Mem{Base: reg(), Index: reg(), Scale: uint8(1 << rng.IntN(4)), Disp: int32(rng.IntN(100) - 50)}
				}
				if op == x86.SetCC {
					in.W = x86.W8
				}
				out = append(out, in)
			}
		}
	}
	return out
}

var valueRe = regexp.MustCompile(`\((\w+) (#x[0-9a-f]+|true|false)\)`)

// TestTranslationMatchesInterpreter evaluates the SMT translation of every
// opcode on concrete states with z3 and compares all registers and defined
// flags with the interpreter (which TestInterpreterMatchesCPU ties to the
// CPU).
func TestTranslationMatchesInterpreter(t *testing.T) {
	needZ3(t)
	rng := rand.New(rand.NewPCG(11, 12))
	insts := randomInsts(rng)
	var b bytes.Buffer
	b.WriteString("(set-logic QF_BV)\n")
	declareInputs(&b)
	type probe struct {
		in     x86.Inst
		before x86.State
		after  x86.State
	}
	var probes []probe
	for k, in := range insts {
		var s x86.State
		for r := range s.R {
			switch rng.IntN(3) {
			case 0:
				s.R[r] = []uint64{0, 1, 0xffffffff, 0x80000000, ^uint64(0), 1 << 63}[rng.IntN(6)]
			case 1:
				s.R[r] = uint64(rng.IntN(70))
			default:
				s.R[r] = rng.Uint64()
			}
		}
		s.Flags = x86.Flags(rng.Uint32()) & x86.AllFlags
		after := s
		after.Step(&in, 0)
		probes = append(probes, probe{in, s, after})
		b.WriteString("(push 1)\n")
		for r, v := range s.R {
			fmt.Fprintf(&b, "(assert (= r%d %s))\n", r, bv(v, 64))
		}
		for i, f := range flagNames {
			fmt.Fprintf(&b, "(assert (= f%s %v))\n", f, s.Flags&(1<<i) != 0)
		}
		tr := newTranslator(&b, fmt.Sprintf("p%d_", k))
		if err := tr.step(in); err != nil {
			t.Fatal(err)
		}
		b.WriteString("(check-sat)\n(get-value (")
		for r := range x86.NumRegs {
			b.WriteString(tr.regs[r] + " ")
		}
		for i := range flagNames {
			b.WriteString(tr.flags[i] + " ")
		}
		b.WriteString("))\n(pop 1)\n")
	}
	cmd := exec.Command(Z3, "-in", "-smt2")
	cmd.Stdin = &b
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("z3: %v\n%s", err, out)
	}
	answers := strings.Split(string(out), "sat\n")[1:]
	if len(answers) != len(probes) {
		t.Fatalf("z3 gave %d answers for %d probes:\n%.2000s", len(answers), len(probes), out)
	}
	failures := 0
	for k, p := range probes {
		vals := valueRe.FindAllStringSubmatch(answers[k], -1)
		if len(vals) != x86.NumRegs+len(flagNames) {
			t.Fatalf("%s: %d values in %q", p.in, len(vals), answers[k])
		}
		bad := ""
		for r := range x86.NumRegs {
			v, _ := strconv.ParseUint(vals[r][2][2:], 16, 64)
			if (p.in.Op == x86.BsfRR || p.in.Op == x86.BsrRR) && x86.Reg(r) == p.in.Dst && p.before.R[p.in.Src]&p.in.W.Mask() == 0 {
				continue
			}
			if v != p.after.R[r] {
				bad += fmt.Sprintf(" %s smt %#x interp %#x;", x86.Reg(r).Name(x86.W64), v, p.after.R[r])
			}
		}
		for i := range flagNames {
			f := x86.Flags(1 << i)
			if p.after.Undef&f != 0 {
				continue
			}
			if got := vals[x86.NumRegs+i][2] == "true"; got != p.after.Flag(f) {
				bad += fmt.Sprintf(" %s smt %v interp %v;", flagNames[i], got, p.after.Flag(f))
			}
		}
		if bad != "" {
			failures++
			if failures < 15 {
				t.Errorf("%s (rcx=%#x):%s", p.in, p.before.R[x86.RCX], bad)
			}
		}
	}
	t.Logf("checked %d instructions", len(probes))
}

func TestFormulaRejectsInvalid(t *testing.T) {
	q := Query{Target: x86.Program{{Op: x86.AddRI, W: x86.W64, Imm: 1 << 40}}, LiveOut: x86.RAX, OutWidth: x86.W32}
	if _, err := q.Formula(); err == nil {
		t.Error("formula of an invalid instruction succeeded")
	}
}
