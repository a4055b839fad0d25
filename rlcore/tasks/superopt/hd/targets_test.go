package hd

import (
	"math/rand/v2"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/x86"
)

var edges = []uint32{0, 1, 2, 3, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0xfffffffe, 0x55555555, 0xaaaaaaaa, 0x0f0f0f0f, 0xffff, 0x10000, 31, 32}

// TestTargetsMatchSpecs runs each target's naive code in the interpreter on
// edge and random arguments, with garbage in the upper halves of the
// argument registers and in every other register, and compares eax with
// the Go specification.
func TestTargetsMatchSpecs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tg := range All() {
		t.Run(tg.Name, func(t *testing.T) {
			n := len(tg.Params)
			var cases [][]uint32
			for range 3000 {
				args := make([]uint32, n)
				for i := range args {
					if rng.IntN(3) == 0 {
						args[i] = edges[rng.IntN(len(edges))]
					} else {
						args[i] = rng.Uint32()
					}
				}
				cases = append(cases, args)
			}
			for _, a := range edges {
				args := make([]uint32, n)
				for i := range args {
					args[i] = a
				}
				cases = append(cases, args)
			}
			for _, args := range cases {
				var s x86.State
				for r := range s.R {
					s.R[r] = rng.Uint64()
				}
				s.Noise = rng.Uint64()
				for i, a := range args {
					s.R[tg.LiveIn[i]] = rng.Uint64()<<32 | uint64(a)
				}
				tg.Code.Run(&s)
				if got, want := uint32(s.R[tg.LiveOut]), tg.Spec(args); got != want {
					t.Fatalf("%s%v = %#x, spec says %#x\n%s", tg.Name, args, got, want, tg.Code)
				}
			}
		})
	}
}

func TestSemanticProperties(t *testing.T) {
	p21, _ := Lookup("p21")
	p19, _ := Lookup("p19")
	rng := rand.New(rand.NewPCG(5, 6))
	for range 1000 {
		a, b, c := rng.Uint32(), rng.Uint32(), rng.Uint32()
		if a == b || b == c || a == c {
			continue
		}
		for _, pair := range [][2]uint32{{a, b}, {b, c}, {c, a}} {
			if got := p21.Spec([]uint32{pair[0], a, b, c}); got != pair[1] {
				t.Fatalf("p21 spec: cycle(%#x) = %#x, want %#x", pair[0], got, pair[1])
			}
		}
		// p19 with disjoint fields m and m<<k swaps them.
		k := uint32(rng.IntN(16) + 1)
		m := rng.Uint32() & (1<<k - 1) & 0xffff
		x := rng.Uint32()
		got := p19.Spec([]uint32{x, m, k})
		lo, hi := x&m, x>>k&m
		want := x&^(m|m<<k) | hi | lo<<k
		if got != want {
			t.Fatalf("p19 spec(%#x, %#x, %d) = %#x, want %#x", x, m, k, got, want)
		}
	}
	if _, err := Lookup("p26"); err == nil {
		t.Error("Lookup(p26) succeeded")
	}
}

func TestNaiveCodeShape(t *testing.T) {
	p01, _ := Lookup("p01")
	want := "mov r8d, edi\nmov eax, r8d\nsub eax, 1\nmov r9d, eax\nmov eax, r8d\nand eax, r9d\n"
	if got := p01.Code.String(); got != want {
		t.Errorf("p01 naive code:\n%s\nwant:\n%s", got, want)
	}
	for _, tg := range All() {
		if tg.Code.Latency() < 3 {
			t.Errorf("%s: naive code latency %d is suspiciously small", tg.Name, tg.Code.Latency())
		}
	}
}
