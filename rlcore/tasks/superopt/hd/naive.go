// Package hd holds the 25 Hacker's Delight superoptimization targets p01–p25
// (the benchmark of Gulwani et al., "Synthesis of loop-free programs",
// PLDI 2011, that STOKE uses): each as a three-address program over 32-bit
// unsigned values, the naive x86-64 code a compiler emits for it at -O0,
// the same program as C (for gcc -O3), and an independent specification as
// a Go function for testing.
//
// The naive code is register-only "-O0-like": gcc -O0 keeps every C variable
// in a stack slot, loads the operands of each statement into eax, computes,
// and stores the result back. We keep that instruction selection and data
// flow but give every slot a register instead of stack memory (so the
// interpreter and the verifier need no memory model): parameters are first
// copied into their slots (the -O0 spills), each statement loads its first
// operand into eax, applies its operation with the second operand's slot
// register (or an immediate) and stores eax to the result's slot, compares
// use cmp/setcc/movzx, variable shifts move the count into ecx. Slots of
// dead variables are reused. The last statement leaves the result in eax.
package hd

import (
	"fmt"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

// Stmt is one three-address statement Dst = Op(A, B). Operands are
// variable names (parameters or earlier Dsts) or decimal/hex constants.
type Stmt struct {
	Dst, Op, A, B string
}

// The operations. All values are 32-bit; s-prefixed ones are signed.
//
//	add sub and or xor mul     binary arithmetic (mul keeps the low half)
//	not neg                    unary
//	shl shr sar                shift by a constant or a variable (count mod 32)
//	eq ne ule ugt uge sge      comparisons giving 0 or 1
//	ctz                        count trailing zeros (32 for zero, as tzcnt)
var binaryMnemonic = map[string]string{"add": "add", "sub": "sub", "and": "and", "or": "or", "xor": "xor", "mul": "imul"}

var compareCond = map[string]string{"eq": "e", "ne": "ne", "ule": "be", "ugt": "a", "uge": "ae", "sge": "ge"}

// slotPool are the registers that stand for -O0's stack slots.
var slotPool = []x86.Reg{x86.R8, x86.R9, x86.R10, x86.R11, x86.RDI, x86.RSI, x86.RDX}

func isConst(s string) bool { return s != "" && (s[0] >= '0' && s[0] <= '9' || s[0] == '-') }

// naiveCode compiles a three-address program into -O0-like x86-64 (see the
// package comment). params arrive in params' registers (SysV order).
func naiveCode(params []string, body []Stmt) (string, error) {
	argRegs := []x86.Reg{x86.RDI, x86.RSI, x86.RDX, x86.RCX}
	lastUse := map[string]int{}
	for i, s := range body {
		for _, o := range []string{s.A, s.B} {
			if o != "" && !isConst(o) {
				lastUse[o] = i
			}
		}
	}
	slot := map[string]x86.Reg{}
	busy := map[x86.Reg]bool{}
	var b strings.Builder
	alloc := func(v string) (x86.Reg, error) {
		for _, r := range slotPool {
			if !busy[r] {
				busy[r] = true
				slot[v] = r
				return r, nil
			}
		}
		return 0, fmt.Errorf("out of slot registers at %s", v)
	}
	// The -O0 prologue spills the parameters. Parameter registers that are
	// slots themselves must be vacated first, so spill in an order that
	// never overwrites a parameter not yet spilled: reserve them all.
	for i := range params {
		busy[argRegs[i]] = true
	}
	for i, p := range params {
		r, err := alloc(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "mov %s, %s\n", r.Name(x86.W32), argRegs[i].Name(x86.W32))
	}
	for i := range params {
		if argRegs[i] != x86.RCX {
			busy[argRegs[i]] = false
		}
	}
	operand := func(o string) (string, error) {
		if isConst(o) {
			return o, nil
		}
		r, ok := slot[o]
		if !ok {
			return "", fmt.Errorf("variable %q used before it is defined", o)
		}
		return r.Name(x86.W32), nil
	}
	for i, s := range body {
		a, err := operand(s.A)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "mov eax, %s\n", a)
		var bop string
		if s.B != "" {
			if bop, err = operand(s.B); err != nil {
				return "", err
			}
		}
		switch {
		case binaryMnemonic[s.Op] != "":
			if s.Op == "mul" && isConst(s.B) {
				fmt.Fprintf(&b, "imul eax, eax, %s\n", bop)
			} else {
				fmt.Fprintf(&b, "%s eax, %s\n", binaryMnemonic[s.Op], bop)
			}
		case s.Op == "not" || s.Op == "neg":
			fmt.Fprintf(&b, "%s eax\n", s.Op)
		case s.Op == "shl" || s.Op == "shr" || s.Op == "sar":
			if isConst(s.B) {
				fmt.Fprintf(&b, "%s eax, %s\n", s.Op, bop)
			} else {
				fmt.Fprintf(&b, "mov ecx, %s\n%s eax, cl\n", bop, s.Op)
			}
		case compareCond[s.Op] != "":
			fmt.Fprintf(&b, "cmp eax, %s\nset%s al\nmovzx eax, al\n", bop, compareCond[s.Op])
		case s.Op == "ctz":
			b.WriteString("tzcnt eax, eax\n")
		default:
			return "", fmt.Errorf("statement %d: unknown operation %q", i+1, s.Op)
		}
		for _, o := range []string{s.A, s.B} {
			if r, ok := slot[o]; ok && lastUse[o] == i {
				busy[r] = false
			}
		}
		if i == len(body)-1 {
			break
		}
		r, err := alloc(s.Dst)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "mov %s, eax\n", r.Name(x86.W32))
	}
	return b.String(), nil
}

var cBinary = map[string]string{"add": "+", "sub": "-", "and": "&", "or": "|", "xor": "^", "mul": "*",
	"shl": "<<", "shr": ">>", "eq": "==", "ne": "!=", "ule": "<=", "ugt": ">", "uge": ">="}

// cCode renders the three-address program as a C function over unsigned.
func cCode(name string, params []string, body []Stmt) string {
	var b strings.Builder
	ps := make([]string, len(params))
	for i, p := range params {
		ps[i] = "unsigned " + p
	}
	fmt.Fprintf(&b, "unsigned %s(%s) {\n", name, strings.Join(ps, ", "))
	for i, s := range body {
		a, bb := s.A, s.B
		if isConst(a) {
			a += "u"
		}
		if isConst(bb) {
			bb += "u"
		}
		var e string
		switch s.Op {
		case "not":
			e = "~" + a
		case "neg":
			e = "-" + a
		case "sar":
			e = fmt.Sprintf("(unsigned)((int)%s >> %s)", a, bb)
		case "sge":
			e = fmt.Sprintf("((int)%s >= (int)%s)", a, bb)
		case "ctz":
			e = fmt.Sprintf("(%s ? (unsigned)__builtin_ctz(%s) : 32u)", a, a)
		default:
			e = fmt.Sprintf("(%s %s %s)", a, cBinary[s.Op], bb)
		}
		if i == len(body)-1 {
			fmt.Fprintf(&b, "  return %s;\n", e)
		} else {
			fmt.Fprintf(&b, "  unsigned %s = %s;\n", s.Dst, e)
		}
	}
	b.WriteString("}\n")
	return b.String()
}
