package kernel

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
)

// A Knob is one decision of a schedule, with its candidate values in the
// order the "+" and "−" actions walk them.
type Knob struct {
	Name   string
	Doc    string
	Values []int
	// Labels name enumerated values (nil: the value is a number).
	Labels []string
}

// Label formats value v of the knob.
func (k Knob) Label(v int) string {
	if k.Labels != nil {
		if i := slices.Index(k.Values, v); i >= 0 {
			return k.Labels[i]
		}
	}
	return strconv.Itoa(v)
}

// KnobNames are every knob of every template, in a fixed order: the task's
// actions are "name+" and "name−" for each. Spatial axes are named by role
// from the innermost one of the naive nest (s1 is the axis the output is
// contiguous in), reduction axes likewise (r1 innermost).
var KnobNames = []string{
	"s1.inner", "s1.mid", "s2.inner", "s2.mid", "s3.inner", "s3.mid",
	"r1.inner", "r2.inner", "r3.inner",
	"order", "innermost", "acc", "unroll", "vec", "par", "pack",
	"fuse", "recip", "exp",
}

// Loop orders of a contraction: S0 S1 S2 are the outer, middle and inner
// tiles of the spatial axes, R0 R1 the outer and inner tiles of the
// reduction axes.
var orders = [][]string{
	{"S0", "R0", "S1", "R1", "S2"},
	{"S0", "S1", "R0", "R1", "S2"},
	{"S0", "R0", "S1", "S2", "R1"},
	{"S0", "S1", "R0", "S2", "R1"},
}

func orderLabels() []string {
	var l []string
	for _, o := range orders {
		l = append(l, strings.Join(o, " "))
	}
	return l
}

// MaxAccumulator bounds the local accumulator (floats) a schedule may use.
const MaxAccumulator = 8192

// Space is an operator's schedule space.
type Space struct {
	Op    *Op
	Knobs []Knob
	// roles maps a role (s1, s2, s3, r1, …) to an axis index.
	roles map[string]int
}

