package widgets

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// ArmStatus is the state of an arm of a search.
type ArmStatus string

// Arm states shown by the leaderboard.
const (
	ArmWaiting ArmStatus = "waiting" // not pulled yet
	ArmRunning ArmStatus = "running"
	ArmIdle    ArmStatus = "idle"   // pulled before, not training now
	ArmPruned  ArmStatus = "pruned" // stopped early by the search strategy
	ArmFailed  ArmStatus = "failed"
	ArmDone    ArmStatus = "done"
	// ArmStopped: every pull of the arm was cut short by Stop or the
	// budget, so it has no score.
	ArmStopped ArmStatus = "stopped"
)

// StatusOf maps the status of a finished run to an arm status: Failed runs
// are failed, interrupted ones pruned, the others done.
func StatusOf(s rlcore.Status) ArmStatus {
	switch s {
	case rlcore.Failed:
		return ArmFailed
	case rlcore.Interrupted:
		return ArmPruned
	}
	return ArmDone
}

// ArmRow is one line of the leaderboard.
type ArmRow struct {
	Arm string
	// Score ranks the arms (for a search: the mean of the arm's pull
	// scores); NaN when the arm has none yet.
	Score float64
	// Best is the highest single score (a search's best pull); NaN: not
	// shown.
	Best  float64
	Pulls int // the arm's finished pulls (scored or failed)
	// Steps are the environment steps of those pulls; 0: not shown.
	Steps int
	// Cut counts the arm's pulls cut short (stored, not scored, not in
	// Pulls) and CutSteps their steps: both cells then read "N + M cut".
	Cut, CutSteps int
	Status        ArmStatus
	Detail        string // free text: hyperparameters, the error of a failed arm
}

// LeaderboardOptions configures NewLeaderboard. The zero value is usable.
type LeaderboardOptions struct {
	Title string
	// Display shows the table; nil means the notebook under gonb and
	// nothing otherwise, Headless forces nothing.
	Display Display
	// Interval is the shortest time between two redraws (default 300 ms).
	Interval time.Duration
	// Progress receives the final table as text on Close. nil means
	// os.Stderr when there is no display; io.Discard silences it.
	Progress io.Writer
	// Dir, when set, receives the final table as Name.html on Close
	// (Name defaults to "leaderboard").
	Dir, Name string
}

// Leaderboard is an HTML table of the arms of a search, best score first,
// redrawn in place. Update is safe for concurrent use and never blocks.
type Leaderboard struct {
	opts LeaderboardOptions
	redrawn
	rows []ArmRow // under mu
}

// NewLeaderboard starts the renderer of a leaderboard. Call Close at the
// end of the search.
func NewLeaderboard(opts LeaderboardOptions) *Leaderboard {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.Name == "" {
		opts.Name = "leaderboard"
	}
	l := &Leaderboard{opts: opts, redrawn: redrawn{display: resolveDisplay(opts.Display), id: newBlockID("leaderboard")}}
	l.progress = progressWriter(opts.Progress, l.display)
	l.th = startThrottle(opts.Interval, l.draw)
	return l
}

// Update replaces the rows of the table. It copies rows and returns at
// once. Updates after Close are ignored.
func (l *Leaderboard) Update(rows []ArmRow) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return
	}
	l.rows = append(l.rows[:0:0], rows...)
	l.mu.Unlock()
	l.th.poke()
}

// Close draws the final table, prints it on the progress writer and writes
// the HTML file when Dir is set. It returns the first error met.
func (l *Leaderboard) Close() error { return l.close() }

func (l *Leaderboard) draw(final bool) {
	l.mu.Lock()
	rows := l.rows
	l.mu.Unlock()
	if l.display != nil && (rows != nil || final) {
		l.display.Update(l.id, LeaderboardHTML(l.opts.Title, rows))
	}
	if !final {
		return
	}
	if l.progress != nil && len(rows) > 0 {
		if err := WriteLeaderboardText(l.progress, l.opts.Title, rows); err != nil {
			l.setErr(err)
		}
	}
	if l.opts.Dir != "" {
		if err := writeHTMLFile(l.opts.Dir, l.opts.Name, LeaderboardHTML(l.opts.Title, rows)); err != nil {
			l.setErr(err)
		}
	}
}

