package schedule

import "fmt"

// TileSizes, VectorWidths and UnrollFactors are the values the actions
// offer (0, "none", is offered as well).
var (
	TileSizes     = []int{2, 4, 8, 16, 32, 64, 128, 256}
	VectorWidths  = []int{4, 8, 16}
	UnrollFactors = []int{2, 4}
	// BlockChannels are the channel block sizes of order Block.
	BlockChannels = []int{2, 4}
)

// Action edits one directive of the stage under the cursor, or moves the
// cursor. Actions are the same for every pipeline.
type Action struct {
	Name string
	Doc  string
	// Edit changes st (the cursor stage); it returns false when the action
	// changes nothing or is not allowed there.
	Edit func(st *Stage) bool
	// Move moves the cursor (+1 / -1) instead.
	Move int
	// StageEdit, when set, changes st knowing the stage's Func (its
	// variables and reductions) instead of Edit.
	StageEdit func(f Func, st *Stage) bool
	// Whole, for a macro action, rewrites the whole schedule at once (the
	// cursor stays); it returns false when it changes nothing.
	Whole func(s *Schedule) bool
}

// Actions lists every action.
var Actions = buildActions()

func buildActions() []Action {
	set := func(name, doc string, f func(st *Stage) bool) Action {
		return Action{Name: name, Doc: doc, Edit: f}
	}
	as := []Action{
		{Name: "next-stage", Doc: "move the cursor to the next stage (towards the output)", Move: 1},
		{Name: "prev-stage", Doc: "move the cursor to the previous stage (towards the input)", Move: -1},
	}
	for _, c := range []Compute{Inline, Root, Rows, Tiles} {
		c := c
		doc := map[Compute]string{
			Inline: "compute_inline(): recompute the stage at every use",
			Root:   "compute_root(): compute all of the stage before its consumer",
			Rows:   "compute_at(consumer, its outer y loop): compute per row strip of the consumer",
			Tiles:  "compute_at(consumer, its outer x loop): compute per tile (or pixel) of the consumer",
		}[c]
		as = append(as, set("compute-"+c.String(), doc, func(st *Stage) bool {
			if st.Compute == c {
				return false
			}
			st.Compute = c
			if c == Root || c == Inline {
				st.StoreRoot = false
			}
			return true
		}))
	}
	as = append(as,
		set("store-root", "store_root(): keep the stage's buffer across the consumer's loop (sliding window)", func(st *Stage) bool {
			if st.StoreRoot || st.Compute == Root || st.Compute == Inline {
				return false
			}
			st.StoreRoot = true
			return true
		}),
		set("store-at-compute", "store the stage where it is computed", func(st *Stage) bool {
			if !st.StoreRoot {
				return false
			}
			st.StoreRoot = false
			return true
		}))
	as = append(as, choices("split-x", "split the x loop by %d (0: no split)", TileSizes, func(st *Stage) *int { return &st.TileX })...)
	as = append(as, choices("split-y", "split the y loop by %d (0: no split); with split-x, a tile", TileSizes, func(st *Stage) *int { return &st.TileY })...)
	as = append(as, choices("vectorize", "vectorize the inner x loop by %d lanes (0: scalar)", VectorWidths, func(st *Stage) *int { return &st.Vector })...)
	as = append(as,
		set("parallel", "parallel(): run the outer y loop on all cores", func(st *Stage) bool {
			if st.Parallel {
				return false
			}
			st.Parallel = true
			return true
		}),
		set("serial", "run the outer y loop serially", func(st *Stage) bool {
			if !st.Parallel {
				return false
			}
			st.Parallel = false
			return true
		}))
	as = append(as, choices("unroll", "unroll the inner y loop by %d (0: no unroll)", UnrollFactors, func(st *Stage) *int { return &st.Unroll })...)
	for _, o := range []Order{Natural, SwapXY, ROuter} {
		o := o
		doc := map[Order]string{
			Natural: "reorder: y outside x, reductions innermost",
			SwapXY:  "reorder: x outside y (column-major)",
			ROuter:  "reorder the updates: reduction loops outside the inner x (and y) loops",
		}[o]
		as = append(as, set("order="+o.String(), doc, setOrder(o)))
	}
	// macros, last so the indices of the actions above stay put
	as = append(as,
		Action{Name: "fuse-tiles", Doc: "the whole schedule fused as the auto-schedulers do (see Fused): the output tiled, vectorized and parallel, every other stage inlined, computed per output tile or, for reductions, computed at the root in parallel",
			Whole: func(s *Schedule) bool { return s.set(Fused(s.Pipeline)) }},
		Action{Name: "root-parallel", Doc: "the whole schedule breadth-first and parallel (see RootParallel): every stage compute_root, vectorized at the native width, its outer loop parallel",
			Whole: func(s *Schedule) bool { return s.set(RootParallel(s.Pipeline)) }},
		Action{Name: "inline-pointwise", Doc: "compute_inline() every stage that its consumers read at their own pixel (no stencil offsets) and that has no update definitions",
			Whole: func(s *Schedule) bool {
				t := s.Clone()
				for i, f := range s.Pipeline.Stages {
					if f.Pointwise && f.Updates == 0 && i < len(s.Stages)-1 {
						t.Stages[i] = Stage{Compute: Inline}
					}
				}
				return s.set(t)
			}},
		// the grouping actions (after the macros above, so their indices
		// stay put)
		Action{Name: "group-root", Doc: "make the cursor stage a group root (see Grouped): compute_root, vectorized at the native width, parallel, its reduction loops outside the vector loop",
			StageEdit: func(f Func, st *Stage) bool { return setStage(st, groupRoot(f)) }},
		Action{Name: "group-member", Doc: "compute the cursor stage per tile of its consumers' group root (see Grouped), vectorized at the native width",
			StageEdit: func(f Func, st *Stage) bool { return setStage(st, groupMember(f)) }},
		Action{Name: "group-stages", Doc: "the whole schedule grouped (see Grouped): pointwise stages inlined, resampled stages and reductions group roots, stencil stages computed per tile of their group's root",
			Whole: func(s *Schedule) bool { return s.set(Grouped(s.Pipeline)) }},
		// appended, so the indices above stay put
		set("order=couter", "reorder: the channel loops (c, co) outside y and x, parallel() over the outermost channel loop (a few large tasks for a small stage)", setOrder(COuter)),
	)
	// register blocking, appended so the indices above stay put
	as = append(as, set("order=block", "register blocking of the updates (needs a tile whose width is a multiple of the vector width): the inner tile (x vectors, rows, a block of channels) unrolled inside the reduction loops, so its accumulators stay in registers", setOrder(Block)))
	as = append(as, choices("block-c", "under order block, split the first channel loop by %d and unroll it inside the reduction loops (0: channels outside the reduction)", BlockChannels, func(st *Stage) *int { return &st.BlockC })...)
	as = append(as, Action{Name: "register-block", Doc: "register-block the cursor stage's updates as Adams2019 schedules a convolution (see RegisterBlock): tile(32x4), vectorized at the native width, order block (block-c adds channels); where it is computed and its parallel loop stay",
		StageEdit: func(f Func, st *Stage) bool {
			want, ok := RegisterBlock(f, *st)
			return ok && setStage(st, want)
		}})
	return as
}

