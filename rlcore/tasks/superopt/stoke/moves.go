package stoke

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

// Move is a kind of proposal, named as in STOKE's transforms.
type Move int

// The moves. Programs are straight-line (one basic block), so the two swaps
// differ only in reach: local_swap exchanges instructions at most
// LocalReach apart, global_swap any two.
const (
	// MoveOpcode replaces the opcode of a random instruction by another of
	// the same operand form (or changes its condition code).
	MoveOpcode Move = iota
	// MoveOperand replaces one operand of a random instruction by a random
	// operand of the same kind (register, immediate, address part).
	MoveOperand
	MoveLocalSwap
	MoveGlobalSwap
	// MoveInstruction replaces a random slot by a random instruction.
	MoveInstruction
	// MoveRotate moves a random instruction to another position, shifting
	// the ones between.
	MoveRotate
	// MoveAddNops appends an empty slot (a nop), growing the program.
	MoveAddNops
	// MoveDelete replaces a random instruction by a nop.
	MoveDelete
	// MoveWeighted draws one of the above from Proposer.Mix.
	MoveWeighted
	NumMoves
)

// LocalReach is how far apart local_swap's instructions may be.
const LocalReach = 3

var moveNames = [NumMoves]string{"opcode", "operand", "local_swap", "global_swap", "instruction", "rotate", "add_nops", "delete", "weighted"}

func (m Move) String() string {
	if m >= 0 && m < NumMoves {
		return moveNames[m]
	}
	return fmt.Sprintf("move%d", int(m))
}

// MoveNames lists the move names in Move order.
func MoveNames() []string { return append([]string(nil), moveNames[:]...) }

// ParseMove reads a move name.
func ParseMove(s string) (Move, error) {
	for i, n := range moveNames {
		if n == s {
			return Move(i), nil
		}
	}
	return 0, fmt.Errorf("unknown move %q; known: %s", s, strings.Join(moveNames[:], ", "))
}

// DefaultMix is the weighted move's distribution, after STOKE's defaults:
// every proposal mass 1, and 80% of instruction moves producing a nop
// (--nop_percent 80), which here is the delete move.
var DefaultMix = [MoveWeighted]float64{
	MoveOpcode: 1, MoveOperand: 1, MoveLocalSwap: 1, MoveGlobalSwap: 1,
	MoveInstruction: 0.2, MoveRotate: 1, MoveAddNops: 0, MoveDelete: 0.8,
}

// Proposer draws moves over fixed operand pools.
type Proposer struct {
	Regs []x86.Reg // registers that proposals use
	Imms []int64   // immediates that proposals use
	Ops  []x86.Op  // opcodes the instruction move proposes
	// Wide is the probability that a proposed instruction is 64-bit.
	Wide   float64
	MaxLen int // slots add_nops may grow the program to
	Mix    [MoveWeighted]float64
}

// CallerSaved are the registers a leaf function may use freely in the SysV
// ABI (rsp excluded), the default proposal pool.
var CallerSaved = []x86.Reg{x86.RAX, x86.RCX, x86.RDX, x86.RSI, x86.RDI, x86.R8, x86.R9, x86.R10, x86.R11}

// baseImms are the constants every proposer knows, as STOKE's default
// immediate pool plus the target's own constants (see NewProposer).
var baseImms = []int64{0, 1, -1, 2, 31}

// NewProposer makes a proposer for a target with the given live-in and
// live-out registers. Registers: the live-ins, the live-out, rcx and rdx
// (the implicit operands of shifts and of mul) and two scratch registers
// (r8, r9) — a small pool makes useful proposals likelier, as STOKE's
// operand pools restricted to the registers in play do. Immediates: a few
// small constants plus every immediate and displacement of the target.
// Opcodes: every opcode of the subset.
func NewProposer(target x86.Program, liveIn []x86.Reg, liveOut x86.Reg) *Proposer {
	pr := &Proposer{Wide: 0.25, MaxLen: len(target) + 4, Mix: DefaultMix}
	inPool := map[x86.Reg]bool{}
	for _, r := range append(append([]x86.Reg{liveOut}, liveIn...), x86.RCX, x86.RDX, x86.R8, x86.R9) {
		if !inPool[r] {
			inPool[r] = true
			pr.Regs = append(pr.Regs, r)
		}
	}
	seen := map[int64]bool{}
	add := func(v int64) {
		if !seen[v] {
			seen[v] = true
			pr.Imms = append(pr.Imms, v)
		}
	}
	for _, v := range baseImms {
		add(v)
	}
	for _, in := range target {
		switch in.Op.Info().Form {
		case x86.FormRI, x86.FormRRI:
			add(in.Imm)
		case x86.FormRM:
			add(int64(in.Mem.Disp))
		}
	}
	for op := x86.Op(1); op < x86.NumOps; op++ {
		pr.Ops = append(pr.Ops, op)
	}
	return pr
}

