package cluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/supersonic-rl/supersonic/rlcore"
	_ "github.com/supersonic-rl/supersonic/rlcore/all"
	"github.com/supersonic-rl/supersonic/rlcore/internal/testproc"
	"github.com/supersonic-rl/supersonic/rlcore/search"
)

// A test binary started with workerEnv = URL is a worker process: the
// fault tests kill real processes.
const workerEnv = "SUPERSONIC_CLUSTER_TEST_WORKER"

func TestMain(m *testing.M) {
	if url := os.Getenv(workerEnv); url != "" {
		nc, err := Conn{URL: url}.Connect()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		conc, _ := strconv.Atoi(os.Getenv(workerEnv + "_CONCURRENCY"))
		err = Serve(context.Background(), nc, WorkerOptions{Name: os.Getenv(workerEnv + "_NAME"), Concurrency: max(conc, 1), CacheDir: os.Getenv(workerEnv + "_CACHE")})
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if url := os.Getenv(coordinatorEnv); url != "" {
		os.Exit(runCoordinator(url, os.Getenv(coordinatorEnv+"_STORE")))
	}
	os.Exit(m.Run())
}

// noopProblem is a task whose episodes cost nothing: jobs on it measure
// the executors' own overhead.
type noopProblem struct{}

func (noopProblem) Task() string      { return "cluster-noop" }
func (noopProblem) Actions() []string { return []string{"a", "b"} }
func (noopProblem) Benchmarks(_ context.Context, spec string) ([]string, error) {
	return []string{spec}, nil
}
func (noopProblem) NewEpisode(_ context.Context, b string) (rlcore.Episode, error) {
	return &noopEpisode{bench: b}, nil
}
func (noopProblem) Close() error { return nil }

type noopEpisode struct {
	bench string
	q     float64
}

func (e *noopEpisode) Benchmark() string                                { return e.bench }
func (e *noopEpisode) Apply(_ context.Context, a int) error             { e.q += float64(a); return nil }
func (e *noopEpisode) Measure(context.Context, string) (float64, error) { return e.q, nil }
func (e *noopEpisode) Quality(context.Context) (float64, error)         { return e.q, nil }
func (e *noopEpisode) Fork(context.Context) (rlcore.Episode, error)     { c := *e; return &c, nil }
func (e *noopEpisode) Close() error                                     { return nil }

// sleepyProblem is a task whose every action takes 25 ms and no CPU:
// its pulls last long enough to be in flight when a process is killed.
type sleepyProblem struct{ noopProblem }

func (sleepyProblem) Task() string { return "cluster-sleep" }
func (sleepyProblem) NewEpisode(_ context.Context, b string) (rlcore.Episode, error) {
	return &sleepyEpisode{noopEpisode{bench: b}}, nil
}

type sleepyEpisode struct{ noopEpisode }

func (e *sleepyEpisode) Apply(ctx context.Context, a int) error {
	time.Sleep(25 * time.Millisecond)
	return e.noopEpisode.Apply(ctx, a)
}
func (e *sleepyEpisode) Fork(context.Context) (rlcore.Episode, error) { c := *e; return &c, nil }

func init() {
	rlcore.RegisterTask(&rlcore.Task{Name: "cluster-sleep", Doc: "episodes whose actions take 25 ms (cluster tests)",
		Open: func(context.Context, rlcore.OpenConfig) (rlcore.Problem, error) { return sleepyProblem{}, nil }})
	rlcore.RegisterTask(&rlcore.Task{Name: "cluster-noop", Doc: "episodes that cost nothing (cluster tests)",
		Open: func(context.Context, rlcore.OpenConfig) (rlcore.Problem, error) { return noopProblem{}, nil }})
}

func noopJob(id string, bench string) search.Job {
	return search.Job{ID: id, Kind: search.JobPull, Task: "cluster-noop", Horizon: 1, Seed: 1, Budget: rlcore.Budget{Steps: 1},
		Arm:        rlcore.Arm{State: "action-history(1)", Reward: "quality", Actions: "all", Transition: "apply", Algorithm: "random"},
		Benchmarks: []string{bench}}
}

// cluster is a NATS server in this process and workers.
type testCluster struct {
	t       testing.TB
	srv     *Server
	listen  string
	store   string
	workers map[string]*exec.Cmd
}

func newCluster(t testing.TB) *testCluster {
	c := &testCluster{t: t, store: t.TempDir(), workers: map[string]*exec.Cmd{}}
	s, err := StartServer(ServerOptions{Listen: "127.0.0.1:0", StoreDir: c.store})
	if err != nil {
		t.Fatal(err)
	}
	c.srv = s
	c.listen = strings.TrimPrefix(s.URL(), "nats://")
	t.Cleanup(func() {
		for _, w := range c.workers {
			w.Process.Kill()
			w.Wait()
		}
		if c.srv != nil {
			c.srv.Close()
		}
	})
	return c
}

func (c *testCluster) url() string { return "nats://" + c.listen }

// startWorker starts a worker process (this test binary).
func (c *testCluster) startWorker(name string, concurrency int) {
	cmd := testproc.Command(workerEnv+"="+c.url(), workerEnv+"_NAME="+name, workerEnv+"_CONCURRENCY="+strconv.Itoa(concurrency),
		workerEnv+"_CACHE="+c.t.TempDir())
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	c.workers[name] = cmd
}

// waitWorkers waits until n workers answer.
func (c *testCluster) waitWorkers(nc *nats.Conn, n int) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if ws, _ := Workers(context.Background(), nc, 300*time.Millisecond); len(ws) >= n {
			return
		}
	}
	c.t.Fatalf("fewer than %d workers answered within 60s", n)
}

