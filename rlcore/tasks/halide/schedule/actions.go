package schedule

import "fmt"

// TileSizes, VectorWidths and UnrollFactors are the values the actions
// offer (0, "none", is offered as well).
var (
	TileSizes     = []int{2, 4, 8, 16, 32, 64, 128, 256}
	VectorWidths  = []int{4, 8, 16}
	UnrollFactors = []int{2, 4}
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
		as = append(as, set("order="+o.String(), doc, func(st *Stage) bool {
			if st.Order == o {
				return false
			}
			st.Order = o
			return true
		}))
	}
	return as
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
	st := s.Stages[cursor]
	if !act.Edit(&st) {
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
