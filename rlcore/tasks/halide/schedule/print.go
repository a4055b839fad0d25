package schedule

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// cppName turns a Halide name into a C++ identifier: reduction variables
// "r$x" print as r.x.
func cppName(n string) string {
	if a, b, ok := strings.Cut(n, "$"); ok {
		return a + "." + b
	}
	return n
}

// CPP prints s as Halide C++ scheduling calls, with the Var declarations
// they need, for a user to paste after the pipeline's definition (Funcs
// and Vars named as in the pipeline).
func (s Schedule) CPP() string {
	var b strings.Builder
	vars := map[string]bool{}
	var body strings.Builder
	for i := range s.Stages {
		ds := s.stageDirectives(i)
		f := s.Pipeline.Stages[i]
		fmt.Fprintf(&body, "%s", cppName(f.Name))
		for j, d := range ds {
			if j > 0 && d.update >= 0 && ds[j-1].update != d.update {
				fmt.Fprintf(&body, ";\n%s", cppName(f.Name))
			}
			if d.update < 0 && j > 0 && ds[j-1].update > 0 {
				fmt.Fprintf(&body, ";\n%s", cppName(f.Name))
			}
			if d.update > 0 && (j == 0 || ds[j-1].update != d.update) {
				fmt.Fprintf(&body, ".update(%d)", d.update-1)
			}
			fmt.Fprintf(&body, "\n    .%s", d.cpp(vars))
		}
		body.WriteString(";\n")
	}
	if len(vars) > 0 {
		names := make([]string, 0, len(vars))
		for v := range vars {
			names = append(names, v)
		}
		sort.Strings(names)
		decl := make([]string, len(names))
		for i, v := range names {
			decl[i] = fmt.Sprintf("%s(%q)", v, v)
		}
		fmt.Fprintf(&b, "Var %s;\n", strings.Join(decl, ", "))
	}
	b.WriteString(body.String())
	return b.String()
}

func (d directive) cpp(vars map[string]bool) string {
	names := make([]string, len(d.args))
	for i, a := range d.args {
		names[i] = cppName(a)
	}
	switch d.op {
	case "inline":
		return "compute_inline()"
	case "root":
		return "compute_root()"
	case "store_root":
		return "store_root()"
	case "at":
		return fmt.Sprintf("compute_at(%s, %s)", names[0], names[1])
	case "split":
		vars[names[1]], vars[names[2]] = true, true
		return fmt.Sprintf("split(%s, %s, %s, %s)", names[0], names[1], names[2], names[3])
	case "unroll":
		if len(names) == 1 {
			return fmt.Sprintf("unroll(%s)", names[0])
		}
		return fmt.Sprintf("unroll(%s, %s)", names[0], names[1])
	case "vectorize":
		return fmt.Sprintf("%s(%s, %s)", d.op, names[0], names[1])
	case "parallel":
		return fmt.Sprintf("parallel(%s)", names[0])
	case "reorder":
		return fmt.Sprintf("reorder(%s)", strings.Join(names, ", "))
	}
	return d.op
}

// String is the compact form of s that Parse reads back: the pipeline's
// name, then one "stage=directives" item per stage that is not
// compute_root with default loops, e.g.
//
//	harris: Ix=inline gray=rows,store_root harris=tile(64x16),vec8,par
//
// The default schedule prints as "harris: default".
func (s Schedule) String() string {
	var items []string
	for i, st := range s.Stages {
		if st == (Stage{}) {
			continue
		}
		items = append(items, s.Pipeline.Stages[i].Name+"="+st.String())
	}
	if len(items) == 0 {
		items = []string{"default"}
	}
	return s.Pipeline.Name + ": " + strings.Join(items, " ")
}

// String prints a stage's directives, comma-separated.
func (st Stage) String() string {
	var p []string
	p = append(p, st.Compute.String())
	if st.StoreRoot {
		p = append(p, "store_root")
	}
	if st.TileX > 0 || st.TileY > 0 {
		p = append(p, fmt.Sprintf("tile(%dx%d)", st.TileX, st.TileY))
	}
	if st.Vector > 0 {
		p = append(p, fmt.Sprintf("vec%d", st.Vector))
	}
	if st.Parallel {
		p = append(p, "par")
	}
	if st.Unroll > 0 {
		p = append(p, fmt.Sprintf("unroll%d", st.Unroll))
	}
	if st.Order != Natural {
		p = append(p, st.Order.String())
	}
	if st.BlockC > 0 {
		p = append(p, fmt.Sprintf("blockc%d", st.BlockC))
	}
	return strings.Join(p, ",")
}

