package magic

import (
	"strconv"
	"strings"
)

// Import paths used by expansions.
const (
	// CoreImport is the RL engine every expansion talks to.
	CoreImport = "github.com/supersonic-rl/supersonic/rlcore"
	// AggregatorImport is the blank-imported package that registers every
	// built-in component (tasks, states, rewards, algorithms, …).
	AggregatorImport = "github.com/supersonic-rl/supersonic/rlcore/all"
	// GonbUIImport is gonb's display library, used for HTML output.
	GonbUIImport = "github.com/janpfeifer/gonb/gonbui"
)

// CoreImports returns the imports an expansion needs to see the library
// and every built-in component.
func CoreImports() []string {
	return []string{CoreImport, `_ "` + AggregatorImport + `"`}
}

// Assemble writes src as one gonb cell: an import block, the declarations,
// then gonb's "%%" marker and the body of main, ending with gonbui.Sync()
// when the cell uses gonbui. With showGo the cell first
// displays its own source (as a Go code block in a notebook, plain text
// elsewhere).
func Assemble(src Source, showGo bool) string {
	plain := assemble(src)
	if !showGo {
		return plain
	}
	shown := src
	shown.Imports = append(append([]string{}, src.Imports...), "fmt", GonbUIImport)
	shown.Main = "if gonbui.IsNotebook {\n\tgonbui.DisplayMarkdown(" + strconv.Quote("```go\n"+plain+"```\n") + ")\n} else {\n\tfmt.Print(" +
		strconv.Quote(plain) + ")\n}\n" + src.Main
	return assemble(shown)
}

func assemble(src Source) string {
	var b strings.Builder
	seen := map[string]bool{}
	var specs []string
	for _, imp := range src.Imports {
		spec := imp
		if !strings.Contains(imp, `"`) {
			spec = strconv.Quote(imp)
		}
		if !seen[spec] {
			seen[spec] = true
			specs = append(specs, spec)
		}
	}
	if len(specs) > 0 {
		b.WriteString("import (\n")
		for _, s := range specs {
			b.WriteString("\t" + s + "\n")
		}
		b.WriteString(")\n\n")
	}
	if d := strings.TrimSpace(src.Decls); d != "" {
		b.WriteString(d + "\n\n")
	}
	b.WriteString("%%\n")
	b.WriteString(strings.TrimRight(src.Main, "\n") + "\n")
	if seen[strconv.Quote(GonbUIImport)] {
		// gonbui output travels through a pipe: wait until gonb has
		// published it, or the cell may end before its output shows.
		b.WriteString("gonbui.Sync()\n")
	}
	return b.String()
}
