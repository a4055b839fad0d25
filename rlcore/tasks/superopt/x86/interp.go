package x86

import (
	"math/bits"
)

// State is the machine state the interpreter works on: the 16 general
// registers, the status flags, which of the flags currently hold undefined
// values, and the noise word that undefined values are drawn from.
type State struct {
	R     [NumRegs]uint64
	Flags Flags
	// Undef is the set of flags whose values the SDM leaves undefined after
	// the last instruction that wrote them.
	Undef Flags
	// Noise seeds undefined values (see the package comment).
	Noise uint64
}

// Flag reports whether flag f is set.
func (s *State) Flag(f Flags) bool { return s.Flags&f != 0 }

func (s *State) setFlag(f Flags, v bool) {
	if v {
		s.Flags |= f
	} else {
		s.Flags &^= f
	}
	s.Undef &^= f
}

// undefFlags writes noise into the flags f, varying with the instruction
// index pc.
func (s *State) undefFlags(f Flags, pc int) {
	n := bits.RotateLeft64(s.Noise, -(pc * 5))
	s.Flags = s.Flags&^f | Flags(n)&f
	s.Undef |= f
}

func (s *State) read(r Reg, w Width) uint64 { return s.R[r] & w.Mask() }

// write stores v at width w with x86-64 semantics: 32-bit writes zero the
// upper half, 8-bit writes keep bits 8–63.
func (s *State) write(r Reg, w Width, v uint64) {
	switch w {
	case W32:
		s.R[r] = v & 0xffffffff
	case W8:
		s.R[r] = s.R[r]&^0xff | v&0xff
	default:
		s.R[r] = v
	}
}

func parity(v uint64) bool { return bits.OnesCount8(uint8(v))&1 == 0 }

func signBit(v uint64, w Width) bool { return v>>(w-1)&1 != 0 }

// setSZP sets SF, ZF and PF from the result v of width w.
func (s *State) setSZP(v uint64, w Width) {
	f := s.Flags &^ (SF | ZF | PF)
	if v&w.Mask() == 0 {
		f |= ZF
	}
	if signBit(v, w) {
		f |= SF
	}
	if parity(v) {
		f |= PF
	}
	s.Flags = f
	s.Undef &^= SF | ZF | PF
}

// Cond evaluates condition c on the current flags.
func (s *State) Cond(c Cond) bool {
	anyOf, sfNeOF, negated := c.Test()
	f := s.Flags
	v := f&anyOf != 0 || sfNeOF && (f&SF != 0) != (f&OF != 0)
	return v != negated
}

func (s *State) add(a, b, c uint64, w Width) uint64 {
	r := s.withCarry(bits.Add64, a, b, c, w)
	s.setFlag(OF, signBit((a^r)&(b^r), w))
	s.setSZP(r, w)
	return r
}

func (s *State) sub(a, b, c uint64, w Width) uint64 {
	r := s.withCarry(bits.Sub64, a, b, c, w)
	s.setFlag(OF, signBit((a^b)&(a^r), w))
	s.setSZP(r, w)
	return r
}

// withCarry computes a op b op c (op bits.Add64 or bits.Sub64; a and b
// are w-bit values, c is 0 or 1), sets CF from the carry or borrow out of
// bit w-1 and returns the w-bit result. In 32 bits the sum is below 2^33
// and a borrow wraps the difference past 2^64-2^32, so either shows above
// bit 31.
func (s *State) withCarry(op func(x, y, carry uint64) (uint64, uint64), a, b, c uint64, w Width) uint64 {
	r, out := op(a, b, c)
	if w != W64 {
		r, out = r&0xffffffff, r>>32
	}
	s.setFlag(CF, out != 0)
	return r
}

func (s *State) logic(r uint64, w Width) uint64 {
	s.Flags &^= CF | OF
	s.Undef &^= CF | OF
	s.setSZP(r, w)
	return r
}

func signExtend(v uint64, w Width) int64 {
	if w == W32 {
		return int64(int32(v))
	}
	return int64(v)
}

