package explain

import (
	"fmt"
	"html"
	"strings"
)

// PartDiff is the line diff of one program part across a step.
type PartDiff struct {
	Part  string
	Lines []DiffLine
}

// DiffLine is one line of a diff: Op is ' ' (kept), '-' (removed) or '+'
// (added).
type DiffLine struct {
	Op   byte
	Text string
}

// Diff returns the diff of step (1-based): one PartDiff per part the step
// touched, with context lines around the changes; full keeps every line
// of those parts. It needs the task's Snapshotter.
func (x *Explanation) Diff(step int, full bool) ([]PartDiff, error) {
	if x.snaps == nil {
		return nil, fmt.Errorf("task %s does not print its programs (no rlcore.Snapshotter): no diff to show", x.Task)
	}
	if step < 1 || step > len(x.Steps) {
		return nil, fmt.Errorf("no step %d: the result has steps 1 to %d", step, len(x.Steps))
	}
	before, after := map[string]string{}, map[string]string{}
	for _, p := range x.snaps[step-1] {
		before[p.Name] = p.Text
	}
	for _, p := range x.snaps[step] {
		after[p.Name] = p.Text
	}
	var out []PartDiff
	for _, name := range x.Steps[step-1].Touched {
		lines := diffLines(splitLines(before[name]), splitLines(after[name]))
		if !full {
			lines = withContext(lines, 3)
		}
		out = append(out, PartDiff{Part: name, Lines: lines})
	}
	return out, nil
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// maxDiffCells bounds the LCS table; larger parts are shown as removed and
// added wholesale.
const maxDiffCells = 16 << 20

// diffLines is a longest-common-subsequence line diff.
func diffLines(a, b []string) []DiffLine {
	// Trim the common prefix and suffix first: steps change little.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var out []DiffLine
	for _, l := range a[:pre] {
		out = append(out, DiffLine{' ', l})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if (len(ma)+1)*(len(mb)+1) > maxDiffCells {
		for _, l := range ma {
			out = append(out, DiffLine{'-', l})
		}
		for _, l := range mb {
			out = append(out, DiffLine{'+', l})
		}
	} else {
		n, m := len(ma), len(mb)
		lcs := make([][]int32, n+1)
		for i := range lcs {
			lcs[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && ma[i] == mb[j]:
				out = append(out, DiffLine{' ', ma[i]})
				i, j = i+1, j+1
			case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
				out = append(out, DiffLine{'+', mb[j]})
				j++
			default:
				out = append(out, DiffLine{'-', ma[i]})
				i++
			}
		}
	}
	for _, l := range a[len(a)-suf:] {
		out = append(out, DiffLine{' ', l})
	}
	return out
}

// withContext keeps the changed lines and ctx lines around each; a cut is
// marked by a line with Op '@'.
func withContext(lines []DiffLine, ctx int) []DiffLine {
	keep := make([]bool, len(lines))
	for i, l := range lines {
		if l.Op != ' ' {
			for k := max(0, i-ctx); k <= min(len(lines)-1, i+ctx); k++ {
				keep[k] = true
			}
		}
	}
	var out []DiffLine
	cut := false
	for i, l := range lines {
		if !keep[i] {
			cut = true
			continue
		}
		if cut {
			out = append(out, DiffLine{'@', "…"})
		}
		cut = false
		out = append(out, l)
	}
	if cut {
		out = append(out, DiffLine{'@', "…"})
	}
	return out
}

// DiffText renders part diffs as unified-diff-like text.
func DiffText(diffs []PartDiff) string {
	var b strings.Builder
	for _, d := range diffs {
		fmt.Fprintf(&b, "=== %s\n", d.Part)
		for _, l := range d.Lines {
			op := l.Op
			if op == '@' {
				b.WriteString("@@ " + l.Text + "\n")
				continue
			}
			b.WriteByte(op)
			b.WriteString(l.Text)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// DiffHTML renders part diffs as highlighted HTML: removed lines red,
// added lines green.
func DiffHTML(diffs []PartDiff) string {
	var b strings.Builder
	for _, d := range diffs {
		fmt.Fprintf(&b, "<div style=\"margin:6px 0\"><b><code>%s</code></b>\n<pre style=\"font-size:12px;line-height:1.3;margin:2px 0;padding:4px;background:#fafafa;overflow-x:auto\">", html.EscapeString(d.Part))
		for _, l := range d.Lines {
			text := html.EscapeString(l.Text)
			switch l.Op {
			case '-':
				fmt.Fprintf(&b, "<span style=\"background:#ffe0e0;color:#8a1010\">-%s</span>\n", text)
			case '+':
				fmt.Fprintf(&b, "<span style=\"background:#dcf5dc;color:#0d5e0d\">+%s</span>\n", text)
			case '@':
				fmt.Fprintf(&b, "<span style=\"color:#888\">@@ %s</span>\n", text)
			default:
				fmt.Fprintf(&b, " %s\n", text)
			}
		}
		b.WriteString("</pre></div>\n")
	}
	return b.String()
}
