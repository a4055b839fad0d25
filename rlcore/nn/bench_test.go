package nn

import (
	"fmt"
	"testing"
)

// benchNet is the client RLs' default: obs 4 → 64 → 64 → 2, tanh.
func benchNet(b *testing.B) *MLP {
	m, err := NewPolicyNet(4, []int{64, 64}, 2, Tanh, newRNG(1))
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func BenchmarkMLPForward(b *testing.B) {
	for _, batch := range []int{1, 64} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			m := benchNet(b)
			x := randSlice(newRNG(2), batch*4, 1)
			b.ReportAllocs()
			for b.Loop() {
				m.Forward(x, batch)
			}
		})
	}
}

func BenchmarkMLPBackward(b *testing.B) {
	for _, batch := range []int{1, 64} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			m := benchNet(b)
			x := randSlice(newRNG(2), batch*4, 1)
			g := randSlice(newRNG(3), batch*2, 1)
			m.Forward(x, batch)
			b.ReportAllocs()
			for b.Loop() {
				m.Backward(g)
			}
		})
	}
}