// shift performs shl/shr/sar/rol/ror of a by count (already read, not yet
// masked) and reports whether the destination is written.
func (s *State) shift(op Op, a, count uint64, w Width, pc int) uint64 {
	if w == W64 {
		count &= 63
	} else {
		count &= 31
	}
	if count == 0 {
		return a
	}
	n := uint(count)
	var r uint64
	switch op {
	case ShlCL, ShlRI:
		r = a << n & w.Mask()
		s.setFlag(CF, a>>(uint(w)-n)&1 != 0)
		s.setFlag(OF, signBit(r, w) != s.Flag(CF))
		s.setSZP(r, w)
	case ShrCL, ShrRI:
		r = a >> n
		s.setFlag(CF, a>>(n-1)&1 != 0)
		s.setFlag(OF, signBit(a, w))
		s.setSZP(r, w)
	case SarCL, SarRI:
		sa := signExtend(a, w)
		r = uint64(sa>>n) & w.Mask()
		s.setFlag(CF, sa>>(n-1)&1 != 0)
		s.setFlag(OF, false)
		s.setSZP(r, w)
	case RolCL, RolRI:
		if w == W64 {
			r = bits.RotateLeft64(a, int(n))
		} else {
			r = uint64(bits.RotateLeft32(uint32(a), int(n)))
		}
		s.setFlag(CF, r&1 != 0)
		s.setFlag(OF, signBit(r, w) != (r&1 != 0))
	case RorCL, RorRI:
		if w == W64 {
			r = bits.RotateLeft64(a, -int(n))
		} else {
			r = uint64(bits.RotateLeft32(uint32(a), -int(n)))
		}
		s.setFlag(CF, signBit(r, w))
		s.setFlag(OF, signBit(r, w) != signBit(r<<1, w))
	}
	if n != 1 {
		s.undefFlags(OF, pc)
	}
	return r
}

// Step executes instruction in (at index pc of its program) on s.
func (s *State) Step(in *Inst, pc int) {
	w := in.W
	switch in.Op {
	case Nop:
	case NotR:
		s.write(in.Dst, w, ^s.R[in.Dst])
	case NegR:
		a := s.read(in.Dst, w)
		r := s.sub(0, a, 0, w)
		s.setFlag(CF, a != 0)
		s.write(in.Dst, w, r)
	case IncR, DecR:
		cf := s.Flags & CF
		cu := s.Undef & CF
		var r uint64
		if in.Op == IncR {
			r = s.add(s.read(in.Dst, w), 1, 0, w)
		} else {
			r = s.sub(s.read(in.Dst, w), 1, 0, w)
		}
		s.Flags = s.Flags&^CF | cf
		s.Undef = s.Undef&^CF | cu
		s.write(in.Dst, w, r)
	case ShlCL, ShrCL, SarCL, RolCL, RorCL:
		s.write(in.Dst, w, s.shift(in.Op, s.read(in.Dst, w), s.R[RCX], w, pc))
	case ShlRI, ShrRI, SarRI, RolRI, RorRI:
		s.write(in.Dst, w, s.shift(in.Op, s.read(in.Dst, w), uint64(in.Imm), w, pc))
	case MulR, ImulR:
		a, b := s.read(RAX, w), s.read(in.Dst, w)
		var lo, hi uint64
		var over bool
		if w == W64 {
			if in.Op == MulR {
				hi, lo = bits.Mul64(a, b)
				over = hi != 0
			} else {
				hi, lo = mulSigned64(a, b)
				over = hi != uint64(int64(lo)>>63)
			}
		} else {
			var p uint64
			if in.Op == MulR {
				p = a * b
				over = p>>32 != 0
			} else {
				p = uint64(int64(int32(a)) * int64(int32(b)))
				over = int64(p) != int64(int32(p))
			}
			lo, hi = p&0xffffffff, p>>32&0xffffffff
		}
		s.write(RAX, w, lo)
		s.write(RDX, w, hi)
		s.setFlag(CF, over)
		s.setFlag(OF, over)
		s.undefFlags(SF|ZF|PF, pc)
	case SetCC:
		v := uint64(0)
		if s.Cond(in.Cond) {
			v = 1
		}
		s.write(in.Dst, W8, v)
	case MovRR:
		s.write(in.Dst, w, s.R[in.Src])
	case AddRR:
		s.write(in.Dst, w, s.add(s.read(in.Dst, w), s.read(in.Src, w), 0, w))
	case AdcRR:
		s.write(in.Dst, w, s.add(s.read(in.Dst, w), s.read(in.Src, w), uint64(s.Flags&CF), w))
	case SubRR:
		s.write(in.Dst, w, s.sub(s.read(in.Dst, w), s.read(in.Src, w), 0, w))
	case SbbRR:
		s.write(in.Dst, w, s.sub(s.read(in.Dst, w), s.read(in.Src, w), uint64(s.Flags&CF), w))
	case CmpRR:
		s.sub(s.read(in.Dst, w), s.read(in.Src, w), 0, w)
	case AndRR:
		s.write(in.Dst, w, s.logic(s.R[in.Dst]&s.R[in.Src]&w.Mask(), w))
	case OrRR:
		s.write(in.Dst, w, s.logic((s.R[in.Dst]|s.R[in.Src])&w.Mask(), w))
	case XorRR:
		s.write(in.Dst, w, s.logic((s.R[in.Dst]^s.R[in.Src])&w.Mask(), w))
	case TestRR:
		s.logic(s.R[in.Dst]&s.R[in.Src]&w.Mask(), w)
	case ImulRR:
		s.write(in.Dst, w, s.imul(s.read(in.Dst, w), s.read(in.Src, w), w, pc))
	case ImulRRI:
		s.write(in.Dst, w, s.imul(s.read(in.Src, w), uint64(in.Imm)&w.Mask(), w, pc))
	case XchgRR:
		a, b := s.R[in.Dst], s.R[in.Src]
		s.write(in.Dst, w, b)
		s.write(in.Src, w, a)
	case PopcntRR:
		a := s.read(in.Src, w)
		s.Flags &^= AllFlags
		s.Undef &^= AllFlags
		if a == 0 {
			s.Flags |= ZF
		}
		s.write(in.Dst, w, uint64(bits.OnesCount64(a)))
	case LzcntRR, TzcntRR:
		a := s.read(in.Src, w)
		var r int
		if in.Op == LzcntRR {
			r = bits.LeadingZeros64(a) - (64 - int(w))
		} else if a == 0 {
			r = int(w)
		} else {
			r = bits.TrailingZeros64(a)
		}
		s.setFlag(CF, a == 0)
		s.setFlag(ZF, r == 0)
		s.undefFlags(OF|SF|PF, pc)
		s.write(in.Dst, w, uint64(r))
	case BsrRR, BsfRR:
		a := s.read(in.Src, w)
		s.setFlag(ZF, a == 0)
		s.undefFlags(CF|OF|SF|PF, pc)
		switch {
		case a == 0:
			s.R[in.Dst] = bits.RotateLeft64(s.Noise, pc*11+3)
		case in.Op == BsrRR:
			s.write(in.Dst, w, uint64(63-bits.LeadingZeros64(a)))
		default:
			s.write(in.Dst, w, uint64(bits.TrailingZeros64(a)))
		}
	case CmovRR:
		if s.Cond(in.Cond) {
			s.write(in.Dst, w, s.R[in.Src])
		} else {
			s.write(in.Dst, w, s.R[in.Dst])
		}
	case MovzxRR:
		s.write(in.Dst, w, s.R[in.Src]&0xff)
	case Movzx16RR:
		s.write(in.Dst, w, s.R[in.Src]&0xffff)
	case MovRI:
		s.write(in.Dst, w, uint64(in.Imm))
	case AddRI:
		s.write(in.Dst, w, s.add(s.read(in.Dst, w), uint64(in.Imm)&w.Mask(), 0, w))
	case AdcRI:
		s.write(in.Dst, w, s.add(s.read(in.Dst, w), uint64(in.Imm)&w.Mask(), uint64(s.Flags&CF), w))
	case SubRI:
		s.write(in.Dst, w, s.sub(s.read(in.Dst, w), uint64(in.Imm)&w.Mask(), 0, w))
	case SbbRI:
		s.write(in.Dst, w, s.sub(s.read(in.Dst, w), uint64(in.Imm)&w.Mask(), uint64(s.Flags&CF), w))
	case CmpRI:
		s.sub(s.read(in.Dst, w), uint64(in.Imm)&w.Mask(), 0, w)
	case AndRI:
		s.write(in.Dst, w, s.logic(s.R[in.Dst]&uint64(in.Imm)&w.Mask(), w))
	case OrRI:
		s.write(in.Dst, w, s.logic((s.R[in.Dst]|uint64(in.Imm))&w.Mask(), w))
	case XorRI:
		s.write(in.Dst, w, s.logic((s.R[in.Dst]^uint64(in.Imm))&w.Mask(), w))
	case TestRI:
		s.logic(s.R[in.Dst]&uint64(in.Imm)&w.Mask(), w)
	case LeaRM:
		s.write(in.Dst, w, s.Addr(in.Mem))
	}
}