func (pr *Proposer) reg(rng *rand.Rand) x86.Reg { return pr.Regs[rng.IntN(len(pr.Regs))] }

func isShift(op x86.Op) bool {
	switch op {
	case x86.ShlRI, x86.ShrRI, x86.SarRI, x86.RolRI, x86.RorRI:
		return true
	}
	return false
}

func (pr *Proposer) imm(op x86.Op, w x86.Width, rng *rand.Rand) int64 {
	if isShift(op) {
		return 1 + rng.Int64N(int64(w)-1)
	}
	v := pr.Imms[rng.IntN(len(pr.Imms))]
	if w == x86.W32 {
		v = int64(int32(v))
	} else if op != x86.MovRI && v != int64(int32(v)) {
		v = int64(int32(v))
	}
	return v
}

func (pr *Proposer) width(rng *rand.Rand) x86.Width {
	if rng.Float64() < pr.Wide {
		return x86.W64
	}
	return x86.W32
}

func (pr *Proposer) mem(rng *rand.Rand) x86.Mem {
	m := x86.Mem{Base: pr.reg(rng), Index: x86.NoReg}
	if rng.IntN(2) == 0 {
		m.Index = pr.reg(rng)
		m.Scale = uint8(1 << rng.IntN(4))
	}
	if rng.IntN(2) == 0 {
		m.Disp = int32(pr.Imms[rng.IntN(len(pr.Imms))])
	}
	return m
}

// RandomInst draws an instruction from the pools.
func (pr *Proposer) RandomInst(rng *rand.Rand) x86.Inst {
	op := pr.Ops[rng.IntN(len(pr.Ops))]
	in := x86.Inst{Op: op, W: pr.width(rng), Dst: pr.reg(rng), Src: pr.reg(rng)}
	if op.Info().HasCond {
		in.Cond = x86.Cond(rng.IntN(x86.NumConds))
	}
	switch op.Info().Form {
	case x86.FormRI, x86.FormRRI:
		in.Imm = pr.imm(op, in.W, rng)
	case x86.FormRM:
		in.Mem = pr.mem(rng)
	}
	return normalize(in)
}

// normalize fixes the fields an opcode change may leave inconsistent.
func normalize(in x86.Inst) x86.Inst {
	if in.Op == x86.SetCC {
		in.W = x86.W8
	} else if in.W == x86.W8 || in.W == 0 {
		in.W = x86.W32
	}
	if in.Op == x86.Nop {
		return x86.Inst{Op: x86.Nop}
	}
	if isShift(in.Op) {
		in.Imm &= int64(in.W) - 1
	}
	return in
}

// pickInst returns the index of a random non-nop instruction, or -1.
func pickInst(p x86.Program, rng *rand.Rand) int {
	n := p.Len()
	if n == 0 {
		return -1
	}
	k := rng.IntN(n)
	for i, in := range p {
		if in.Op != x86.Nop {
			if k == 0 {
				return i
			}
			k--
		}
	}
	return -1
}

