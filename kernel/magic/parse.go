package magic

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ShowGoFlag is the generic flag, accepted by every magic, that prints the
// Go source a magic stands for before running it.
const ShowGoFlag = "show-go"

// Detect reports whether the cell is a Supersonic magic: its first non-blank
// line starts with %name or %%name of a registered magic.
// It returns that magic's name; every other cell belongs to gonb.
func Detect(code string) (string, bool) {
	line, _ := firstLine(code)
	name := magicName(line)
	if name == "" {
		return "", false
	}
	_, ok := Lookup(name)
	return name, ok
}

// magicName returns the word after the leading % or %% of line, or "".
func magicName(line string) string {
	if !strings.HasPrefix(line, "%") {
		return ""
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(line, "%"), "%")
	if i := strings.IndexAny(rest, " \t"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// firstLine returns the first non-blank line (trimmed) and the rest of code.
func firstLine(code string) (line, rest string) {
	for code != "" {
		line, rest, _ = strings.Cut(code, "\n")
		if t := strings.TrimSpace(line); t != "" {
			return t, rest
		}
		code = rest
	}
	return "", ""
}

// Parse splits a magic cell into a Call. It checks the spelling (% or %%),
// the flags and the body, not the values: that is the magic's Parse and
// Validate.
func Parse(code string) (*Call, error) {
	line, body := firstLine(code)
	name := magicName(line)
	m, ok := Lookup(name)
	if !ok {
		return nil, &Error{Err: fmt.Errorf("unknown magic %s; Supersonic magics are: %s", Echo(line), allowedNames())}
	}
	cellSpelling := strings.HasPrefix(line, "%%")
	if m.Cell && !cellSpelling {
		return nil, &Error{Magic: name, Err: fmt.Errorf("%%%s is a cell magic: write %s on the first line and its body below; usage: %s", name, m.Written(), m.Usage)}
	}
	if !m.Cell && cellSpelling {
		return nil, &Error{Magic: name, Err: fmt.Errorf("%%%%%s is not a cell magic: write %s; usage: %s", name, m.Written(), m.Usage)}
	}
	if !m.Cell && strings.TrimSpace(body) != "" {
		return nil, &Error{Magic: name, Err: fmt.Errorf("%s takes a single line, but the cell has more lines; put other code in its own cell; usage: %s", m.Written(), m.Usage)}
	}
	words, err := Split(strings.TrimSpace(line[len(m.Written()):]))
	if err != nil {
		return nil, &Error{Magic: name, Err: fmt.Errorf("%w; usage: %s", err, m.Usage)}
	}
	c := &Call{Magic: m, Line: line, Flags: map[string]string{}}
	if m.Cell {
		c.Body = body
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !strings.HasPrefix(w, "--") || w == "--" {
			c.Args = append(c.Args, w)
			continue
		}
		fname, value, hasValue := strings.Cut(w[2:], "=")
		if fname == ShowGoFlag {
			if hasValue {
				return nil, &Error{Magic: name, Err: fmt.Errorf("--%s takes no value", ShowGoFlag)}
			}
			c.ShowGo = true
			continue
		}
		f, ok := m.flag(fname)
		if !ok {
			return nil, &Error{Magic: name, Err: fmt.Errorf("unknown flag --%s; allowed: %s", fname, m.flagList())}
		}
		if _, dup := c.Flags[fname]; dup {
			return nil, &Error{Magic: name, Err: fmt.Errorf("flag --%s given twice", fname)}
		}
		switch {
		case f.Value == "" && hasValue:
			return nil, &Error{Magic: name, Err: fmt.Errorf("flag --%s takes no value", fname)}
		case f.Value == "":
			value = "true"
		case !hasValue:
			if i+1 >= len(words) || strings.HasPrefix(words[i+1], "--") {
				return nil, &Error{Magic: name, Err: fmt.Errorf("flag --%s needs a value: --%s %s", fname, fname, f.Value)}
			}
			i++
			value = words[i]
		}
		c.Flags[fname] = value
	}
	return c, nil
}

func (m *Magic) flag(name string) (Flag, bool) {
	for _, f := range m.Flags {
		if f.Name == name {
			return f, true
		}
	}
	return Flag{}, false
}

func (m *Magic) flagList() string {
	var out []string
	for _, f := range m.Flags {
		if f.Value == "" {
			out = append(out, "--"+f.Name)
		} else {
			out = append(out, "--"+f.Name+" "+f.Value)
		}
	}
	return strings.Join(append(out, "--"+ShowGoFlag), ", ")
}

// Split splits a magic line into words separated by blanks; single or
// double quotes group words, a backslash escapes the next character.
func Split(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if escaped {
		return nil, errors.New("trailing backslash")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// Expansion is the result of running a magic: the Go cell to send to gonb.
type Expansion struct {
	Magic string
	Code  string // the complete gonb cell
}

// Run parses, validates and expands a magic cell. Errors are *Error.
func Run(code string) (*Expansion, error) {
	c, err := Parse(code)
	if err != nil {
		return nil, err
	}
	name := c.Magic.Name
	cmd, err := c.Magic.Parse(c)
	if err != nil {
		if strings.Contains(err.Error(), c.Magic.Usage) {
			return nil, &Error{Magic: name, Err: err}
		}
		return nil, &Error{Magic: name, Err: fmt.Errorf("%w; usage: %s", err, c.Magic.Usage)}
	}
	if err := cmd.Validate(); err != nil {
		return nil, &Error{Magic: name, Err: err}
	}
	src, err := cmd.Expand()
	if err != nil {
		return nil, &Error{Magic: name, Err: fmt.Errorf("expanding: %w", err)}
	}
	return &Expansion{Magic: name, Code: Assemble(src, c.ShowGo)}, nil
}

// maxEcho bounds how much of a cell an error message quotes back.
const maxEcho = 120

// Unknown checks a cell that Detect did not claim: when its first line
// starts with % but names neither a Supersonic magic nor one of gonb's own
// %-commands, it returns an *Error saying so (gonb would answer it with a
// stream message and status ok); otherwise nil, and the cell is gonb's.
// "% search" (a blank after the %) names Supersonic's %search, which only
// works written as one word.
func Unknown(code string) error {
	line, _ := firstLine(code)
	if !strings.HasPrefix(line, "%") {
		return nil
	}
	percents := "%"
	rest := line[1:]
	if strings.HasPrefix(rest, "%") {
		percents, rest = "%%", rest[1:]
	}
	spaced := strings.TrimLeft(rest, " \t")
	name := spaced
	if i := strings.IndexAny(name, " \t"); i >= 0 {
		name = name[:i]
	}
	if gonbCommands[name] {
		return nil // gonb's; gonb itself allows a blank after the %
	}
	if m, ok := Lookup(name); ok {
		return &Error{Magic: name, Err: fmt.Errorf("write %s as one word, with no blank after %q; usage: %s", m.Written(), percents, m.Usage)}
	}
	return &Error{Err: fmt.Errorf("unknown magic %s; Supersonic magics are: %s; gonb's own %%-commands (%%help lists them) pass through", Echo(percents+name), allowedNames())}
}

// Echo quotes s for an error message, cut to a readable length.
func Echo(s string) string {
	r := []rune(s)
	if len(r) <= maxEcho {
		return strconv.Quote(s)
	}
	return strconv.Quote(string(r[:maxEcho])) + fmt.Sprintf("… (%d more characters)", len(r)-maxEcho)
}