// Addr computes the 64-bit address of m.
func (s *State) Addr(m Mem) uint64 {
	a := s.R[m.Base] + uint64(int64(m.Disp))
	if m.Index != NoReg {
		a += s.R[m.Index] * uint64(m.Scale)
	}
	return a
}

func (s *State) imul(a, b uint64, w Width, pc int) uint64 {
	var r uint64
	var over bool
	if w == W64 {
		hi, lo := mulSigned64(a, b)
		r = lo
		over = hi != uint64(int64(lo)>>63)
	} else {
		p := int64(int32(a)) * int64(int32(b))
		r = uint64(p) & 0xffffffff
		over = p != int64(int32(p))
	}
	s.setFlag(CF, over)
	s.setFlag(OF, over)
	s.undefFlags(SF|ZF|PF, pc)
	return r
}

// mulSigned64 returns the 128-bit signed product of a and b as (hi, lo).
func mulSigned64(a, b uint64) (hi, lo uint64) {
	hi, lo = bits.Mul64(a, b)
	if int64(a) < 0 {
		hi -= b
	}
	if int64(b) < 0 {
		hi -= a
	}
	return hi, lo
}

// Run executes p on s.
func (p Program) Run(s *State) {
	for i := range p {
		s.Step(&p[i], i)
	}
}
