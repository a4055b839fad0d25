package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/supersonic-rl/supersonic/kernel/cellmod"
	"github.com/supersonic-rl/supersonic/kernel/wire"
)

// child is one running gonb kernel process and the proxy's sockets to it.
type child struct {
	cmd     *exec.Cmd
	conn    *wire.Connection
	dir     string // private runtime directory: connection file and gonb's TMPDIR
	shell   *wire.Socket
	control *wire.Socket
	stdin   *wire.Socket
	iopub   *wire.Socket
	done    chan struct{} // closed when the process has exited
	// goplsReady is closed once gonb answers Go completions (gopls takes
	// seconds to load the cell module after start-up).
	goplsReady chan struct{}
	exitErr    error // valid after done
}

// startChild starts gonb with a connection file of its own (loopback, fresh
// ports, fresh key, mode 0600) in a private directory, in its own process
// group, killed if the proxy dies, and connects the proxy's sockets to it.
func startChild(ctx context.Context, cfg *Config) (*child, error) {
	dir, err := os.MkdirTemp("", "supersonic-gonb-")
	if err != nil {
		return nil, fmt.Errorf("creating gonb's runtime directory: %w", err)
	}
	c := &child{dir: dir, done: make(chan struct{}), goplsReady: make(chan struct{})}
	fail := func(err error) (*child, error) {
		c.stop(2 * time.Second)
		return nil, err
	}
	c.conn, err = wire.NewLoopbackConnection()
	if err != nil {
		return fail(err)
	}
	c.conn.KernelName = "gonb"
	// gonb reads its Jupyter kernel id from the file name, and its widgets
	// accept only comm_open messages carrying that id: use the frontend's.
	kernelID := cfg.KernelID
	if kernelID == "" {
		kernelID = wire.NewID()
	}
	connFile := filepath.Join(dir, "kernel-"+kernelID+".json")
	if err := c.conn.Write(connFile); err != nil {
		return fail(err)
	}
	args := append([]string{"--kernel", connFile}, cfg.GonbArgs...)
	c.cmd = exec.Command(cfg.GonbPath, args...)
	c.cmd.Env = childEnv(cfg, dir)
	c.cmd.Stdout = os.Stderr // gonb logs; Jupyter collects the kernel's stderr
	c.cmd.Stderr = os.Stderr
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := c.cmd.Start(); err != nil {
		return fail(fmt.Errorf("starting gonb %s: %w", cfg.GonbPath, err))
	}
	slog.Debug("started gonb", "pid", c.cmd.Process.Pid, "dir", dir)
	go func() {
		c.exitErr = c.cmd.Wait()
		close(c.done)
	}()
	if err := c.dial(ctx, 60*time.Second); err != nil {
		return fail(err)
	}
	return c, nil
}

// childEnv is the proxy's environment plus gonb's TMPDIR, the directory of
// the gonb binary (with goimports and gopls) first on PATH, and -mod=mod.
// When the kernel binary can stand in for gopls (see RunGoplsShim), a
// directory holding a "gopls" link to it comes first on PATH.
func childEnv(cfg *Config, dir string) []string {
	env := gonbEnv(cfg, dir)
	if shim, real := goplsShim(cfg, dir); shim != "" {
		env = append(env, GoplsShimEnv+"="+real)
		for i, kv := range env {
			if v, ok := strings.CutPrefix(kv, "PATH="); ok {
				env[i] = "PATH=" + filepath.Dir(shim) + string(os.PathListSeparator) + v
			}
		}
	}
	return env
}

// goplsShim links dir/shim/gopls to the kernel binary and returns the link
// and the real gopls, or "" when there is no gopls to stand in for.
func goplsShim(cfg *Config, dir string) (link, real string) {
	if cfg.Self == "" {
		return "", ""
	}
	real = filepath.Join(filepath.Dir(cfg.GonbPath), "gopls")
	if _, err := os.Stat(real); err != nil {
		if real, err = exec.LookPath("gopls"); err != nil {
			return "", "" // gonb will say gopls is missing
		}
	}
	link = filepath.Join(dir, "shim", "gopls")
	if err := os.MkdirAll(filepath.Dir(link), 0o700); err != nil {
		slog.Warn("cannot set up the gopls shim", "err", err)
		return "", ""
	}
	if err := os.Symlink(cfg.Self, link); err != nil {
		slog.Warn("cannot set up the gopls shim", "err", err)
		return "", ""
	}
	return link, real
}

