// Package smt proves or refutes the equivalence of two x86 programs of
// package x86 for all inputs: it translates both into SMT-LIB2 bit-vector
// formulas (QF_BV) over a shared symbolic initial state (all 16 registers
// and the flags), asserts that the live-out values differ, and asks the z3
// solver (Debian's z3 binary, run as `z3 -in -smt2` with a timeout). unsat
// means equivalent; sat gives a counterexample state.
//
// Every value the Intel SDM leaves undefined (flags after some
// instructions, the destination of bsf/bsr on zero) becomes a fresh
// unconstrained variable of its own, so a proof holds for any value a CPU
// may produce there, and a program that depends on such a value is refuted.
package smt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

// flagNames index flags by bit position (CF, PF, ZF, SF, OF).
var flagNames = []string{"CF", "PF", "ZF", "SF", "OF"}

func flagIndex(f x86.Flags) int {
	for i := range flagNames {
		if f == 1<<i {
			return i
		}
	}
	panic("smt: not a single flag")
}

// translator writes the SMT-LIB2 definitions of one program's execution.
type translator struct {
	b      *bytes.Buffer
	prefix string
	regs   [x86.NumRegs]string
	flags  [5]string
	n      int
	undef  int
}

func newTranslator(b *bytes.Buffer, prefix string) *translator {
	t := &translator{b: b, prefix: prefix}
	for r := range t.regs {
		t.regs[r] = fmt.Sprintf("r%d", r)
	}
	for i, f := range flagNames {
		t.flags[i] = "f" + f
	}
	return t
}

// declareInputs declares the shared initial state.
func declareInputs(b *bytes.Buffer) {
	for r := range x86.NumRegs {
		fmt.Fprintf(b, "(declare-const r%d (_ BitVec 64))\n", r)
	}
	for _, f := range flagNames {
		fmt.Fprintf(b, "(declare-const f%s Bool)\n", f)
	}
}

func bvSort(w int) string { return fmt.Sprintf("(_ BitVec %d)", w) }

// def names expr (of sort) and returns the name.
func (t *translator) def(sort, expr string) string {
	t.n++
	name := fmt.Sprintf("%s%d", t.prefix, t.n)
	fmt.Fprintf(t.b, "(define-fun %s () %s %s)\n", name, sort, expr)
	return name
}

// fresh declares an unconstrained value for something undefined.
func (t *translator) fresh(sort string) string {
	t.undef++
	name := fmt.Sprintf("%su%d", t.prefix, t.undef)
	fmt.Fprintf(t.b, "(declare-const %s %s)\n", name, sort)
	return name
}

func bv(v uint64, w int) string {
	if w < 64 {
		v &= 1<<uint(w) - 1
	}
	return fmt.Sprintf("(_ bv%d %d)", v, w)
}

func (t *translator) rd(r x86.Reg, w x86.Width) string {
	if w == x86.W64 {
		return t.regs[r]
	}
	return fmt.Sprintf("((_ extract %d 0) %s)", w-1, t.regs[r])
}

// full returns the 64-bit register value after writing v (width w) to r.
func (t *translator) full(r x86.Reg, w x86.Width, v string) string {
	switch w {
	case x86.W32:
		return fmt.Sprintf("((_ zero_extend 32) %s)", v)
	case x86.W8:
		return fmt.Sprintf("(concat ((_ extract 63 8) %s) %s)", t.regs[r], v)
	}
	return v
}

func (t *translator) wr(r x86.Reg, w x86.Width, v string) {
	t.regs[r] = t.def(bvSort(64), t.full(r, w, v))
}

func (t *translator) setFlag(f x86.Flags, expr string) {
	t.flags[flagIndex(f)] = t.def("Bool", expr)
}

func (t *translator) flag(f x86.Flags) string { return t.flags[flagIndex(f)] }

func (t *translator) undefFlags(fs x86.Flags) {
	for i := range flagNames {
		if fs&(1<<i) != 0 {
			t.flags[i] = t.fresh("Bool")
		}
	}
}

func msb(v string, w x86.Width) string {
	return fmt.Sprintf("(= ((_ extract %d %d) %s) #b1)", w-1, w-1, v)
}

func (t *translator) szp(res string, w x86.Width) {
	t.setFlag(x86.ZF, fmt.Sprintf("(= %s %s)", res, bv(0, int(w))))
	t.setFlag(x86.SF, msb(res, w))
	var bitsx []string
	for i := range 8 {
		bitsx = append(bitsx, fmt.Sprintf("((_ extract %d %d) %s)", i, i, res))
	}
	t.setFlag(x86.PF, fmt.Sprintf("(= %s #b0)", nary("bvxor", bitsx)))
}

