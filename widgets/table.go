package widgets

import (
	"fmt"
	"strings"
)

// Column is a column of TableHTML.
type Column struct {
	Name    string
	Numeric bool // right-aligned, with tabular digits
	Code    bool // shown in a code font, wrapped only between " · " parts (names)
}

// TableHTML renders rows as an HTML table with the package's inline styles
// (left-aligned text, right-aligned numbers, whatever the notebook's own
// CSS says), under an optional bold title.
func TableHTML(title string, cols []Column, rows [][]string) string {
	var b strings.Builder
	b.WriteString(`<div class="supersonic-table">`)
	if title != "" {
		fmt.Fprintf(&b, `<div style="font-family:sans-serif;font-weight:bold;margin:4px 0">%s</div>`, htmlEscape(title))
	}
	fmt.Fprintf(&b, `<table style="%s"><thead><tr>`, tableStyle)
	for _, c := range cols {
		sty := thStyle
		if c.Numeric {
			sty += ";text-align:right"
		}
		fmt.Fprintf(&b, `<th style="%s">%s</th>`, sty, htmlEscape(c.Name))
	}
	b.WriteString(`</tr></thead><tbody>`)
	for _, r := range rows {
		b.WriteString(`<tr>`)
		for i, c := range cols {
			v := ""
			if i < len(r) {
				v = r[i]
			}
			sty, cell := tdStyle, wordsHTML(v)
			if c.Numeric {
				sty = numStyle
			}
			if c.Code {
				cell = "<code>" + nameHTML(v) + "</code>"
			}
			fmt.Fprintf(&b, `<td style="%s">%s</td>`, sty, cell)
		}
		b.WriteString(`</tr>`)
	}
	b.WriteString(`</tbody></table></div>`)
	return b.String()
}

// wordsHTML shows text that a narrow cell wraps between words only, never
// at a hyphen inside one (a date "2026-12-02" stays whole).
func wordsHTML(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if strings.Contains(w, "-") {
			words[i] = `<span style="white-space:nowrap">` + htmlEscape(w) + `</span>`
		} else {
			words[i] = htmlEscape(w)
		}
	}
	return strings.Join(words, " ")
}
