package store

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
	"github.com/supersonic-rl/supersonic/rlcore/internal/testproc"
)

// TestMain lets the test binary act as a second client of a store
// (STORE_TEST_HELPER=owner: create a run, print its id, wait to be killed).
func TestMain(m *testing.M) {
	if os.Getenv("STORE_TEST_HELPER") == "owner" {
		s, err := Open(os.Getenv("STORE_TEST_DB"))
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		ctx := context.Background()
		id, err := s.CreateRun(ctx, Run{Name: "killed", Kind: KindSearch, Task: "synthetic"})
		if err == nil {
			_, err = s.AddPull(ctx, Pull{Run: id, Seq: 0, Arm: "a", Score: 0.5, Status: PullOK})
		}
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(2)
		}
		fmt.Println(id)
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Issue 18, item 4: a run whose process is killed (kill -9) was left
// "running" forever. Now the next Open marks it abandoned and keeps its
// pulls, and leaves the runs of live owners alone.
func TestKilledOwnerRunIsAbandonedOnOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "runs.db")
	live, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	liveID, err := live.CreateRun(ctx, Run{Name: "alive", Kind: KindSearch})
	if err != nil {
		t.Fatal(err)
	}
	live.Close()

	cmd := testproc.Command("STORE_TEST_HELPER=owner", "STORE_TEST_DB="+path)
	line := testproc.StartAndReadLine(t, cmd)
	id, err := strconv.ParseInt(line, 10, 64)
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("helper said %q", line)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.FindRun(ctx, strconv.FormatInt(id, 10), "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusAbandoned || !strings.Contains(r.Error, "ended without finishing") || r.Finished.IsZero() {
		t.Fatalf("killed run: status %q, error %q, finished %v; want abandoned with the reason", r.Status, r.Error, r.Finished)
	}
	if r.Owner.PID != cmd.Process.Pid || r.Owner.Host == "" || r.Owner.Start == "" {
		t.Errorf("owner %+v, want pid %d with host and start time", r.Owner, cmd.Process.Pid)
	}
	if ps, err := s.Pulls(ctx, id, false); err != nil || len(ps) != 1 {
		t.Fatalf("the abandoned run kept %d pulls (%v), want 1", len(ps), err)
	}
	if len(s.Abandoned) != 1 || s.Abandoned[0].ID != id {
		t.Errorf("Store.Abandoned = %+v, want run %d", s.Abandoned, id)
	}
	if r, _ := s.FindRun(ctx, strconv.FormatInt(liveID, 10), ""); r.Status != StatusRunning {
		t.Errorf("the run of this live process became %q", r.Status)
	}
}

// A run owned by a process on another host is judged by its heartbeat.
func TestStaleHeartbeatOfRemoteOwner(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	remote := Owner{PID: 1, Host: "elsewhere.invalid", Start: "1"}
	fresh, _ := s.CreateRun(ctx, Run{Name: "fresh", Kind: KindSearch, Owner: remote})
	stale, _ := s.CreateRun(ctx, Run{Name: "stale", Kind: KindSearch, Owner: remote})
	old := time.Now().Add(-StaleAfter - time.Minute).UTC().Format(time.RFC3339Nano)
	if _, err := s.DB().Exec(`UPDATE runs SET heartbeat=? WHERE id=?`, old, stale); err != nil {
		t.Fatal(err)
	}
	if err := s.markAbandoned(ctx); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int64]string{fresh: StatusRunning, stale: StatusAbandoned} {
		r, _ := s.FindRun(ctx, strconv.FormatInt(id, 10), "")
		if r.Status != want {
			t.Errorf("run %s: status %q, want %q (%s)", r.Name, r.Status, want, r.Error)
		}
	}
	if err := s.Heartbeat(ctx, fresh); err != nil {
		t.Fatal(err)
	}
}

// Issue 18, item 8: a write lock held by another client for longer than
// SQLite's busy timeout dropped the pull (the write failed with
// SQLITE_BUSY and the search only logged a WARN). Now the write retries
// with backoff and lands once the lock is released. The other client is
// the sqlite3 CLI holding BEGIN IMMEDIATE.
func TestWriteOutlastsAnotherProcessLock(t *testing.T) {
	cli, err := exec.LookPath("sqlite3")
	if err != nil {
		t.Skip("sqlite3 CLI not installed (install.sh installs it)")
	}
	defer func(d time.Duration) { busyTimeout = d }(busyTimeout)
	busyTimeout = 200 * time.Millisecond // SQLite's own wait, shortened for the test
	s := openTemp(t)
	ctx := context.Background()
	run, err := s.CreateRun(ctx, Run{Name: "locked", Kind: KindSearch})
	if err != nil {
		t.Fatal(err)
	}
	hold := 3 * time.Second // well past the busy timeout, and past a loaded machine's scheduling delays
	lock := exec.Command(cli, s.Path())
	lock.Stdin = strings.NewReader(fmt.Sprintf("BEGIN IMMEDIATE;\nUPDATE runs SET error='x' WHERE id=%d;\n.print locked\n.shell sleep %g\nCOMMIT;\n", run, hold.Seconds()))
	out, err := lock.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := lock.Start(); err != nil {
		t.Fatal(err)
	}
	defer lock.Wait()
	if l, err := bufio.NewReader(out).ReadString('\n'); err != nil || strings.TrimSpace(l) != "locked" {
		t.Fatalf("sqlite3 said %q, %v", l, err)
	}
	start := time.Now()
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := s.AddPull(wctx, Pull{Run: run, Arm: "a", Score: 1, Status: PullOK, Curve: []rlcore.CurvePoint{{Step: 1, Best: 1}}}); err != nil {
		t.Fatalf("the pull was dropped: %v", err)
	}
	if waited := time.Since(start); waited < busyTimeout {
		t.Errorf("the write did not wait for the lock (%v)", waited)
	}
	ps, err := s.Pulls(ctx, run, true)
	if err != nil || len(ps) != 1 || len(ps[0].Curve) != 1 {
		t.Fatalf("pulls %+v, %v: want the one pull with its curve", ps, err)
	}

	// A write whose context ends while the lock is held says so.
	lock2 := exec.Command(cli, s.Path())
	lock2.Stdin = strings.NewReader(".print locked\nBEGIN IMMEDIATE;\nUPDATE runs SET error='y';\n.print locked\n.shell sleep 2\nCOMMIT;\n")
	out2, _ := lock2.StdoutPipe()
	if err := lock2.Start(); err != nil {
		t.Fatal(err)
	}
	defer lock2.Wait()
	r2 := bufio.NewReader(out2)
	r2.ReadString('\n')
	r2.ReadString('\n')
	short, cancel2 := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel2()
	_, err = s.AddPull(short, Pull{Run: run, Arm: "a", Score: math.NaN(), Status: PullFailed})
	if err == nil || !strings.Contains(err.Error(), "stayed locked") {
		t.Fatalf("err = %v, want one saying the store stayed locked", err)
	}
}

