package magic

import (
	"testing"
)

func TestExplainAndExportMagics(t *testing.T) {
	for _, tc := range []struct {
		code     string
		wantErr  string
		wantCode []string
	}{
		{code: "%explain", wantCode: []string{`explain.Explain(context.Background(), explain.Options{Run: ""})`, "x.Text(), x.HTML()", "gonbui.SendData"}},
		{code: "%explain cs qsort --method genetic", wantCode: []string{`explain.Options{Run: "cs", Benchmark: "qsort", Method: "genetic"}`}},
		{code: "%explain 12 builtin:qsort --step 3 --full", wantCode: []string{`Run: "12", Benchmark: "builtin:qsort"`, "x.Diff(3, true)", "x.Steps[3-1]", "explain.DiffHTML(diffs)"}},
		{code: "%explain cs qsort --step largest", wantCode: []string{"step := x.LargestStep()", "x.Diff(step, false)"}},
		{code: "%explain cs qsort --step 0", wantErr: "--step \"0\": want an integer from 1 to 1000000, or largest"},
		{code: "%explain cs --full", wantErr: "--full goes with --step N"},
		{code: "%explain cs qsort extra", wantErr: "want at most a run and a benchmark"},
		{code: "%explain 9lives", wantErr: "a name starts with a letter"},
		{code: "%explain cs --method", wantErr: "flag --method needs a value"},
		{code: "%export", wantCode: []string{`explain.Export(context.Background(), explain.Options{Run: ""}, "")`, "supersonic replay %s"}},
		{code: "%export cs dijkstra --to out/d.json", wantCode: []string{`explain.Options{Run: "cs", Benchmark: "dijkstra"}, "out/d.json")`}},
		{code: "%export cs --to", wantErr: "flag --to needs a value"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			checkExpansion(t, tc.code, tc.wantCode, tc.wantErr)
		})
	}
}
