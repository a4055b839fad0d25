// Package schedule is the schedule space of the halide task, as data: for
// every stage (Halide Func) of a pipeline, where it is computed (inline,
// compute_root, compute_at a consumer's loop) and stored (store_root), its
// split/tile sizes, vectorize width, parallel outer loop, unroll factor
// and loop order. A Schedule prints as Halide C++ a user can paste
// (CPP), as a compact line (String) that Parse reads back, hashes
// (Hash), lowers to the directive lines package hl applies (Directives),
// and is edited one directive at a time by the Actions.
package schedule

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// Pipeline is the shape of an image pipeline, as package hl reports it.
type Pipeline struct {
	Name string
	// Doc describes the algorithm and its input.
	Doc        string
	InW, InH   int // the generated input image
	InC        int
	OutExtents []int
	// Stages in producer-first order; the output is last.
	Stages []Func
}

// Func is one stage (Halide Func) of a pipeline.
type Func struct {
	Name string
	Vars []string // pure variables, innermost first
	// Updates counts update definitions; PureUpdates says every update
	// writes f(vars...), so the loop directives apply to it as well.
	Updates     int
	PureUpdates bool
	RVars       []string // reduction variables of the updates ("r$x")
	Consumers   []string // stages that call this one
	// Pointwise says every consumer reads this stage at its own x and y
	// (no stencil offsets, no computed coordinates): inlining it
	// recomputes nothing.
	Pointwise bool
	// Resampled says some consumer reads this stage at scaled or computed
	// coordinates (2x, x/2, a looked-up index: a pyramid level, a
	// gather), not at its own x and y plus fixed offsets: a tile of the
	// consumer needs a region of another size, so Grouped makes the
	// stage a group root of its own.
	Resampled bool
	// Broadcast says some consumer loops over a pure variable its call
	// does not use (a grey level read by every colour channel): inlining
	// the stage would recompute it for every value of that variable.
	Broadcast bool
}

