package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "runs.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConcurrentWritersKeepEveryPull(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	run, err := s.CreateRun(ctx, Run{Name: "many", Kind: KindSearch, Task: "synthetic"})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				_, err := s.AddPull(ctx, Pull{Run: run, Seq: w*each + i, Arm: fmt.Sprintf("arm%d", w%4), Worker: w, Score: float64(i),
					Status: PullOK, BestActions: []int{w, i}, Curve: []rlcore.CurvePoint{{Step: 1, Episode: 1, Best: 1}, {Step: 2, Episode: 2, Best: 2}}})
				if err != nil {
					errs <- err
					return
				}
				if err := s.SetWinner(ctx, run, fmt.Sprintf("arm%d", w%4), float64(i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	pulls, err := s.Pulls(ctx, run, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(pulls) != writers*each {
		t.Fatalf("stored %d pulls, want %d", len(pulls), writers*each)
	}
	for _, p := range pulls {
		if len(p.Curve) != 2 || len(p.BestActions) != 2 {
			t.Fatalf("pull %d lost its curve or actions: %+v", p.ID, p)
		}
	}
}

func TestSecondProcessConnectionSeesWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	var wg sync.WaitGroup
	for _, s := range []*Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				if _, err := s.CreateRun(ctx, Run{Name: fmt.Sprint(i), Kind: KindTune}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	runs, err := a.Runs(ctx, KindTune, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 40 {
		t.Fatalf("got %d runs, want 40", len(runs))
	}
	var mode string
	if err := a.DB().QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q (%v), want wal", mode, err)
	}
}

func TestRunLifecycleAndLookup(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	id, err := s.CreateRun(ctx, Run{Name: "cs", Kind: KindSearch, Task: "codesize", Strategy: "bandit", Spec: []byte(`{"Task":"codesize"}`)})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.FindRun(ctx, "cs", KindSearch)
	if err != nil || r.ID != id || r.Status != StatusRunning || !math.IsNaN(r.WinnerScore) {
		t.Fatalf("FindRun = %+v, %v", r, err)
	}
	if err := s.SetWinner(ctx, id, "ppo · autophase", 1.02); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, id, StatusInterrupted, errors.New("context canceled")); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"cs", fmt.Sprint(id), ""} {
		r, err = s.FindRun(ctx, ref, "")
		if err != nil || r.Status != StatusInterrupted || r.Winner != "ppo · autophase" || r.WinnerScore != 1.02 || r.Finished.IsZero() {
			t.Fatalf("FindRun(%q) = %+v, %v", ref, r, err)
		}
	}
	if _, err := s.FindRun(ctx, "nope", ""); !errors.Is(err, ErrNoRun) || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("FindRun(nope) error = %v", err)
	}
	if _, err := s.FindRun(ctx, "cs", KindDeploy); !errors.Is(err, ErrNoRun) {
		t.Fatalf("FindRun(cs, deploy) error = %v", err)
	}
}

