package search

// The fault-injection tier of issue 18 ("Hardening"): each test reproduces
// one numbered item with real parts — a real search or compare process
// killed with SIGKILL, a real SQLite lock held by another process (the
// sqlite3 CLI), episodes that fail like a missing z3 — and shows it fixed.
// The task-level faults are in the tasks' own faults_test.go files
// (codesize: clang missing, stale temporary folders; superopt: z3
// missing, empty target) and the store's in rlcore/store/faults_test.go.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/internal/testproc"
	"github.com/supersonic-rl/supersonic/rlcore/store"
	"github.com/supersonic-rl/supersonic/rlcore/store/storetest"
)

// TestMain lets the test binary run a phase as a separate process that a
// test then kills: SEARCH_FAULT_HELPER=search|compare, on the store
// SEARCH_FAULT_DB.
func TestMain(m *testing.M) {
	if h := os.Getenv("SEARCH_FAULT_HELPER"); h != "" {
		os.Exit(faultHelper(h, os.Getenv("SEARCH_FAULT_DB")))
	}
	os.Exit(m.Run())
}

// helperHoldsAt is the count of stored results (pulls of a search, results
// of a comparison) after which a helper process stops making progress and
// waits to be killed. Without the hold the phase could finish, under load,
// between the test seeing the results and its SIGKILL (CI once saw "os:
// process already finished"). The phase has then stored that many results
// and has more to do, which is the state a kill -9 must not lose.
const helperHoldsAt = 3

func faultHelper(phase, db string) int {
	st, err := store.Open(db)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer st.Close()
	ctx := context.Background()
	switch phase {
	case "search":
		spec := synSpec("killed")
		spec.PullBudget = rlcore.Budget{Duration: 300 * time.Millisecond}
		for i := range spec.Algorithms {
			spec.Algorithms[i].Hyper["work"] = 0 // so that tuning lr alone is quick
		}
		pulls := 0
		_, err = Search(ctx, spec, Options{Workers: 1, Store: st, Logger: quiet, OnPull: func(PullEvent) {
			if pulls++; pulls == helperHoldsAt {
				select {} // stored; wait for the kill
			}
		}})
	case "compare":
		results := 0
		_, err = Compare(ctx, CompareOptions{Run: "to-compare", Store: st, With: []string{"unit"},
			Budget: rlcore.Budget{Duration: 500 * time.Millisecond}, Workers: 1, Logger: quiet,
			OnResult: func(MethodResult) {
				if results++; results == helperHoldsAt {
					select {} // stored; wait for the kill
				}
			}})
	default:
		err = fmt.Errorf("unknown helper %q", phase)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	return 0
}

// startHelper runs phase in a child process on the store at db.
func startHelper(t *testing.T, phase, db string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := testproc.Command("SEARCH_FAULT_HELPER="+phase, "SEARCH_FAULT_DB="+db)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// killWhen polls the store until count reports at least n rows, then kills
// the process with SIGKILL and returns the count it saw. It fails the
// test when the process ends on its own first (which is how the phase
// behaved when it stored its results only at the end).
func killWhen(t *testing.T, cmd *exec.Cmd, stderr *bytes.Buffer, db string, n int, count func(*store.Store) int) int {
	t.Helper()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case err := <-exited:
			t.Fatalf("the %s process ended (%v) before it had stored %d results; stderr:\n%s", cmd.Env[len(cmd.Env)-2], err, n, stderr)
		case <-deadline:
			cmd.Process.Kill()
			t.Fatalf("no %d results stored within 2 minutes", n)
		case <-time.After(50 * time.Millisecond):
		}
		st, err := store.Open(db)
		if err != nil {
			continue // not created yet, or locked: try again
		}
		got := count(st)
		st.Close()
		if got >= n {
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-exited
			return got
		}
	}
}