// executor is a coordinator's executor on the cluster, closed at the end
// of the test.
func (c *testCluster) executor(ctx context.Context, nc *nats.Conn, o Options) *Executor {
	e, err := New(ctx, nc, o)
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(e.Close)
	return e
}

func (c *testCluster) connect() *nats.Conn {
	nc, err := Conn{URL: c.url()}.Connect()
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(nc.Close)
	return nc
}

func TestJobsRunOnAWorkerAndUnknownTasksAreRefused(t *testing.T) {
	c := newCluster(t)
	nc := c.connect()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go Serve(ctx, nc, WorkerOptions{Name: "w-in-process", Concurrency: 2, CacheDir: t.TempDir()})
	e := c.executor(ctx, nc, Options{})
	c.waitWorkers(nc, 1)
	if n := e.Capacity(ctx); n != 2 {
		t.Fatalf("capacity %d, want the worker's 2 slots", n)
	}
	// A benchmark that is a file here travels through the object store
	// and comes back under its own name.
	file := t.TempDir() + "/prog.ll"
	os.WriteFile(file, []byte("; a file"), 0o644)
	var events int
	r := e.Run(ctx, noopJob("t.1", file), func(rlcore.Event) { events++ })
	if r.Runner != "w-in-process" || r.Pull == nil || !r.Pull.OK() {
		t.Fatalf("result %+v (pull %+v)", r, r.Pull)
	}
	if _, ok := r.Pull.PerBenchmark[file]; !ok {
		t.Fatalf("per-benchmark scores %v, want the coordinator's name %s", r.Pull.PerBenchmark, file)
	}
	bad := noopJob("t.2", "b")
	bad.Task = "no-such-task"
	r = e.Run(ctx, bad, nil)
	if r.Pull == nil || r.Pull.OK() || r.Pull.Err == nil || !strings.Contains(r.Pull.Err.Error(), "refused") || !strings.Contains(r.Pull.Err.Error(), "no-such-task") {
		t.Fatalf("a job for a task the worker lacks: %+v", r.Pull)
	}
	// Cancelling returns an interrupted result promptly.
	slow := noopJob("t.3", "b")
	slow.Budget = rlcore.Budget{Duration: time.Minute}
	cctx, ccancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer ccancel()
	start := time.Now()
	r = e.Run(cctx, slow, nil)
	if r.Pull.Status != "interrupted" && r.Pull.Status != "ok" || time.Since(start) > 10*time.Second {
		t.Fatalf("cancelled job: %+v after %v", r.Pull, time.Since(start))
	}
}

func TestOpenEmbeddedRunsJobsOnLoopback(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, Embedded, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if u := e.nc.ConnectedUrl(); !strings.HasPrefix(u, "nats://127.0.0.1:") {
		t.Fatalf("embedded server at %s, want loopback", u)
	}
	if r := e.Run(ctx, noopJob("embedded.1", "n0"), nil); r.Pull == nil || !r.Pull.OK() || !strings.HasSuffix(r.Runner, "-embedded") {
		t.Fatalf("%+v on %q", r.Pull, r.Runner)
	}
	ws, err := e.Workers(ctx)
	if err != nil || len(ws) != 1 || ws[0].Done != 1 || !strings.Contains(WorkersTable(ws), "cluster-noop") {
		t.Fatalf("workers %+v (%v)", ws, err)
	}
}
