package cluster

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/search"
)

// A pull run on a remote worker keeps its failed episodes (issue 18, item
// 6): the coordinator stores and shows them like a local pull's.
func TestWirePullKeepsFailedEpisodes(t *testing.T) {
	p := &search.PullResult{Seq: 3, Status: "ok", Score: 0.5, FailedEpisodes: 4, EpisodeErrors: []string{"crash 1", "crash 2"},
		Result: &rlcore.Result{Stats: rlcore.Stats{Episodes: 9, FailedEpisodes: 4}, EpisodeErrors: []string{"crash 1", "crash 2"}}}
	w, err := toWirePull(p)
	if err != nil {
		t.Fatal(err)
	}
	data, err := encode(w)
	if err != nil {
		t.Fatal(err)
	}
	var back wirePull
	if err := decode(data, &back); err != nil {
		t.Fatal(err)
	}
	got := back.pull()
	if got.FailedEpisodes != 4 || len(got.EpisodeErrors) != 2 || got.Result == nil || len(got.Result.EpisodeErrors) != 2 || got.Result.Stats.FailedEpisodes != 4 {
		t.Fatalf("after the wire: %+v (result %+v)", got, got.Result)
	}
}

// Every field of a job and of a result survives the wire: NaN scores,
// times to the nanosecond, durations, maps, curves and policy bytes.
func TestWireRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 2, 1, 2, 3, 456789012, time.UTC)
	job := jobMsg{Job: search.Job{ID: "cs.3.x.pull.7", Run: "cs.3.x", Kind: search.JobPull, Task: "codesize", TaskOptions: map[string]string{"flags": "-O0"},
		TaskSeed: 5, Horizon: 45, Arm: rlcore.Arm{State: "autophase", Reward: "ic-oz", Actions: "all", Transition: "apply", Algorithm: "ppo(lr=0.001)"},
		Hyper: rlcore.Hyper{"lr": 0.001, "gamma": 0.99}, Seed: -7, Budget: rlcore.Budget{Steps: 600, Duration: 1500 * time.Millisecond},
		Benchmarks: []string{"builtin:crc32", "/tmp/a.ll"}, Label: "ppo", Seq: 7, ArmIndex: 2, Rung: 1},
		Session: "run-abc", Files: map[string]string{"/tmp/a.ll": "00ff"}, MaxAttempts: 3}
	res := resultMsg{JobID: "cs.3.x.pull.7", Worker: "w1", Attempt: 2, Pull: &wirePull{Seq: 7, ArmIndex: 2, Rung: 1, Arm: job.Job.Arm, Seed: -7,
		Hyper: job.Job.Hyper, Budget: job.Job.Budget, Score: math.NaN(), PerBenchmark: map[string]float64{"builtin:crc32": 1.02}, Status: "failed",
		Err: "boom", FailedEpisodes: 1, EpisodeErrors: []string{"e1"}, Started: at, Elapsed: 2 * time.Second,
		Result: &wireResult{Status: rlcore.Interrupted, Err: "stopped", Best: rlcore.EpisodeRecord{Benchmark: "b", Actions: []int{3, 1}, Return: -1, Quality: 1.1, Found: time.Millisecond},
			PerBenchmark: map[string]rlcore.EpisodeRecord{"b": {Benchmark: "b", Quality: math.Inf(1)}},
			Curve:        []rlcore.CurvePoint{{Step: 1, Episode: 1, Elapsed: time.Microsecond, Return: 0.5, Quality: 1, Best: 1}},
			Policy:       []byte{0, 1, 2, 255}, Stats: rlcore.Stats{Steps: 600, Episodes: 13, FailedEpisodes: 1, Elapsed: time.Second}, EpisodeErrors: []string{"e1"}}},
		Deployment: &wireDeployment{Benchmark: "b", Quality: 1.5, Actions: []int{1}, TaskActions: []int{4}, ActionNames: []string{"dce"}, Walltime: time.Second,
			Found: time.Millisecond, Validated: true}}
	for _, tc := range []struct {
		name     string
		in, back any
	}{{"job", &job, &jobMsg{}}, {"result", &res, &resultMsg{}}} {
		data, err := encode(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if err := decode(data, tc.back); err != nil {
			t.Fatal(err)
		}
		if r, ok := tc.back.(*resultMsg); ok {
			if !math.IsNaN(r.Pull.Score) || !math.IsInf(r.Pull.Result.PerBenchmark["b"].Quality, 1) {
				t.Fatalf("score %v, quality %v: want NaN and +Inf", r.Pull.Score, r.Pull.Result.PerBenchmark["b"].Quality)
			}
			r.Pull.Score, res.Pull.Score = 0, 0 // NaN != NaN
		}
		if !reflect.DeepEqual(tc.in, tc.back) {
			t.Errorf("%s after the wire:\n%+v\nwant\n%+v", tc.name, tc.back, tc.in)
		}
	}
}
