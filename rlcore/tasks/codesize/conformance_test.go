package codesize

import (
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasktest"
)

func TestConformance(t *testing.T) {
	tasktest.Run(t, tasktest.Config{Task: TaskName, Options: map[string]string{"cache": testCache},
		Benchmarks: []string{"builtin:crc32", "builtin:bitcount"}, BadBenchmark: "builtin:no-such-program",
		SkipMeasures: []string{"runtime"}}) // runtime runs the program three times; episode_test checks it
}
