package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/kernel/cellmod"
	// The kernel under test is built from these packages: importing them
	// makes go test's result cache notice when they change.
	_ "github.com/supersonic-rl/supersonic/kernel/kernelspec"
	_ "github.com/supersonic-rl/supersonic/kernel/magic"
	_ "github.com/supersonic-rl/supersonic/kernel/proxy"
)

const modulePath = "github.com/supersonic-rl/supersonic"

// env is what the tests share: a freshly built kernel registered in a
// temporary JUPYTER_PATH.
var env struct {
	skip       string // why the end-to-end tests cannot run
	checkout   string
	gonb       string
	supersonic string
	jupyter    string // JUPYTER_PATH holding the kernelspec
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "supersonic-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := setUp(dir); err != nil {
		fmt.Fprintln(os.Stderr, "e2e set-up:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func setUp(dir string) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	env.checkout = cellmod.FindCheckout(wd, modulePath)
	if env.checkout == "" {
		return fmt.Errorf("no checkout of %s above %s", modulePath, wd)
	}
	env.gonb = filepath.Join(env.checkout, "bin", "gonb")
	if _, err := os.Stat(env.gonb); err != nil {
		if p, err := exec.LookPath("gonb"); err == nil {
			env.gonb = p
		} else {
			env.skip = "gonb is not installed (bin/gonb nor on PATH): run ./install.sh, which always installs it"
			return nil
		}
	}
	for _, tool := range []string{"goimports", "gopls"} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(env.gonb), tool)); err != nil {
			if _, err := exec.LookPath(tool); err != nil {
				env.skip = tool + " is not installed next to gonb nor on PATH: run ./install.sh"
				return nil
			}
		}
	}
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		env.skip = "/usr/bin/python3 (with jupyter_client) is missing: run ./install.sh"
		return nil
	}
	env.supersonic = filepath.Join(dir, "supersonic")
	build := exec.Command("go", "build", "-o", env.supersonic, "./kernel/cmd/supersonic")
	build.Dir = env.checkout
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the kernel: %v\n%s", err, out)
	}
	prefix := filepath.Join(dir, "jupyter-prefix")
	install := exec.Command(env.supersonic, "install", "--prefix", prefix, "--gonb", env.gonb, "--checkout", env.checkout)
	if out, err := install.CombinedOutput(); err != nil {
		return fmt.Errorf("installing the kernelspec: %v\n%s", err, out)
	}
	env.jupyter = filepath.Join(prefix, "share", "jupyter")
	return nil
}

func requireKernel(t testing.TB) {
	t.Helper()
	if env.skip != "" {
		t.Skip(env.skip)
	}
}

// runPython runs testdata/scenarios.py with args against the temporary
// kernelspec and fails the test with its output when it fails.
func runPython(t *testing.T, args ...string) string {
	t.Helper()
	requireKernel(t)
	// Read the script (and notebooks) here so that go test's result cache
	// notices when they change.
	files := []string{"testdata/scenarios.py"}
	if args[0] == "quickstart" {
		files = append(files, args[1])
	}
	for _, f := range files {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", append([]string{"testdata/scenarios.py"}, args...)...)
	cmd.Env = append(os.Environ(), "JUPYTER_PATH="+env.jupyter, "JUPYTER_RUNTIME_DIR="+t.TempDir(), "PYTHONUNBUFFERED=1",
		"SUPERSONIC_HISTORY="+filepath.Join(t.TempDir(), "history.jsonl"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scenarios.py %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestKernel(t *testing.T) {
	// Scenarios in one group share a kernel; the lifecycle ones end theirs.
	for _, group := range [][]string{
		{"plain", "help", "malformed", "bad_signature", "complete", "stdin"},
		{"list", "display", "comm"},
		{"failures"}, {"protocol"},
		{"interrupt", "compile_interrupt"}, {"gonb_dies"}, {"restart"}, {"shutdown"}, {"frontend_dies"}, {"first_completion", "kill9"}, {"soak"},
	} {
		t.Run(strings.Join(group, "+"), func(t *testing.T) {
			out := runPython(t, group...)
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if strings.HasPrefix(line, "ok:") || strings.HasPrefix(line, "soak:") || strings.HasPrefix(line, "== ") || strings.HasPrefix(line, "interrupt answered") || strings.Contains(line, "dropped a message") {
					t.Log(line)
				}
			}
		})
	}
}

func TestQuickstartNotebook(t *testing.T) {
	requireKernel(t)
	nb := filepath.Join(env.checkout, "notebooks", "00-quickstart.ipynb")
	// nbclient writes nothing: the notebook is executed in memory.
	runPython(t, "quickstart", nb)
}