// NewSpace builds op's schedule space.
func NewSpace(op *Op) *Space {
	sp := &Space{Op: op, roles: map[string]int{}}
	if op.Kind == Softmax {
		sp.Knobs = []Knob{
			{Name: "fuse", Doc: "compute exp, store it and sum it in one loop instead of two", Values: []int{0, 1}, Labels: []string{"no", "yes"}},
			{Name: "recip", Doc: "multiply by 1/sum instead of dividing every element", Values: []int{0, 1}, Labels: []string{"no", "yes"}},
			{Name: "exp", Doc: "exp from libm (expf) or an inlined polynomial that vectorizes (rel. error < 2e-7)", Values: []int{0, 1}, Labels: []string{"libm", "poly"}},
			{Name: "vec", Doc: "force vectorization of the column loops (clang loop vectorize(enable), reductions reassociated)", Values: []int{0, 1}, Labels: []string{"auto", "force"}},
			{Name: "unroll", Doc: "interleave count of the column loops (clang loop interleave_count)", Values: []int{1, 2, 4, 8}},
			{Name: "par", Doc: "OpenMP parallel loop over rows", Values: []int{0, 1}, Labels: []string{"none", "rows"}},
		}
		return sp
	}
	sp.assignRoles()
	for _, role := range []string{"s1", "s2", "s3", "r1", "r2", "r3"} {
		a, ok := sp.roles[role]
		if !ok {
			continue
		}
		ax := op.Axes[a]
		div := divisors(ax.Extent)
		inner, doc := div, fmt.Sprintf("innermost tile of %s (extent %d)", ax.Name, ax.Extent)
		switch role {
		case "s1":
			inner, doc = vectorTiles(ax.Extent), fmt.Sprintf("innermost tile of %s (extent %d): 1 or whole vectors of %d lanes, at most %d (the register tile's width)", ax.Name, ax.Extent, vecWidth(ax.Extent), maxVectorsPerRow*vecWidth(ax.Extent))
		case "s2", "s3":
			inner, doc = smallTiles(ax.Extent), fmt.Sprintf("innermost tile of %s (extent %d), at most %d (the register tile's rows)", ax.Name, ax.Extent, maxTileRows)
		}
		sp.Knobs = append(sp.Knobs, Knob{Name: role + ".inner", Doc: doc, Values: inner})
		if role[0] == 's' {
			sp.Knobs = append(sp.Knobs, Knob{Name: role + ".mid", Doc: fmt.Sprintf("middle tile of %s, in inner tiles", ax.Name), Values: div})
		}
	}
	var innerVals []int
	var innerLabels []string
	for i, a := range op.spatial() {
		_ = a
		innerVals = append(innerVals, i+1)
		role := "s" + strconv.Itoa(i+1)
		innerLabels = append(innerLabels, op.Axes[sp.roles[role]].Name)
	}
	sp.Knobs = append(sp.Knobs,
		Knob{Name: "order", Doc: "loop order of the tile levels", Values: []int{0, 1, 2, 3}, Labels: orderLabels()},
		Knob{Name: "innermost", Doc: "spatial axis innermost within each spatial tile level", Values: innerVals, Labels: innerLabels},
		Knob{Name: "acc", Doc: "local accumulator (TVM's cache_write): none, at the outer reduction tile (out = acc) or at the inner one (out += acc)", Values: []int{0, 1, 2}, Labels: []string{"none", "R0", "R1"}},
		Knob{Name: "unroll", Doc: "fully unroll inner loops of at most this many iterations (AutoTVM's auto_unroll_max_step)", Values: []int{0, 16, 64, 512}},
		Knob{Name: "vec", Doc: "force vectorization of the innermost loop (clang loop vectorize(enable))", Values: []int{0, 1}, Labels: []string{"auto", "force"}},
		Knob{Name: "par", Doc: "OpenMP parallel outer loop: none, the outermost loop, or the leading spatial loops collapsed", Values: []int{0, 1, 2}, Labels: []string{"none", "outer", "collapse"}},
	)
	if op.Pack >= 0 {
		sp.Knobs = append(sp.Knobs, Knob{Name: "pack", Doc: fmt.Sprintf("pack %s so that the inner tile of %s is contiguous (done once, like TVM's weight pre-transform)", op.Inputs[op.Pack].Name, op.Axes[op.PackAxis].Name), Values: []int{0, 1}, Labels: []string{"no", "yes"}})
	}
	return sp
}

// assignRoles names spatial axes s1 (innermost) … and reduction axes r1 ….
func (sp *Space) assignRoles() {
	s, r := sp.Op.spatial(), sp.Op.reduce()
	for i := range s {
		sp.roles["s"+strconv.Itoa(i+1)] = s[len(s)-1-i]
	}
	for i := range r {
		sp.roles["r"+strconv.Itoa(i+1)] = r[len(r)-1-i]
	}
}

// A register tile — the spatial inner tiles accumulated in registers
// across the inner reduction tile — is at most maxTileRows rows of
// maxVectorsPerRow vectors: AVX-512 has 32 vector registers, and a few
// must stay free for the operands.
const (
	maxTileRows      = 16
	maxVectorsPerRow = 8
)

// vectorTiles are the inner tiles of the axis the output is contiguous in:
// 1, or divisors of the extent made of whole vectors (of the widest width
// that divides it) up to maxVectorsPerRow of them. Other sizes cannot be
// vectorized without a remainder, so they only cost a search its
// measurements.
func vectorTiles(extent int) []int {
	w := vecWidth(extent)
	if w == 0 {
		return divisors(extent)
	}
	t := []int{1}
	for _, d := range divisors(extent) {
		if d%w == 0 && d <= maxVectorsPerRow*w {
			t = append(t, d)
		}
	}
	return t
}