// setOrder is the edit of an order action: it sets the order (leaving
// order block drops the channel block).
func setOrder(o Order) func(st *Stage) bool {
	return func(st *Stage) bool {
		if st.Order == o {
			return false
		}
		st.Order = o
		if o != Block {
			st.BlockC = 0
		}
		return true
	}
}

// BlockTile is RegisterBlock's tile (x, y) and Blocked's channel block:
// two native vectors by four rows, by two channels where Blocked knows
// they divide the channel extent; 16 accumulators, half the vector
// registers of AVX-512 (Adams2019 picks 2 vectors, 3 rows, 2 channels on
// conv_layer).
var BlockTile = [3]int{2 * NativeVector, 4, 2}

// RegisterBlock is st register-blocked (order Block, tile BlockTile,
// vectorized at the native width, the channels outside the reduction:
// block-c adds them), where it is computed, its storage and parallel loop
// kept; false when f has no pure updates with reduction loops over x and
// y.
func RegisterBlock(f Func, st Stage) (Stage, bool) {
	st.Order, st.Unroll, st.Vector = Block, 0, NativeVector
	st.TileX, st.TileY, st.BlockC = BlockTile[0], BlockTile[1], 0
	return st, checkBlock(f, st) == nil
}

// setStage sets *st to want and says whether that changed it.
func setStage(st *Stage, want Stage) bool {
	if *st == want {
		return false
	}
	*st = want
	return true
}

// set replaces s's stages by t's when t passes Check and differs from s.
func (s *Schedule) set(t Schedule) bool {
	if t.Check() != nil || t.String() == s.String() {
		return false
	}
	s.Stages = t.Stages
	return true
}

// NativeVector is the vector width of the macros and the fused schedules:
// 16 floats, one AVX-512 register (what Halide's auto-schedulers pick on
// this machine).
const NativeVector = 16

