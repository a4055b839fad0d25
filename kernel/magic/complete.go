package magic

import (
	"sort"
	"strings"
)

// Completion is the answer to a complete_request on a magic line: the
// candidates replace the code between Start and End (rune offsets).
type Completion struct {
	Matches    []string
	Start, End int
}

// Complete completes a magic name, subcommand, argument or flag at cursor
// (a rune offset into code, as Jupyter counts it). ok is false when the
// cursor is not on a line starting with %, so gonb should answer.
func Complete(code string, cursor int) (Completion, bool) {
	runes := []rune(code)
	if cursor < 0 || cursor > len(runes) {
		return Completion{}, false
	}
	lineStart := cursor
	for lineStart > 0 && runes[lineStart-1] != '\n' {
		lineStart--
	}
	if strings.TrimSpace(string(runes[:lineStart])) != "" {
		return Completion{}, false // magics live on the first non-blank line
	}
	before := string(runes[lineStart:cursor])
	trimmed := strings.TrimLeft(before, " \t")
	if !strings.HasPrefix(trimmed, "%") {
		return Completion{}, false
	}
	wordStart := cursor
	for wordStart > lineStart && runes[wordStart-1] != ' ' && runes[wordStart-1] != '\t' {
		wordStart--
	}
	word := string(runes[wordStart:cursor])
	words := strings.Fields(string(runes[lineStart:wordStart]))

	if len(words) == 0 { // completing the magic's name
		var out []string
		for _, m := range All() {
			if strings.HasPrefix(m.Written(), word) {
				out = append(out, m.Written())
			}
		}
		if len(out) == 0 {
			return Completion{}, false // maybe one of gonb's %-commands
		}
		return Completion{Matches: out, Start: wordStart, End: cursor}, true
	}
	m, ok := Lookup(magicName(words[0]))
	if !ok {
		return Completion{}, false
	}
	var cands []string
	prevFlag, positional := flagState(m, words[1:])
	switch {
	case strings.HasPrefix(word, "--"):
		for _, f := range m.Flags {
			cands = append(cands, "--"+f.Name)
		}
		cands = append(cands, "--"+ShowGoFlag)
	case prevFlag != nil:
		cands = prevFlag.Values
	case m.Args != nil:
		cands = m.Args(positional)
	}
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, word) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return Completion{Matches: out, Start: wordStart, End: cursor}, true
}

// flagState walks the words after the magic's name: it returns the flag
// waiting for its value (nil if none) and the positional arguments.
func flagState(m *Magic, words []string) (*Flag, []string) {
	var positional []string
	var waiting *Flag
	for _, w := range words {
		if waiting != nil {
			waiting = nil
			continue
		}
		if strings.HasPrefix(w, "--") {
			name, _, hasValue := strings.Cut(w[2:], "=")
			if f, ok := m.flag(name); ok && f.Value != "" && !hasValue {
				waiting = &f
			}
			continue
		}
		positional = append(positional, w)
	}
	return waiting, positional
}

// Inspect returns the long help of the magic a cell starts with, or
// ok=false when the cell is not a Supersonic magic and gonb should answer.
func Inspect(code string) (string, bool) {
	name, ok := Detect(code)
	if !ok {
		return "", false
	}
	m, _ := Lookup(name)
	return m.LongHelp(), true
}