func TestRowsRoundTrip(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	run, _ := s.CreateRun(ctx, Run{Name: "x", Kind: KindSearch})
	if err := s.AddArms(ctx, []Arm{{Run: run, Index: 0, Name: "a", State: "s", Reward: "r", Actions: "all", Transition: "apply", Algorithm: "ppo", Mean: math.NaN(), Best: math.NaN()}}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateArm(ctx, Arm{Run: run, Index: 0, Name: "a", Pulls: 3, Failures: 1, Mean: 0.5, Best: 0.7, Status: "retired"}); err != nil {
		t.Fatal(err)
	}
	arms, err := s.Arms(ctx, run)
	if err != nil || len(arms) != 1 || arms[0].Pulls != 3 || arms[0].Mean != 0.5 || arms[0].Status != "retired" || arms[0].Algorithm != "ppo" {
		t.Fatalf("Arms = %+v, %v", arms, err)
	}
	tune, _ := s.CreateRun(ctx, Run{Name: "x", Kind: KindTune, Parent: run})
	if _, ok, err := s.LatestTuned(ctx, run, "a"); ok || err != nil {
		t.Fatalf("LatestTuned before any = %v, %v", ok, err)
	}
	if _, err := s.AddTuned(ctx, Tuned{Run: tune, SearchRun: run, Arm: "a", Algorithm: "ppo", Hyper: map[string]float64{"lr": 0.01}, Score: 0.9}); err != nil {
		t.Fatal(err)
	}
	tu, ok, err := s.LatestTuned(ctx, run, "a")
	if err != nil || !ok || tu.Hyper["lr"] != 0.01 || tu.Run != tune {
		t.Fatalf("LatestTuned = %+v, %v, %v", tu, ok, err)
	}
	if _, err := s.BestPolicy(ctx, run, "a"); !errors.Is(err, ErrNoPolicy) {
		t.Fatalf("BestPolicy before any: %v, want ErrNoPolicy", err)
	}
	var best int64
	for i, score := range []float64{0.8, 1.1, math.NaN(), 0.9} {
		id, err := s.AddPolicy(ctx, Policy{Run: run, Arm: "a", Source: SourcePull, Algorithm: "ppo", Hyper: map[string]float64{"lr": 0.01}, Score: score, Weights: []byte{byte(i), 2, 3}})
		if err != nil {
			t.Fatal(err)
		}
		if score == 1.1 {
			best = id
		}
	}
	if w, err := s.Policy(ctx, run, "a"); err != nil || len(w) != 3 || w[0] != 3 {
		t.Fatalf("Policy (the newest) = %v, %v", w, err)
	}
	bp, err := s.BestPolicy(ctx, run, "a")
	if err != nil || bp.ID != best || bp.Score != 1.1 || bp.Source != SourcePull || bp.Hyper["lr"] != 0.01 || bp.Weights[0] != 1 {
		t.Fatalf("BestPolicy = %+v, %v; want id %d with score 1.1", bp, err, best)
	}
	if p, err := s.PolicyByID(ctx, best); err != nil || p.Score != 1.1 {
		t.Fatalf("PolicyByID = %+v, %v", p, err)
	}
	dep, _ := s.CreateRun(ctx, Run{Name: "x", Kind: KindDeploy, Parent: run})
	if _, err := s.AddDeployment(ctx, Deployment{Run: dep, Benchmark: "b1", Arm: "a", Quality: 1.1, Actions: []int{3, 1}, ActionNames: []string{"x", "y"}, Walltime: 2 * time.Second, Validated: true,
		Policy: best, Weights: "warm start"}); err != nil {
		t.Fatal(err)
	}
	ds, err := s.Deployments(ctx, dep)
	if err != nil || len(ds) != 1 || !ds[0].Validated || ds[0].ActionNames[1] != "y" || ds[0].Walltime != 2*time.Second || ds[0].Policy != best || ds[0].Weights != "warm start" {
		t.Fatalf("Deployments = %+v, %v", ds, err)
	}
	cmp, _ := s.CreateRun(ctx, Run{Name: "x", Kind: KindCompare, Parent: run})
	if _, err := s.AddBaseline(ctx, Baseline{Run: cmp, Benchmark: "b1", Method: "random", Quality: 0.9, TimeToTarget: -1, Curve: [][2]float64{{0.1, 0.5}}}); err != nil {
		t.Fatal(err)
	}
	bs, err := s.Baselines(ctx, cmp)
	if err != nil || len(bs) != 1 || bs[0].TimeToTarget != -1 || bs[0].Curve[0][1] != 0.5 {
		t.Fatalf("Baselines = %+v, %v", bs, err)
	}
}

func TestReadableWithSqlite3CLI(t *testing.T) {
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed")
	}
	path := filepath.Join(t.TempDir(), "cli.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id, _ := s.CreateRun(ctx, Run{Name: "cli", Kind: KindSearch})
	s.FinishRun(ctx, id, StatusFinished, nil)
	s.Close()
	out, err := exec.Command(cli, path, "select name, status from runs; pragma user_version;").CombinedOutput()
	if want := fmt.Sprintf("cli|finished\n%d", SchemaVersion); err != nil || strings.TrimSpace(string(out)) != want {
		t.Fatalf("sqlite3 said %q, %v", out, err)
	}
}

func TestOddFileNames(t *testing.T) {
	for _, name := range []string{"with space.db", "what?.db", "hash#1.db", "100%.db"} {
		path := filepath.Join(t.TempDir(), name)
		s, err := Open(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := s.CreateRun(context.Background(), Run{Name: "x", Kind: KindSearch}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s.Close()
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s: the store is not where asked: %v", name, err)
		}
	}
}

func TestDefaultPathFollowsEnv(t *testing.T) {
	t.Setenv(EnvVar, "")
	if DefaultPath() != DefaultFile {
		t.Fatalf("DefaultPath() = %q", DefaultPath())
	}
	t.Setenv(EnvVar, "/tmp/x.db")
	if DefaultPath() != "/tmp/x.db" {
		t.Fatalf("DefaultPath() = %q", DefaultPath())
	}
}
