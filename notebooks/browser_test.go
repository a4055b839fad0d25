package notebooks_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBrowser runs the quickstart in Jupyter Notebook 6 in Debian's
// chromium (headless, driven by puppeteer-core from browser/, installed
// by install.sh) as a user does: it runs the cells, watches the live chart
// change in place, clicks Stop, checks that the chart, the leaderboard and
// the summary name the same winner and score, and saves screenshots in
// $SUPERSONIC_ARTIFACTS (default out/browser in the checkout).
// SUPERSONIC_README_IMAGE, when set, receives the search cell's
// screenshot (the README's picture is taken this way).
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("-short runs only the quickstart through nbclient")
	}
	checkout, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	driver := filepath.Join(checkout, "notebooks", "browser", "drive.mjs")
	if _, err := os.Stat(filepath.Join(checkout, "notebooks", "browser", "node_modules", "puppeteer-core", "package.json")); err != nil {
		t.Fatalf("puppeteer-core is not installed in notebooks/browser (run ./install.sh): %v", err)
	}
	for _, tool := range []string{"/usr/bin/chromium", "/usr/bin/jupyter-notebook", "node"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (run ./install.sh): %v", tool, err)
		}
	}
	artifacts := artifactsDir(t)
	dir := t.TempDir()
	const notebook = "00-quickstart.ipynb"
	src, err := os.ReadFile(notebook)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, notebook), src, 0o644); err != nil {
		t.Fatal(err)
	}
	url := startNotebookServer(t, dir)

	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", driver, url+"/notebooks/"+notebook+"?token="+token, artifacts)
	if img := os.Getenv("SUPERSONIC_README_IMAGE"); img != "" {
		cmd.Args = append(cmd.Args, img)
	}
	cmd.Stderr = &testWriter{t: t, prefix: "browser: "}
	out, err := cmd.Output()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var report struct {
		Cells []struct {
			Index   int
			Source  string
			Seconds float64
			Errors  []string
		}
		Search *struct {
			Frames             int
			MaxCharts          int
			ClickedStop        bool
			FirstOutputSeconds float64
			StopSeconds        float64
			Agreed             map[string][]string
		}
		Problems []string
	}
	if jerr := json.Unmarshal([]byte(lines[len(lines)-1]), &report); jerr != nil {
		t.Fatalf("the browser driver gave no report (%v): %v\n%s", err, jerr, out)
	}
	for _, c := range report.Cells {
		t.Logf("cell %d %q: %.1fs", c.Index, c.Source, c.Seconds)
	}
	if s := report.Search; s != nil {
		t.Logf("search: first output after %.1fs, %d chart frames, Stop clicked after %.1fs, numbers %v", s.FirstOutputSeconds, s.Frames, s.StopSeconds, s.Agreed)
	}
	for _, p := range report.Problems {
		t.Error(p)
	}
	if report.Search == nil {
		t.Error("the notebook's search cell was not watched")
	}
	if err != nil && len(report.Problems) == 0 {
		t.Errorf("the browser driver failed: %v", err)
	}
	t.Logf("screenshots in %s", artifacts)
	// The notebook as the browser left it (Stop clicked), as an HTML report.
	checkReport(t, filepath.Join(dir, notebook), "00-quickstart-browser-report")
}

// token is the notebook server's access token for this test.
var token = func() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}()

// startNotebookServer runs Jupyter Notebook on dir on a free loopback
// port until the test ends, with a fresh run store, and returns its URL.
func startNotebookServer(t *testing.T, dir string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	args := []string{"--no-browser", "--ip=127.0.0.1", fmt.Sprintf("--port=%d", port),
		"--NotebookApp.token=" + token, "--notebook-dir=" + dir, "--NotebookApp.port_retries=0"}
	if os.Geteuid() == 0 {
		args = append(args, "--allow-root") // CI containers run as root
	}
	cmd := exec.Command("/usr/bin/jupyter-notebook", args...)
	cmd.Env = append(os.Environ(), "SUPERSONIC_DB="+filepath.Join(dir, "runs.db"), "JUPYTER_RUNTIME_DIR="+filepath.Join(dir, "runtime"),
		"SUPERSONIC_HISTORY=off")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	log, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting jupyter-notebook: %v", err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) // the server shuts its kernels down
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		log.Close()
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/api/status?token=" + token)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "server.log"))
	t.Fatalf("jupyter-notebook did not answer at %s within 2 minutes:\n%s", url, data)
	return ""
}

// testWriter logs what is written to it, line by line.
type testWriter struct {
	t      *testing.T
	prefix string
}

func (w *testWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		w.t.Log(w.prefix + line)
	}
	return len(p), nil
}
