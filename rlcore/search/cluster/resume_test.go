package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/internal/testproc"
	"github.com/supersonic-rl/supersonic/rlcore/search"
	"github.com/supersonic-rl/supersonic/rlcore/store"
)

// A test binary started with coordinatorEnv = URL is a coordinator
// process running resumeSpec's search with the run store
// coordinatorEnv_STORE: the resume test kills it.
const coordinatorEnv = "SUPERSONIC_CLUSTER_TEST_COORDINATOR"

const resumePulls = 16

func resumeSpec() search.Spec {
	spec, err := search.ParseSpec("resume", `task: cluster-sleep
benchmarks: s0, s1
states: action-history(1)
rewards: quality
algorithms: random, greedy
horizon: 4
pull: 12steps
seed: 9`)
	if err != nil {
		panic(err)
	}
	return spec
}

func runCoordinator(url, path string) int {
	ctx := context.Background()
	st, err := store.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer st.Close()
	e, err := Dial(ctx, Conn{URL: url}, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer e.Close()
	_, err = search.Search(ctx, resumeSpec(), search.Options{Budget: rlcore.Budget{Pulls: resumePulls}, Workers: 4, Store: st, Executor: e,
		OnPull: func(search.PullEvent) {}})
	fmt.Fprintln(os.Stderr, "coordinator:", err)
	return 0
}

// TestResumeAfterTheCoordinatorIsKilled runs a search from a coordinator
// process, kills it with pulls in flight, lets those finish on the
// workers while no coordinator runs, and resumes the search here
// (%search NAME --resume): every pull is stored exactly once and the
// workers ran each one once — the stored pulls were not redone and the
// results of the in-flight ones were taken from the stream.
func TestResumeAfterTheCoordinatorIsKilled(t *testing.T) {
	c := newCluster(t)
	nc := c.connect()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, name := range []string{"r1", "r2"} {
		go Serve(ctx, nc, WorkerOptions{Name: name, Concurrency: 2, CacheDir: t.TempDir()})
	}
	c.waitWorkers(nc, 2)
	path := filepath.Join(t.TempDir(), "runs.db")
	cmd := testproc.Command(coordinatorEnv+"="+c.url(), coordinatorEnv+"_STORE="+path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	stored := func() (run store.Run, pulls []store.Pull, jobs []store.Job) {
		run, err := st.FindRun(ctx, "resume", store.KindSearch)
		if err != nil {
			return run, nil, nil
		}
		pulls, _ = st.Pulls(ctx, run.ID, false)
		jobs, _ = st.Jobs(ctx, run.ID)
		return run, pulls, jobs
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, pulls, jobs := stored(); len(pulls) >= 5 && len(jobs) > len(pulls) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the coordinator stored no 5 pulls within 2 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	_, before, started := stored()
	st.Close()
	t.Logf("killed the coordinator with %d pulls stored, %d started", len(before), len(started))
	time.Sleep(time.Second) // the pulls in flight finish with no coordinator

	st, err = store.Open(path) // finds the run abandoned
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if len(st.Abandoned) != 1 {
		t.Fatalf("abandoned runs %+v, want the killed coordinator's", st.Abandoned)
	}
	_, pulls, jobs := stored()
	if len(jobs) <= len(pulls) {
		t.Fatalf("%d pulls stored of %d started: the kill left none in flight", len(pulls), len(jobs))
	}
	e := c.executor(ctx, nc, Options{})
	rctx, rcancel := context.WithTimeout(ctx, 2*time.Minute) // a lost pull would keep the search waiting
	defer rcancel()
	res, err := search.Search(rctx, resumeSpec(), search.Options{Resume: true, Workers: 4, Store: st, Executor: e, OnPull: func(search.PullEvent) {}})
	if err != nil {
		t.Fatal(err)
	}
	run, pulls, _ := stored()
	if res.Status != rlcore.BudgetExhausted || run.Status != store.StatusBudget || len(pulls) != resumePulls {
		t.Fatalf("after the resume: status %v (stored %s), %d pulls stored, want %d", res.Status, run.Status, len(pulls), resumePulls)
	}
	seqs := map[int]int{}
	for _, p := range pulls {
		seqs[p.Seq]++
		if p.Status != store.PullOK {
			t.Errorf("pull %d: %s %s", p.Seq, p.Status, p.Error)
		}
	}
	for i := range resumePulls {
		if seqs[i] != 1 {
			t.Errorf("pull %d stored %d times, want once", i, seqs[i])
		}
	}
	ws, err := e.Workers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ran int64
	var who []string
	for _, w := range ws {
		ran += w.Done
		who = append(who, fmt.Sprintf("%s ran %d", w.Name, w.Done))
	}
	if ran != resumePulls {
		t.Fatalf("the workers ran %d pulls (%s), want each of the %d once", ran, strings.Join(who, ", "), resumePulls)
	}
}
