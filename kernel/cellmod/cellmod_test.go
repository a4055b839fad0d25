package cellmod

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

func TestPrepare(t *testing.T) {
	checkout := t.TempDir()
	writeFile(t, filepath.Join(checkout, "go.mod"), `module example.com/lib

go 1.26.8

require (
	github.com/janpfeifer/gonb v0.11.1 // indirect
	gonum.org/v1/gonum v0.17.0
)

replace example.com/other => ./third_party/other
`)
	writeFile(t, filepath.Join(checkout, "go.sum"), "gonum.org/v1/gonum v0.17.0 h1:abc=\ngithub.com/janpfeifer/gonb v0.11.1 h1:def=\n")
	cell := t.TempDir()
	writeFile(t, filepath.Join(cell, "go.mod"), "module gonb_1234\n\ngo 1.22\n")
	writeFile(t, filepath.Join(cell, "go.sum"), "example.com/kept v1.0.0 h1:zzz=\n")

	if err := Prepare(cell, checkout); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(cell, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		t.Fatalf("prepared go.mod does not parse: %v\n%s", err, data)
	}
	if f.Module.Mod.Path != "gonb_1234" || f.Go.Version != "1.26.8" {
		t.Errorf("module %s go %s, want gonb_1234 go 1.26.8", f.Module.Mod.Path, f.Go.Version)
	}
	req := map[string]string{}
	for _, r := range f.Require {
		req[r.Mod.Path] = r.Mod.Version
	}
	for path, version := range map[string]string{"github.com/janpfeifer/gonb": "v0.11.1", "gonum.org/v1/gonum": "v0.17.0", "example.com/lib": localVersion} {
		if req[path] != version {
			t.Errorf("require %s %q, want %q", path, req[path], version)
		}
	}
	rep := map[string]string{}
	for _, r := range f.Replace {
		rep[r.Old.Path] = r.New.Path
	}
	if rep["example.com/lib"] != checkout {
		t.Errorf("replace example.com/lib => %q, want %q", rep["example.com/lib"], checkout)
	}
	if want := filepath.Join(checkout, "third_party/other"); rep["example.com/other"] != want {
		t.Errorf("replace example.com/other => %q, want the absolute %q", rep["example.com/other"], want)
	}
	sum, err := os.ReadFile(filepath.Join(cell, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"example.com/kept v1.0.0 h1:zzz=", "gonum.org/v1/gonum v0.17.0 h1:abc=", "github.com/janpfeifer/gonb v0.11.1 h1:def="} {
		if !strings.Contains(string(sum), line+"\n") {
			t.Errorf("go.sum lacks %q:\n%s", line, sum)
		}
	}
	// Preparing twice changes nothing.
	if err := Prepare(cell, checkout); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(filepath.Join(cell, "go.mod"))
	if string(again) != string(data) {
		t.Errorf("second Prepare changed go.mod:\n%s\nvs\n%s", data, again)
	}
}

func TestPrepareErrors(t *testing.T) {
	cell := t.TempDir()
	writeFile(t, filepath.Join(cell, "go.mod"), "module gonb_1\n")
	if err := Prepare(cell, t.TempDir()); err == nil || !strings.Contains(err.Error(), "Supersonic checkout") {
		t.Errorf("Prepare with no checkout go.mod: %v", err)
	}
	checkout := t.TempDir()
	writeFile(t, filepath.Join(checkout, "go.mod"), "module example.com/lib\n")
	if err := Prepare(t.TempDir(), checkout); err == nil || !strings.Contains(err.Error(), "gonb's cell go.mod") {
		t.Errorf("Prepare with no cell go.mod: %v", err)
	}
}

func TestFindCheckout(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "go.mod"), "module example.com/lib\n")
	deep := filepath.Join(root, "bin", "x")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := FindCheckout(deep, "example.com/lib"); got != root {
		t.Errorf("FindCheckout = %q, want %q", got, root)
	}
	if got := FindCheckout(deep, "example.com/none"); got != "" {
		t.Errorf("FindCheckout for another module = %q, want \"\"", got)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
