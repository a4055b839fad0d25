package example_test

import (
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/example"
	"github.com/supersonic-rl/supersonic/rlcore/tasktest"
)

func TestConformance(t *testing.T) {
	tasktest.Run(t, tasktest.Config{Task: example.TaskName, Benchmarks: example.Benchmarks})
}
