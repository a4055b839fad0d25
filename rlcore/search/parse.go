package search

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// specKeys documents every key of a %%task body, in the order the error
// messages list them.
var specKeys = []struct{ key, doc string }{
	{"task", "the registered task (alias: env), e.g. codesize"},
	{"option.NAME", "a task option passed to the task's Open, e.g. option.cflags: -std=gnu89"},
	{"benchmarks", "benchmark specs, the training set (or the whole set with folds)"},
	{"test", "benchmark specs of the unseen test set"},
	{"folds", "k of k-fold cross-validation over benchmarks (instead of test)"},
	{"fold", "the fold (0-based) held out as the test set; default 0"},
	{"states", "state functions; join several with + to concatenate them"},
	{"rewards", "reward functions (default quality-delta)"},
	{"actions", "action spaces (default all)"},
	{"transitions", "transition functions (default apply)"},
	{"algorithms", "algorithms, each optionally name(param=value, …)"},
	{"horizon", "episode length in steps (default 45)"},
	{"seed", "the seed every random choice flows from (default 1)"},
	{"pull", "training budget of one pull, e.g. 10s or 2000steps"},
	{"reference", "the reference compilation Compare reports (alias: baseline; default the task's, e.g. oz for codesize, o3 for superopt)"},
	{"methods", "search methods Compare runs beside the client RL (alias: baselines; default random, greedy, anneal, genetic)"},
}

// keyAliases are the older spellings of keys that %%task still reads.
var keyAliases = map[string]string{"env": "task", "train": "benchmarks", "baseline": "reference", "baselines": "methods"}

func allowedKeys() string {
	ks := make([]string, len(specKeys))
	for i, k := range specKeys {
		ks[i] = k.key
	}
	return strings.Join(ks, ", ")
}

// SpecHelp returns the %%task grammar, one key per line, for help texts.
func SpecHelp() string {
	var b strings.Builder
	b.WriteString("%%task NAME — one `key: value` per line; lists are comma-separated; `#` starts a comment; `;` separates several keys on one line; double quotes keep an item whole (\"my data/a.c\")\n")
	for _, k := range specKeys {
		fmt.Fprintf(&b, "  %-12s %s\n", k.key+":", k.doc)
	}
	return b.String()
}

// ParseSpec reads the body of a `%%task NAME` cell (see the package
// documentation for the grammar). It checks the syntax only; call
// Spec.Validate to check names against the registry.
func ParseSpec(name, body string) (Spec, error) {
	s := Spec{Name: strings.TrimSpace(name), Seed: 1}
	if s.Name == "" {
		return s, fmt.Errorf("%%%%task needs a name: %%%%task NAME")
	}
	if strings.ContainsAny(s.Name, " \t") {
		return s, fmt.Errorf("task name %q must be one word", s.Name)
	}
	seen := map[string]int{}
	for i, line := range strings.Split(body, "\n") {
		lineNo := i + 1
		if c := indexUnquoted(line, '#'); c >= 0 {
			line = line[:c]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		// A task option's value is taken whole; other lines may hold
		// several clauses separated by ';'.
		clauses := []string{line}
		if !strings.HasPrefix(line, "option.") {
			clauses = splitUnquoted(line, ';')
		}
		for _, clause := range clauses {
			clause = strings.TrimSpace(clause)
			if clause == "" {
				continue
			}
			key, value, ok := strings.Cut(clause, ":")
			key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
			if !ok || key == "" {
				return s, fmt.Errorf("line %d: %q is not `key: value`; keys: %s", lineNo, clause, allowedKeys())
			}
			if canon, ok := keyAliases[key]; ok {
				key = canon
			}
			if first, dup := seen[key]; dup {
				return s, fmt.Errorf("line %d: %s given twice (first on line %d)", lineNo, key, first)
			}
			seen[key] = lineNo
			if err := s.set(key, value); err != nil {
				return s, fmt.Errorf("line %d: %s: %w", lineNo, key, err)
			}
		}
	}
	return s, nil
}

func (s *Spec) set(key, value string) error {
	if opt, ok := strings.CutPrefix(key, "option."); ok {
		if opt == "" || strings.ContainsAny(opt, " \t") {
			return fmt.Errorf("want option.NAME: value, e.g. option.cflags: -std=gnu89")
		}
		if s.TaskOptions == nil {
			s.TaskOptions = map[string]string{}
		}
		s.TaskOptions[opt] = value
		return nil
	}
	if value == "" {
		return fmt.Errorf("no value")
	}
	var err error
	switch key {
	case "task":
		if strings.ContainsAny(value, " \t,") {
			return fmt.Errorf("%q: want one task name", value)
		}
		s.Task = value
	case "benchmarks":
		s.Benchmarks, err = splitList(value)
	case "test":
		s.Test, err = splitList(value)
	case "folds":
		s.Folds, err = parseInt(value, 2, 100)
	case "fold":
		s.Fold, err = parseInt(value, 0, 99)
	case "states":
		s.States, err = splitRefs(value, true)
	case "rewards":
		s.Rewards, err = splitRefs(value, false)
	case "actions":
		s.Actions, err = splitRefs(value, false)
	case "transitions":
		s.Transitions, err = splitRefs(value, false)
	case "algorithms":
		var items []string
		if items, err = splitList(value); err != nil {
			return err
		}
		for _, it := range items {
			a, err := ParseAlgorithm(it)
			if err != nil {
				return err
			}
			s.Algorithms = append(s.Algorithms, a)
		}
	case "horizon":
		s.Horizon, err = parseInt(value, 1, 1_000_000)
	case "seed":
		s.Seed, err = strconv.ParseInt(value, 10, 64)
		if err != nil {
			err = fmt.Errorf("%q is not an integer", value)
		}
	case "pull":
		s.PullBudget, err = rlcore.ParseBudget(value)
	case "reference":
		if strings.ContainsAny(value, " \t,") {
			return fmt.Errorf("%q: want one reference compilation such as oz", value)
		}
		s.Reference = value
	case "methods":
		s.Methods, err = splitRefs(value, false)
	default:
		return fmt.Errorf("unknown key; keys: %s", allowedKeys())
	}
	return err
}

func parseInt(v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q: want an integer in [%d, %d]", v, lo, hi)
	}
	return n, nil
}

