package widgets

import (
	"bytes"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore"
)

func sampleRows() []ArmRow {
	return []ArmRow{
		{Arm: "dqn·autophase", Score: 0.97, Pulls: 12, Steps: 5400, Status: ArmPruned},
		{Arm: "ppo·instcount", Score: 1.04, Pulls: 30, Steps: 13500, Status: ArmRunning},
		{Arm: "mcts·history", Score: math.NaN(), Pulls: 0, Status: ArmWaiting},
		{Arm: "a2c·<script>", Score: 0.2, Pulls: 3, Steps: 100, Status: ArmFailed, Detail: "env: clang crashed & exited"},
		{Arm: "reinforce·autophase", Score: 1.04, Pulls: 25, Steps: 11250, Status: ArmDone},
	}
}

func TestSortArms(t *testing.T) {
	var got []string
	for _, r := range sortArms(sampleRows()) {
		got = append(got, r.Arm)
	}
	// Best first; ties by name; arms without a score last.
	want := []string{"ppo·instcount", "reinforce·autophase", "dqn·autophase", "a2c·<script>", "mcts·history"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("order = %q, want %q", got, want)
	}
}

func TestLeaderboardHTML(t *testing.T) {
	html := LeaderboardHTML("arms", sampleRows())
	for _, want := range []string{"<table", "arms", "1.0400", "pulls", "13.5k", ">pruned<", ">failed<", "–", "a2c·&lt;script&gt;", "clang crashed &amp; exited"} {
		if !strings.Contains(html, want) {
			t.Errorf("leaderboard HTML lacks %q", want)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Error("arm names are not escaped")
	}
	if i, j := strings.Index(html, "ppo·instcount"), strings.Index(html, "dqn·autophase"); i > j {
		t.Error("rows are not sorted best first")
	}
	if !strings.Contains(LeaderboardHTML("", nil), "no arm pulled yet") {
		t.Error("empty leaderboard does not say so")
	}
}

func TestStatusOf(t *testing.T) {
	for s, want := range map[rlcore.Status]ArmStatus{
		rlcore.Finished: ArmDone, rlcore.BudgetExhausted: ArmDone, rlcore.Interrupted: ArmPruned, rlcore.Failed: ArmFailed,
	} {
		if got := StatusOf(s); got != want {
			t.Errorf("StatusOf(%v) = %v, want %v", s, got, want)
		}
	}
}

func TestLeaderboardUpdatesInPlace(t *testing.T) {
	m := &Memory{}
	dir := t.TempDir()
	var text bytes.Buffer
	l := NewLeaderboard(LeaderboardOptions{Title: "arms", Display: m, Progress: &text, Dir: dir})
	rows := sampleRows()
	for i := range 1000 {
		rows[1].Pulls = i
		l.Update(rows)
	}
	rows[1].Status = ArmDone
	l.Update(rows)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l.Update(nil) // ignored after Close
	if n := len(m.Blocks()); n != 1 {
		t.Fatalf("leaderboard used %d blocks, want 1 updated in place", n)
	}
	if m.Updates() >= 1000 {
		t.Errorf("%d redraws for 1001 updates: updates must merge", m.Updates())
	}
	final := m.Block(m.Blocks()[0])
	if !strings.Contains(final, ">999<") || strings.Contains(final, ">running<") {
		t.Errorf("final table does not show the last update")
	}
	if !strings.Contains(text.String(), "ppo·instcount") || !strings.Contains(text.String(), "score") {
		t.Errorf("final text table = %q", text.String())
	}
	page, err := os.ReadFile(filepath.Join(dir, "leaderboard.html"))
	if err != nil || !strings.Contains(string(page), "<table") {
		t.Errorf("leaderboard.html: %v", err)
	}
}

func TestRenderFunctionsHeadless(t *testing.T) {
	dir := t.TempDir()
	var text bytes.Buffer
	out := Output{Display: Headless, Dir: dir, Text: &text}
	events := syntheticSearch(5, 3, 100)
	if err := RenderCurves(out, "curves", seriesOf(events), CurveStyle{Title: "stored run"}); err != nil {
		t.Fatal(err)
	}
	if err := RenderTimeToQuality(out, "ttq", "", seriesOf(events)); err != nil {
		t.Fatal(err)
	}
	if err := RenderComparison(out, "cmp", sampleComparison()); err != nil {
		t.Fatal(err)
	}
	if err := RenderLeaderboard(out, "arms", "final", sampleRows()); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"curves.svg", "curves.png", "ttq.svg", "ttq.png", "cmp.svg", "cmp.png", "cmp-overhead.html", "arms.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing output file: %v", err)
		}
	}
	for _, want := range []string{"best ", "supersonic", "+3.18%", "42m", "reinforce·autophase"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text summary lacks %q:\n%s", want, text.String())
		}
	}
	// A display gets one block per chart or table.
	m := &Memory{}
	if err := RenderComparison(Output{Display: m}, "cmp", sampleComparison()); err != nil {
		t.Fatal(err)
	}
	if n := len(m.Blocks()); n != 2 {
		t.Errorf("comparison shown in %d blocks, want 2 (chart, overhead)", n)
	}
	bad := sampleComparison()
	bad.Values = bad.Values[:1]
	if err := RenderComparison(Output{Display: Headless, Text: io.Discard}, "bad", bad); err == nil {
		t.Error("an invalid comparison rendered without error")
	}
}