// nary folds a binary operator over terms (z3 4.8 takes bvadd and bvxor
// with two arguments only).
func nary(op string, terms []string) string {
	e := terms[0]
	for _, x := range terms[1:] {
		e = "(" + op + " " + e + " " + x + ")"
	}
	return e
}

func boolBV(b string, w int) string {
	return fmt.Sprintf("(ite %s %s %s)", b, bv(1, w), bv(0, w))
}

// add computes a+b+carry with flags; carry is a Bool term or "".
func (t *translator) add(a, b, carry string, w x86.Width) string {
	r := t.withCarry("bvadd", a, b, carry, w)
	t.setFlag(x86.OF, msb(fmt.Sprintf("(bvand (bvxor %s %s) (bvxor %s %s))", a, r, b, r), w))
	t.szp(r, w)
	return r
}

// sub computes a-b-borrow with flags; borrow is a Bool term or "".
func (t *translator) sub(a, b, borrow string, w x86.Width) string {
	r := t.withCarry("bvsub", a, b, borrow, w)
	t.setFlag(x86.OF, msb(fmt.Sprintf("(bvand (bvxor %s %s) (bvxor %s %s))", a, b, a, r), w))
	t.szp(r, w)
	return r
}

// withCarry computes (a fn b) fn carry one bit wider (fn bvadd or bvsub,
// carry a Bool term or ""), sets CF from the extra bit and returns the
// w-bit result.
func (t *translator) withCarry(fn, a, b, carry string, w x86.Width) string {
	c := bv(0, int(w)+1)
	if carry != "" {
		c = boolBV(carry, int(w)+1)
	}
	wide := t.def(bvSort(int(w)+1), fmt.Sprintf("(%s (%s ((_ zero_extend 1) %s) ((_ zero_extend 1) %s)) %s)", fn, fn, a, b, c))
	r := t.def(bvSort(int(w)), fmt.Sprintf("((_ extract %d 0) %s)", w-1, wide))
	t.setFlag(x86.CF, fmt.Sprintf("(= ((_ extract %d %d) %s) #b1)", w, w, wide))
	return r
}

func (t *translator) logic(expr string, w x86.Width) string {
	r := t.def(bvSort(int(w)), expr)
	t.setFlag(x86.CF, "false")
	t.setFlag(x86.OF, "false")
	t.szp(r, w)
	return r
}

func (t *translator) cond(c x86.Cond) string {
	anyOf, sfNeOF, negated := c.Test()
	var terms []string
	for i := range flagNames {
		if f := x86.Flags(1 << i); anyOf&f != 0 {
			terms = append(terms, t.flag(f))
		}
	}
	if sfNeOF {
		terms = append(terms, fmt.Sprintf("(distinct %s %s)", t.flag(x86.SF), t.flag(x86.OF)))
	}
	e := terms[0]
	if len(terms) > 1 {
		e = "(or " + strings.Join(terms, " ") + ")"
	}
	if negated {
		return "(not " + e + ")"
	}
	return e
}

func (t *translator) imm(v int64, w x86.Width) string { return bv(uint64(v), int(w)) }

