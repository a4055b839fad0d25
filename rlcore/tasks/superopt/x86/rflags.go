package x86

// rflagsBits pairs each modelled flag with its bit in the RFLAGS register.
var rflagsBits = [...]struct {
	flag Flags
	bit  uint64
}{{CF, 1 << 0}, {PF, 1 << 2}, {ZF, 1 << 6}, {SF, 1 << 7}, {OF, 1 << 11}}

// RFLAGS encodes f as the bits of the RFLAGS register (pushfq/popfq).
func (f Flags) RFLAGS() uint64 {
	var r uint64
	for _, b := range rflagsBits {
		if f&b.flag != 0 {
			r |= b.bit
		}
	}
	return r
}

// FlagsFromRFLAGS decodes the modelled flags from an RFLAGS value.
func FlagsFromRFLAGS(r uint64) Flags {
	var f Flags
	for _, b := range rflagsBits {
		if r&b.bit != 0 {
			f |= b.flag
		}
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