// sortArms returns rows best score first; arms without a score come last,
// in name order.
func sortArms(rows []ArmRow) []ArmRow {
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b ArmRow) int {
		an, bn := math.IsNaN(a.Score), math.IsNaN(b.Score)
		switch {
		case an && bn:
			return strings.Compare(a.Arm, b.Arm)
		case an:
			return 1
		case bn:
			return -1
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(a.Arm, b.Arm)
	})
	return out
}

// statusColors are the badge colours of arm states.
var statusColors = map[ArmStatus]string{
	ArmWaiting: "#bab0ac",
	ArmRunning: "#4e79a7",
	ArmIdle:    "#76b7b2",
	ArmPruned:  "#f28e2b",
	ArmFailed:  "#e15759",
	ArmDone:    "#59a14f",
	ArmStopped: "#9c755f",
}

// tableStyle is the inline style of the package's HTML tables (notebooks
// strip <style> elements from some outputs, so everything is inline).
const (
	tableStyle = `border-collapse:collapse;font-family:sans-serif;font-size:13px;margin:4px 0`
	thStyle    = `text-align:left;padding:3px 10px;border-bottom:2px solid #888`
	tdStyle    = `padding:2px 10px;border-bottom:1px solid #ddd;text-align:left`
	numStyle   = tdStyle + `;text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap`
)

// LeaderboardHTML renders rows as an HTML table, best score first.
func LeaderboardHTML(title string, rows []ArmRow) string {
	var b strings.Builder
	b.WriteString(`<div class="supersonic-leaderboard">`)
	if title != "" {
		fmt.Fprintf(&b, `<div style="font-family:sans-serif;font-weight:bold;margin:4px 0">%s</div>`, htmlEscape(title))
	}
	fmt.Fprintf(&b, `<table style="%s"><thead><tr>`, tableStyle)
	withBest := hasBest(rows)
	for _, h := range columns(withBest) {
		sty := thStyle
		switch h {
		case "#", "score", "best", "pulls", "steps":
			sty += ";text-align:right"
		}
		fmt.Fprintf(&b, `<th style="%s">%s</th>`, sty, h)
	}
	b.WriteString(`</tr></thead><tbody>`)
	if len(rows) == 0 {
		fmt.Fprintf(&b, `<tr><td colspan="%d" style="%s;color:#777">no arm pulled yet</td></tr>`, len(columns(withBest)), tdStyle)
	}
	for i, r := range sortArms(rows) {
		color := statusColors[r.Status]
		if color == "" {
			color = "#79706e"
		}
		fmt.Fprintf(&b, `<tr><td style="%s">%d</td><td style="%s"><code>%s</code></td><td style="%s">%s</td>`,
			numStyle, i+1, tdStyle, nameHTML(r.Arm), numStyle, scoreText(r.Score))
		if withBest {
			fmt.Fprintf(&b, `<td style="%s">%s</td>`, numStyle, scoreText(r.Best))
		}
		fmt.Fprintf(&b, `<td style="%s">%s</td><td style="%s">%s</td>`, numStyle, htmlEscape(r.PullsCell()), numStyle, htmlEscape(r.StepsCell()))
		fmt.Fprintf(&b, `<td style="%s"><span style="background:%s;color:white;border-radius:3px;padding:0 6px">%s</span></td><td style="%s;color:#555">%s</td></tr>`,
			tdStyle, color, htmlEscape(string(r.Status)), tdStyle, detailHTML(r.Detail))
	}
	b.WriteString(`</tbody></table></div>`)
	return b.String()
}