// shift translates a shift or rotate of register dst by count (a w-bit
// term, already masked).
func (t *translator) shift(op x86.Op, dst x86.Reg, w x86.Width, count string) {
	a := t.rd(dst, w)
	W := int(w)
	zero := fmt.Sprintf("(= %s %s)", count, bv(0, W))
	one := fmt.Sprintf("(= %s %s)", count, bv(1, W))
	cm1 := fmt.Sprintf("(bvsub %s %s)", count, bv(1, W))
	bit0 := func(e string) string { return fmt.Sprintf("(= ((_ extract 0 0) %s) #b1)", e) }
	var r, cf, of string
	szp := true
	switch op {
	case x86.ShlRI, x86.ShlCL:
		r = t.def(bvSort(W), fmt.Sprintf("(bvshl %s %s)", a, count))
		cf = bit0(fmt.Sprintf("(bvlshr %s (bvsub %s %s))", a, bv(uint64(W), W), count))
		of = fmt.Sprintf("(distinct %s %s)", msb(r, w), cf)
	case x86.ShrRI, x86.ShrCL:
		r = t.def(bvSort(W), fmt.Sprintf("(bvlshr %s %s)", a, count))
		cf = bit0(fmt.Sprintf("(bvlshr %s %s)", a, cm1))
		of = msb(a, w)
	case x86.SarRI, x86.SarCL:
		r = t.def(bvSort(W), fmt.Sprintf("(bvashr %s %s)", a, count))
		cf = bit0(fmt.Sprintf("(bvashr %s %s)", a, cm1))
		of = "false"
	case x86.RolRI, x86.RolCL:
		r = t.def(bvSort(W), fmt.Sprintf("(bvor (bvshl %s %s) (bvlshr %s (bvsub %s %s)))", a, count, a, bv(uint64(W), W), count))
		cf = bit0(r)
		of = fmt.Sprintf("(distinct %s %s)", msb(r, w), cf)
		szp = false
	case x86.RorRI, x86.RorCL:
		r = t.def(bvSort(W), fmt.Sprintf("(bvor (bvlshr %s %s) (bvshl %s (bvsub %s %s)))", a, count, a, bv(uint64(W), W), count))
		cf = msb(r, w)
		of = fmt.Sprintf("(distinct %s %s)", msb(r, w), msb(fmt.Sprintf("(bvshl %s %s)", r, bv(1, W)), w))
		szp = false
	}
	// A zero count changes nothing but the zero-extension of a 32-bit
	// destination; OF is undefined unless the count is one.
	cfv := t.def("Bool", cf)
	ofv := fmt.Sprintf("(ite %s %s %s)", one, of, t.fresh("Bool"))
	oldCF, oldOF := t.flag(x86.CF), t.flag(x86.OF)
	oldZF, oldSF, oldPF := t.flag(x86.ZF), t.flag(x86.SF), t.flag(x86.PF)
	t.setFlag(x86.CF, fmt.Sprintf("(ite %s %s %s)", zero, oldCF, cfv))
	t.setFlag(x86.OF, fmt.Sprintf("(ite %s %s %s)", zero, oldOF, ofv))
	if szp {
		t.szp(r, w)
		t.setFlag(x86.ZF, fmt.Sprintf("(ite %s %s %s)", zero, oldZF, t.flag(x86.ZF)))
		t.setFlag(x86.SF, fmt.Sprintf("(ite %s %s %s)", zero, oldSF, t.flag(x86.SF)))
		t.setFlag(x86.PF, fmt.Sprintf("(ite %s %s %s)", zero, oldPF, t.flag(x86.PF)))
	}
	t.wr(dst, w, fmt.Sprintf("(ite %s %s %s)", zero, a, r))
}

func (t *translator) count(op x86.Op, a string, w x86.Width) string {
	W := int(w)
	bit := func(i int) string { return fmt.Sprintf("(= ((_ extract %d %d) %s) #b1)", i, i, a) }
	e := bv(uint64(W), W)
	switch op {
	case x86.PopcntRR:
		terms := make([]string, W)
		for i := range W {
			terms[i] = fmt.Sprintf("((_ zero_extend %d) ((_ extract %d %d) %s))", W-1, i, i, a)
		}
		return nary("bvadd", terms)
	case x86.LzcntRR:
		for i := 0; i < W; i++ {
			e = fmt.Sprintf("(ite %s %s %s)", bit(i), bv(uint64(W-1-i), W), e)
		}
	case x86.TzcntRR:
		for i := W - 1; i >= 0; i-- {
			e = fmt.Sprintf("(ite %s %s %s)", bit(i), bv(uint64(i), W), e)
		}
	case x86.BsrRR:
		for i := 0; i < W; i++ {
			e = fmt.Sprintf("(ite %s %s %s)", bit(i), bv(uint64(i), W), e)
		}
	case x86.BsfRR:
		for i := W - 1; i >= 0; i-- {
			e = fmt.Sprintf("(ite %s %s %s)", bit(i), bv(uint64(i), W), e)
		}
	}
	return e
}

