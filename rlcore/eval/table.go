package eval

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore/search"
)

// Text renders the report as plain text: a header saying what was
// evaluated, then one table per budget.
func (r *Report) Text() string {
	var sb strings.Builder
	r.header(&sb, "")
	for _, t := range r.Tables {
		sb.WriteString("\n")
		t.text(&sb)
	}
	return sb.String()
}

// Markdown renders the report as Markdown tables.
func (r *Report) Markdown() string {
	var sb strings.Builder
	r.header(&sb, "- ")
	for _, t := range r.Tables {
		fmt.Fprintf(&sb, "\n#### %v per program and method (%s)\n\n", t.Budget, t.Status)
		row := func(label, cellFormat string, cells []string) {
			fmt.Fprintf(&sb, "| %s |", label)
			for _, c := range cells {
				fmt.Fprintf(&sb, cellFormat, c)
			}
			sb.WriteString("\n")
		}
		programs, geomean, meanTime := t.rows()
		row("program", " %s |", t.Methods)
		sb.WriteString("|---|" + strings.Repeat("---:|", len(t.Methods)) + "\n")
		for _, r := range programs {
			row(r.label, " %s |", r.cells)
		}
		row("**geomean**", " **%s** |", geomean.cells)
		row("mean time per program", " %s |", meanTime.cells)
		sb.WriteString("\n")
		sb.WriteString(t.summaryLine())
		sb.WriteString("\n")
		if len(t.Overheads) > 0 {
			sb.WriteString("\n| search overhead | geomean | programs never reaching the client RL (ratio = budget ÷ client time, a lower bound) |\n|---|---:|---:|\n")
			for _, o := range t.Overheads {
				fmt.Fprintf(&sb, "| %s | %s | %d |\n", o.Method, o.fmtGeomean(), o.Censored)
			}
		}
	}
	return sb.String()
}

// CSV writes one row per (budget, program, method): quality, when the
// best was found, and the error if any; then one row per (budget,
// method) with the geomean (program "geomean") and, for search baselines,
// the overhead (program "overhead").
func (r *Report) CSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"budget_s", "program", "method", "quality", "found_s", "walltime_s", "error"})
	for _, t := range r.Tables {
		b := fmt.Sprint(t.Budget.Seconds())
		for _, p := range t.Programs {
			for _, m := range t.Methods {
				cw.Write([]string{b, p, m, csvFloat(t.quality(m, p)), csvFloat(t.Found[m][p].Seconds()), csvFloat(t.Walltime[m][p].Seconds()), t.Errors[m][p]})
			}
		}
		for _, m := range t.Methods {
			cw.Write([]string{b, "geomean", m, csvFloat(t.Geomean[m]), "", "", ""})
		}
		for _, o := range t.Overheads {
			cw.Write([]string{b, "overhead", o.Method, csvFloat(o.Geomean), "", "", fmt.Sprintf("%d censored", o.Censored)})
		}
	}
	cw.Flush()
	return cw.Error()
}

func (r *Report) header(sb *strings.Builder, bullet string) {
	fmt.Fprintf(sb, "%sclient RL: %s", bullet, r.Arm)
	if r.SearchRun != 0 {
		fmt.Fprintf(sb, " (winner of search run %d)", r.SearchRun)
	}
	sb.WriteString("\n")
	if r.ClientWeights != "" {
		fmt.Fprintf(sb, "%sclient RL's weights on each program: %s\n", bullet, r.ClientWeights)
	}
	for _, v := range r.Variants {
		how := ""
		if v.FromScratch {
			how = ", trained from fresh weights on each program"
		}
		if v.Guided {
			how += ", policy-guided search (the start weights sampled for the whole budget, not trained)"
		}
		if v.Temperature != 0 {
			how += fmt.Sprintf(", sampled at temperature %g", v.Temperature)
		}
		if v.Hyper != nil {
			how += fmt.Sprintf(", hyperparameters %v", v.Hyper)
		}
		fmt.Fprintf(sb, "%svariant %s%s: %s%s\n", bullet, ClientMethod+":", v.Name, v.Arm, how)
	}
	if r.ZeroShot != "" {
		fmt.Fprintf(sb, "%szero-shot: %s\n", bullet, r.ZeroShot)
	}

	fmt.Fprintf(sb, "%sprograms (%d): %s\n", bullet, len(r.Programs), strings.Join(r.Programs, " "))
	fmt.Fprintf(sb, "%sseed %d, %d job(s) at once (one core each), status %s, took %v\n", bullet, r.Seed, r.Workers, r.Status, r.Elapsed.Round(time.Second))
	fmt.Fprintf(sb, "%squality = code-size reduction relative to -Oz: (IC_O0 − IC) / (IC_O0 − IC_Oz), 1.0 = -Oz, higher is better\n", bullet)
}

