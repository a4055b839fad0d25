package x86

import "testing"

func TestRFLAGS(t *testing.T) {
	for _, tc := range []struct {
		f    Flags
		want uint64
	}{{0, 0}, {CF, 0x1}, {PF, 0x4}, {ZF, 0x40}, {SF, 0x80}, {OF, 0x800}, {CF | ZF | OF, 0x841}, {AllFlags, 0x8c5}} {
		if got := tc.f.RFLAGS(); got != tc.want {
			t.Errorf("%v.RFLAGS() = %#x, want %#x", tc.f, got, tc.want)
		}
	}
	for f := Flags(0); f <= AllFlags; f++ {
		if got := FlagsFromRFLAGS(f.RFLAGS() | 0x202); got != f { // bits 1 and 9 are not modelled
			t.Errorf("FlagsFromRFLAGS(%v.RFLAGS()) = %v", f, got)
		}
	}
}
