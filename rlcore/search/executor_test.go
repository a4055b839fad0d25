package search

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/store/storetest"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/example"
)

// countingExecutor runs jobs in this process, as a remote worker would
// (RunJob on a problem of its own), and counts them by kind.
type countingExecutor struct {
	mu    sync.Mutex
	kinds map[JobKind]int
	ids   map[string]bool
}

func (c *countingExecutor) Run(ctx context.Context, j Job, obs rlcore.Observer) *JobResult {
	c.mu.Lock()
	c.kinds[j.Kind]++
	dup := c.ids[j.ID]
	c.ids[j.ID] = true
	c.mu.Unlock()
	if dup {
		panic("job id used twice: " + j.ID)
	}
	r := RunJob(ctx, &example.Problem{}, j, obs)
	r.Runner = "counting"
	return r
}

func (c *countingExecutor) Capacity(context.Context) int { return 3 }

func TestEveryPhaseRunsItsJobsThroughTheExecutor(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	ex := &countingExecutor{kinds: map[JobKind]int{}, ids: map[string]bool{}}
	spec := synSpec("executor")
	spec.Algorithms = []AlgorithmSpec{{Name: "syn-a", Hyper: rlcore.Hyper{"noise": 0, "work": 0}}}
	res, err := Search(ctx, spec, Options{Budget: rlcore.Budget{Pulls: 6}, Store: st, Logger: quiet, Executor: ex})
	if err != nil || res.Winner == nil {
		t.Fatalf("search: %v %+v", err, res)
	}
	workers := map[int]bool{}
	for _, p := range res.Pulls {
		if p.Runner != "counting" {
			t.Fatalf("pull %d ran on %q, want the executor's runner", p.Seq, p.Runner)
		}
		workers[p.Worker] = true
	}
	if len(workers) > 3 {
		t.Fatalf("%d job slots, want at most the executor's capacity 3", len(workers))
	}
	if _, err := Tune(ctx, TuneOptions{Run: "executor", Store: st, Trials: 3, Rungs: 1, Logger: quiet, Executor: ex}); err != nil {
		t.Fatal(err)
	}
	dep, err := Deploy(ctx, DeployOptions{Run: "executor", Store: st, Budget: rlcore.Budget{Steps: 42}, Logger: quiet, Executor: ex})
	if err != nil || dep.Results[0].Runner != "counting" {
		t.Fatalf("deploy: %v %+v", err, dep)
	}
	if _, err := Compare(ctx, CompareOptions{Run: "executor", Store: st, With: []string{"unit", "syn-b"}, Budget: rlcore.Budget{Steps: 42},
		Logger: quiet, Executor: ex}); err != nil {
		t.Fatal(err)
	}
	// 6 pulls + 3 trials; 2 deployments + 2×2 training runs of the
	// comparison (the client RL and syn-b; unit is a reference compilation).
	if ex.kinds[JobPull] != 9 || ex.kinds[JobDeploy] != 6 {
		t.Fatalf("jobs by kind %v, want 9 pulls and 6 deployments", ex.kinds)
	}
}

func TestJobCheckNamesWhatIsMissing(t *testing.T) {
	spec := synSpec("check")
	a := spec.Arms()[0]
	for _, tc := range []struct {
		name string
		edit func(j *Job)
		want string
	}{
		{"ok", func(*Job) {}, ""},
		{"task", func(j *Job) { j.Task = "no-such-task" }, "no-such-task"},
		{"reward", func(j *Job) { j.Arm.Reward = "cell-reward" }, "cell-reward"},
		{"algorithm", func(j *Job) { j.Arm.Algorithm = "nope(lr=1)" }, "nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := deployJob(spec.withDefaults(), jobRef{id: "id"}, a, nil, "syn0", rlcore.Budget{Steps: 1}, 1, nil, 0)
			tc.edit(&j)
			err := j.Check()
			if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("Check() = %v, want an error naming %q", err, tc.want)
			}
		})
	}
}