// WriteLeaderboardText writes rows as an aligned text table, best first.
func WriteLeaderboardText(w io.Writer, title string, rows []ArmRow) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	withBest := hasBest(rows)
	fmt.Fprint(tw, strings.Join(columns(withBest), "\t")+"\t\n")
	for i, r := range sortArms(rows) {
		best := ""
		if withBest {
			best = scoreText(r.Best) + "\t"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s%s\t%s\t%s\t%s\t\n", i+1, r.Arm, scoreText(r.Score), best, r.PullsCell(), r.StepsCell(), r.Status, r.Detail)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing leaderboard: %w", err)
	}
	var out strings.Builder
	if title != "" {
		out.WriteString(title + "\n")
	}
	out.WriteString(trimLines(buf.String()))
	if _, err := io.WriteString(w, out.String()); err != nil {
		return fmt.Errorf("writing leaderboard: %w", err)
	}
	return nil
}

// hasBest reports whether any row states a best score (the column is left
// out otherwise).
func hasBest(rows []ArmRow) bool {
	for _, r := range rows {
		if r.Best != 0 {
			return true
		}
	}
	return false
}

// columns are the leaderboard's column headers.
func columns(withBest bool) []string {
	if withBest {
		return []string{"#", "arm", "score", "best", "pulls", "steps", "status", ""}
	}
	return []string{"#", "arm", "score", "pulls", "steps", "status", ""}
}

// trimLines removes the padding tabwriter leaves at the end of lines.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// PullsCell is the row's pulls as the leaderboard shows them: the finished
// pulls, then the cut ones ("3 + 1 cut").
func (r ArmRow) PullsCell() string {
	s := strconv.Itoa(r.Pulls)
	if r.Cut > 0 {
		s += " + " + strconv.Itoa(r.Cut) + " cut"
	}
	return s
}

// StepsCell is the row's steps as the leaderboard shows them: those of
// the finished pulls, then those of the cut ones ("1.2k + 182 cut").
func (r ArmRow) StepsCell() string {
	if r.CutSteps <= 0 {
		return stepsText(r.Steps)
	}
	done := "0"
	if r.Steps > 0 {
		done = formatCount(float64(r.Steps))
	}
	return done + " + " + formatCount(float64(r.CutSteps)) + " cut"
}

// stepsText prints a step count, or a dash when it is not known.
func stepsText(n int) string {
	if n <= 0 {
		return "–"
	}
	return formatCount(float64(n))
}

func scoreText(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func htmlEscape(s string) string { return html.EscapeString(s) }

// nameHTML shows a name made of parts joined by " · " (an arm: algorithm ·
// state · reward · …) so that a narrow cell wraps it between the parts,
// or after the "+" of a composed part ("instcount-norm+action-history(4)"),
// never inside a name (at the hyphen of "action-history").
func nameHTML(name string) string {
	parts := strings.Split(name, " · ")
	for i, p := range parts {
		pieces := strings.Split(p, "+")
		for j, q := range pieces {
			pieces[j] = `<span style="white-space:nowrap">` + htmlEscape(q) + `</span>`
		}
		parts[i] = strings.Join(pieces, "+<wbr>")
	}
	return strings.Join(parts, " · ")
}

// detailHTML shows a row's detail, parts joined by "; ", so that a narrow
// cell wraps a short part ("sd 0.0271") whole and only long ones (an
// error message) inside.
func detailHTML(detail string) string {
	parts := strings.Split(detail, "; ")
	for i, p := range parts {
		if len([]rune(p)) <= 24 {
			parts[i] = `<span style="white-space:nowrap">` + htmlEscape(p) + `</span>`
		} else {
			parts[i] = htmlEscape(p)
		}
	}
	return strings.Join(parts, "; ")
}

// writeHTMLFile writes a standalone HTML page holding body as dir/name.html.
func writeHTMLFile(dir, name, body string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating output directory: %w", err)
	}
	page := "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + htmlEscape(name) + "</title></head><body>\n" + body + "\n</body></html>\n"
	if err := os.WriteFile(filepath.Join(dir, name+".html"), []byte(page), 0o644); err != nil {
		return fmt.Errorf("writing %s.html: %w", name, err)
	}
	return nil
}
