// Package x86 is a loop-free subset of x86-64 for superoptimization: the
// instruction representation, an exact interpreter (general registers with
// the x86 zero-extension of 32-bit writes, flags CF/ZF/SF/OF/PF as the Intel
// SDM defines them), a static latency cost model, and an Intel-syntax
// printer and parser whose output GNU as assembles.
//
// Undefined results. Where the SDM leaves a flag (or the destination of
// bsf/bsr with a zero source) undefined, the interpreter writes a value
// drawn from the test case's Noise word, so a program that reads such a
// value behaves erratically across test cases instead of silently relying
// on one convention; the SMT translation (package smt) gives each undefined
// value a fresh unconstrained variable, so verification holds for every
// value a CPU may produce. UndefinedFlags reports the undefined flags of an
// instruction so tests against the CPU can ignore them.
package x86

import "fmt"

// Reg is a general-purpose register number in encoding order
// (rax=0, rcx=1, …, r15=15).
type Reg uint8

// The general-purpose registers.
const (
	RAX Reg = iota
	RCX
	RDX
	RBX
	RSP
	RBP
	RSI
	RDI
	R8
	R9
	R10
	R11
	R12
	R13
	R14
	R15
	NumRegs = 16
)

// NoReg marks an absent index register in a memory operand.
const NoReg Reg = 0xff

