package magic

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Version is Supersonic's version, shown by %supersonic version.
const Version = "0.1.0"

// GonbVersion is the gonb release the kernel runs cells with.
const GonbVersion = "v0.11.1"

func init() {
	Register(&Magic{
		Name:  "supersonic",
		Usage: "%supersonic help [MAGIC|TASK] | version | list [" + kindNames("|") + " [TASK]] | workers URL",
		Doc:   "help on the magics, versions, and the registered RL components",
		Help: `%supersonic help            this overview of all Supersonic magics
%supersonic help MAGIC      the long help of one magic (e.g. help search)
%supersonic help TASK       how a task measures and how to reproduce its numbers
                            (e.g. help codesize: the clang-19/opt-19 commands of -Oz)
%supersonic version         versions of Supersonic, gonb and Go
%supersonic list [KIND]     the registered components of KIND (all kinds when omitted),
                            including the ones registered by your own earlier cells;
                            KIND is one of: ` + kindNames(", ") + `
%supersonic list KIND TASK  only those usable with task TASK (e.g. list rewards codesize)
%supersonic workers URL     the workers connected to the NATS server at URL: name,
                            host, job slots, busy slots, jobs done, tasks

Every magic accepts --show-go, which prints the Go source the magic stands for
before running it: anything a magic does, a Go cell can do.`,
		Args: func(prev []string) []string {
			switch {
			case len(prev) == 0:
				return []string{"help", "version", "list", "workers"}
			case len(prev) == 1 && prev[0] == "list":
				return strings.Split(kindNames(" "), " ")
			case len(prev) == 2 && prev[0] == "list":
				var names []string
				for _, t := range rlcore.List(rlcore.KindTask, "") {
					names = append(names, t.Name)
				}
				return names
			case len(prev) == 1 && prev[0] == "help":
				var names []string
				for _, m := range All() {
					names = append(names, m.Name)
				}
				return append(names, rlcore.TaskNames()...)
			}
			return nil
		},
		Parse: parseSupersonic,
	})
}

func kindNames(sep string) string {
	var names []string
	for _, k := range rlcore.Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, sep)
}

func parseSupersonic(c *Call) (Command, error) {
	if len(c.Args) == 0 {
		return nil, fmt.Errorf("missing subcommand; allowed: help, version, list, workers")
	}
	sub, rest := c.Args[0], c.Args[1:]
	switch sub {
	case "help":
		if len(rest) > 1 {
			return nil, fmt.Errorf("help takes at most one magic name, got %d words", len(rest))
		}
		h := helpCommand{}
		if len(rest) == 1 {
			h.topic = strings.TrimLeft(rest[0], "%")
		}
		return h, nil
	case "version":
		if len(rest) > 0 {
			return nil, fmt.Errorf("version takes no arguments, got %q", strings.Join(rest, " "))
		}
		return versionCommand{}, nil
	case "list":
		if len(rest) > 2 {
			return nil, fmt.Errorf("list takes at most a kind and a task, got %q; kinds: %s", strings.Join(rest, " "), kindNames(", "))
		}
		l := listCommand{}
		if len(rest) >= 1 {
			l.kind = rest[0]
		}
		if len(rest) == 2 {
			l.task = rest[1]
		}
		return l, nil
	case "workers":
		return parseWorkers(rest)
	}
	return nil, fmt.Errorf("unknown subcommand %q; allowed: help, version, list, workers", sub)
}

type helpCommand struct{ topic string }

func (h helpCommand) Validate() error {
	if h.topic == "" {
		return nil
	}
	if _, ok := Lookup(h.topic); ok {
		return nil
	}
	if _, err := rlcore.LookupTask(h.topic); err == nil {
		return nil
	}
	return fmt.Errorf("help: no magic or task %q; magics: %s; tasks: %s", h.topic, allowedNames(), strings.Join(rlcore.TaskNames(), ", "))
}

func (h helpCommand) Expand() (Source, error) {
	text := Overview()
	if m, ok := Lookup(h.topic); ok {
		text = m.LongHelp()
	} else if h.topic != "" {
		text = taskHelp(h.topic)
	}
	return displayText(text), nil
}

