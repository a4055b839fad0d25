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

// The task checks clang-19 when it opens and says how to install it.
func TestOpenWithoutClangSaysWhatIsMissing(t *testing.T) {
	tasktest.MissingTools(t, TaskName, map[string]string{"cache": t.TempDir()}, "clang-19", "./install.sh", "apt-get install clang-19 libomp-19-dev")
}
