package x86

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// String prints the instruction in Intel syntax as GNU as accepts it after
// ".intel_syntax noprefix".
func (in Inst) String() string {
	info := in.Op.Info()
	mn := info.Mnemonic
	if info.HasCond {
		mn += in.Cond.String()
	}
	switch info.Form {
	case FormNone:
		return mn
	case FormR:
		switch in.Op {
		case SetCC:
			return mn + " " + in.Dst.Name(W8)
		case ShlCL, ShrCL, SarCL, RolCL, RorCL:
			return mn + " " + in.Dst.Name(in.W) + ", cl"
		}
		return mn + " " + in.Dst.Name(in.W)
	case FormRR:
		src := in.Src.Name(in.W)
		if in.Op == MovzxRR {
			src = in.Src.Name(W8)
		} else if in.Op == Movzx16RR {
			src = in.Src.Name(W16)
		}
		return mn + " " + in.Dst.Name(in.W) + ", " + src
	case FormRI:
		if in.Op == MovRI && in.W == W64 && in.Imm != int64(int32(in.Imm)) {
			mn = "movabs"
		}
		return mn + " " + in.Dst.Name(in.W) + ", " + formatImm(in.Imm, in.W)
	case FormRRI:
		return mn + " " + in.Dst.Name(in.W) + ", " + in.Src.Name(in.W) + ", " + formatImm(in.Imm, in.W)
	case FormRM:
		return mn + " " + in.Dst.Name(in.W) + ", " + in.Mem.String()
	}
	return mn
}

func formatImm(v int64, w Width) string {
	if w == W32 {
		v = int64(int32(v))
	}
	return strconv.FormatInt(v, 10)
}

func (m Mem) String() string {
	var b strings.Builder
	b.WriteString("[" + m.Base.Name(W64))
	if m.Index != NoReg {
		fmt.Fprintf(&b, "+%s*%d", m.Index.Name(W64), m.Scale)
	}
	if m.Disp > 0 {
		fmt.Fprintf(&b, "+%d", m.Disp)
	} else if m.Disp < 0 {
		fmt.Fprintf(&b, "%d", m.Disp)
	}
	b.WriteString("]")
	return b.String()
}

