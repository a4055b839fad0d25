package superopt

import (
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/tasktest"
)

func TestConformance(t *testing.T) {
	needTools(t)
	tasktest.Run(t, tasktest.Config{Task: TaskName, Benchmarks: []string{"p01", "p02"}, BadBenchmark: "p99"})
}

func TestDefaultOptionsAreTheDeclaredOnes(t *testing.T) {
	vals, err := (&rlcore.Task{Name: TaskName, Options: options}).ParseOptions(nil)
	if err != nil {
		t.Fatal(err)
	}
	o, err := optionsOf(rlcore.OpenConfig{Seed: 1, Options: vals})
	if err != nil || o != DefaultOptions {
		t.Fatalf("declared defaults give %+v (%v), DefaultOptions is %+v", o, err, DefaultOptions)
	}
}