// vectorParallel is a stage computed at the root, vectorized at the
// native width and parallel over its outer loop.
func vectorParallel(f Func) Stage {
	st := Stage{Compute: Root, Parallel: true}
	if len(f.Vars) > 0 {
		st.Vector = NativeVector
	}
	return st
}

// RootParallel is the breadth-first parallel schedule: every stage
// compute_root, vectorized at the native width, parallel over its outer
// loop (the pattern Mullapudi2016 picks for pyramids and reductions).
func RootParallel(p *Pipeline) Schedule {
	s := Default(p)
	for i, f := range p.Stages {
		s.Stages[i] = vectorParallel(f)
	}
	return s
}

// Fused is the schedule Halide's auto-schedulers mostly reach, in this
// space: the output tiled (FusedTile, smaller for a small output),
// vectorized at the native width and parallel over tile rows; then, from
// the output towards the input, every stage its consumers read pointwise
// (without updates) inlined; a stage with non-pure updates (a histogram, a
// scan) or whose consumers belong to different groups computed at the
// root, vectorized and parallel; every other stage computed per tile of
// its group's root and vectorized.
func Fused(p *Pipeline) Schedule {
	s := Default(p)
	n := len(p.Stages)
	out := p.Stages[n-1]
	s.Stages[n-1] = vectorParallel(out)
	if len(out.Vars) >= 2 && len(p.OutExtents) >= 2 {
		s.Stages[n-1].TileX = fusedTile(p.OutExtents[0], FusedTile[0])
		s.Stages[n-1].TileY = fusedTile(p.OutExtents[1], FusedTile[1])
	}
	for i := n - 2; i >= 0; i-- {
		f := p.Stages[i]
		switch {
		case f.Updates == 0 && f.Pointwise:
			s.Stages[i] = Stage{Compute: Inline}
			if s.Check() == nil {
				continue
			}
		case f.Updates > 0 && !f.PureUpdates:
			s.Stages[i] = vectorParallel(f)
			continue
		}
		s.Stages[i] = Stage{Compute: Tiles, Vector: NativeVector}
		if len(f.Vars) == 0 || !s.oneGroup(i) || s.Check() != nil {
			s.Stages[i] = vectorParallel(f)
		}
	}
	return s
}

// FusedTile is the output tile of Fused (x, y): wide enough for whole
// vectors, short enough that a 2-core machine gets many tile rows.
var FusedTile = [2]int{64, 32}

// fusedTile is want, or the largest tile size that leaves at least four
// tiles along an extent of ext.
func fusedTile(ext, want int) int {
	best := 0
	for _, t := range TileSizes {
		if t <= want && 4*t <= ext {
			best = t
		}
	}
	return best
}

// oneGroup says whether every consumer of stage i runs in the loops of
// the same compute_root stage (so i can be computed per tile of it).
func (s Schedule) oneGroup(i int) bool {
	root := -2
	for _, name := range s.Pipeline.Stages[i].Consumers {
		c := s.Pipeline.Stage(name)
		for c >= 0 && s.Stages[c].Compute != Root {
			c = s.lastConsumer(c)
		}
		if root != -2 && c != root {
			return false
		}
		root = c
	}
	return root >= 0
}

// choices makes one action per value (and 0) of the field field points to.
func choices(name, doc string, values []int, field func(*Stage) *int) []Action {
	var as []Action
	for _, v := range append([]int{0}, values...) {
		as = append(as, Action{Name: fmt.Sprintf("%s=%d", name, v), Doc: fmt.Sprintf(doc, v), Edit: func(st *Stage) bool {
			if *field(st) == v {
				return false
			}
			*field(st) = v
			return true
		}})
	}
	return as
}

// Apply performs action a on s with the cursor at stage cursor; it
// returns the new cursor and whether the schedule or cursor changed. An
// edit that Check would reject is not applied.
func (s *Schedule) Apply(a, cursor int) (int, bool, error) {
	if a < 0 || a >= len(Actions) {
		return cursor, false, fmt.Errorf("action %d out of range [0, %d)", a, len(Actions))
	}
	act := Actions[a]
	n := len(s.Stages)
	if act.Move != 0 {
		return ((cursor+act.Move)%n + n) % n, true, nil
	}
	if act.Whole != nil {
		return cursor, act.Whole(s), nil
	}
	st := s.Stages[cursor]
	edited := false
	if act.StageEdit != nil {
		edited = act.StageEdit(s.Pipeline.Stages[cursor], &st)
	} else {
		edited = act.Edit(&st)
	}
	if !edited {
		return cursor, false, nil
	}
	old := s.Stages[cursor]
	s.Stages[cursor] = st
	if s.Check() != nil {
		s.Stages[cursor] = old
		return cursor, false, nil
	}
	return cursor, true, nil
}