// A store written by an older schema is upgraded in place: its runs,
// pulls, policies and statuses stay, and the new columns have their
// defaults.
func TestUpgradeFromOldSchemas(t *testing.T) {
	for _, version := range []int{1, 2} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			ddl, err := os.ReadFile(fmt.Sprintf("testdata/schema-v%d.sql", version))
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "old.db")
			old, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			db := old.DB()
			for _, q := range []string{"DROP TABLE baselines", "DROP TABLE deployments", "DROP TABLE policies", "DROP TABLE tuned",
				"DROP TABLE curves", "DROP TABLE pulls", "DROP TABLE arms", "DROP TABLE runs", string(ddl), fmt.Sprintf("PRAGMA user_version = %d", version),
				`INSERT INTO runs (name, kind, status, started) VALUES ('old', 'search', 'finished', '2026-01-01T00:00:00Z')`,
				`INSERT INTO arms (run, idx, name, state, reward, actions, transition, algorithm) VALUES (1, 0, 'a', 's', 'r', 'x', 't', 'ppo')`,
				`INSERT INTO pulls (run, seq, arm, worker, seed, status, started, score) VALUES (1, 0, 'a', 0, 1, 'ok', '2026-01-01T00:00:00Z', 0.75)`,
				`INSERT INTO policies (run, pull, arm, weights, created) VALUES (1, 1, 'a', x'0102', '2026-01-01T00:00:00Z')`,
				`INSERT INTO deployments (run, benchmark, arm) VALUES (1, 'b', 'a')`,
			} {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%.40s: %v", q, err)
				}
			}
			old.Close()
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			r, err := s.FindRun(ctx, "old", "")
			if err != nil || r.Status != StatusFinished {
				t.Fatalf("old run %+v, %v", r, err)
			}
			ps, err := s.Pulls(ctx, r.ID, false)
			if err != nil || len(ps) != 1 || ps[0].Score != 0.75 || ps[0].FailedEpisodes != 0 {
				t.Fatalf("old pulls %+v, %v", ps, err)
			}
			pol, err := s.BestPolicy(ctx, r.ID, "a")
			if err != nil || len(pol.Weights) != 2 || pol.Source != "" || pol.Pull != 1 || !math.IsNaN(pol.Score) {
				t.Fatalf("old policy %+v, %v", pol, err)
			}
			ds, err := s.Deployments(ctx, r.ID)
			if err != nil || len(ds) != 1 || ds[0].Policy != 0 || ds[0].Weights != "" {
				t.Fatalf("old deployments %+v, %v", ds, err)
			}
			id, err := s.CreateRun(ctx, Run{Name: "new", Kind: KindTrain})
			if err != nil {
				t.Fatalf("the train kind is refused after the upgrade: %v", err)
			}
			if err := s.FinishRun(ctx, id, StatusAbandoned, nil); err != nil {
				t.Fatalf("the abandoned status is refused after the upgrade: %v", err)
			}
			var fk int
			if err := s.DB().QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
				t.Errorf("foreign keys %d after the upgrade, %v", fk, err)
			}
			var v int
			s.DB().QueryRow("PRAGMA user_version").Scan(&v)
			if v != SchemaVersion {
				t.Errorf("user_version %d", v)
			}
		})
	}
}

func TestFailedEpisodesRoundTrip(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	run, _ := s.CreateRun(ctx, Run{Name: "x", Kind: KindSearch})
	if err := s.AddArms(ctx, []Arm{{Run: run, Index: 0, Name: "a"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateArm(ctx, Arm{Run: run, Index: 0, Name: "a", Pulls: 1, FailedEpisodes: 7, Status: "active", Mean: 1, Best: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddPull(ctx, Pull{Run: run, Arm: "a", Status: PullOK, Score: 1, Episodes: 10, FailedEpisodes: 7, EpisodeErrors: []string{"boom 1", "boom 2"}}); err != nil {
		t.Fatal(err)
	}
	ps, _ := s.Pulls(ctx, run, false)
	as, _ := s.Arms(ctx, run)
	if len(ps) != 1 || ps[0].FailedEpisodes != 7 || len(ps[0].EpisodeErrors) != 2 || ps[0].EpisodeErrors[1] != "boom 2" || as[0].FailedEpisodes != 7 {
		t.Fatalf("pulls %+v arms %+v", ps, as)
	}
}
