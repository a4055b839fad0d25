package notebooks_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// artifactsDir is where the browser tier leaves its screenshots:
// $SUPERSONIC_ARTIFACTS, or out/browser in the checkout.
func artifactsDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("SUPERSONIC_ARTIFACTS"); dir != "" {
		return dir
	}
	checkout, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(checkout, "out", "browser")
}

// checkReport turns an executed notebook into the HTML report nbconvert
// makes (what the main job writes to out/), opens it in Debian's chromium
// 1000 px wide (browser/report.mjs), saves a screenshot of the whole page
// as name.png in the artifacts and fails the test on every output that
// does not fit: an output that scrolls sideways, a chart or table wider
// than its cell, a chart's text or bars outside its frame.
func checkReport(t *testing.T, notebook, name string) {
	t.Helper()
	checkout, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(checkout, "notebooks", "browser", "node_modules", "puppeteer-core", "package.json")); err != nil {
		t.Fatalf("puppeteer-core is not installed in notebooks/browser (run ./install.sh): %v", err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	convert := exec.CommandContext(ctx, "/usr/bin/jupyter", "nbconvert", "--to", "html", "--output-dir", dir, "--output", name, notebook)
	if out, err := convert.CombinedOutput(); err != nil {
		t.Fatalf("converting %s to HTML: %v\n%s", notebook, err, out)
	}
	report := filepath.Join(dir, name+".html")
	shot := filepath.Join(artifactsDir(t), name+".png")
	cmd := exec.CommandContext(ctx, "node", filepath.Join(checkout, "notebooks", "browser", "report.mjs"), report, shot)
	cmd.Stderr = &testWriter{t: t, prefix: "report: "}
	out, err := cmd.Output()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var res struct {
		Outputs, Charts, Tables int
		Problems                []string
	}
	if jerr := json.Unmarshal([]byte(lines[len(lines)-1]), &res); jerr != nil {
		t.Fatalf("the report checker gave no result (%v): %v\n%s", err, jerr, out)
	}
	t.Logf("%s report: %d outputs, %d charts, %d tables checked at 1000 px; screenshot %s", name, res.Outputs, res.Charts, res.Tables, shot)
	if res.Outputs == 0 {
		t.Errorf("the HTML report of %s has no outputs to check", notebook)
	}
	for _, p := range res.Problems {
		t.Errorf("the HTML report of %s at 1000 px: %s", notebook, p)
	}
	if err != nil && len(res.Problems) == 0 {
		t.Errorf("the report checker failed: %v", err)
	}
}
