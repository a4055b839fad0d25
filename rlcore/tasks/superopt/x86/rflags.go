package x86

// RFLAGS bit positions of the modelled flags.
const (
	rflagsCF = 1 << 0
	rflagsPF = 1 << 2
	rflagsZF = 1 << 6
	rflagsSF = 1 << 7
	rflagsOF = 1 << 11
)

// RFLAGS encodes f as the bits of the RFLAGS register (pushfq/popfq).
func (f Flags) RFLAGS() uint64 {
	var r uint64
	if f&CF != 0 {
		r |= rflagsCF
	}
	if f&PF != 0 {
		r |= rflagsPF
	}
	if f&ZF != 0 {
		r |= rflagsZF
	}
	if f&SF != 0 {
		r |= rflagsSF
	}
	if f&OF != 0 {
		r |= rflagsOF
	}
	return r
}

// FlagsFromRFLAGS decodes the modelled flags from an RFLAGS value.
func FlagsFromRFLAGS(r uint64) Flags {
	var f Flags
	if r&rflagsCF != 0 {
		f |= CF
	}
	if r&rflagsPF != 0 {
		f |= PF
	}
	if r&rflagsZF != 0 {
		f |= ZF
	}
	if r&rflagsSF != 0 {
		f |= SF
	}
	if r&rflagsOF != 0 {
		f |= OF
	}
	return f
}

func (f Flags) String() string {
	s := ""
	for i, n := range []string{"CF", "PF", "ZF", "SF", "OF"} {
		if f&(1<<i) != 0 {
			if s != "" {
				s += "|"
			}
			s += n
		}
	}
	if s == "" {
		return "-"
	}
	return s
}