// taskHelp is %supersonic help TASK: the task's line and its long help.
func taskHelp(name string) string {
	t, err := rlcore.LookupTask(name)
	if err != nil {
		return err.Error()
	}
	text := fmt.Sprintf("task %s — %s\n", t.Name, t.Doc)
	if long, ok := rlcore.TaskHelp(name); ok {
		text += "\n" + strings.TrimRight(long, "\n") + "\n"
	}
	return text + "\n%supersonic list KIND shows its components.\n"
}

type versionCommand struct{}

func (versionCommand) Validate() error { return nil }

func (versionCommand) Expand() (Source, error) {
	return Source{
		Imports: []string{"fmt", "runtime"},
		Main:    fmt.Sprintf("fmt.Printf(\"Supersonic %%s, gonb %%s, %%s\\n\", %q, %q, runtime.Version())", Version, GonbVersion),
	}, nil
}

type listCommand struct{ kind, task string }

func (l listCommand) Validate() error {
	if l.kind == "" {
		return nil
	}
	if l.task != "" {
		if err := checkName("task", l.task); err != nil {
			return fmt.Errorf("list: %w", err)
		}
	}
	if _, err := rlcore.ParseKind(l.kind); err != nil {
		return fmt.Errorf("list: %w", err)
	}
	return nil
}

func (l listCommand) Expand() (Source, error) {
	kinds := rlcore.Kinds()
	if l.kind != "" {
		k, err := rlcore.ParseKind(l.kind)
		if err != nil {
			return Source{}, err
		}
		kinds = []rlcore.Kind{k}
	}
	var lits []string
	for _, k := range kinds {
		lits = append(lits, strconv.Quote(string(k)))
	}
	return Source{
		Imports: append(CoreImports(), "fmt", "html", "os", "strings", "text/tabwriter", GonbUIImport,
			`protocol "github.com/janpfeifer/gonb/gonbui/protocol"`),
		Main: `var text, page strings.Builder
task := ` + strconv.Quote(l.task) + `
if task != "" {
	if _, err := rlcore.LookupTask(task); err != nil {
		fmt.Fprintln(os.Stderr, "error: list:", err)
		os.Exit(1)
	}
}
for _, kind := range []rlcore.Kind{` + strings.Join(lits, ", ") + `} {
	infos := rlcore.List(kind, task)
	fmt.Fprintf(&text, "%s (%d)\n", kind, len(infos))
	fmt.Fprintf(&page, "<h4>%s (%d)</h4>\n", kind, len(infos))
	if len(infos) == 0 {
		text.WriteString("  none registered\n")
		page.WriteString("<p><i>none registered</i></p>\n")
		continue
	}
	tw := tabwriter.NewWriter(&text, 0, 4, 2, ' ', 0)
	page.WriteString("<table><tr><th style=\"text-align:left\">name</th><th style=\"text-align:left\">task</th><th style=\"text-align:left\">description</th></tr>\n")
	for _, info := range infos {
		task := info.Task
		if task == "" {
			task = "any"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", info.Usage, task, info.Doc)
		fmt.Fprintf(&page, "<tr><td style=\"text-align:left\"><code>%s</code></td><td style=\"text-align:left\">%s</td><td style=\"text-align:left\">%s</td></tr>\n",
			html.EscapeString(info.Usage), html.EscapeString(task), html.EscapeString(info.Doc))
	}
	tw.Flush()
	page.WriteString("</table>\n")
}
if gonbui.IsNotebook {
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		protocol.MIMETextPlain: text.String(),
		protocol.MIMETextHTML:  page.String(),
	}})
} else {
	fmt.Print(text.String())
}`,
	}, nil
}

// displayText expands to a cell that shows text (plain text, also as a
// preformatted HTML block in a notebook).
func displayText(text string) Source {
	return Source{
		Imports: []string{"fmt", GonbUIImport, `protocol "github.com/janpfeifer/gonb/gonbui/protocol"`},
		Main: `text := ` + strconv.Quote(text) + `
if gonbui.IsNotebook {
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		protocol.MIMETextPlain: text,
		protocol.MIMETextHTML:  ` + strconv.Quote("<pre>"+htmlEscape(text)+"</pre>") + `,
	}})
} else {
	fmt.Print(text)
}`,
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}
