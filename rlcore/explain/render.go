package explain

import (
	"fmt"
	"html"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Text renders the explanation for a terminal: the result, the waterfall
// (one line per step, "no change" for steps that changed nothing), the
// mix before and after, the task's views and the reproducer.
func (x *Explanation) Text() string {
	var b strings.Builder
	x.header(&b)
	if !x.Replayable {
		b.WriteString("The actions of this task do not determine its result (their details are random): the steps below replay them on a fresh episode and show what they did there.\n")
	}
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', tabwriter.AlignRight)
	m := x.measureName()
	fmt.Fprintf(tw, "step\taction\t%s\tchange\tquality\t\n", m)
	fmt.Fprintf(tw, "0\t(start)\t%s\t\t%.4f\t\n", fmtNum(x.Initial), x.InitialQuality)
	for _, s := range x.Steps {
		change := "no change"
		if s.Changed {
			change = fmtDelta(s.Delta())
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.4f\t\n", s.Index, s.Action, fmtNum(s.After), change, s.Quality)
	}
	tw.Flush()
	noop := 0
	for _, s := range x.Steps {
		if !s.Changed {
			noop++
		}
	}
	fmt.Fprintf(&b, "%d of %d steps changed nothing.\n", noop, len(x.Steps))
	if rows := x.Mix(); len(rows) > 0 {
		b.WriteString("\nMix before → after (largest change first):\n")
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', tabwriter.AlignRight)
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%d\t→ %d\t%s\t\n", r.Kind, r.Before, r.After, fmtDelta(float64(r.After-r.Before)))
		}
		tw.Flush()
	}
	for _, s := range x.Steps {
		for _, v := range s.Views {
			fmt.Fprintf(&b, "\nStep %d (%s): %s\n%s\n", s.Index, s.Action, v.Title, strings.TrimRight(v.Text, "\n"))
		}
	}
	for _, v := range x.ResultViews {
		fmt.Fprintf(&b, "\n%s\n%s\n", v.Title, strings.TrimRight(v.Text, "\n"))
	}
	if x.Reproducer != "" {
		fmt.Fprintf(&b, "\nReproduce the %s with LLVM's tools (the O0 module from %%export):\n  %s\n", m, x.Reproducer)
	}
	return b.String()
}

func (x *Explanation) measureName() string {
	if x.Measure == "" {
		return "quality"
	}
	return x.Measure
}

func (x *Explanation) header(b *strings.Builder) {
	fmt.Fprintf(b, "%s on %s — %s run %d (%s), task %s: quality %.4f", x.Method, x.Benchmark, x.Run.Kind, x.Run.ID, x.Run.Name, x.Task, x.Quality)
	if x.Measure != "" {
		fmt.Fprintf(b, ", %s %s → %s", x.Measure, fmtNum(x.Initial), fmtNum(x.Final))
	}
	if x.Replayable && !math.IsNaN(x.Quality) && math.Abs(x.FinalQuality-x.Quality) > 1e-9*math.Max(1, math.Abs(x.Quality)) {
		fmt.Fprintf(b, " (replayed here: %.4f)", x.FinalQuality)
	}
	b.WriteString("\n")
}

func fmtNum(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.4g", v)
}

func fmtDelta(d float64) string {
	switch {
	case math.IsNaN(d):
		return "changed"
	case d == 0:
		return "±0"
	case d > 0:
		return "+" + fmtNum(d)
	}
	return "−" + fmtNum(-d)
}

// HTML renders the explanation for a notebook: the waterfall as a table
// with a bar per step (green: the measure went down, red: up, grey: the
// step changed the program but not the measure, "no change" for no-ops),
// the mix before and after, the task's views, and the reproducer.
func (x *Explanation) HTML() string {
	var b strings.Builder
	var head strings.Builder
	x.header(&head)
	fmt.Fprintf(&b, "<div><p><b>%s</b></p>\n", html.EscapeString(strings.TrimSpace(head.String())))
	if !x.Replayable {
		b.WriteString("<p><i>The actions of this task do not determine its result (their details are random): the steps replay them on a fresh episode and show what they did there.</i></p>\n")
	}
	maxAbs := 0.0
	for _, s := range x.Steps {
		if d := math.Abs(s.Delta()); !math.IsNaN(d) {
			maxAbs = math.Max(maxAbs, d)
		}
	}
	m := x.measureName()
	fmt.Fprintf(&b, "<table style=\"border-collapse:collapse;font-size:13px\"><tr><th style=\"text-align:right\">step</th><th style=\"text-align:left\">action</th><th style=\"text-align:right\">%s</th><th style=\"text-align:right\">change</th><th style=\"text-align:left\"></th><th style=\"text-align:right\">quality</th></tr>\n", html.EscapeString(m))
	fmt.Fprintf(&b, "<tr><td style=\"text-align:right\">0</td><td style=\"text-align:left\"><i>start</i></td><td style=\"text-align:right\">%s</td><td></td><td></td><td style=\"text-align:right\">%.4f</td></tr>\n", fmtNum(x.Initial), x.InitialQuality)
	for _, s := range x.Steps {
		change, bar := "<span style=\"color:#999\">no change</span>", ""
		if s.Changed {
			d := s.Delta()
			change = html.EscapeString(fmtDelta(d))
			w := 2.0
			if maxAbs > 0 && !math.IsNaN(d) {
				w = math.Max(2, 160*math.Abs(d)/maxAbs)
			}
			color := "#bbb"
			if d < 0 {
				color = "#2e9d4a"
			} else if d > 0 {
				color = "#d0453a"
			}
			bar = fmt.Sprintf("<div style=\"width:%.0fpx;height:10px;background:%s\"></div>", w, color)
		}
		touched := ""
		if len(s.Touched) > 0 {
			touched = fmt.Sprintf(" <span style=\"color:#888;font-size:11px\">(%s)</span>", html.EscapeString(shortList(s.Touched, 3)))
		}
		fmt.Fprintf(&b, "<tr><td style=\"text-align:right\">%d</td><td style=\"text-align:left\"><code>%s</code>%s</td><td style=\"text-align:right\">%s</td><td style=\"text-align:right\">%s</td><td style=\"text-align:left\">%s</td><td style=\"text-align:right\">%.4f</td></tr>\n",
			s.Index, html.EscapeString(s.Action), touched, fmtNum(s.After), change, bar, s.Quality)
	}
	b.WriteString("</table>\n")
	if rows := x.Mix(); len(rows) > 0 {
		b.WriteString("<p><b>Mix before → after</b> (largest change first)</p>\n<table style=\"border-collapse:collapse;font-size:12px\"><tr><th style=\"text-align:left\">kind</th><th style=\"text-align:right\">before</th><th style=\"text-align:right\">after</th><th style=\"text-align:right\">change</th></tr>\n")
		for _, r := range rows {
			fmt.Fprintf(&b, "<tr><td style=\"text-align:left\">%s</td><td style=\"text-align:right\">%d</td><td style=\"text-align:right\">%d</td><td style=\"text-align:right\">%s</td></tr>\n",
				html.EscapeString(r.Kind), r.Before, r.After, html.EscapeString(fmtDelta(float64(r.After-r.Before))))
		}
		b.WriteString("</table>\n")
	}
	for _, s := range x.Steps {
		for _, v := range s.Views {
			fmt.Fprintf(&b, "<p><b>Step %d (%s): %s</b></p>\n%s\n", s.Index, html.EscapeString(s.Action), html.EscapeString(v.Title), viewHTML(v))
		}
	}
	for _, v := range x.ResultViews {
		fmt.Fprintf(&b, "<p><b>%s</b></p>\n%s\n", html.EscapeString(v.Title), viewHTML(v))
	}
	if x.Reproducer != "" {
		fmt.Fprintf(&b, "<p>Reproduce the %s with LLVM's tools (the O0 module from <code>%%export</code>):</p><pre style=\"white-space:pre-wrap\">%s</pre>\n", html.EscapeString(m), html.EscapeString(x.Reproducer))
	}
	b.WriteString("</div>")
	return b.String()
}

// viewHTML is a task view's HTML, or its text preformatted.
func viewHTML(v rlcore.View) string {
	if v.HTML != "" {
		return v.HTML
	}
	return "<pre>" + html.EscapeString(v.Text) + "</pre>"
}

func shortList(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … %d more", strings.Join(names[:n], ", "), len(names)-n)
}