// step translates one instruction.
func (t *translator) step(in x86.Inst) error {
	w := in.W
	W := int(w)
	switch in.Op {
	case x86.Nop:
	case x86.NotR:
		t.wr(in.Dst, w, fmt.Sprintf("(bvnot %s)", t.rd(in.Dst, w)))
	case x86.NegR:
		a := t.rd(in.Dst, w)
		r := t.sub(bv(0, W), a, "", w)
		t.wr(in.Dst, w, r)
	case x86.IncR, x86.DecR:
		cf := t.flag(x86.CF)
		var r string
		if in.Op == x86.IncR {
			r = t.add(t.rd(in.Dst, w), bv(1, W), "", w)
		} else {
			r = t.sub(t.rd(in.Dst, w), bv(1, W), "", w)
		}
		t.flags[flagIndex(x86.CF)] = cf
		t.wr(in.Dst, w, r)
	case x86.ShlCL, x86.ShrCL, x86.SarCL, x86.RolCL, x86.RorCL:
		cnt := t.def(bvSort(W), fmt.Sprintf("(bvand %s %s)", t.rd(x86.RCX, w), bv(uint64(W-1), W)))
		t.shift(in.Op, in.Dst, w, cnt)
	case x86.ShlRI, x86.ShrRI, x86.SarRI, x86.RolRI, x86.RorRI:
		n := uint64(in.Imm) & uint64(W-1)
		if n == 0 {
			t.wr(in.Dst, w, t.rd(in.Dst, w))
			return nil
		}
		t.shift(in.Op, in.Dst, w, bv(n, W))
	case x86.MulR, x86.ImulR:
		ext := "zero_extend"
		if in.Op == x86.ImulR {
			ext = "sign_extend"
		}
		p := t.def(bvSort(2*W), fmt.Sprintf("(bvmul ((_ %s %d) %s) ((_ %s %d) %s))", ext, W, t.rd(x86.RAX, w), ext, W, t.rd(in.Dst, w)))
		lo := fmt.Sprintf("((_ extract %d 0) %s)", W-1, p)
		hi := fmt.Sprintf("((_ extract %d %d) %s)", 2*W-1, W, p)
		var over string
		if in.Op == x86.MulR {
			over = fmt.Sprintf("(distinct %s %s)", hi, bv(0, W))
		} else {
			over = fmt.Sprintf("(distinct %s ((_ sign_extend %d) %s))", p, W, lo)
		}
		t.wr(x86.RAX, w, lo)
		t.wr(x86.RDX, w, hi)
		t.setFlag(x86.CF, over)
		t.setFlag(x86.OF, t.flag(x86.CF))
		t.undefFlags(x86.SF | x86.ZF | x86.PF)
	case x86.SetCC:
		t.wr(in.Dst, x86.W8, boolBV(t.cond(in.Cond), 8))
	case x86.MovRR:
		t.wr(in.Dst, w, t.rd(in.Src, w))
	case x86.AddRR, x86.AdcRR, x86.AddRI, x86.AdcRI:
		carry := ""
		if in.Op == x86.AdcRR || in.Op == x86.AdcRI {
			carry = t.flag(x86.CF)
		}
		t.wr(in.Dst, w, t.add(t.rd(in.Dst, w), t.source(in, w), carry, w))
	case x86.SubRR, x86.SbbRR, x86.SubRI, x86.SbbRI:
		borrow := ""
		if in.Op == x86.SbbRR || in.Op == x86.SbbRI {
			borrow = t.flag(x86.CF)
		}
		t.wr(in.Dst, w, t.sub(t.rd(in.Dst, w), t.source(in, w), borrow, w))
	case x86.CmpRR, x86.CmpRI:
		t.sub(t.rd(in.Dst, w), t.source(in, w), "", w)
	case x86.AndRR, x86.OrRR, x86.XorRR, x86.AndRI, x86.OrRI, x86.XorRI:
		t.wr(in.Dst, w, t.logic(fmt.Sprintf("(%s %s %s)", logicFn[in.Op.Info().Mnemonic], t.rd(in.Dst, w), t.source(in, w)), w))
	case x86.TestRR, x86.TestRI:
		t.logic(fmt.Sprintf("(bvand %s %s)", t.rd(in.Dst, w), t.source(in, w)), w)
	case x86.ImulRR, x86.ImulRRI:
		a, b := t.rd(in.Dst, w), t.rd(in.Src, w)
		if in.Op == x86.ImulRRI {
			a = t.imm(in.Imm, w)
		}
		p := t.def(bvSort(2*W), fmt.Sprintf("(bvmul ((_ sign_extend %d) %s) ((_ sign_extend %d) %s))", W, a, W, b))
		lo := t.def(bvSort(W), fmt.Sprintf("((_ extract %d 0) %s)", W-1, p))
		t.setFlag(x86.CF, fmt.Sprintf("(distinct %s ((_ sign_extend %d) %s))", p, W, lo))
		t.setFlag(x86.OF, t.flag(x86.CF))
		t.undefFlags(x86.SF | x86.ZF | x86.PF)
		t.wr(in.Dst, w, lo)
	case x86.XchgRR:
		a, b := t.rd(in.Dst, w), t.rd(in.Src, w)
		na := t.def(bvSort(64), t.full(in.Dst, w, b))
		nb := t.def(bvSort(64), t.full(in.Src, w, a))
		t.regs[in.Dst] = na
		t.regs[in.Src] = nb
	case x86.PopcntRR:
		a := t.def(bvSort(W), t.rd(in.Src, w))
		for _, f := range []x86.Flags{x86.CF, x86.PF, x86.SF, x86.OF} {
			t.setFlag(f, "false")
		}
		t.setFlag(x86.ZF, fmt.Sprintf("(= %s %s)", a, bv(0, W)))
		t.wr(in.Dst, w, t.count(in.Op, a, w))
	case x86.LzcntRR, x86.TzcntRR:
		a := t.def(bvSort(W), t.rd(in.Src, w))
		r := t.def(bvSort(W), t.count(in.Op, a, w))
		t.setFlag(x86.CF, fmt.Sprintf("(= %s %s)", a, bv(0, W)))
		t.setFlag(x86.ZF, fmt.Sprintf("(= %s %s)", r, bv(0, W)))
		t.undefFlags(x86.OF | x86.SF | x86.PF)
		t.wr(in.Dst, w, r)
	case x86.BsrRR, x86.BsfRR:
		a := t.def(bvSort(W), t.rd(in.Src, w))
		isZero := fmt.Sprintf("(= %s %s)", a, bv(0, W))
		t.setFlag(x86.ZF, isZero)
		t.undefFlags(x86.CF | x86.OF | x86.SF | x86.PF)
		defined := t.full(in.Dst, w, t.count(in.Op, a, w))
		t.regs[in.Dst] = t.def(bvSort(64), fmt.Sprintf("(ite %s %s %s)", isZero, t.fresh(bvSort(64)), defined))
	case x86.CmovRR:
		t.wr(in.Dst, w, fmt.Sprintf("(ite %s %s %s)", t.cond(in.Cond), t.rd(in.Src, w), t.rd(in.Dst, w)))
	case x86.MovzxRR:
		t.wr(in.Dst, w, fmt.Sprintf("((_ zero_extend %d) ((_ extract 7 0) %s))", W-8, t.regs[in.Src]))
	case x86.Movzx16RR:
		t.wr(in.Dst, w, fmt.Sprintf("((_ zero_extend %d) ((_ extract 15 0) %s))", W-16, t.regs[in.Src]))
	case x86.MovRI:
		t.wr(in.Dst, w, t.imm(in.Imm, w))
	case x86.LeaRM:
		m := in.Mem
		addr := fmt.Sprintf("(bvadd %s %s)", t.regs[m.Base], bv(uint64(int64(m.Disp)), 64))
		if m.Index != x86.NoReg {
			addr = fmt.Sprintf("(bvadd %s (bvmul %s %s))", addr, t.regs[m.Index], bv(uint64(m.Scale), 64))
		}
		a := t.def(bvSort(64), addr)
		t.wr(in.Dst, w, t.rd64(a, w))
	default:
		return fmt.Errorf("smt: no translation for %s", in)
	}
	return nil
}