// smallTiles are the divisors of extent up to maxTileRows.
func smallTiles(extent int) []int {
	return slices.DeleteFunc(divisors(extent), func(d int) bool { return d > maxTileRows })
}

func divisors(n int) []int {
	var d []int
	for i := 1; i <= n; i++ {
		if n%i == 0 {
			d = append(d, i)
		}
	}
	return d
}

// Knob returns the index of the named knob, or -1.
func (sp *Space) Knob(name string) int {
	return slices.IndexFunc(sp.Knobs, func(k Knob) bool { return k.Name == name })
}

// Schedule is one point of a Space: the value of every knob.
type Schedule struct {
	Space  *Space
	Values []int
}

// Default is the naive loop nest: no tiling, the operator's loop order,
// no pragmas, one thread.
func (sp *Space) Default() Schedule {
	s := Schedule{Space: sp, Values: make([]int, len(sp.Knobs))}
	for i, k := range sp.Knobs {
		s.Values[i] = k.Values[0]
		if k.Name == "innermost" {
			s.Values[i] = 1
		}
	}
	return s
}

// Clone copies s.
func (s Schedule) Clone() Schedule {
	return Schedule{Space: s.Space, Values: slices.Clone(s.Values)}
}

// Get returns the value of the named knob (ok false when the space has no
// such knob).
func (s Schedule) Get(name string) (int, bool) {
	i := s.Space.Knob(name)
	if i < 0 {
		return 0, false
	}
	return s.Values[i], true
}

func (s Schedule) get(name string) int {
	v, _ := s.Get(name)
	return v
}

// With returns a copy with knob name set to v (no validity check).
func (s Schedule) With(name string, v int) (Schedule, error) {
	i := s.Space.Knob(name)
	if i < 0 {
		return s, fmt.Errorf("%s has no knob %q", s.Space.Op.Name, name)
	}
	if !slices.Contains(s.Space.Knobs[i].Values, v) {
		return s, fmt.Errorf("knob %s: %d is not one of %v", name, v, s.Space.Knobs[i].Values)
	}
	c := s.Clone()
	c.Values[i] = v
	return c, nil
}

// String is the knob vector, e.g. "s1.inner=16 s1.mid=1 … par=collapse".
func (s Schedule) String() string {
	var b strings.Builder
	for i, k := range s.Space.Knobs {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%s", k.Name, k.Label(s.Values[i]))
	}
	return b.String()
}

// Hash identifies the schedule of its operator (the compile cache key
// hashes the generated C instead).
func (s Schedule) Hash() uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s|%v", s.Space.Op.Name, s.Values)
	return h.Sum64()
}

// Step moves knob name to the nearest value in direction dir (+1 or −1)
// that gives a valid schedule; ok is false when there is none (or the
// space has no such knob).
func (s Schedule) Step(name string, dir int) (Schedule, bool) {
	i := s.Space.Knob(name)
	if i < 0 {
		return s, false
	}
	vals := s.Space.Knobs[i].Values
	j := slices.Index(vals, s.Values[i])
	for j += dir; j >= 0 && j < len(vals); j += dir {
		c := s.Clone()
		c.Values[i] = vals[j]
		if c.Valid() == nil {
			return c, true
		}
	}
	return s, false
}