// Apply performs move m on p in place (growing it for add_nops) and
// returns the result and whether the program changed. The weighted move
// reports which move it drew in drawn.
func (pr *Proposer) Apply(p x86.Program, m Move, rng *rand.Rand) (out x86.Program, changed bool, drawn Move) {
	if m == MoveWeighted {
		m = pr.draw(rng)
	}
	drawn = m
	switch m {
	case MoveOpcode:
		i := pickInst(p, rng)
		if i < 0 {
			return p, false, m
		}
		in := p[i]
		info := in.Op.Info()
		if info.HasCond && rng.IntN(2) == 0 {
			in.Cond = x86.Cond(rng.IntN(x86.NumConds))
		} else {
			ops := x86.OpsOfForm[info.Form]
			if len(ops) < 2 {
				return p, false, m
			}
			in.Op = ops[rng.IntN(len(ops))]
			if in.Op.Info().HasCond && !info.HasCond {
				in.Cond = x86.Cond(rng.IntN(x86.NumConds))
			}
		}
		in = normalize(in)
		if in == p[i] || in.Validate() != nil {
			return p, false, m
		}
		p[i] = in
		return p, true, m
	case MoveOperand:
		i := pickInst(p, rng)
		if i < 0 {
			return p, false, m
		}
		in := p[i]
		switch in.Op.Info().Form {
		case x86.FormR:
			in.Dst = pr.reg(rng)
		case x86.FormRR:
			if rng.IntN(2) == 0 {
				in.Dst = pr.reg(rng)
			} else {
				in.Src = pr.reg(rng)
			}
		case x86.FormRI:
			if rng.IntN(2) == 0 {
				in.Dst = pr.reg(rng)
			} else {
				in.Imm = pr.imm(in.Op, in.W, rng)
			}
		case x86.FormRRI:
			switch rng.IntN(3) {
			case 0:
				in.Dst = pr.reg(rng)
			case 1:
				in.Src = pr.reg(rng)
			default:
				in.Imm = pr.imm(in.Op, in.W, rng)
			}
		case x86.FormRM:
			switch rng.IntN(4) {
			case 0:
				in.Dst = pr.reg(rng)
			case 1:
				in.Mem.Base = pr.reg(rng)
			case 2:
				if in.Mem.Index == x86.NoReg || rng.IntN(3) > 0 {
					in.Mem.Index = pr.reg(rng)
					in.Mem.Scale = uint8(1 << rng.IntN(4))
				} else {
					in.Mem.Index, in.Mem.Scale = x86.NoReg, 0
				}
			default:
				in.Mem.Disp = int32(pr.Imms[rng.IntN(len(pr.Imms))])
			}
		}
		if in == p[i] || in.Validate() != nil {
			return p, false, m
		}
		p[i] = in
		return p, true, m
	case MoveLocalSwap, MoveGlobalSwap:
		if len(p) < 2 {
			return p, false, m
		}
		i := rng.IntN(len(p))
		var j int
		if m == MoveLocalSwap {
			lo, hi := max(0, i-LocalReach), min(len(p)-1, i+LocalReach)
			j = lo + rng.IntN(hi-lo+1)
		} else {
			j = rng.IntN(len(p))
		}
		if p[i] == p[j] {
			return p, false, m
		}
		p[i], p[j] = p[j], p[i]
		return p, true, m
	case MoveInstruction:
		if len(p) == 0 {
			return p, false, m
		}
		i := rng.IntN(len(p))
		in := pr.RandomInst(rng)
		if in == p[i] {
			return p, false, m
		}
		p[i] = in
		return p, true, m
	case MoveRotate:
		if len(p) < 2 {
			return p, false, m
		}
		i, j := rng.IntN(len(p)), rng.IntN(len(p))
		if i == j {
			return p, false, m
		}
		in := p[i]
		if i < j {
			copy(p[i:j], p[i+1:j+1])
		} else {
			copy(p[j+1:i+1], p[j:i])
		}
		p[j] = in
		return p, true, m
	case MoveAddNops:
		if len(p) >= pr.MaxLen {
			return p, false, m
		}
		return append(p, x86.Inst{Op: x86.Nop}), true, m
	case MoveDelete:
		i := pickInst(p, rng)
		if i < 0 {
			return p, false, m
		}
		p[i] = x86.Inst{Op: x86.Nop}
		return p, true, m
	}
	return p, false, m
}

func (pr *Proposer) draw(rng *rand.Rand) Move {
	total := 0.0
	for _, w := range pr.Mix {
		total += w
	}
	x := rng.Float64() * total
	for i, w := range pr.Mix {
		if x < w {
			return Move(i)
		}
		x -= w
	}
	return MoveOpcode
}

// Compact returns p without its nops.
func Compact(p x86.Program) x86.Program {
	out := make(x86.Program, 0, len(p))
	for _, in := range p {
		if in.Op != x86.Nop {
			out = append(out, in)
		}
	}
	return out
}