// source is the second operand of a two-operand instruction: the
// immediate of the register-immediate forms, else the source register.
func (t *translator) source(in x86.Inst, w x86.Width) string {
	if in.Op.Info().Form == x86.FormRI {
		return t.imm(in.Imm, w)
	}
	return t.rd(in.Src, w)
}

// logicFn is the SMT-LIB function of each bitwise instruction.
var logicFn = map[string]string{"and": "bvand", "or": "bvor", "xor": "bvxor"}

func (t *translator) rd64(name string, w x86.Width) string {
	if w == x86.W64 {
		return name
	}
	return fmt.Sprintf("((_ extract %d 0) %s)", w-1, name)
}

// Query is an equivalence question.
type Query struct {
	Target, Rewrite x86.Program
	LiveOut         x86.Reg
	OutWidth        x86.Width
}

// Formula renders the query as an SMT-LIB2 script whose answer is unsat
// exactly when the two programs agree on the live-out for every initial
// state.
func (q Query) Formula() (string, error) {
	var b bytes.Buffer
	b.WriteString("(set-logic QF_BV)\n")
	declareInputs(&b)
	outs := make([]string, 2)
	for k, p := range []x86.Program{q.Target, q.Rewrite} {
		t := newTranslator(&b, []string{"t", "w"}[k])
		for i, in := range p {
			if err := in.Validate(); err != nil {
				return "", fmt.Errorf("instruction %d: %w", i+1, err)
			}
			if err := t.step(in); err != nil {
				return "", err
			}
		}
		outs[k] = t.rd(q.LiveOut, q.OutWidth)
	}
	fmt.Fprintf(&b, "(assert (distinct %s %s))\n(check-sat)\n", outs[0], outs[1])
	return b.String(), nil
}