// splitList splits on commas outside parentheses and double quotes, and
// trims the items. Double quotes keep what they enclose whole — commas,
// spaces, '#', ';', parentheses — and are removed: the benchmark path
// "my data/a, b.c" is one item.
func splitList(v string) ([]string, error) {
	var out []string
	var item strings.Builder
	depth, quoted, wasQuoted := 0, false, false
	end := func() {
		it := item.String()
		if !wasQuoted {
			it = strings.TrimSpace(it)
		}
		out = append(out, it)
		item.Reset()
		wasQuoted = false
	}
	for _, r := range v {
		switch {
		case r == '"':
			quoted = !quoted
			if quoted && strings.TrimSpace(item.String()) == "" {
				item.Reset() // spaces before an opening quote are not part of the item
			}
			wasQuoted = true
			continue
		case quoted:
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced ')' in %q", v)
			}
		case r == ',' && depth == 0:
			end()
			continue
		case wasQuoted && (r == ' ' || r == '\t'):
			continue // spaces after a closing quote
		}
		item.WriteRune(r)
	}
	if quoted {
		return nil, fmt.Errorf("unterminated '\"' in %q", v)
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced '(' in %q", v)
	}
	end()
	for _, it := range out {
		if it == "" {
			return nil, fmt.Errorf("empty item in %q", v)
		}
	}
	return out, nil
}

// indexUnquoted is the index of the first c outside double quotes, or -1.
func indexUnquoted(s string, c byte) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case c:
			if !quoted {
				return i
			}
		}
	}
	return -1
}

// splitUnquoted splits s at every sep outside double quotes.
func splitUnquoted(s string, sep byte) []string {
	var out []string
	for {
		i := indexUnquoted(s, sep)
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i])
		s = s[i+1:]
	}
}

// quoteItem quotes a list item that splitList would not read back whole.
func quoteItem(s string) string {
	if strings.ContainsAny(s, " \t,#;()") || strings.TrimSpace(s) != s {
		return `"` + s + `"`
	}
	return s
}

func quoteItems(items []string) string {
	q := make([]string, len(items))
	for i, it := range items {
		q[i] = quoteItem(it)
	}
	return strings.Join(q, ", ")
}

// splitRefs splits a list of component references and checks each one's
// syntax; combine allows '+' joining several references.
func splitRefs(v string, combine bool) ([]string, error) {
	items, err := splitList(v)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, it := range items {
		parts := []string{it}
		if combine {
			parts = strings.Split(it, "+")
		}
		var canon []string
		for _, p := range parts {
			ref, err := rlcore.ParseRef(p)
			if err != nil {
				return nil, err
			}
			canon = append(canon, ref.String())
		}
		items[i] = strings.Join(canon, "+")
		if seen[items[i]] {
			return nil, fmt.Errorf("%s listed twice", items[i])
		}
		seen[items[i]] = true
	}
	return items, nil
}

// Body renders the spec as a %%task body that ParseSpec reads back.
func (s Spec) Body() string {
	var b strings.Builder
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	line("task", s.Task)
	keys := slices.Sorted(maps.Keys(s.TaskOptions))
	for _, k := range keys {
		fmt.Fprintf(&b, "option.%s: %s\n", k, s.TaskOptions[k])
	}
	line("benchmarks", quoteItems(s.Benchmarks))
	line("test", quoteItems(s.Test))
	if s.Folds != 0 {
		line("folds", strconv.Itoa(s.Folds))
	}
	if s.Fold != 0 {
		line("fold", strconv.Itoa(s.Fold))
	}
	line("states", strings.Join(s.States, ", "))
	line("rewards", strings.Join(s.Rewards, ", "))
	line("actions", strings.Join(s.Actions, ", "))
	line("transitions", strings.Join(s.Transitions, ", "))
	algs := make([]string, len(s.Algorithms))
	for i, a := range s.Algorithms {
		algs[i] = a.String()
	}
	line("algorithms", strings.Join(algs, ", "))
	if s.Horizon > 0 {
		line("horizon", strconv.Itoa(s.Horizon))
	}
	line("seed", strconv.FormatInt(s.Seed, 10))
	if !s.PullBudget.IsZero() {
		line("pull", s.PullBudget.String())
	}
	line("reference", s.Reference)
	line("methods", strings.Join(s.Methods, ", "))
	return b.String()
}
