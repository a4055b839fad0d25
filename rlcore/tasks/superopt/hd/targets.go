package hd

import (
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

// Target is one superoptimization benchmark.
type Target struct {
	Name string // p01 … p25
	Doc  string
	// Params are the C parameter names; they arrive in LiveIn (SysV order:
	// edi, esi, edx, ecx) and the result leaves in eax.
	Params []string
	LiveIn []x86.Reg
	// LiveOut is the result register and OutWidth its width: 32 bits, the
	// upper half of rax is not part of an unsigned result in the SysV ABI.
	LiveOut  x86.Reg
	OutWidth x86.Width
	Body     []Stmt
	// Code is the naive -O0-like x86-64 code, C the function for gcc.
	Code x86.Program
	C    string
	// Spec is the specification: the result for 32-bit arguments.
	Spec func(args []uint32) uint32
}

func s(dst, op, a, b string) Stmt { return Stmt{Dst: dst, Op: op, A: a, B: b} }

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

func nlz(x uint32) int { return bits.LeadingZeros32(x) }

var defs = []Target{
	{Name: "p01", Doc: "turn off the rightmost 1 bit", Params: []string{"x"},
		Body: []Stmt{s("o1", "sub", "x", "1"), s("res", "and", "x", "o1")},
		Spec: func(a []uint32) uint32 {
			if a[0] == 0 {
				return 0
			}
			return a[0] &^ (1 << bits.TrailingZeros32(a[0]))
		}},
	{Name: "p02", Doc: "test whether x is of the form 2^n-1 (zero iff so)", Params: []string{"x"},
		Body: []Stmt{s("o1", "add", "x", "1"), s("res", "and", "x", "o1")},
		Spec: func(a []uint32) uint32 {
			// x & (x+1) clears the trailing ones of x.
			x := a[0]
			return x >> bits.TrailingZeros32(^x) << bits.TrailingZeros32(^x)
		}},
	{Name: "p03", Doc: "isolate the rightmost 1 bit", Params: []string{"x"},
		Body: []Stmt{s("o1", "neg", "x", ""), s("res", "and", "x", "o1")},
		Spec: func(a []uint32) uint32 {
			if a[0] == 0 {
				return 0
			}
			return 1 << bits.TrailingZeros32(a[0])
		}},
	{Name: "p04", Doc: "mask of the rightmost 1 bit and the trailing 0s", Params: []string{"x"},
		Body: []Stmt{s("o1", "sub", "x", "1"), s("res", "xor", "x", "o1")},
		Spec: func(a []uint32) uint32 {
			if a[0] == 0 {
				return ^uint32(0)
			}
			return uint32(1)<<(bits.TrailingZeros32(a[0])+1) - 1
		}},
	{Name: "p05", Doc: "right-propagate the rightmost 1 bit", Params: []string{"x"},
		Body: []Stmt{s("o1", "sub", "x", "1"), s("res", "or", "x", "o1")},
		Spec: func(a []uint32) uint32 {
			if a[0] == 0 {
				return ^uint32(0)
			}
			return a[0] | (1<<bits.TrailingZeros32(a[0]) - 1)
		}},
	{Name: "p06", Doc: "turn on the rightmost 0 bit", Params: []string{"x"},
		Body: []Stmt{s("o1", "add", "x", "1"), s("res", "or", "x", "o1")},
		Spec: func(a []uint32) uint32 {
			if a[0] == ^uint32(0) {
				return a[0]
			}
			return a[0] | 1<<bits.TrailingZeros32(^a[0])
		}},
	{Name: "p07", Doc: "isolate the rightmost 0 bit", Params: []string{"x"},
		Body: []Stmt{s("o1", "not", "x", ""), s("o2", "add", "x", "1"), s("res", "and", "o1", "o2")},
		Spec: func(a []uint32) uint32 {
			if a[0] == ^uint32(0) {
				return 0
			}
			return 1 << bits.TrailingZeros32(^a[0])
		}},
	{Name: "p08", Doc: "mask of the trailing 0s", Params: []string{"x"},
		Body: []Stmt{s("o1", "sub", "x", "1"), s("o2", "not", "x", ""), s("res", "and", "o1", "o2")},
		Spec: func(a []uint32) uint32 {
			return uint32(uint64(1)<<bits.TrailingZeros32(a[0]) - 1)
		}},
	{Name: "p09", Doc: "absolute value", Params: []string{"x"},
		Body: []Stmt{s("o1", "sar", "x", "31"), s("o2", "xor", "x", "o1"), s("res", "sub", "o2", "o1")},
		Spec: func(a []uint32) uint32 {
			if int32(a[0]) < 0 {
				return -a[0]
			}
			return a[0]
		}},
	{Name: "p10", Doc: "nlz(x) == nlz(y)", Params: []string{"x", "y"},
		Body: []Stmt{s("o1", "and", "x", "y"), s("o2", "xor", "x", "y"), s("res", "ule", "o2", "o1")},
		Spec: func(a []uint32) uint32 { return b2u(nlz(a[0]) == nlz(a[1])) }},
	{Name: "p11", Doc: "nlz(x) < nlz(y)", Params: []string{"x", "y"},
		Body: []Stmt{s("o1", "not", "y", ""), s("o2", "and", "x", "o1"), s("res", "ugt", "o2", "y")},
		Spec: func(a []uint32) uint32 { return b2u(nlz(a[0]) < nlz(a[1])) }},
	{Name: "p12", Doc: "nlz(x) <= nlz(y)", Params: []string{"x", "y"},
		Body: []Stmt{s("o1", "not", "x", ""), s("o2", "and", "y", "o1"), s("res", "ule", "o2", "x")},
		Spec: func(a []uint32) uint32 { return b2u(nlz(a[0]) <= nlz(a[1])) }},
	{Name: "p13", Doc: "sign function (-1, 0 or 1)", Params: []string{"x"},
		Body: []Stmt{s("o1", "sar", "x", "31"), s("o2", "neg", "x", ""), s("o3", "shr", "o2", "31"), s("res", "or", "o1", "o3")},
		Spec: func(a []uint32) uint32 {
			switch x := int32(a[0]); {
			case x < 0:
				return ^uint32(0)
			case x > 0:
				return 1
			}
			return 0
		}},
	{Name: "p14", Doc: "floor of the average of x and y without overflow", Params: []string{"x", "y"},
		Body: []Stmt{s("o1", "and", "x", "y"), s("o2", "xor", "x", "y"), s("o3", "shr", "o2", "1"), s("res", "add", "o1", "o3")},
		Spec: func(a []uint32) uint32 { return uint32((uint64(a[0]) + uint64(a[1])) >> 1) }},
	{Name: "p15", Doc: "ceiling of the average of x and y without overflow", Params: []string{"x", "y"},
		Body: []Stmt{s("o1", "or", "x", "y"), s("o2", "xor", "x", "y"), s("o3", "shr", "o2", "1"), s("res", "sub", "o1", "o3")},
		Spec: func(a []uint32) uint32 { return uint32((uint64(a[0]) + uint64(a[1]) + 1) >> 1) }},
	{Name: "p16", Doc: "maximum of two signed integers", Params: []string{"x", "y"},
		Body: []Stmt{s("o1", "xor", "x", "y"), s("o2", "sge", "x", "y"), s("o3", "neg", "o2", ""), s("o4", "and", "o1", "o3"), s("res", "xor", "o4", "y")},
		Spec: func(a []uint32) uint32 { return uint32(max(int32(a[0]), int32(a[1]))) }},
	{Name: "p17", Doc: "turn off the rightmost contiguous string of 1 bits", Params: []string{"x"},
		Body: []Stmt{s("o1", "sub", "x", "1"), s("o2", "or", "x", "o1"), s("o3", "add", "o2", "1"), s("res", "and", "o3", "x")},
		Spec: func(a []uint32) uint32 {
			x := a[0]
			for i := bits.TrailingZeros32(x); i < 32 && x>>i&1 != 0; i++ {
				x &^= 1 << i
			}
			return x
		}},
	{Name: "p18", Doc: "is x a power of two", Params: []string{"x"},
		Body: []Stmt{s("o1", "sub", "x", "1"), s("o2", "and", "o1", "x"), s("o3", "ne", "x", "0"), s("o4", "eq", "o2", "0"), s("res", "and", "o3", "o4")},
		Spec: func(a []uint32) uint32 { return b2u(bits.OnesCount32(a[0]) == 1) }},
	{Name: "p19", Doc: "exchange two bit fields of x (mask m, distance k mod 32)", Params: []string{"x", "m", "k"},
		Body: []Stmt{s("o1", "shr", "x", "k"), s("o2", "xor", "x", "o1"), s("o3", "and", "o2", "m"), s("o4", "shl", "o3", "k"), s("o5", "xor", "o4", "o3"), s("res", "xor", "o5", "x")},
		Spec: func(a []uint32) uint32 {
			// Swap, bit by bit, the bits of x selected by m with those k places above.
			x, m, k := a[0], a[1], a[2]&31
			t := (x ^ x>>k) & m
			return x ^ t ^ t<<k
		}},
	{Name: "p20", Doc: "next higher number with the same number of 1 bits", Params: []string{"x"},
		Body: []Stmt{s("o1", "neg", "x", ""), s("o2", "and", "x", "o1"), s("o3", "add", "x", "o2"), s("o4", "xor", "x", "o3"),
			s("o5", "shr", "o4", "2"), s("o6", "ctz", "x", ""), s("o7", "shr", "o5", "o6"), s("res", "or", "o7", "o3")},
		Spec: func(a []uint32) uint32 {
			// Gosper's hack with the division of Hacker's Delight 2-1.
			x := a[0]
			if x == 0 {
				return 0
			}
			smallest := x & -x
			ripple := x + smallest
			ones := ((x ^ ripple) >> 2) / smallest
			return ripple | ones
		}},
	{Name: "p21", Doc: "cycle through a, b, c: x=a→b, x=b→c, x=c→a", Params: []string{"x", "a", "b", "c"},
		Body: []Stmt{s("o1", "eq", "x", "c"), s("o2", "neg", "o1", ""), s("o3", "xor", "a", "c"), s("o4", "and", "o2", "o3"),
			s("o5", "eq", "x", "a"), s("o6", "neg", "o5", ""), s("o7", "xor", "b", "c"), s("o8", "and", "o6", "o7"),
			s("o9", "xor", "o4", "o8"), s("res", "xor", "o9", "c")},
		Spec: func(v []uint32) uint32 {
			x, a, b, c := v[0], v[1], v[2], v[3]
			r := c
			if x == c {
				r ^= a ^ c
			}
			if x == a {
				r ^= b ^ c
			}
			return r
		}},
	{Name: "p22", Doc: "parity of x", Params: []string{"x"},
		Body: []Stmt{s("o1", "shr", "x", "1"), s("o2", "xor", "o1", "x"), s("o3", "shr", "o2", "2"), s("o4", "xor", "o2", "o3"),
			s("o5", "and", "o4", "0x11111111"), s("o6", "mul", "o5", "0x11111111"), s("o7", "shr", "o6", "28"), s("res", "and", "o7", "1")},
		Spec: func(a []uint32) uint32 { return uint32(bits.OnesCount32(a[0]) & 1) }},
	{Name: "p23", Doc: "population count", Params: []string{"x"},
		Body: []Stmt{s("o1", "shr", "x", "1"), s("o2", "and", "o1", "0x55555555"), s("o3", "sub", "x", "o2"), s("o4", "and", "o3", "0x33333333"),
			s("o5", "shr", "o3", "2"), s("o6", "and", "o5", "0x33333333"), s("o7", "add", "o4", "o6"), s("o8", "shr", "o7", "4"),
			s("o9", "add", "o8", "o7"), s("o10", "and", "o9", "0x0f0f0f0f"), s("o11", "shr", "o10", "8"), s("o12", "add", "o10", "o11"),
			s("o13", "shr", "o12", "16"), s("o14", "add", "o13", "o12"), s("res", "and", "o14", "0x3f")},
		Spec: func(a []uint32) uint32 { return uint32(bits.OnesCount32(a[0])) }},
	{Name: "p24", Doc: "round up to the next power of two", Params: []string{"x"},
		Body: []Stmt{s("o1", "sub", "x", "1"), s("o2", "shr", "o1", "1"), s("o3", "or", "o1", "o2"), s("o4", "shr", "o3", "2"),
			s("o5", "or", "o3", "o4"), s("o6", "shr", "o5", "4"), s("o7", "or", "o5", "o6"), s("o8", "shr", "o7", "8"),
			s("o9", "or", "o7", "o8"), s("o10", "shr", "o9", "16"), s("o11", "or", "o9", "o10"), s("res", "add", "o11", "1")},
		Spec: func(a []uint32) uint32 {
			x := a[0]
			if x == 0 || x > 1<<31 {
				return 0
			}
			return uint32(uint64(1) << (32 - nlz(x-1)) & 0xffffffff)
		}},
	{Name: "p25", Doc: "high half of the 64-bit product x·y", Params: []string{"x", "y"},
		Body: []Stmt{s("o1", "and", "x", "0xffff"), s("o2", "shr", "x", "16"), s("o3", "and", "y", "0xffff"), s("o4", "shr", "y", "16"),
			s("o5", "mul", "o1", "o3"), s("o6", "mul", "o2", "o3"), s("o7", "mul", "o1", "o4"), s("o8", "mul", "o2", "o4"),
			s("o9", "shr", "o5", "16"), s("o10", "add", "o6", "o9"), s("o11", "and", "o10", "0xffff"), s("o12", "shr", "o10", "16"),
			s("o13", "add", "o7", "o11"), s("o14", "shr", "o13", "16"), s("o15", "add", "o14", "o12"), s("res", "add", "o15", "o8")},
		Spec: func(a []uint32) uint32 { return uint32(uint64(a[0]) * uint64(a[1]) >> 32) }},
}

var byName = map[string]*Target{}

func init() {
	argRegs := []x86.Reg{x86.RDI, x86.RSI, x86.RDX, x86.RCX}
	for i := range defs {
		t := &defs[i]
		t.LiveIn = argRegs[:len(t.Params)]
		t.LiveOut, t.OutWidth = x86.RAX, x86.W32
		code, err := naiveCode(t.Params, t.Body)
		if err != nil {
			panic(fmt.Sprintf("hd: %s: %v", t.Name, err))
		}
		if t.Code, err = x86.Parse(code); err != nil {
			panic(fmt.Sprintf("hd: %s: %v", t.Name, err))
		}
		t.C = cCode(t.Name, t.Params, t.Body)
		byName[t.Name] = t
	}
}

// All returns the 25 targets in order. They are shared: do not modify.
func All() []*Target {
	out := make([]*Target, len(defs))
	for i := range defs {
		out[i] = &defs[i]
	}
	return out
}

// Lookup returns the target named name (p01 … p25).
func Lookup(name string) (*Target, error) {
	if t, ok := byName[name]; ok {
		return t, nil
	}
	names := slices.Sorted(maps.Keys(byName))
	return nil, fmt.Errorf("unknown Hacker's Delight target %q; known: %s", name, strings.Join(names, ", "))
}
