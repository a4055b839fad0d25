package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/kernel/cellmod"
	"github.com/supersonic-rl/supersonic/kernel/client"
	"github.com/supersonic-rl/supersonic/kernel/wire"
)

// trivialCell is the cell timed by the execute benchmarks.
const trivialCell = "%%\nx := 1\n_ = x"

// BenchmarkRoundTrip measures, side by side in one run, the round trip of
// kernel_info and of executing a trivial Go cell through Supersonic and
// directly against a gonb started the same way (same binary, same prepared
// cell module), both driven by the Go client of package client. Each
// iteration times one request to each kernel, alternating which goes first,
// so that the machine's changing load hits both alike; it reports
// gonb-ms/op, supersonic-ms/op and their difference overhead-ms/op (ns/op
// is the time of the pair).
func BenchmarkRoundTrip(b *testing.B) {
	requireKernel(b)
	ctx := context.Background()
	direct := startDirectGonb(b, ctx)
	proxied := startSupersonic(b, ctx)
	for _, c := range []*client.Client{direct, proxied} {
		if r, err := c.Execute(ctx, trivialCell); err != nil || r.Status != "ok" { // warm the build cache
			b.Fatalf("warm-up cell: %v %+v", err, r)
		}
	}
	for _, op := range []struct {
		name string
		run  func(*client.Client) (*client.Reply, error)
	}{
		{"kernel_info", func(c *client.Client) (*client.Reply, error) { return c.KernelInfo(ctx) }},
		{"execute", func(c *client.Client) (*client.Reply, error) { return c.Execute(ctx, trivialCell) }},
	} {
		b.Run(op.name, func(b *testing.B) {
			var spent [2]time.Duration // direct, proxied
			clients := [2]*client.Client{direct, proxied}
			i := 0
			for b.Loop() {
				for j := range 2 {
					k := (i + j) % 2
					start := time.Now()
					r, err := op.run(clients[k])
					spent[k] += time.Since(start)
					if err != nil || r.Status != "ok" {
						b.Fatalf("%s: %v %+v", op.name, err, r)
					}
				}
				i++
			}
			n := float64(b.N)
			b.ReportMetric(float64(spent[0].Microseconds())/1e3/n, "gonb-ms/op")
			b.ReportMetric(float64(spent[1].Microseconds())/1e3/n, "supersonic-ms/op")
			b.ReportMetric(float64((spent[1]-spent[0]).Microseconds())/1e3/n, "overhead-ms/op")
		})
	}
}

// newConnectionFile writes a fresh loopback connection file named like
// Jupyter's in a new directory.
func newConnectionFile(tb testing.TB) (string, *wire.Connection) {
	conn, err := wire.NewLoopbackConnection()
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "kernel-"+wire.NewID()+".json")
	if err := conn.Write(path); err != nil {
		tb.Fatal(err)
	}
	return path, conn
}

// startDirectGonb runs gonb as the Supersonic kernel runs it, without the
// proxy, and prepares its cell module the same way.
func startDirectGonb(tb testing.TB, ctx context.Context) *client.Client {
	file, conn := newConnectionFile(tb)
	tmp := tb.TempDir()
	cmd := exec.Command(env.gonb, "--kernel", file, "--logtostderr=false", "--stderrthreshold=WARNING")
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "PATH="+filepath.Dir(env.gonb)+":"+os.Getenv("PATH"), "GOFLAGS=-mod=mod")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = os.Stderr
	c := launch(tb, ctx, cmd, conn)
	mods, _ := filepath.Glob(filepath.Join(tmp, "gonb_*", "go.mod"))
	if len(mods) != 1 {
		tb.Fatalf("gonb's cell module not found in %s", tmp)
	}
	if err := cellmod.Prepare(filepath.Dir(mods[0]), env.checkout); err != nil {
		tb.Fatal(err)
	}
	return c
}

// startSupersonic runs the freshly built Supersonic kernel.
func startSupersonic(tb testing.TB, ctx context.Context) *client.Client {
	file, conn := newConnectionFile(tb)
	cmd := exec.Command(env.supersonic, "kernel", "--connection-file", file, "--gonb", env.gonb, "--checkout", env.checkout)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = filteredStderr{}
	return launch(tb, ctx, cmd, conn)
}

// launch starts cmd, connects a client and registers the shutdown.
func launch(tb testing.TB, ctx context.Context, cmd *exec.Cmd, conn *wire.Connection) *client.Client {
	if err := cmd.Start(); err != nil {
		tb.Fatalf("starting %s: %v", cmd.Path, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	c, err := client.Dial(ctx, conn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = c.Shutdown(sctx)
		c.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	})
	readyCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := c.WaitReady(readyCtx); err != nil {
		tb.Fatalf("%s: %v", cmd.Path, err)
	}
	return c
}

// filteredStderr passes the kernel's warnings and errors to stderr.
type filteredStderr struct{}

func (filteredStderr) Write(p []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
			os.Stderr.WriteString(line)
		}
	}
	return len(p), nil
}