func gonbEnv(cfg *Config, dir string) []string {
	var env []string
	path, goflags := os.Getenv("PATH"), os.Getenv("GOFLAGS")
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "TMPDIR" || k == "PATH" || k == "GOFLAGS" {
			continue
		}
		env = append(env, kv)
	}
	if !strings.Contains(goflags, "-mod=") {
		goflags = strings.TrimSpace(goflags + " -mod=mod")
	}
	return append(env, "TMPDIR="+dir, "PATH="+filepath.Dir(cfg.GonbPath)+string(os.PathListSeparator)+path, "GOFLAGS="+goflags)
}

// dial connects the proxy's sockets to gonb, retrying until gonb listens,
// exits, or limit passes.
func (c *child) dial(ctx context.Context, limit time.Duration) error {
	signer := wire.NewSigner(c.conn.Key)
	// The shell and stdin dealers share one identity: gonb sends an
	// input_request on stdin to the identity of the shell request.
	id := zmq4.SocketIdentity("supersonic-" + wire.NewID()[:12])
	c.shell = &wire.Socket{Name: "gonb shell", Sock: zmq4.NewDealer(ctx, zmq4.WithID(id)), Signer: signer}
	c.stdin = &wire.Socket{Name: "gonb stdin", Sock: zmq4.NewDealer(ctx, zmq4.WithID(id)), Signer: signer}
	c.control = &wire.Socket{Name: "gonb control", Sock: zmq4.NewDealer(ctx), Signer: signer}
	c.iopub = &wire.Socket{Name: "gonb iopub", Sock: zmq4.NewSub(ctx), Signer: signer}
	for _, s := range []struct {
		sock *wire.Socket
		ch   wire.Channel
	}{{c.shell, wire.Shell}, {c.stdin, wire.Stdin}, {c.control, wire.Control}, {c.iopub, wire.IOPub}} {
		if err := c.dialOne(ctx, s.sock.Sock, c.conn.Endpoint(s.ch), limit); err != nil {
			return fmt.Errorf("connecting to gonb's %s channel: %w", s.ch, err)
		}
	}
	if err := c.iopub.Sock.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		return fmt.Errorf("subscribing to gonb's iopub: %w", err)
	}
	return nil
}

func (c *child) dialOne(ctx context.Context, sock zmq4.Socket, endpoint string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		err := sock.Dial(endpoint)
		if err == nil {
			return nil
		}
		select {
		case <-c.done:
			return fmt.Errorf("gonb exited before listening: %v", c.exitErr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gonb did not listen on %s within %s: %w", endpoint, limit, err)
		}
	}
}

// cellDir returns gonb's temporary cell-module directory.
func (c *child) cellDir() (string, error) {
	matches, err := filepath.Glob(filepath.Join(c.dir, "gonb_*", "go.mod"))
	if err != nil || len(matches) == 0 {
		return "", fmt.Errorf("gonb's cell module (gonb_*/go.mod) not found in %s", c.dir)
	}
	return filepath.Dir(matches[0]), nil
}

// prepareCellModule makes the checkout importable from cells.
func (c *child) prepareCellModule(checkout string) error {
	dir, err := c.cellDir()
	if err != nil {
		return err
	}
	if err := cellmod.Prepare(dir, checkout); err != nil {
		return fmt.Errorf("preparing gonb's cell module: %w", err)
	}
	slog.Debug("prepared gonb's cell module", "dir", dir, "checkout", checkout)
	return nil
}

// alive reports whether the gonb process is still running.
func (c *child) alive() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// closeSockets closes the proxy's sockets to gonb.
func (c *child) closeSockets() {
	for _, s := range []*wire.Socket{c.shell, c.control, c.stdin, c.iopub} {
		if s != nil {
			s.Close()
		}
	}
}

// stop waits up to grace for gonb to exit by itself (after a
// shutdown_request), then kills its process group and every descendant
// (gopls runs in a group of its own, and is adopted by the kernel if gonb
// died first), and removes the runtime directory.
func (c *child) stop(grace time.Duration) {
	if c.cmd != nil && c.cmd.Process != nil {
		pid := c.cmd.Process.Pid
		descendants := descendantsOf(pid)
		select {
		case <-c.done:
		case <-time.After(grace):
		}
		// Orphans of gonb (gopls) were adopted by the kernel as subreaper;
		// gonb is the kernel's only child, so all of them belong to it.
		orphans := descendantsOf(os.Getpid())
		killTree(pid, append(descendants, orphans...))
		defer reap(without(orphans, pid)) // os/exec waits for gonb itself
		select {
		case <-c.done:
		case <-time.After(5 * time.Second):
			slog.Error("gonb did not exit after SIGKILL", "pid", pid)
		}
	}
	c.closeSockets()
	if err := os.RemoveAll(c.dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		slog.Warn("removing gonb's runtime directory", "dir", c.dir, "err", err)
	}
}