// Stage returns the index of the stage named name, or -1.
func (p *Pipeline) Stage(name string) int {
	for i, s := range p.Stages {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// Compute says where a stage is computed.
type Compute uint8

const (
	Root   Compute = iota // compute_root: the whole stage before its consumers
	Inline                // inlined into every use
	Rows                  // compute_at the consumer's outer y loop (yo, or y)
	Tiles                 // compute_at the consumer's outer x loop (xo, or x)
)

var computeNames = [...]string{"root", "inline", "rows", "tiles"}

func (c Compute) String() string { return computeNames[c] }

// Order is a stage's loop order.
type Order uint8

const (
	Natural Order = iota // y outside x (tiles: yo, xo, yi, xi); reductions innermost
	SwapXY               // x outside y
	ROuter               // updates: reduction loops outside the inner x/y loops
	// COuter puts the outer pure variables (colour channels c, output
	// channels co, …) outside the y and x loops, and parallel() on the
	// outermost of them: a small stage (a coarse pyramid level) gets a
	// few large parallel tasks, one per channel, as Mullapudi2016
	// schedules pyramids, instead of many short rows.
	COuter
	// Block is register blocking for a stage with pure updates and
	// reduction loops, as Adams2019 schedules a convolution: the update's
	// inner tile — TileX/Vector vectors of x, TileY rows, BlockC
	// channels — is unrolled inside the reduction loops, so its
	// TileX/Vector × TileY × BlockC accumulators stay in vector registers
	// across the whole reduction; the tile loops and the channel blocks
	// run outside the reduction. The pure definition is tiled and
	// unrolled the same way.
	Block
)

var orderNames = [...]string{"natural", "swap", "router", "couter", "block"}

func (o Order) String() string { return orderNames[o] }

// Stage is the schedule of one Func.
type Stage struct {
	Compute   Compute
	StoreRoot bool // store_root with compute_at: storage hoisted, sliding window
	TileX     int  // split x by TileX (0: no split)
	TileY     int  // split y by TileY (0: no split)
	Vector    int  // vectorize the inner x loop by Vector lanes (0: scalar)
	Parallel  bool // parallel outer y loop
	Unroll    int  // unroll the inner y loop by Unroll (0: none)
	Order     Order
	// BlockC, under order Block, splits the stage's first channel
	// variable (co, c, …) by BlockC and unrolls the inner channels
	// inside the reduction loops with the rows and vectors (0: the
	// channels stay outside the reduction).
	BlockC int
}

// Schedule is a pipeline's schedule: one Stage per pipeline stage, in the
// pipeline's order.
type Schedule struct {
	Pipeline *Pipeline
	Stages   []Stage
}

// Default is the reference schedule: every stage compute_root, loops in
// their natural order, serial and scalar — what a straightforward C loop
// nest per stage computes (and what hl measures as the default).
func Default(p *Pipeline) Schedule {
	return Schedule{Pipeline: p, Stages: make([]Stage, len(p.Stages))}
}

// Clone returns an independent copy.
func (s Schedule) Clone() Schedule {
	return Schedule{Pipeline: s.Pipeline, Stages: append([]Stage(nil), s.Stages...)}
}

// IsDefault says whether s is the default schedule.
func (s Schedule) IsDefault() bool {
	for _, st := range s.Stages {
		if st != (Stage{}) {
			return false
		}
	}
	return true
}

// Hash identifies the schedule (its String form) with 64-bit FNV-1a.
func (s Schedule) Hash() uint64 {
	h := fnv.New64a()
	h.Write([]byte(s.String()))
	return h.Sum64()
}

// loops is a stage's loop structure under its schedule.
type loops struct {
	x, y           string   // the stage's x and y variables ("" when absent)
	xo, xi, yo, yi string   // after splits (equal to x / y when not split)
	rest           []string // outer pure variables (c, k, …)
	order          []string // innermost first, pure variables only
}

func (s Schedule) loopsOf(i int) loops {
	f := s.Pipeline.Stages[i]
	st := s.Stages[i]
	var l loops
	if len(f.Vars) > 0 {
		l.x = f.Vars[0]
	}
	if len(f.Vars) > 1 {
		l.y = f.Vars[1]
	}
	if len(f.Vars) > 2 {
		l.rest = f.Vars[2:]
	}
	l.xo, l.xi, l.yo, l.yi = l.x, l.x, l.y, l.y
	if st.TileX > 0 && l.x != "" {
		l.xo, l.xi = l.x+"o", l.x+"i"
	}
	if st.TileY > 0 && l.y != "" {
		l.yo, l.yi = l.y+"o", l.y+"i"
	}
	add := func(v ...string) {
		for _, n := range v {
			if n == "" {
				continue
			}
			dup := false
			for _, o := range l.order {
				dup = dup || o == n
			}
			if !dup {
				l.order = append(l.order, n)
			}
		}
	}
	// a split loop keeps its inner and outer halves together, except a
	// tile (both split), whose inner halves go inside both outer ones
	xs, ys := []string{l.xi, l.xo}, []string{l.yi, l.yo}
	switch {
	case l.xo != l.x && l.yo != l.y && st.Order == SwapXY:
		add(l.yi, l.xi, l.yo, l.xo)
	case l.xo != l.x && l.yo != l.y:
		add(l.xi, l.yi, l.xo, l.yo)
	case st.Order == SwapXY:
		add(ys...)
		add(xs...)
	default:
		add(xs...)
		add(ys...)
	}
	// outer pure variables (c, k, …) go inside the outermost x/y loop (a
	// tile's two outer loops): so a producer computed per tile or row
	// strip is computed once for all channels, and the parallel loop
	// covers them all
	outer := 1
	if l.xo != l.x && l.yo != l.y {
		outer = 2
	}
	if st.Order == COuter {
		add(l.rest...)
	} else if k := len(l.order) - outer; len(l.rest) > 0 && k >= 0 {
		l.order = append(append(append([]string{}, l.order[:k]...), l.rest...), l.order[k:]...)
	} else {
		add(l.rest...)
	}
	return l
}

// outer is the stage's outermost x/y loop, or under COuter its
// outermost channel loop (the parallel one).
func (l loops) outer(o Order) string {
	if o == COuter && len(l.rest) > 0 {
		return l.rest[len(l.rest)-1]
	}
	if o == SwapXY && l.xo != "" {
		return l.xo
	}
	if l.yo != "" {
		return l.yo
	}
	return l.xo
}

// atVar resolves a compute_at level to a variable of consumer i.
func (s Schedule) atVar(consumer int, c Compute) string {
	l := s.loopsOf(consumer)
	if c == Tiles || l.yo == "" {
		return l.xo
	}
	return l.yo
}

// Consumer is the stage a compute_at of stage i refers to: its last
// consumer in pipeline order, or, when that consumer is inlined or is
// itself computed at another stage, the compute_root stage whose loops
// it runs in (inlined code runs inside its own consumer's loops; a
// stage computed at a consumer's tile belongs to that consumer's group).
// So a group of stages fused by compute_at is computed per tile (or row
// strip) of the group's root, as Halide's auto-schedulers fuse them:
// computing a producer inside a fellow member's loop is illegal as soon
// as another member reads it too. -1 for the output.
func (s Schedule) Consumer(i int) int {
	c := s.lastConsumer(i)
	for c >= 0 && c < len(s.Stages) && s.Stages[c].Compute != Root {
		c = s.lastConsumer(c)
	}
	return c
}

// lastConsumer is the last stage in pipeline order that reads stage i, or
// -1 for the output.
func (s Schedule) lastConsumer(i int) int {
	best := -1
	for _, c := range s.Pipeline.Stages[i].Consumers {
		if j := s.Pipeline.Stage(c); j > best {
			best = j
		}
	}
	return best
}

// Check reports what makes s impossible before Halide sees it.
func (s Schedule) Check() error {
	if len(s.Stages) != len(s.Pipeline.Stages) {
		return fmt.Errorf("schedule of %s has %d stages, the pipeline %d", s.Pipeline.Name, len(s.Stages), len(s.Pipeline.Stages))
	}
	for i, st := range s.Stages {
		f := s.Pipeline.Stages[i]
		out := i == len(s.Stages)-1
		if out && st.Compute != Root {
			return fmt.Errorf("stage %s is the output: it can only be compute_root", f.Name)
		}
		if st.Compute == Inline && f.Updates > 0 {
			return fmt.Errorf("stage %s has update definitions: it cannot be inlined", f.Name)
		}
		if ext := s.Pipeline.OutExtents; len(ext) >= 2 && len(f.Vars) >= 2 && (st.TileX > ext[0] || st.TileY > ext[1]) {
			return fmt.Errorf("stage %s: split %dx%d is larger than the output (%dx%d)", f.Name, st.TileX, st.TileY, ext[0], ext[1])
		}
		if st.StoreRoot && (st.Compute == Root || st.Compute == Inline) {
			return fmt.Errorf("stage %s: store_root needs compute_at", f.Name)
		}
		if (st.Compute == Rows || st.Compute == Tiles) && s.Consumer(i) < 0 {
			return fmt.Errorf("stage %s has no consumer to compute at", f.Name)
		}
		if err := checkBlock(f, st); err != nil {
			return fmt.Errorf("stage %s: %w", f.Name, err)
		}
	}
	return nil
}

// checkBlock reports what makes a stage's register blocking (order
// Block, BlockC) impossible.
func checkBlock(f Func, st Stage) error {
	if st.BlockC > 0 && st.Order != Block {
		return fmt.Errorf("a channel block (blockc%d) needs order block", st.BlockC)
	}
	if st.Order != Block {
		return nil
	}
	switch {
	case !f.PureUpdates || len(f.RVars) == 0 || len(f.Vars) < 2:
		return fmt.Errorf("order block needs pure updates with reduction loops over x and y")
	case st.Vector == 0 || st.TileX == 0 || st.TileY == 0 || st.TileX%st.Vector != 0:
		return fmt.Errorf("order block needs a tile (XxY) whose width is a multiple of the vector width, have tile(%dx%d), vec%d", st.TileX, st.TileY, st.Vector)
	case st.Unroll > 0:
		return fmt.Errorf("order block unrolls the whole inner tile: unroll%d is redundant", st.Unroll)
	case st.BlockC > 0 && len(f.Vars) < 3:
		return fmt.Errorf("a channel block (blockc%d) needs a channel variable", st.BlockC)
	}
	return nil
}

// Directives lowers s to the directive lines package hl applies (see
// apply_schedule in hl.cpp).
func (s Schedule) Directives() string {
	var b strings.Builder
	for i := range s.Stages {
		for _, d := range s.stageDirectives(i) {
			fmt.Fprintln(&b, d.line())
		}
	}
	return b.String()
}

// directive is one scheduling call on a stage's definition.
type directive struct {
	fn     string
	update int // 0 pure definition, u for update u-1; -1 for Func-level calls
	op     string
	args   []string
}

func (d directive) line() string {
	if d.update < 0 {
		return strings.Join(append([]string{d.fn, d.op}, d.args...), " ")
	}
	return strings.Join(append([]string{d.fn, fmt.Sprint(d.update), d.op}, d.args...), " ")
}

func (s Schedule) stageDirectives(i int) []directive {
	f := s.Pipeline.Stages[i]
	st := s.Stages[i]
	if st.Compute == Inline {
		return []directive{{fn: f.Name, update: -1, op: "inline"}}
	}
	l := s.loopsOf(i)
	var ds []directive
	defs := 1
	if f.PureUpdates {
		defs += f.Updates
	}
	for u := 0; u < defs; u++ {
		add := func(op string, args ...string) {
			ds = append(ds, directive{fn: f.Name, update: u, op: op, args: args})
		}
		if st.Order == Block {
			ds = append(ds, blockDirectives(f, st, l, u)...)
			continue
		}
		if l.xo != l.x {
			add("split", l.x, l.xo, l.xi, fmt.Sprint(st.TileX))
		}
		if l.yo != l.y {
			add("split", l.y, l.yo, l.yi, fmt.Sprint(st.TileY))
		}
		order := l.order
		if u > 0 && st.Order == ROuter && len(f.RVars) > 0 {
			// inner x (and y in a tile) innermost, then the reduction
			inner := []string{l.xi}
			if l.yi != l.yo {
				inner = append(inner, l.yi)
			}
			var outer []string
			for _, v := range order {
				if v != l.xi && !(len(inner) > 1 && v == l.yi) {
					outer = append(outer, v)
				}
			}
			order = append(append(append([]string{}, inner...), f.RVars...), outer...)
			add("reorder", order...)
		} else if (l.xo != l.x && l.yo != l.y) || st.Order == SwapXY || len(l.rest) > 0 && l.y != "" {
			if u > 0 && len(f.RVars) > 0 {
				order = append(append([]string{}, f.RVars...), order...)
			}
			add("reorder", order...)
		}
		if st.Unroll > 1 && l.yi != "" {
			add("unroll", l.yi, fmt.Sprint(st.Unroll))
		}
		if st.Vector > 1 && l.xi != "" {
			add("vectorize", l.xi, fmt.Sprint(st.Vector))
		}
		if st.Parallel {
			add("parallel", l.outer(st.Order))
		}
	}
	switch st.Compute {
	case Root:
		ds = append(ds, directive{fn: f.Name, update: -1, op: "root"})
	case Rows, Tiles:
		c := s.Consumer(i)
		at := []string{s.Pipeline.Stages[c].Name, s.atVar(c, st.Compute)}
		ds = append(ds, directive{fn: f.Name, update: -1, op: "at", args: at})
		if st.StoreRoot {
			ds = append(ds, directive{fn: f.Name, update: -1, op: "store_root"})
		}
	}
	return ds
}

// blockDirectives are the directives of definition u (0 the pure one) of
// a stage under order Block: x split by TileX and its inner part again by
// Vector (xv vectorized, xu unrolled), y by TileY (yi unrolled), the
// first channel variable by BlockC (its inner part unrolled), all of them
// inside the reduction loops, the tile and channel-block loops outside
// them; parallel over the outer y loop.
func blockDirectives(f Func, st Stage, l loops, u int) []directive {
	var ds []directive
	add := func(op string, args ...string) {
		ds = append(ds, directive{fn: f.Name, update: u, op: op, args: args})
	}
	add("split", l.x, l.xo, l.xi, fmt.Sprint(st.TileX))
	add("split", l.y, l.yo, l.yi, fmt.Sprint(st.TileY))
	xv, xu := l.xi, ""
	if st.TileX > st.Vector {
		xu, xv = l.x+"u", l.x+"v"
		add("split", l.xi, xu, xv, fmt.Sprint(st.Vector))
	}
	ch, co, ci := "", "", ""
	if st.BlockC > 0 && len(l.rest) > 0 {
		ch = l.rest[0]
		co, ci = ch+"o", ch+"i"
		add("split", ch, co, ci, fmt.Sprint(st.BlockC))
	}
	inner := []string{xv}
	if xu != "" {
		inner = append(inner, xu)
	}
	inner = append(inner, l.yi)
	if ci != "" {
		inner = append(inner, ci)
	}
	var outer []string
	for _, v := range l.order {
		switch v {
		case l.xi, l.yi:
		case ch:
			outer = append(outer, co)
		default:
			outer = append(outer, v)
		}
	}
	order := inner
	if u > 0 {
		order = append(order, f.RVars...)
	}
	add("reorder", append(order, outer...)...)
	add("vectorize", xv, fmt.Sprint(st.Vector))
	for _, v := range inner[1:] {
		add("unroll", v)
	}
	if st.Parallel {
		add("parallel", l.outer(st.Order))
	}
	return ds
}