// Verdict is the solver's answer. Its zero value is Unknown, so that a
// Result returned with an error never claims equivalence.
type Verdict int

// The verdicts.
const (
	Unknown    Verdict = iota // timeout, solver gave up, or no answer (an error)
	Equivalent                // unsat: equal live-outs for every input
	Different                 // sat: Result.Counterexample differs
)

func (v Verdict) String() string {
	if v < 0 || int(v) >= 3 {
		return fmt.Sprintf("Verdict(%d)", int(v))
	}
	return [...]string{"unknown", "equivalent", "different"}[v]
}

// Result is the outcome of Check.
type Result struct {
	Verdict Verdict
	// Counterexample is an initial state on which the live-outs differ
	// (Different only). Its Noise is zero: undefined values the solver
	// chose are not reproduced.
	Counterexample x86.State
	Elapsed        time.Duration
}

// Z3 is the solver binary.
var Z3 = "z3"

// Available reports whether the solver binary can be found, with an error
// that says how to install it.
func Available() error {
	return rlcore.NeedTool(Z3, "it proves rewrites equivalent to their target", "z3")
}

var modelRe = regexp.MustCompile(`\(\s*(r\d+|f[A-Z]+)\s+(#x[0-9a-f]+|#b[01]+|true|false)\s*\)`)

// Check asks z3 whether the programs are equivalent, giving up after
// timeout (zero means 20 s). With an error, the verdict is Unknown.
func Check(ctx context.Context, q Query, timeout time.Duration) (Result, error) {
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	start := time.Now()
	f, err := q.Formula()
	if err != nil {
		return Result{}, err
	}
	var get strings.Builder
	get.WriteString("(get-value (")
	for r := range x86.NumRegs {
		fmt.Fprintf(&get, "r%d ", r)
	}
	for _, fl := range flagNames {
		get.WriteString("f" + fl + " ")
	}
	get.WriteString("))\n")
	script := f + get.String()
	ctx, cancel := context.WithTimeout(ctx, timeout+2*time.Second)
	defer cancel()
	secs := int(timeout.Seconds() + 0.999)
	cmd := exec.CommandContext(ctx, Z3, "-in", "-smt2", "-T:"+strconv.Itoa(secs))
	cmd.Stdin = strings.NewReader(script)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	runErr := cmd.Run()
	res := Result{Elapsed: time.Since(start)}
	first, rest, _ := strings.Cut(out.String(), "\n")
	switch strings.TrimSpace(first) {
	case "unsat":
		res.Verdict = Equivalent
		return res, nil
	case "sat":
		res.Verdict = Different
		for _, m := range modelRe.FindAllStringSubmatch(rest, -1) {
			name, val := m[1], m[2]
			if name[0] == 'r' {
				r, _ := strconv.Atoi(name[1:])
				v, err := strconv.ParseUint(val[2:], 16, 64)
				if err != nil {
					return Result{Elapsed: res.Elapsed}, fmt.Errorf("z3 model value %s = %s: %w", name, val, err)
				}
				res.Counterexample.R[r] = v
			} else if val == "true" {
				res.Counterexample.Flags |= 1 << flagIndexByName(name[1:])
			}
		}
		return res, nil
	case "unknown", "timeout":
		res.Verdict = Unknown
		return res, nil
	}
	if ctx.Err() != nil {
		res.Verdict = Unknown
		return res, nil
	}
	if runErr != nil {
		var ee *exec.ExitError
		if errors.Is(runErr, exec.ErrNotFound) {
			if err := Available(); err != nil {
				return res, err
			}
		}
		if errors.As(runErr, &ee) {
			return res, fmt.Errorf("z3: %w: %s%s", runErr, out.String(), stderr.String())
		}
		return res, fmt.Errorf("z3: %w", runErr)
	}
	return res, fmt.Errorf("z3 answered %q", first)
}

func flagIndexByName(n string) int {
	for i, f := range flagNames {
		if f == n {
			return i
		}
	}
	return 0
}
