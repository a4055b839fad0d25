// Package iscomplete answers Jupyter's is_complete_request for Supersonic
// cells: is the code typed so far in a console a whole cell that should run,
// or does the user mean to type more? It reads Go (brackets, strings, raw
// strings, comments, a line ending in an operator), gonb's %- and !-lines,
// and cell magics such as %%task, whose body ends with a blank line as in
// IPython.
package iscomplete

import "strings"

// Status is the answer's status.
type Status string

// The statuses of the Jupyter protocol.
const (
	Complete   Status = "complete"   // run it
	Incomplete Status = "incomplete" // wait for more lines, indented by the returned indent
	Invalid    Status = "invalid"    // run it: it cannot become valid, the error will say why
)

// Unit is one level of indentation in the answer.
const Unit = "    "

// Check says whether code is complete, and the indent of the next line
// when it is not.
func Check(code string) (Status, string) {
	if strings.TrimSpace(code) == "" {
		return Complete, ""
	}
	lines := strings.Split(code, "\n")
	first := ""
	for _, l := range lines {
		if t := strings.TrimSpace(l); t != "" {
			first = t
			break
		}
	}
	last := lines[len(lines)-1]
	switch {
	case strings.HasPrefix(first, "%%"):
		// A cell magic (%%task, gonb's %% and %%writefile): its body is
		// everything below, ended by an empty line.
		if len(lines) > 1 && strings.TrimSpace(last) == "" {
			return Complete, ""
		}
		return Incomplete, ""
	case len(nonBlank(lines)) == 1 && (strings.HasPrefix(first, "%") || strings.HasPrefix(first, "!")):
		if strings.HasSuffix(strings.TrimRight(last, " \t"), "\\") {
			return Incomplete, "" // gonb joins a line ending in a backslash with the next
		}
		return Complete, ""
	}
	return checkGo(lines)
}

func nonBlank(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// closers pairs each opening bracket with its closing one.
var closers = map[rune]rune{'(': ')', '[': ']', '{': '}'}

// checkGo scans Go source whose lines may include gonb's %- and !-lines.
func checkGo(lines []string) (Status, string) {
	var open []rune
	inRaw, inBlock := false, false
	lastTok := "" // the last significant token of the code
	for _, line := range lines {
		if !inRaw && !inBlock {
			if t := strings.TrimSpace(line); strings.HasPrefix(t, "%") || strings.HasPrefix(t, "!") {
				if strings.HasSuffix(t, "\\") {
					lastTok = "\\"
				} else {
					lastTok = ""
				}
				continue // one of gonb's commands, not Go
			}
		}
		rs := []rune(line)
		for i := 0; i < len(rs); i++ {
			r := rs[i]
			switch {
			case inRaw:
				if r == '`' {
					inRaw = false
					lastTok = "string"
				}
			case inBlock:
				if r == '*' && i+1 < len(rs) && rs[i+1] == '/' {
					inBlock = false
					i++
				}
			case r == '/' && i+1 < len(rs) && rs[i+1] == '/':
				i = len(rs) // a line comment: the rest of the line
			case r == '/' && i+1 < len(rs) && rs[i+1] == '*':
				inBlock = true
				i++
			case r == '`':
				inRaw = true
			case r == '"' || r == '\'':
				end := closeQuote(rs, i)
				if end < 0 {
					return Invalid, "" // a "…" or '…' cannot span lines
				}
				i = end
				lastTok = "string"
			case closers[r] != 0:
				open = append(open, r)
				lastTok = string(r)
			case r == ')' || r == ']' || r == '}':
				if len(open) == 0 || closers[open[len(open)-1]] != r {
					return Invalid, ""
				}
				open = open[:len(open)-1]
				lastTok = string(r)
			case r == ' ' || r == '\t' || r == '\r':
			default:
				lastTok = operatorOrWord(rs, i)
				i += len([]rune(lastTok)) - 1
			}
		}
	}
	depth := len(open)
	switch {
	case inRaw:
		return Incomplete, ""
	case inBlock:
		return Incomplete, strings.Repeat(Unit, depth)
	case lastTok == "\\":
		return Incomplete, ""
	case continues(lastTok):
		return Incomplete, strings.Repeat(Unit, depth+1)
	case depth > 0:
		return Incomplete, strings.Repeat(Unit, depth)
	}
	return Complete, ""
}

// closeQuote returns the index of the quote closing the string or rune
// literal that starts at i, or -1 when the line ends first.
func closeQuote(rs []rune, i int) int {
	q := rs[i]
	for j := i + 1; j < len(rs); j++ {
		switch rs[j] {
		case '\\':
			j++
		case q:
			return j
		}
	}
	return -1
}

// operators are Go's operators, longest first.
var operators = []string{
	"&^=", "<<=", ">>=", "...", "&&", "||", "<-", "++", "--", "==", "!=", "<=", ">=", ":=",
	"+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<", ">>", "&^",
	"+", "-", "*", "/", "%", "&", "|", "^", "<", ">", "=", "!", ",", ";", ".", ":", "~",
}

// operatorOrWord returns the token starting at i: an operator, or a run of
// other characters (a word or a number).
func operatorOrWord(rs []rune, i int) string {
	rest := string(rs[i:])
	for _, op := range operators {
		if strings.HasPrefix(rest, op) {
			return op
		}
	}
	j := i
	for j < len(rs) && !strings.ContainsRune(" \t\r()[]{}\"'`,;.:+-*/%&|^<>=!~", rs[j]) {
		j++
	}
	if j == i {
		j++
	}
	return string(rs[i:j])
}

// continues reports whether a line ending in tok goes on on the next line:
// after a binary operator, a comma, an assignment or a dot Go inserts no
// semicolon.
func continues(tok string) bool {
	switch tok {
	case "", "string", ")", "]", "}", "++", "--", ";", ":":
		return false
	}
	for _, op := range operators {
		if tok == op {
			return true
		}
	}
	return false
}
