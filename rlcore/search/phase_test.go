package search

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/store"
	"github.com/supersonic-rl/supersonic/rlcore/store/storetest"
)

func TestLoadPhaseAndAmbiguousNames(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	ids := map[string]int64{}
	for _, r := range []store.Run{
		{Name: "cs", Kind: store.KindSearch, Task: "codesize"},
		{Name: "cs", Kind: store.KindDeploy, Task: "codesize"},
		{Name: "cs", Kind: store.KindCompare, Task: "codesize"},
		{Name: "so", Kind: store.KindSearch, Task: "superopt"},
	} {
		id, err := st.CreateRun(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		ids[r.Name+"/"+r.Kind] = id
	}
	st.FinishRun(ctx, ids["cs/search"], store.StatusFinished, nil)
	for _, tc := range []struct {
		ref, phase string
		want       int64
		err        string
	}{
		{"cs", "", ids["cs/compare"], ""},
		{"cs", "search", ids["cs/search"], ""},
		{"cs", "deploy", ids["cs/deploy"], ""},
		{"cs", "tune", 0, `no tune run "cs"`},
		{"cs", "deploy,compare", 0, "want search, tune, train, deploy, compare"},
		{"so", "", ids["so/search"], ""},
	} {
		rep, err := LoadPhase(ctx, st, tc.ref, tc.phase)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("LoadPhase(%q, %q): %v, want an error with %q", tc.ref, tc.phase, err, tc.err)
			}
			continue
		}
		if err != nil || rep.Run.ID != tc.want {
			t.Errorf("LoadPhase(%q, %q) = run %v, %v; want run %d", tc.ref, tc.phase, rep, err, tc.want)
		}
	}
	rep, _ := LoadPhase(ctx, st, "cs", "")
	same, err := SameName(ctx, st, rep.Run)
	if err != nil || len(same) != 3 {
		t.Fatalf("SameName(cs) = %d runs, %v; want 3", len(same), err)
	}
	note := AmbiguityNote(rep.Run, same)
	for _, want := range []string{`3 runs are named "cs"`, "showing run 3 (compare)", "--phase search|tune|train|deploy|compare", "id 1    search"} {
		if !strings.Contains(note, want) {
			t.Errorf("the note lacks %q:\n%s", want, note)
		}
	}
	so, _ := LoadPhase(ctx, st, "so", "")
	if same, _ := SameName(ctx, st, so.Run); same != nil || AmbiguityNote(so.Run, same) != "" {
		t.Errorf("a name of one run is not ambiguous, got %v", same)
	}

	runs, _ := st.Runs(ctx, "", 0)
	var b strings.Builder
	if err := WriteRunsCSV(&b, runs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || strings.Join(rows[0], ",") != strings.Join(RunsCSVHeader, ",") {
		t.Fatalf("CSV has %d rows, header %v:\n%s", len(rows), rows[0], b.String())
	}
	last := rows[4] // oldest: cs/search, finished
	if last[0] != "1" || last[2] != "search" || last[5] != "finished" || last[7] == "" || last[8] == "" {
		t.Errorf("the finished search run's row: %v", last)
	}
	if rows[1][7] != "" || rows[1][8] != "" {
		t.Errorf("a running run has no finish time or duration: %v", rows[1])
	}
}