// Parse reads the String form of a schedule of p.
func Parse(p *Pipeline, text string) (Schedule, error) {
	name, rest, ok := strings.Cut(strings.TrimSpace(text), ":")
	if !ok {
		return Schedule{}, fmt.Errorf("schedule %q: want \"PIPELINE: stage=directives …\"", text)
	}
	if strings.TrimSpace(name) != p.Name {
		return Schedule{}, fmt.Errorf("schedule %q is for pipeline %q, not %q", text, strings.TrimSpace(name), p.Name)
	}
	s := Default(p)
	for _, item := range strings.Fields(rest) {
		if item == "default" {
			continue
		}
		stage, dirs, ok := strings.Cut(item, "=")
		i := p.Stage(stage)
		if !ok || i < 0 {
			return Schedule{}, fmt.Errorf("schedule item %q: want STAGE=directives with STAGE one of %s", item, strings.Join(p.stageNames(), ", "))
		}
		st, err := parseStage(dirs)
		if err != nil {
			return Schedule{}, fmt.Errorf("schedule item %q: %w", item, err)
		}
		s.Stages[i] = st
	}
	if err := s.Check(); err != nil {
		return Schedule{}, err
	}
	return s, nil
}

func (p *Pipeline) stageNames() []string {
	n := make([]string, len(p.Stages))
	for i, s := range p.Stages {
		n[i] = s.Name
	}
	return n
}

// flags are the directives without a number, by their String form.
var flags = map[string]func(*Stage){
	"root": func(st *Stage) { st.Compute = Root }, "inline": func(st *Stage) { st.Compute = Inline },
	"rows": func(st *Stage) { st.Compute = Rows }, "tiles": func(st *Stage) { st.Compute = Tiles },
	"store_root": func(st *Stage) { st.StoreRoot = true }, "par": func(st *Stage) { st.Parallel = true },
	"swap": func(st *Stage) { st.Order = SwapXY }, "router": func(st *Stage) { st.Order = ROuter },
	"couter": func(st *Stage) { st.Order = COuter }, "block": func(st *Stage) { st.Order = Block },
}

func parseStage(text string) (Stage, error) {
	var st Stage
	num := func(s, prefix string, allowed []int) (int, error) {
		v, err := strconv.Atoi(strings.TrimPrefix(s, prefix))
		if err != nil {
			return 0, fmt.Errorf("%q: want %sN", s, prefix)
		}
		for _, a := range allowed {
			if v == a {
				return v, nil
			}
		}
		return 0, fmt.Errorf("%q: %s must be one of %v", s, prefix, allowed)
	}
	for _, d := range strings.Split(text, ",") {
		var err error
		switch {
		case flags[d] != nil:
			flags[d](&st)
		case strings.HasPrefix(d, "tile(") && strings.HasSuffix(d, ")"):
			a, b, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(d, "tile("), ")"), "x")
			if !ok {
				return st, fmt.Errorf("%q: want tile(XxY)", d)
			}
			if st.TileX, err = num(a, "", append([]int{0}, TileSizes...)); err != nil {
				return st, err
			}
			if st.TileY, err = num(b, "", append([]int{0}, TileSizes...)); err != nil {
				return st, err
			}
		case strings.HasPrefix(d, "vec"):
			if st.Vector, err = num(d, "vec", VectorWidths); err != nil {
				return st, err
			}
		case strings.HasPrefix(d, "blockc"):
			if st.BlockC, err = num(d, "blockc", BlockChannels); err != nil {
				return st, err
			}
		case strings.HasPrefix(d, "unroll"):
			if st.Unroll, err = num(d, "unroll", UnrollFactors); err != nil {
				return st, err
			}
		default:
			return st, fmt.Errorf("unknown directive %q (allowed: root, inline, rows, tiles, store_root, tile(XxY), vecN, par, unrollN, swap, router, couter, block, blockcN)", d)
		}
	}
	return st, nil
}
