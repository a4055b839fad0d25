package magic

import (
	"fmt"
	"strings"
)

// Overview is the text of %supersonic help: every magic with its usage and
// one-line doc.
func Overview() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Supersonic %s magics (every other cell is Go, run by gonb %s):\n\n", Version, GonbVersion)
	for _, m := range All() {
		fmt.Fprintf(&b, "  %-12s %s\n  %-12s %s\n\n", m.Written(), m.Doc, "", m.Usage)
	}
	b.WriteString("Add --show-go to any magic to print the Go it stands for.\n")
	b.WriteString("%supersonic help MAGIC gives the long help of one magic.\n")
	return b.String()
}

// LongHelp is the help of one magic: usage, doc, flags and long help.
func (m *Magic) LongHelp() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s\n\nUsage: %s\n", m.Written(), m.Doc, m.Usage)
	if m.Help != "" {
		b.WriteString("\n" + strings.TrimRight(m.Help, "\n") + "\n")
	}
	b.WriteString("\nFlags:\n")
	for _, f := range m.Flags {
		spec := "--" + f.Name
		if f.Value != "" {
			spec += " " + f.Value
		}
		fmt.Fprintf(&b, "  %-28s %s\n", spec, f.Doc)
	}
	fmt.Fprintf(&b, "  %-28s %s\n", "--"+ShowGoFlag, "print the Go source this magic stands for, then run it")
	return b.String()
}