// Valid checks that the tiles divide the extents, the accumulator fits
// MaxAccumulator floats and the parallel loop is a spatial one.
func (s Schedule) Valid() error {
	if len(s.Values) != len(s.Space.Knobs) {
		return fmt.Errorf("schedule has %d values for %d knobs", len(s.Values), len(s.Space.Knobs))
	}
	for i, k := range s.Space.Knobs {
		if !slices.Contains(k.Values, s.Values[i]) {
			return fmt.Errorf("knob %s: %d is not one of %v", k.Name, s.Values[i], k.Values)
		}
	}
	op := s.Space.Op
	if op.Kind == Softmax {
		return nil
	}
	for role, a := range s.Space.roles {
		if role[0] != 's' {
			continue
		}
		if in, mid := s.get(role+".inner"), s.get(role+".mid"); op.Axes[a].Extent%(in*mid) != 0 {
			return fmt.Errorf("%s: inner tile %d × middle tile %d does not divide the extent %d", op.Axes[a].Name, in, mid, op.Axes[a].Extent)
		}
	}
	n := s.nest()
	if s.get("acc") != 0 {
		if n.accAt < 0 {
			return fmt.Errorf("acc=%s: no reduction loop at that level", s.Space.Knobs[s.Space.Knob("acc")].Label(s.get("acc")))
		}
		if n.accSize > MaxAccumulator {
			return fmt.Errorf("accumulator of %d floats exceeds %d", n.accSize, MaxAccumulator)
		}
	}
	if s.get("par") != 0 && (len(n.loops) == 0 || n.loops[0].reduce) {
		return fmt.Errorf("par: the outermost loop is not a spatial loop")
	}
	return nil
}

// Features is the cost model's and the state function's view of a
// schedule: log2 of every tile factor by role (outer, middle, inner for
// spatial axes, outer and inner for reduction axes, 0 when absent), the
// one-hot loop order, the enumerated knobs, and loop-nest features (log2
// of the accumulator size, of the innermost loop's trip count, number of
// loops, whether the innermost loop is spatial; log2 of the explicit vector
// width and of the number of vector accumulators, and whether those fit
// the 32 vector registers). The length is the same for every operator.
func (s Schedule) Features() []float64 {
	f := make([]float64, NumFeatures)
	op := s.Space.Op
	if op.Kind == Softmax {
		f[0] = 1
		for i, name := range []string{"fuse", "recip", "exp", "vec", "unroll", "par"} {
			v := float64(s.get(name))
			if name == "unroll" {
				v = log2(v)
			}
			f[24+i] = v
		}
		return f
	}
	k := 1
	for _, role := range []string{"s1", "s2", "s3", "r1", "r2", "r3"} {
		a, ok := s.Space.roles[role]
		if !ok {
			k += 3
			continue
		}
		e := op.Axes[a].Extent
		in := s.get(role + ".inner")
		mid := 1
		if role[0] == 's' {
			mid = s.get(role + ".mid")
		}
		f[k], f[k+1], f[k+2] = log2(float64(e/(in*mid))), log2(float64(mid)), log2(float64(in))
		k += 3
	}
	f[19+s.get("order")] = 1 // 19..22
	f[23] = float64(s.get("innermost"))
	f[24] = float64(s.get("acc"))
	f[25] = log2(float64(s.get("unroll")) + 1)
	f[26] = float64(s.get("vec"))
	f[27] = float64(s.get("par"))
	f[28] = float64(s.get("pack"))
	n := s.nest()
	f[29] = log2(float64(n.accSize))
	f[30] = float64(len(n.loops))
	if len(n.loops) > 0 {
		last := n.loops[len(n.loops)-1]
		f[31] = log2(float64(last.extent))
		if !last.reduce {
			f[32] = 1
		}
	}
	// the register tile: explicit vector lanes, vector accumulators, and
	// whether they fit the registers
	if w := s.vectorWidth(&n); w > 0 {
		f[33] = log2(float64(w))
		if n.accAt >= 0 {
			regs := n.accSize / w
			f[34] = log2(float64(regs))
			if regs <= 24 { // of 32 registers, some stay for the operands
				f[35] = 1
			}
		}
	}
	return f
}

// NumFeatures is the length of Schedule.Features.
const NumFeatures = 36

func log2(x float64) float64 {
	if x <= 1 {
		return 0
	}
	n := 0.0
	for x >= 2 {
		x /= 2
		n++
	}
	return n + (x - 1)
}

// Equal reports whether s and o are the same schedule of the same operator.
func (s Schedule) Equal(o Schedule) bool {
	return s.Space.Op == o.Space.Op && slices.Equal(s.Values, o.Values)
}