// String prints the program one instruction a line.
func (p Program) String() string {
	var b strings.Builder
	for _, in := range p {
		b.WriteString(in.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Validate reports the first reason why in is not an instruction of the
// subset.
func (in Inst) Validate() error {
	if in.Op >= NumOps {
		return fmt.Errorf("opcode %d out of range [0, %d)", in.Op, NumOps)
	}
	info := in.Op.Info()
	if info.Form == FormNone {
		return nil
	}
	if in.Op != SetCC && in.W != W32 && in.W != W64 {
		return fmt.Errorf("%s: operand width %d, want 32 or 64", info.Mnemonic, in.W)
	}
	if in.Dst >= NumRegs || in.Src >= NumRegs {
		return fmt.Errorf("%s: register out of range", info.Mnemonic)
	}
	if info.HasCond && in.Cond >= NumConds {
		return fmt.Errorf("%s: condition %d out of range", info.Mnemonic, in.Cond)
	}
	switch info.Form {
	case FormRI, FormRRI:
		switch in.Op {
		case ShlRI, ShrRI, SarRI, RolRI, RorRI:
			if in.Imm < 0 || in.Imm > 63 {
				return fmt.Errorf("%s: shift count %d, want 0..63", info.Mnemonic, in.Imm)
			}
		default:
			if in.W == W32 && (in.Imm < math.MinInt32 || in.Imm > math.MaxUint32) {
				return fmt.Errorf("%s: immediate %d does not fit 32 bits", info.Mnemonic, in.Imm)
			}
			if in.W == W64 && in.Op != MovRI && in.Imm != int64(int32(in.Imm)) {
				return fmt.Errorf("%s: immediate %d is not a sign-extended 32-bit value", info.Mnemonic, in.Imm)
			}
		}
	case FormRM:
		m := in.Mem
		if m.Base >= NumRegs {
			return fmt.Errorf("lea: base register out of range")
		}
		if m.Index != NoReg {
			if m.Index >= NumRegs || m.Index == RSP {
				return fmt.Errorf("lea: index register must be a general register other than rsp")
			}
			if m.Scale != 1 && m.Scale != 2 && m.Scale != 4 && m.Scale != 8 {
				return fmt.Errorf("lea: scale %d, want 1, 2, 4 or 8", m.Scale)
			}
		}
	}
	return nil
}

// regWidth is a register as a name selects it: which one, at which width.
type regWidth struct {
	r Reg
	w Width
}

// regByName finds a register name of any width ("rax", "eax", "ax", "al").
var regByName = func() map[string]regWidth {
	m := map[string]regWidth{}
	for r := Reg(0); r < NumRegs; r++ {
		m[names64[r]] = regWidth{r, W64}
		m[names32[r]] = regWidth{r, W32}
		m[names16[r]] = regWidth{r, W16}
		m[names8[r]] = regWidth{r, W8}
	}
	return m
}()

var condAliases = map[string]Cond{
	"o": CondO, "no": CondNO, "b": CondB, "c": CondB, "nae": CondB, "ae": CondAE, "nb": CondAE, "nc": CondAE,
	"e": CondE, "z": CondE, "ne": CondNE, "nz": CondNE, "be": CondBE, "na": CondBE, "a": CondA, "nbe": CondA,
	"s": CondS, "ns": CondNS, "p": CondP, "pe": CondP, "np": CondNP, "po": CondNP,
	"l": CondL, "nge": CondL, "ge": CondGE, "nl": CondGE, "le": CondLE, "ng": CondLE, "g": CondG, "nle": CondG,
}

type operand struct {
	kind byte // 'r', 'i', 'm'
	reg  Reg
	w    Width
	imm  int64
	mem  Mem
}

// Parse reads a program in Intel syntax, one instruction a line. Blank
// lines, comments (# or ;), labels, assembler directives and ret are
// skipped, so gcc -masm=intel -S output of a loop-free function parses.
func Parse(src string) (Program, error) {
	var p Program
	for n, line := range strings.Split(src, "\n") {
		if i := strings.IndexAny(line, "#;"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(strings.ToLower(strings.ReplaceAll(line, "\t", " ")))
		if line == "" || strings.HasPrefix(line, ".") || strings.HasSuffix(line, ":") || line == "ret" || line == "rep ret" || line == "endbr64" {
			continue
		}
		in, err := ParseInst(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		p = append(p, in)
	}
	return p, nil
}

// MustParse is Parse for programs written in Go source (tests, tables):
// it panics when src does not parse.
func MustParse(src string) Program {
	p, err := Parse(src)
	if err != nil {
		panic(fmt.Sprintf("x86.MustParse(%q): %v", src, err))
	}
	return p
}

// ParseInst reads one instruction in Intel syntax.
func ParseInst(line string) (Inst, error) {
	line = strings.TrimSpace(strings.ToLower(strings.ReplaceAll(line, "\t", " ")))
	mn, rest, _ := strings.Cut(line, " ")
	if mn == "rep" && strings.HasPrefix(strings.TrimSpace(rest), "bsf ") {
		// F3 0F BC, gcc's spelling of tzcnt for the baseline x86-64 target.
		mn, rest, _ = strings.Cut(strings.TrimSpace(rest), " ")
		mn = "tzcnt"
	}
	var ops []operand
	if rest = strings.TrimSpace(rest); rest != "" {
		for _, s := range strings.Split(rest, ",") {
			o, err := parseOperand(strings.TrimSpace(s))
			if err != nil {
				return Inst{}, fmt.Errorf("%q: %w", line, err)
			}
			ops = append(ops, o)
		}
	}
	in, err := build(mn, ops)
	if err != nil {
		return Inst{}, fmt.Errorf("%q: %w", line, err)
	}
	if err := in.Validate(); err != nil {
		return Inst{}, fmt.Errorf("%q: %w", line, err)
	}
	return in, nil
}

func parseOperand(s string) (operand, error) {
	for _, p := range []string{"qword ptr", "dword ptr", "byte ptr"} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	if s == "" {
		return operand{}, fmt.Errorf("empty operand")
	}
	if r, ok := regByName[s]; ok {
		return operand{kind: 'r', reg: r.r, w: r.w}, nil
	}
	if open := strings.IndexByte(s, '['); open >= 0 && strings.HasSuffix(s, "]") {
		// gcc writes a displacement before the bracket: -1[rdi].
		inner := s[open+1 : len(s)-1]
		if open > 0 {
			inner += "+" + s[:open]
		}
		m, err := parseMem(inner)
		return operand{kind: 'm', mem: m}, err
	}
	v, err := parseInt(s)
	if err != nil {
		return operand{}, fmt.Errorf("operand %q is not a register, immediate or [address]", s)
	}
	return operand{kind: 'i', imm: v}, nil
}

func parseInt(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	u, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, err
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

// parseMem reads base[+index*scale][±disp] (terms in any order).
func parseMem(s string) (Mem, error) {
	m := Mem{Base: NoReg, Index: NoReg}
	s = strings.ReplaceAll(s, " ", "")
	s = strings.ReplaceAll(s, "-", "+-")
	var disp int64
	for _, t := range strings.Split(s, "+") {
		if t == "" {
			continue
		}
		if reg, scale, ok := strings.Cut(t, "*"); ok {
			r, okr := regByName[reg]
			sc, err := strconv.Atoi(scale)
			if !okr || r.w != W64 || err != nil || m.Index != NoReg {
				return m, fmt.Errorf("bad index term %q in address", t)
			}
			m.Index, m.Scale = r.r, uint8(sc)
			continue
		}
		if r, ok := regByName[t]; ok {
			if r.w != W64 {
				return m, fmt.Errorf("address register %q must be 64-bit", t)
			}
			switch {
			case m.Base == NoReg:
				m.Base = r.r
			case m.Index == NoReg:
				m.Index, m.Scale = r.r, 1
			default:
				return m, fmt.Errorf("too many registers in address")
			}
			continue
		}
		v, err := parseInt(t)
		if err != nil {
			return m, fmt.Errorf("bad address term %q", t)
		}
		disp += v
	}
	if m.Base == NoReg {
		if m.Index == NoReg || m.Scale != 1 {
			return m, fmt.Errorf("address needs a base register")
		}
		m.Base, m.Index = m.Index, NoReg
	}
	if disp != int64(int32(disp)) {
		return m, fmt.Errorf("displacement %d does not fit 32 bits", disp)
	}
	m.Disp = int32(disp)
	return m, nil
}

func sig(ops []operand) string {
	b := make([]byte, len(ops))
	for i, o := range ops {
		b[i] = o.kind
	}
	return string(b)
}

var (
	rrOps = map[string]Op{"mov": MovRR, "add": AddRR, "sub": SubRR, "adc": AdcRR, "sbb": SbbRR, "and": AndRR,
		"or": OrRR, "xor": XorRR, "cmp": CmpRR, "test": TestRR, "imul": ImulRR, "xchg": XchgRR,
		"popcnt": PopcntRR, "lzcnt": LzcntRR, "tzcnt": TzcntRR, "bsr": BsrRR, "bsf": BsfRR}
	riOps = map[string]Op{"mov": MovRI, "movabs": MovRI, "add": AddRI, "sub": SubRI, "adc": AdcRI, "sbb": SbbRI,
		"and": AndRI, "or": OrRI, "xor": XorRI, "cmp": CmpRI, "test": TestRI}
	rOps     = map[string]Op{"not": NotR, "neg": NegR, "inc": IncR, "dec": DecR, "mul": MulR, "imul": ImulR}
	shiftOps = map[string][2]Op{"shl": {ShlRI, ShlCL}, "sal": {ShlRI, ShlCL}, "shr": {ShrRI, ShrCL},
		"sar": {SarRI, SarCL}, "rol": {RolRI, RolCL}, "ror": {RorRI, RorCL}}
)

func build(mn string, ops []operand) (Inst, error) {
	s := sig(ops)
	width := func(i int) Width { return ops[i].w }
	sameWidth := func() error {
		if ops[0].w != ops[1].w {
			return fmt.Errorf("operand sizes differ (%d and %d bits)", ops[0].w, ops[1].w)
		}
		if ops[0].w == W8 || ops[0].w == W16 {
			return fmt.Errorf("8- and 16-bit operands are only allowed in setcc and movzx")
		}
		return nil
	}
	wide := func() error {
		if ops[0].w == W8 || ops[0].w == W16 {
			return fmt.Errorf("8- and 16-bit operands are only allowed in setcc and movzx")
		}
		return nil
	}
	switch {
	case mn == "nop" && s == "":
		return Inst{Op: Nop}, nil
	case strings.HasPrefix(mn, "set") && s == "r":
		c, ok := condAliases[mn[3:]]
		if !ok {
			break
		}
		if ops[0].w != W8 {
			return Inst{}, fmt.Errorf("setcc needs an 8-bit register")
		}
		return Inst{Op: SetCC, W: W8, Cond: c, Dst: ops[0].reg}, nil
	case strings.HasPrefix(mn, "cmov") && s == "rr":
		c, ok := condAliases[mn[4:]]
		if !ok {
			break
		}
		if err := sameWidth(); err != nil {
			return Inst{}, err
		}
		return Inst{Op: CmovRR, W: width(0), Cond: c, Dst: ops[0].reg, Src: ops[1].reg}, nil
	case mn == "movzx" && s == "rr":
		if (ops[1].w != W8 && ops[1].w != W16) || (ops[0].w != W32 && ops[0].w != W64) {
			return Inst{}, fmt.Errorf("movzx: want a 32/64-bit destination and an 8- or 16-bit source")
		}
		op := MovzxRR
		if ops[1].w == W16 {
			op = Movzx16RR
		}
		return Inst{Op: op, W: width(0), Dst: ops[0].reg, Src: ops[1].reg}, nil
	case mn == "lea" && s == "rm":
		if err := wide(); err != nil {
			return Inst{}, err
		}
		return Inst{Op: LeaRM, W: width(0), Dst: ops[0].reg, Mem: ops[1].mem}, nil
	case mn == "imul" && s == "rri":
		if err := sameWidth(); err != nil {
			return Inst{}, err
		}
		return Inst{Op: ImulRRI, W: width(0), Dst: ops[0].reg, Src: ops[1].reg, Imm: ops[2].imm}, nil
	}
	if sh, ok := shiftOps[mn]; ok {
		switch {
		case s == "r":
			if err := wide(); err != nil {
				return Inst{}, err
			}
			return Inst{Op: sh[0], W: width(0), Dst: ops[0].reg, Imm: 1}, nil
		case s == "ri":
			if err := wide(); err != nil {
				return Inst{}, err
			}
			return Inst{Op: sh[0], W: width(0), Dst: ops[0].reg, Imm: ops[1].imm}, nil
		case s == "rr" && ops[1].reg == RCX && ops[1].w == W8:
			if err := wide(); err != nil {
				return Inst{}, err
			}
			return Inst{Op: sh[1], W: width(0), Dst: ops[0].reg}, nil
		}
		return Inst{}, fmt.Errorf("%s takes a register and an immediate count or cl", mn)
	}
	if op, ok := rrOps[mn]; ok && s == "rr" {
		if err := sameWidth(); err != nil {
			return Inst{}, err
		}
		return Inst{Op: op, W: width(0), Dst: ops[0].reg, Src: ops[1].reg}, nil
	}
	if op, ok := riOps[mn]; ok && s == "ri" {
		if err := wide(); err != nil {
			return Inst{}, err
		}
		imm := ops[1].imm
		if width(0) == W32 {
			imm = int64(int32(imm))
		}
		return Inst{Op: op, W: width(0), Dst: ops[0].reg, Imm: imm}, nil
	}
	if op, ok := rOps[mn]; ok && s == "r" {
		if err := wide(); err != nil {
			return Inst{}, err
		}
		return Inst{Op: op, W: width(0), Dst: ops[0].reg}, nil
	}
	return Inst{}, fmt.Errorf("unsupported instruction %q with operands %q (r = register, i = immediate, m = [address])", mn, s)
}
