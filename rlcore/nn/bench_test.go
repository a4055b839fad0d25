package nn

import (
	"fmt"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore/internal/proc"
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
			cpu0 := proc.CPUTime()
			for b.Loop() {
				m.Forward(x, batch)
			}
			reportCPU(b, cpu0)
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
			cpu0 := proc.CPUTime()
			for b.Loop() {
				m.Backward(g)
			}
			reportCPU(b, cpu0)
		})
	}
}

// reportCPU adds the CPU time per op since cpu0, the figure to quote on a
// shared machine (run with GOMAXPROCS=1).
func reportCPU(b *testing.B, cpu0 time.Duration) {
	if cpu := proc.CPUTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
