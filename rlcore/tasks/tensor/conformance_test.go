package tensor

import (
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasktest"
)

// TestConformance runs the task contract's suite on the two cheapest
// operators.
func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles and times a few dozen schedules")
	}
	tasktest.Run(t, tasktest.Config{Task: TaskName, Benchmarks: []string{"softmax-bert", "depthwise-mobilenetv2"}, BadBenchmark: "gemm-513"})
}