func (t *Table) text(sb *strings.Builder) {
	fmt.Fprintf(sb, "budget %v per program and method (%s)\n", t.Budget, t.Status)
	w := 10
	for _, p := range t.Programs {
		w = max(w, len(p)+1)
	}
	cw := 9
	for _, m := range t.Methods {
		cw = max(cw, len(m))
	}
	row := func(label string, cells []string) {
		fmt.Fprintf(sb, "%-*s", w, label)
		for _, c := range cells {
			fmt.Fprintf(sb, " %*s", cw, c)
		}
		sb.WriteString("\n")
	}
	programs, geomean, meanTime := t.rows()
	row("program", t.Methods)
	for _, r := range append(programs, geomean, meanTime) {
		row(r.label, r.cells)
	}
	sb.WriteString(t.summaryLine())
	sb.WriteString("\n")
	if len(t.Overheads) > 0 {
		sb.WriteString("search overhead (time to reach the client RL's quality ÷ the client RL's time, geomean):\n")
		for _, o := range t.Overheads {
			fmt.Fprintf(sb, "  %-10s %s", o.Method, o.fmtGeomean())
			if o.Censored > 0 {
				fmt.Fprintf(sb, "  (never reached it on %d of %d programs: counted at the budget)", o.Censored, len(o.PerProgram))
			}
			if o.ClientFailed > 0 {
				fmt.Fprintf(sb, "  (no client result on %d)", o.ClientFailed)
			}
			sb.WriteString("\n")
		}
	}
}

// tableRow is a row of a table's figures: a label and a cell per method.
type tableRow struct {
	label string
	cells []string
}

// rows are the figures Text and Markdown show: a row per program (the
// quality each method reached), the geomean over the programs and the
// mean time per program of each method.
func (t *Table) rows() (programs []tableRow, geomean, meanTime tableRow) {
	cells := func(cell func(method string) string) []string {
		out := make([]string, len(t.Methods))
		for i, m := range t.Methods {
			out[i] = cell(m)
		}
		return out
	}
	for _, p := range t.Programs {
		programs = append(programs, tableRow{p, cells(func(m string) string { return search.FormatQuality(t.quality(m, p)) })})
	}
	geomean = tableRow{"geomean", cells(func(m string) string { return search.FormatQuality(t.Geomean[m]) })}
	meanTime = tableRow{"mean time", cells(t.meanTime)}
	return programs, geomean, meanTime
}

// summaryLine compares the client RL with the best search baseline.
func (t *Table) summaryLine() string {
	if t.Best == "" {
		return "no search baseline finished on every program"
	}
	c, b := t.Geomean[ClientMethod], t.Geomean[t.Best]
	s := fmt.Sprintf("client RL geomean %s vs best baseline %s %s: %+.2f%%", search.FormatQuality(c), t.Best, search.FormatQuality(b), 100*(c/b-1))
	for _, o := range t.Overheads {
		if o.Method == t.Best {
			s += fmt.Sprintf("; search overhead of %s %s", t.Best, o.fmtGeomean())
		}
	}
	return s
}

func (o Overhead) fmtGeomean() string {
	if math.IsNaN(o.Geomean) {
		return "—"
	}
	s := fmt.Sprintf("%.2fx", o.Geomean)
	if o.Censored > 0 {
		s = "≥" + s
	}
	return s
}

func csvFloat(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return fmt.Sprintf("%.6g", x)
}

// meanTime is the mean walltime of a method's jobs.
func (t *Table) meanTime(method string) string {
	var sum time.Duration
	n := 0
	for _, p := range t.Programs {
		if d, ok := t.Walltime[method][p]; ok {
			sum += d
			n++
		}
	}
	if n == 0 {
		return "—"
	}
	d := sum / time.Duration(n)
	if d < 10*time.Second {
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
