package magic

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

func TestPhaseMagics(t *testing.T) {
	const task = "%%task cs\ntask: codesize\nbenchmarks: builtin:crc32, builtin:sha256\ntest: builtin:md5\nstates: autophase\nalgorithms: ppo, a2c\n"
	tests := []struct {
		code     string
		wantErr  string
		wantCode []string
	}{
		{code: task, wantCode: []string{"func init_supersonicTask_cs() {", "search.Declare(\"cs\", `task: codesize", "spec.Validate()", "searchview.ShowTask(spec)", `_ "` + AggregatorImport + `"`}},
		{code: "%%task my-task.v2\ntask: codesize\nbenchmarks: builtin:*\nstates: autophase\nalgorithms: ppo", wantCode: []string{"func init_supersonicTask_my_task_v2()"}},
		{code: "%%task\ntask: codesize", wantErr: "want exactly one task name"},
		{code: "%%task 9lives\ntask: codesize\nbenchmarks: builtin:*\nstates: autophase\nalgorithms: ppo", wantErr: "a name starts with a letter"},
		{code: "%%task cs\ntask: codesize\nflavour: strawberry", wantErr: "flavour"},
		{code: "%search cs", wantCode: []string{`search.Declared("cs")`, "search.Search(ctx, spec, view.Options(search.Options{Budget: budget}))", "rlcore.Budget{}", "searchview.Context"}},
		{code: "%search cs --budget 2m --pull 5s --workers 2 --strategy drl --seed 7", wantCode: []string{
			"Duration: 120000 * time.Millisecond", `Strategy: "drl"`, "PullBudget: rlcore.Budget{Duration: 5000 * time.Millisecond}", "Workers: 2", "spec.Seed = 7", `"time"`}},
		{code: "%search cs --budget 40pulls", wantCode: []string{"rlcore.Budget{Pulls: 40}"}},
		{code: "%search cs --budget 50trials", wantErr: "--budget: budget 50trials: a search counts pulls or time, not trials"},
		{code: "%search cs --pull 5pulls", wantErr: "--pull: budget 5pulls: a pull counts steps or episodes or time, not pulls"},
		{code: "%tune --budget 2m,12trials", wantCode: []string{"rlcore.Budget{Duration: 120000 * time.Millisecond, Trials: 12}"}},
		{code: "%tune --budget 12pulls", wantErr: "a tuning run counts trials or time, not pulls"},
		{code: "%deploy --budget 3trials", wantErr: "counts steps or episodes or time, not trials"},
		{code: "%search", wantErr: "want the name of a task"},
		{code: "%search cs --strategy hillclimb", wantErr: `unknown strategy "hillclimb"; known: bandit`},
		{code: "%search cs --budget soon", wantErr: "--budget"},
		{code: "%search cs --workers 0", wantErr: "--workers \"0\": want an integer from 1"},
		{code: "%tune", wantCode: []string{`search.Tune(ctx, view.Options(search.TuneOptions{Run: "", Budget: budget}))`}},
		{code: "%tune 3 --trials 8", wantCode: []string{`Run: "3"`, "Trials: 8"}},
		{code: "%tune --scheduler asha", wantErr: "unknown flag --scheduler"},
		{code: "%deploy cs --on test --budget 30s", wantCode: []string{`On: []string{"test"}`, "Budget: rlcore.Budget{Duration: 30000 * time.Millisecond}", "search.Deploy("}},
		{code: "%deploy a b", wantErr: "want at most one run"},
		{code: "%deploy cs", wantCode: []string{`search.DeployOptions{Run: "cs"}`}},
		{code: "%deploy cs --from-scratch", wantCode: []string{`Run: "cs", FromScratch: true`}},
		{code: "%deploy cs --from-scratch=no", wantErr: "--from-scratch"},
		{code: "%deploy cs --zero-shot --samples 0", wantCode: []string{`Run: "cs", ZeroShot: true, Samples: -1`}},
		{code: "%deploy --zero-shot --from-scratch", wantErr: "exclude each other"},
		{code: "%deploy --samples 4", wantErr: "add --zero-shot"},
		{code: "%deploy --zero-shot --budget 10s", wantErr: "--zero-shot trains nothing"},
		{code: "%train", wantCode: []string{"budget := search.DefaultTrainBudget", `search.TrainOptions{Run: "", Budget: budget, Exclude: eval.HeldOut}`, "searchview.WatchTrain(", `"` + evalImport + `"`}},
		{code: "%train cs --corpus builtin:*,csmith:1-4 --benchmarks mine/ --held-out test --budget 30s --rounds 3 --from-scratch", wantCode: []string{
			`Corpus: []string{"builtin:*", "csmith:1-4"}`, `Benchmarks: []string{"mine/"}`, `HeldOut: []string{"test"}`, "Duration: 30000 * time.Millisecond", "Rounds: 3", "FromScratch: true"}},
		{code: "%train --budget 20pulls", wantErr: "a training run across programs counts steps or episodes or time, not pulls"},
		{code: "%train --rounds 0", wantErr: "--rounds \"0\": want an integer from 1"},
		{code: "%train --corpus ,", wantErr: "--corpus needs benchmark specs"},
		{code: "%train a b", wantErr: "want at most one run"},
		{code: "%compare --baselines oz,random --budget 2000steps", wantCode: []string{`With: []string{"oz", "random"}`, "Steps: 2000", "searchview.ShowComparison(res"}},
		{code: "%compare --baselines ,", wantErr: "--with needs at least one method"},
		{code: "%compare --with oz,genetic@all", wantCode: []string{`With: []string{"oz", "genetic@all"}`}},
		{code: "%compare --with genetic@", wantErr: "action space of method genetic"},
		{code: "%runs", wantCode: []string{"store.Open(store.DefaultPath())", `searchview.ShowRuns(context.Background(), st, "", 50)`}},
		{code: "%runs --kind tune --limit 5", wantCode: []string{`"tune", 5)`}},
		{code: "%runs --kind pizza", wantErr: "want search, tune, train, deploy, compare"},
		{code: "%runs --kind train", wantCode: []string{`"train", 50)`}},
		{code: "%runs --csv runs.csv", wantCode: []string{`searchview.WriteRunsCSV(context.Background(), st, "", 50, "runs.csv")`}},
		{code: "%show 12", wantCode: []string{`searchview.ShowRunPhase(context.Background(), st, "12", "", widgets.Output{})`}},
		{code: "%show cs --phase deploy", wantCode: []string{`searchview.ShowRunPhase(context.Background(), st, "cs", "deploy", widgets.Output{})`}},
		{code: "%show cs --phase train", wantCode: []string{`"cs", "train", widgets.Output{})`}},
		{code: "%show cs --phase pizza", wantErr: `phase "pizza": want search, tune, train, deploy, compare`},
		{code: "%show cs --show-go", wantCode: []string{"```go"}},
	}
	for _, tc := range tests {
		t.Run(strings.SplitN(tc.code, "\n", 2)[0], func(t *testing.T) {
			checkExpansion(t, tc.code, tc.wantCode, tc.wantErr)
		})
	}
}

// checkGoSyntax parses an expansion as Go: the declarations as a file and
// the part after gonb's %% marker as the body of main.
func checkGoSyntax(t *testing.T, code string) {
	t.Helper()
	decls, body, ok := strings.Cut(code, "%%\n")
	if !ok {
		t.Fatalf("expansion has no %%%% marker:\n%s", code)
	}
	src := "package main\n" + decls + "\nfunc main() {\n" + body + "\n}\n"
	if _, err := parser.ParseFile(token.NewFileSet(), "cell.go", src, parser.AllErrors); err != nil {
		t.Errorf("expansion is not valid Go: %v\n%s", err, src)
	}
}