var (
	names64 = [NumRegs]string{"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}
	names32 = [NumRegs]string{"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"}
	names16 = [NumRegs]string{"ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"}
	names8  = [NumRegs]string{"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"}
)

// Name returns the register's name at width w (8, 32 or 64 bits).
func (r Reg) Name(w Width) string {
	if r >= NumRegs {
		return fmt.Sprintf("reg%d", r)
	}
	switch w {
	case W8:
		return names8[r]
	case W16:
		return names16[r]
	case W32:
		return names32[r]
	}
	return names64[r]
}

// Width is an operand size in bits.
type Width uint8

// The operand sizes. W8 appears only as the destination of setcc and the
// source of movzx, W16 only as the source of movzx.
const (
	W8  Width = 8
	W16 Width = 16
	W32 Width = 32
	W64 Width = 64
)

// Mask returns the value mask of the width.
func (w Width) Mask() uint64 {
	switch w {
	case W8:
		return 0xff
	case W16:
		return 0xffff
	case W32:
		return 0xffffffff
	}
	return ^uint64(0)
}

// Cond is an x86 condition code (the low nibble of the Jcc/SETcc/CMOVcc
// opcodes).
type Cond uint8

// The condition codes.
const (
	CondO Cond = iota
	CondNO
	CondB
	CondAE
	CondE
	CondNE
	CondBE
	CondA
	CondS
	CondNS
	CondP
	CondNP
	CondL
	CondGE
	CondLE
	CondG
	NumConds = 16
)

var condNames = [NumConds]string{"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"}

// Test says what condition c tests: that any flag of anyOf is set, or,
// with sfNeOF, that SF differs from OF; a negated condition (the odd
// codes) holds when that test fails.
func (c Cond) Test() (anyOf Flags, sfNeOF, negated bool) {
	t := condTests[(c&^1)/2]
	return t.anyOf, t.sfNeOF, c&1 != 0
}

// condTests are the tests of the even (not negated) condition codes.
var condTests = [NumConds / 2]struct {
	anyOf  Flags
	sfNeOF bool
}{
	CondO / 2:  {anyOf: OF},
	CondB / 2:  {anyOf: CF},
	CondE / 2:  {anyOf: ZF},
	CondBE / 2: {anyOf: CF | ZF},
	CondS / 2:  {anyOf: SF},
	CondP / 2:  {anyOf: PF},
	CondL / 2:  {sfNeOF: true},
	CondLE / 2: {anyOf: ZF, sfNeOF: true},
}

func (c Cond) String() string {
	if c < NumConds {
		return condNames[c]
	}
	return fmt.Sprintf("cond%d", c)
}

// Flags is a set of status flags.
type Flags uint8

// The modelled status flags (AF is not modelled: nothing here reads it).
const (
	CF Flags = 1 << iota
	PF
	ZF
	SF
	OF
	AllFlags = CF | PF | ZF | SF | OF
)

// Form is the operand signature of an opcode. The opcode move of the search
// replaces an opcode by another of the same form.
type Form uint8

// The operand forms.
const (
	FormNone Form = iota // nop
	FormR                // op r            (not, neg, inc, dec, shifts by cl, mul, setcc)
	FormRR               // op r, r
	FormRI               // op r, imm
	FormRRI              // op r, r, imm    (3-operand imul)
	FormRM               // op r, [b+i*s+d] (lea)
	NumForms
)

// Op is an opcode in one operand form.
type Op uint8

// The opcodes. The suffix names the form; the condition of setcc and cmovcc
// is Inst.Cond.
const (
	Nop Op = iota

	NotR
	NegR
	IncR
	DecR
	ShlCL
	ShrCL
	SarCL
	RolCL
	RorCL
	MulR  // unsigned rdx:rax = rax * r
	ImulR // signed rdx:rax = rax * r
	SetCC // 8-bit destination

	MovRR
	AddRR
	SubRR
	AdcRR
	SbbRR
	AndRR
	OrRR
	XorRR
	CmpRR
	TestRR
	ImulRR
	XchgRR
	PopcntRR
	LzcntRR
	TzcntRR
	BsrRR
	BsfRR
	CmovRR
	MovzxRR   // movzx r, r8
	Movzx16RR // movzx r, r16

	MovRI
	AddRI
	SubRI
	AdcRI
	SbbRI
	AndRI
	OrRI
	XorRI
	CmpRI
	TestRI
	ShlRI
	ShrRI
	SarRI
	RolRI
	RorRI

	ImulRRI

	LeaRM

	NumOps
)

// OpInfo describes an opcode.
type OpInfo struct {
	Mnemonic string // without condition suffix for setcc/cmovcc
	Form     Form
	// HasCond: the mnemonic takes Inst.Cond as suffix.
	HasCond bool
}

var opInfo = [NumOps]OpInfo{
	Nop:       {"nop", FormNone, false},
	NotR:      {"not", FormR, false},
	NegR:      {"neg", FormR, false},
	IncR:      {"inc", FormR, false},
	DecR:      {"dec", FormR, false},
	ShlCL:     {"shl", FormR, false},
	ShrCL:     {"shr", FormR, false},
	SarCL:     {"sar", FormR, false},
	RolCL:     {"rol", FormR, false},
	RorCL:     {"ror", FormR, false},
	MulR:      {"mul", FormR, false},
	ImulR:     {"imul", FormR, false},
	SetCC:     {"set", FormR, true},
	MovRR:     {"mov", FormRR, false},
	AddRR:     {"add", FormRR, false},
	SubRR:     {"sub", FormRR, false},
	AdcRR:     {"adc", FormRR, false},
	SbbRR:     {"sbb", FormRR, false},
	AndRR:     {"and", FormRR, false},
	OrRR:      {"or", FormRR, false},
	XorRR:     {"xor", FormRR, false},
	CmpRR:     {"cmp", FormRR, false},
	TestRR:    {"test", FormRR, false},
	ImulRR:    {"imul", FormRR, false},
	XchgRR:    {"xchg", FormRR, false},
	PopcntRR:  {"popcnt", FormRR, false},
	LzcntRR:   {"lzcnt", FormRR, false},
	TzcntRR:   {"tzcnt", FormRR, false},
	BsrRR:     {"bsr", FormRR, false},
	BsfRR:     {"bsf", FormRR, false},
	CmovRR:    {"cmov", FormRR, true},
	MovzxRR:   {"movzx", FormRR, false},
	Movzx16RR: {"movzx", FormRR, false},
	MovRI:     {"mov", FormRI, false},
	AddRI:     {"add", FormRI, false},
	SubRI:     {"sub", FormRI, false},
	AdcRI:     {"adc", FormRI, false},
	SbbRI:     {"sbb", FormRI, false},
	AndRI:     {"and", FormRI, false},
	OrRI:      {"or", FormRI, false},
	XorRI:     {"xor", FormRI, false},
	CmpRI:     {"cmp", FormRI, false},
	TestRI:    {"test", FormRI, false},
	ShlRI:     {"shl", FormRI, false},
	ShrRI:     {"shr", FormRI, false},
	SarRI:     {"sar", FormRI, false},
	RolRI:     {"rol", FormRI, false},
	RorRI:     {"ror", FormRI, false},
	ImulRRI:   {"imul", FormRRI, false},
	LeaRM:     {"lea", FormRM, false},
}

// Info returns the opcode's description.
func (o Op) Info() OpInfo { return opInfo[o] }

func (o Op) String() string {
	if o < NumOps {
		return opInfo[o].Mnemonic
	}
	return fmt.Sprintf("op%d", o)
}

// OpsOfForm lists the opcodes of each form, in opcode order.
var OpsOfForm [NumForms][]Op

func init() {
	for o := Op(0); o < NumOps; o++ {
		f := opInfo[o].Form
		OpsOfForm[f] = append(OpsOfForm[f], o)
	}
}

// Inst is one instruction. Which fields matter depends on Op's form:
// FormR uses Dst; FormRR Dst, Src; FormRI Dst, Imm; FormRRI Dst, Src, Imm;
// FormRM Dst and Mem. W is the operand size (32 or 64) of every
// instruction but setcc (whose destination is 8-bit) and nop.
type Inst struct {
	Op   Op
	W    Width
	Cond Cond
	Dst  Reg
	Src  Reg
	Imm  int64
	Mem  Mem
}

// Mem is the address expression of lea: Base + Index*Scale + Disp, computed
// in 64 bits. Index is NoReg when absent.
type Mem struct {
	Base  Reg
	Index Reg
	Scale uint8 // 1, 2, 4 or 8
	Disp  int32
}

// Program is a loop-free instruction sequence.
type Program []Inst

// Clone returns an independent copy.
func (p Program) Clone() Program { return append(Program(nil), p...) }

// Len counts the instructions that are not nops.
func (p Program) Len() int {
	n := 0
	for _, in := range p {
		if in.Op != Nop {
			n++
		}
	}
	return n
}
