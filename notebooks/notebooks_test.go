// Package notebooks_test executes every notebook of the project through the
// installed Supersonic kernel with the real Jupyter client (nbclient), the
// way a user's JupyterLab or nbconvert does, and fails on any cell error.
// Without -short it also reads the quickstart's HTML report in Debian's
// chromium and drives the quickstart in Jupyter Notebook there (the
// browser tier: browser_test.go, report_test.go, browser/).
package notebooks_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type cellSummary struct {
	Index    int
	Source   string
	Reply    cellReply
	Messages map[string]int
	Errors   []string
	Stdout   string
	Stderr   string
}

// cellReply is what a cell's execute_reply said.
type cellReply struct {
	Status         string
	EName, EValue  string
	ExecutionCount *int `json:"execution_count"`
}

type summary struct {
	Failed *string
	Cells  []cellSummary
}

// execute runs notebook through the supersonic kernel with a fresh run
// store and returns what every code cell produced.
func execute(t *testing.T, notebook string) []cellSummary {
	t.Helper()
	if out, err := exec.Command("/usr/bin/python3", "-c",
		"from jupyter_client.kernelspec import KernelSpecManager as M; print(M().find_kernel_specs())").CombinedOutput(); err != nil || !strings.Contains(string(out), "supersonic") {
		t.Fatalf("the Jupyter kernelspec 'supersonic' is not installed (run ./install.sh): %v\n%s", err, out)
	}
	dir := t.TempDir()
	cmd := exec.Command("/usr/bin/python3", "testdata/execute.py", notebook,
		filepath.Join(dir, "executed.ipynb"), filepath.Join(dir, "summary.json"))
	cmd.Env = append(os.Environ(), "SUPERSONIC_DB="+filepath.Join(dir, "runs.db"))
	out, runErr := cmd.CombinedOutput()
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatalf("executing %s: %v\n%s", notebook, runErr, out)
	}
	var s summary
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	for _, c := range s.Cells {
		for _, e := range c.Errors {
			t.Errorf("%s cell %d failed: %s\ncell:\n%s\nstderr:\n%s", notebook, c.Index, e, c.Source, c.Stderr)
		}
		// The reply is what Run All and nbconvert go by: an error shown in
		// the output but replied "ok" would let the next cells run.
		if c.Reply.Status != "ok" && len(c.Errors) == 0 && s.Failed == nil {
			t.Errorf("%s cell %d replied status %q (%s: %s)\ncell:\n%s\nstderr:\n%s", notebook, c.Index, c.Reply.Status, c.Reply.EName, c.Reply.EValue, c.Source, c.Stderr)
		}
	}
	if s.Failed != nil && !t.Failed() {
		t.Errorf("%s failed: %s", notebook, *s.Failed)
	}
	if !testing.Short() && reportChecked[notebook] {
		// What the main job writes to out/: the executed notebook as an
		// HTML report, read 1000 px wide.
		checkReport(t, filepath.Join(dir, "executed.ipynb"), strings.TrimSuffix(notebook, ".ipynb")+"-report")
	}
	return s.Cells
}

// reportChecked are the notebooks whose HTML report is read in chromium
// (checkReport): all of them, each joining once a run of its report at
// 1000 px had been looked at (01: 62 outputs, 10 charts, 11 tables; 02: 31,
// 4, 8; 03: 27, 4, 5; 04: 28, 5, 3; 05: 26 outputs).
var reportChecked = map[string]bool{"00-quickstart.ipynb": true, "01-code-size.ipynb": true, "02-superopt.ipynb": true, "03-image-pipelines.ipynb": true, "04-tensor-schedules.ipynb": true, "05-custom-task.ipynb": true}

// cell finds the first code cell whose source starts with prefix.
func cell(t *testing.T, cells []cellSummary, prefix string) cellSummary {
	t.Helper()
	for _, c := range cells {
		if strings.HasPrefix(strings.TrimSpace(c.Source), prefix) {
			return c
		}
	}
	t.Fatalf("no cell starts with %q", prefix)
	return cellSummary{}
}

func TestQuickstart(t *testing.T) {
	cells := execute(t, "00-quickstart.ipynb")
	if t.Failed() {
		return
	}
	search := cell(t, cells, "%search")
	// The live chart is redrawn in place while the search runs.
	if n := search.Messages["update_display_data"]; n < 3 {
		t.Errorf("the search cell sent %d update_display_data messages, want live updates (≥ 3); messages: %v", n, search.Messages)
	}
	if !strings.Contains(search.Stdout, "winner:") {
		t.Errorf("the search cell names no winner:\n%s", search.Stdout)
	}
	if d := cell(t, cells, "%deploy"); strings.Count(d.Stdout, "validated") != 3 || strings.Contains(d.Stdout, "NOT validated") {
		t.Errorf("deploy should validate all 3 held-out programs:\n%s", d.Stdout)
	}
	cmp := cell(t, cells, "%compare")
	for _, want := range []string{"geomean", "supersonic", "random", "search overhead"} {
		if !strings.Contains(cmp.Stdout, want) {
			t.Errorf("the comparison lacks %q:\n%s", want, cmp.Stdout)
		}
	}
}

// TestOtherNotebooks runs every other notebook; they only have to run
// without errors (their budgets are small).
func TestOtherNotebooks(t *testing.T) {
	if testing.Short() {
		t.Skip("the long notebooks run without -short")
	}
	paths, err := filepath.Glob("*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if p == "00-quickstart.ipynb" {
			continue
		}
		t.Run(strings.TrimSuffix(p, ".ipynb"), func(t *testing.T) { execute(t, p) })
	}
}