// Issue 18, item 4: a search killed with SIGKILL stayed "running" forever
// and Tune/Deploy/Compare used it without a word. Now the next Open marks
// it abandoned with its pulls kept, and the phases that use it warn.
func TestKilledSearchIsAbandonedAndPhasesWarn(t *testing.T) {
	db := filepath.Join(t.TempDir(), "supersonic.db")
	cmd, stderr := startHelper(t, "search", db)
	pullsOf := func(st *store.Store) int {
		r, err := st.FindRun(context.Background(), "killed", store.KindSearch)
		if err != nil {
			return 0
		}
		ps, _ := st.Pulls(context.Background(), r.ID, false)
		return len(ps)
	}
	seen := killWhen(t, cmd, stderr, db, helperHoldsAt, pullsOf)

	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	run, err := st.FindRun(ctx, "killed", store.KindSearch)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != store.StatusAbandoned || run.Owner.PID != cmd.Process.Pid {
		t.Fatalf("killed search: status %q, owner %+v; want abandoned, owned by pid %d", run.Status, run.Owner, cmd.Process.Pid)
	}
	if got := pullsOf(st); got < seen {
		t.Fatalf("the abandoned run has %d pulls, %d were stored before the kill", got, seen)
	}
	if run.Winner == "" {
		t.Fatal("the abandoned run lost its winner")
	}

	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	dep, err := Deploy(ctx, DeployOptions{Run: "killed", Store: st, Budget: rlcore.Budget{Steps: 21}, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if len(dep.Warnings) != 1 || !strings.Contains(dep.Warnings[0], "abandoned") || !strings.Contains(logs.String(), "abandoned") {
		t.Fatalf("deploying an abandoned search: warnings %q, log %q; want a warning in both", dep.Warnings, logs.String())
	}
	cmp, err := Compare(ctx, CompareOptions{Run: "killed", Store: st, With: []string{"unit"}, Budget: rlcore.Budget{Steps: 21}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if len(cmp.Warnings) != 1 {
		t.Fatalf("comparing an abandoned search: warnings %q", cmp.Warnings)
	}
	tr, err := Tune(ctx, TuneOptions{Run: "killed", Store: st, Trials: 2, Rungs: 1, MinBudget: rlcore.Budget{Steps: 21}, Workers: 1, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Warnings) != 1 {
		t.Fatalf("tuning an abandoned search: warnings %q", tr.Warnings)
	}
	// A finished search gives no warning.
	spec := synSpec("done")
	if _, err := Search(ctx, spec, Options{Budget: rlcore.Budget{Pulls: 4}, Workers: 1, Store: st, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	dep, err = Deploy(ctx, DeployOptions{Run: "done", Store: st, Budget: rlcore.Budget{Steps: 21}, Logger: quiet})
	if err != nil || len(dep.Warnings) != 0 {
		t.Fatalf("deploying a finished search: %v, warnings %q", err, dep.Warnings)
	}
}

// Issue 18, item 5: Compare wrote its results only at the end, so kill -9
// lost every finished result. Now each is stored as it finishes.
func TestKilledCompareKeepsFinishedResults(t *testing.T) {
	db := filepath.Join(t.TempDir(), "supersonic.db")
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Search(context.Background(), synSpec("to-compare"), Options{Budget: rlcore.Budget{Pulls: 4}, Workers: 1, Store: st, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	cmd, stderr := startHelper(t, "compare", db)
	resultsOf := func(st *store.Store) int {
		r, err := st.FindRun(context.Background(), "to-compare", store.KindCompare)
		if err != nil {
			return 0
		}
		bs, _ := st.Baselines(context.Background(), r.ID)
		return len(bs)
	}
	seen := killWhen(t, cmd, stderr, db, helperHoldsAt, resultsOf) // 3 of the 4 (the client RL and unit × 2 benchmarks)

	st, err = store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	run, err := st.FindRun(context.Background(), "to-compare", store.KindCompare)
	if err != nil {
		t.Fatal(err)
	}
	if got := resultsOf(st); got < seen || got >= 4 {
		t.Fatalf("the killed comparison kept %d results; %d were stored before the kill of a 4-result comparison", got, seen)
	}
	if run.Status != store.StatusAbandoned {
		t.Fatalf("killed comparison: status %q, want abandoned", run.Status)
	}
}

// failAfter is a transition that fails an episode's third step when its
// benchmark is in fails, the way superopt's step failed on
// `exec: "z3": executable file not found` once a rewrite improved: the
// episode keeps the quality it reached before.
func failAfter(fails ...string) func(ctx context.Context, in rlcore.TransitionInput) (rlcore.Episode, bool, error) {
	return func(ctx context.Context, in rlcore.TransitionInput) (rlcore.Episode, bool, error) {
		for _, b := range fails {
			if in.Episode.Benchmark() == b && len(in.History) == 2 {
				return in.Episode, false, &exec.Error{Name: "z3", Err: exec.ErrNotFound}
			}
		}
		return in.Episode, true, in.Episode.Apply(ctx, in.Action)
	}
}

func init() {
	rlcore.RegisterTransition(&rlcore.Transition{Name: "t-z3gone", Task: synTask, Doc: "fails the third step on ex0 and ex1",
		Step: failAfter("ex0", "ex1")})
	rlcore.RegisterTransition(&rlcore.Transition{Name: "t-flaky", Task: synTask, Doc: "fails the third step on ex2",
		Step: failAfter("ex2")})
}

func faultSpec(t *testing.T, name, transition, benchmarks string) Spec {
	t.Helper()
	s, err := ParseSpec(name, `
task: example
benchmarks: `+benchmarks+`
states: s-good
rewards: r-good
transitions: `+transition+`
algorithms: syn-a(noise=0), syn-b(noise=0)
horizon: 21
pull: 63steps
`)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Issue 18, item 2: with z3 missing, 27,445 episodes failed, yet every
// pull was "ok" with the quality its episodes reached before failing (the
// failures were not consecutive, so no training run stopped), and a winner
// was declared. Now a pull with half or more of its episodes failed is a
// failed pull with the reason, and such a search fails.
func TestPullsWhoseEpisodesFailAreFailed(t *testing.T) {
	st := storetest.Open(t)
	res, err := Search(context.Background(), faultSpec(t, "z3gone", "t-z3gone", "ex0, ex2, ex1, ex3"), Options{Budget: rlcore.Budget{Pulls: 4}, Workers: 1, Store: st, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != rlcore.Failed || res.Winner != nil {
		t.Fatalf("search of failing episodes: status %v, winner %v; want failed without a winner", res.Status, res.Winner)
	}
	if res.Err == nil || !strings.Contains(res.Err.Error(), `"z3"`) || !strings.Contains(res.Err.Error(), "episodes failed") {
		t.Fatalf("search error %v: want the reason (episodes failed, z3 missing)", res.Err)
	}
	for _, p := range res.Pulls {
		if p.OK() || p.FailedEpisodes == 0 {
			t.Fatalf("pull %d: status %s with %d failed episodes", p.Seq, p.Status, p.FailedEpisodes)
		}
	}
	run, _ := st.FindRun(context.Background(), "z3gone", store.KindSearch)
	if run.Status != store.StatusFailed || run.Winner != "" {
		t.Fatalf("stored run: status %q, winner %q", run.Status, run.Winner)
	}
}

// Issue 18: Deploy applies the search's rule — a deployment whose
// episodes mostly failed is failed with the reason, not validated at the
// quality its few good episodes reached; when every deployment fails so
// does the run.
func TestDeploymentsWhoseEpisodesFailAreFailed(t *testing.T) {
	st := storetest.Open(t)
	ctx := context.Background()
	spec := faultSpec(t, "z3gone-deploy", "t-z3gone", "ex2, ex3")
	spec.Test = []string{"ex0"}
	if _, err := Search(ctx, spec, Options{Budget: rlcore.Budget{Pulls: 2}, Workers: 1, Store: st, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	res, err := Deploy(ctx, DeployOptions{Run: "z3gone-deploy", Store: st, Budget: rlcore.Budget{Steps: 63}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Results[0]
	if d.Validated || d.Err == nil || !strings.Contains(d.Err.Error(), "episodes failed") || !strings.Contains(d.Err.Error(), `"z3"`) {
		t.Fatalf("deployment on ex0: validated %v, error %v; want failed with the reason", d.Validated, d.Err)
	}
	if res.Status != rlcore.Failed {
		t.Fatalf("deploy status %v, want failed (its only deployment failed)", res.Status)
	}
}

// Issue 18, item 6: an episode that failed inside a pull that succeeded
// was neither stored nor logged. Now the pull row has the count and the
// first errors, the arm its total, the leaderboard its detail, and the log
// a warning — also when the search reports through OnPull (the notebook).
func TestFailedEpisodesOfASuccessfulPullAreStoredAndLogged(t *testing.T) {
	st := storetest.Open(t)
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	var last PullEvent
	res, err := Search(context.Background(), faultSpec(t, "flaky", "t-flaky", "ex0, ex1, ex2"), Options{Budget: rlcore.Budget{Pulls: 2}, Workers: 1,
		Store: st, Logger: logger, OnPull: func(ev PullEvent) { last = ev }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status == rlcore.Failed || res.Winner == nil {
		t.Fatalf("status %v, winner %v: one failed episode in three must not fail the search", res.Status, res.Winner)
	}
	ctx := context.Background()
	run, _ := st.FindRun(ctx, "flaky", store.KindSearch)
	ps, err := st.Pulls(ctx, run.ID, false)
	if err != nil || len(ps) != 2 {
		t.Fatalf("pulls %v, %v", ps, err)
	}
	for _, p := range ps {
		if p.Status != store.PullOK || p.FailedEpisodes == 0 || len(p.EpisodeErrors) == 0 || !strings.Contains(p.EpisodeErrors[0], `"z3"`) {
			t.Fatalf("stored pull %d: status %s, %d failed episodes, errors %q; want ok with the failures stored", p.Seq, p.Status, p.FailedEpisodes, p.EpisodeErrors)
		}
	}
	arms, _ := st.Arms(ctx, run.ID)
	total := 0
	for _, a := range arms {
		total += a.FailedEpisodes
	}
	if total != ps[0].FailedEpisodes+ps[1].FailedEpisodes {
		t.Errorf("arms count %d failed episodes, pulls %d", total, ps[0].FailedEpisodes+ps[1].FailedEpisodes)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "failed_episodes") {
		t.Errorf("the failed episodes were not logged:\n%s", logs.String())
	}
	found := false
	for _, a := range last.Leaderboard {
		found = found || (a.FailedEpisodes > 0 && strings.Contains(a.FirstEpisodeError, "z3"))
	}
	if !found {
		t.Errorf("the leaderboard does not show the failed episodes: %+v", last.Leaderboard)
	}
}

// Issue 18, item 8: a write lock held by another client for longer than
// the store waits dropped the pull with only a WARN. Now the write is kept
// and written once the lock is gone: every pull is in the store. The other
// client is the sqlite3 CLI holding BEGIN IMMEDIATE.
func TestPullsOutlastAStoreLockedByAnotherProcess(t *testing.T) {
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed (install.sh installs it)")
	}
	defer func(d time.Duration) { writeTimeout = d }(writeTimeout)
	writeTimeout = 300 * time.Millisecond // one attempt's wait, shortened for the test
	st := storetest.Open(t)
	var lock *exec.Cmd
	defer func() {
		if lock != nil {
			lock.Wait()
		}
	}()
	var logs syncBuffer
	spec := synSpec("locked")
	res, err := Search(context.Background(), spec, Options{Budget: rlcore.Budget{Pulls: 6}, Workers: 1, Store: st,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		OnPull: func(ev PullEvent) {
			if lock != nil {
				return
			}
			// After the first pull, another process takes the write lock
			// for 2 s: the next pulls finish while it holds it.
			lock = exec.Command(cli, st.Path())
			lock.Stdin = strings.NewReader("BEGIN IMMEDIATE;\nUPDATE runs SET error=error;\n.print locked\n.shell sleep 2\nCOMMIT;\n")
			out, _ := lock.StdoutPipe()
			if err := lock.Start(); err != nil {
				t.Error(err)
				return
			}
			if l, _ := bufio.NewReader(out).ReadString('\n'); strings.TrimSpace(l) != "locked" {
				t.Errorf("sqlite3 said %q", l)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := st.Pulls(context.Background(), res.RunID, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != len(res.Pulls) {
		t.Fatalf("the store has %d of the %d pulls", len(ps), len(res.Pulls))
	}
	if !strings.Contains(logs.String(), "will try again") {
		t.Errorf("the lock did not delay any write (the test did not test anything):\n%s", logs.String())
	}
	run, _ := st.FindRun(context.Background(), "locked", store.KindSearch)
	if run.Status == store.StatusRunning {
		t.Errorf("the run was not finished in the store")
	}
}

// syncBuffer is a bytes.Buffer safe for the search's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
