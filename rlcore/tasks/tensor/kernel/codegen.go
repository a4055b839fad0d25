package kernel

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The generated C defines, whatever the schedule:
//
//	void tensor_kernel(const float *in0, const float *in1, float *out);
//	const long tensor_packed_len;              // floats of the packed in1, 0: not packed
//	void tensor_pack(const float *in1, float *packed);
//
// tensor_kernel computes out from in0 and in1 (or from in0 and the packed
// in1 when tensor_packed_len > 0; softmax ignores in1). tensor_pack
// rearranges the weights once, before timing, as TVM's weight
// pre-transform does for constant weights.

// loop is one loop of a contraction's scheduled nest.
type loop struct {
	axis, level int
	extent      int
	reduce      bool
}

func (l loop) varName(op *Op) string { return op.Axes[l.axis].Name + strconv.Itoa(l.level) }

// loopNest is a contraction's scheduled nest.
type loopNest struct {
	loops []loop
	// factors[axis][level]: spatial axes have 3 levels, reduction axes 2.
	factors [][]int
	// accAt is the index in loops where the accumulator's scope starts
	// (-1: no accumulator); accLoops the spatial loops inside it.
	accAt    int
	accLoops []int
	accSize  int
	// accAdd: a reduction loop encloses the scope, so out += acc.
	accAdd bool
}

func (s Schedule) nest() loopNest {
	op, sp := s.Space.Op, s.Space
	n := loopNest{factors: make([][]int, len(op.Axes)), accAt: -1, accSize: 1}
	for role, a := range sp.roles {
		e, in := op.Axes[a].Extent, s.get(role+".inner")
		if role[0] == 's' {
			mid := s.get(role + ".mid")
			n.factors[a] = []int{e / (in * mid), mid, in}
		} else {
			n.factors[a] = []int{e / in, in}
		}
	}
	spatial := op.spatial()
	if inner := s.get("innermost"); inner > 0 {
		a := sp.roles["s"+strconv.Itoa(inner)]
		spatial = append(slices.DeleteFunc(slices.Clone(spatial), func(x int) bool { return x == a }), a)
	}
	reduce := op.reduce()
	for _, lv := range orders[s.get("order")] {
		level := int(lv[1] - '0')
		axes := spatial
		if lv[0] == 'R' {
			axes = reduce
		}
		for _, a := range axes {
			if f := n.factors[a][level]; f > 1 {
				n.loops = append(n.loops, loop{axis: a, level: level, extent: f, reduce: lv[0] == 'R'})
			}
		}
	}
	switch s.get("acc") {
	case 1:
		n.accAt = slices.IndexFunc(n.loops, func(l loop) bool { return l.reduce })
	case 2:
		n.accAt = slices.IndexFunc(n.loops, func(l loop) bool { return l.reduce && l.level == 1 })
	}
	if n.accAt >= 0 {
		for i := n.accAt; i < len(n.loops); i++ {
			if !n.loops[i].reduce {
				n.accLoops = append(n.accLoops, i)
				n.accSize *= n.loops[i].extent
			}
		}
		n.accAdd = slices.ContainsFunc(n.loops[:n.accAt], func(l loop) bool { return l.reduce })
	}
	return n
}

// lin is an affine address: Σ coef·var (constant 0), in order of first
// appearance.
type lin []linTerm

type linTerm struct {
	v    string
	coef int
}

func (l lin) add(o lin, scale int) lin {
	for _, t := range o {
		if i := slices.IndexFunc(l, func(x linTerm) bool { return x.v == t.v }); i >= 0 {
			l[i].coef += t.coef * scale
		} else {
			l = append(l, linTerm{t.v, t.coef * scale})
		}
	}
	return l
}

// coef is the coefficient of var v.
func (l lin) coef(v string) int {
	for _, t := range l {
		if t.v == v {
			return t.coef
		}
	}
	return 0
}

func (l lin) String() string {
	var terms []string
	for _, t := range l {
		switch t.coef {
		case 0:
		case 1:
			terms = append(terms, t.v)
		default:
			terms = append(terms, fmt.Sprintf("%s*%d", t.v, t.coef))
		}
	}
	if len(terms) == 0 {
		return "0"
	}
	return strings.Join(terms, " + ")
}

// axisLin is axis a's value from its loop variables of levels
// fromLevel..toLevel.
func (n *loopNest) axisLin(op *Op, a int, fromLevel, toLevel int) lin {
	var l lin
	f := n.factors[a]
	for lv := fromLevel; lv <= toLevel && lv < len(f); lv++ {
		if f[lv] <= 1 {
			continue
		}
		stride := 1
		for _, g := range f[lv+1 : min(toLevel+1, len(f))] {
			stride *= g
		}
		l = append(l, linTerm{op.Axes[a].Name + strconv.Itoa(lv), stride})
	}
	return l
}

func (n *loopNest) indexLin(op *Op, idx Index) lin {
	var l lin
	for _, t := range idx {
		l = l.add(n.axisLin(op, t.Axis, 0, len(n.factors[t.Axis])-1), t.Coef)
	}
	return l
}

// flatLin flattens per-dimension subscripts over a row-major shape.
func flatLin(subs []lin, shape []int) lin {
	strides := make([]int, len(shape))
	s := 1
	for d := len(shape) - 1; d >= 0; d-- {
		strides[d] = s
		s *= shape[d]
	}
	var l lin
	for d, sub := range subs {
		l = l.add(sub, strides[d])
	}
	return l
}

// flatten writes Σ sub_d · stride_d for a row-major shape (for the
// packing loop, whose subscripts divide).
func flatten(subs []string, shape []int) string {
	var terms []string
	stride := 1
	for d := len(shape) - 1; d >= 0; d-- {
		if subs[d] != "0" {
			if stride == 1 {
				terms = append(terms, subs[d])
			} else {
				terms = append(terms, fmt.Sprintf("(%s)*%d", subs[d], stride))
			}
		}
		stride *= shape[d]
	}
	if len(terms) == 0 {
		return "0"
	}
	slices.Reverse(terms)
	return strings.Join(terms, " + ")
}

// packedShape is in1's shape after packing: [E/inner, other dims…, inner].
func (s Schedule) packedShape() (shape []int, dim int) {
	op := s.Space.Op
	t := op.Inputs[op.Pack]
	dim = slices.IndexFunc(op.Access[op.Pack], func(ix Index) bool { return len(ix) == 1 && ix[0].Axis == op.PackAxis })
	in := s.packInner()
	shape = []int{t.Shape[dim] / in}
	for d, e := range t.Shape {
		if d != dim {
			shape = append(shape, e)
		}
	}
	return append(shape, in), dim
}

func (s Schedule) packInner() int {
	for role, a := range s.Space.roles {
		if a == s.Space.Op.PackAxis {
			return s.get(role + ".inner")
		}
	}
	return 1
}

func (s Schedule) packed() bool { return s.Space.Op.Pack >= 0 && s.get("pack") == 1 }

// address is the flat address of input or output t.
func (s Schedule) address(n *loopNest, t int) lin {
	op := s.Space.Op
	if t == op.Pack && s.packed() {
		shape, dim := s.packedShape()
		a := op.PackAxis
		subs := []lin{n.axisLin(op, a, 0, 1)}
		for d, ix := range op.Access[t] {
			if d != dim {
				subs = append(subs, n.indexLin(op, ix))
			}
		}
		subs = append(subs, n.axisLin(op, a, 2, 2))
		return flatLin(subs, shape)
	}
	shape := op.Output.Shape
	if t < 2 {
		shape = op.Inputs[t].Shape
	}
	subs := make([]lin, len(op.Access[t]))
	for d, ix := range op.Access[t] {
		subs[d] = n.indexLin(op, ix)
	}
	return flatLin(subs, shape)
}

var bufNames = []string{"in0", "in1", "out"}

// vecWidth is the explicit vector width for a loop of the given extent
// (0: too short).
func vecWidth(extent int) int {
	for _, w := range []int{16, 8, 4} {
		if extent%w == 0 {
			return w
		}
	}
	return 0
}

// ref is the C of one access: a scalar element, or a vector of w lanes
// when the address moves by one per iteration of the vector loop v.
func ref(buf string, addr lin, v string, w int) string {
	if w == 0 || addr.coef(v) == 0 {
		return fmt.Sprintf("%s[%s]", buf, addr)
	}
	return fmt.Sprintf("*(vf%d *)&%s[%s]", w, buf, addr)
}

// vectorizable reports whether every access moves by 0 or 1 element per
// iteration of v and the written one by exactly 1.
func vectorizable(v string, written lin, read ...lin) bool {
	if written.coef(v) != 1 {
		return false
	}
	for _, r := range read {
		if c := r.coef(v); c != 0 && c != 1 {
			return false
		}
	}
	return true
}

// C returns the C program the schedule stands for.
func (s Schedule) C() string {
	var w cWriter
	op := s.Space.Op
	fmt.Fprintf(&w.b, "// %s — %s, %s\n// schedule: %s\n", op.Name, op.Network, op.Layer, s)
	w.line("#include <math.h>")
	w.line("#include <string.h>")
	w.line("")
	if op.Kind == Softmax {
		s.softmaxC(&w)
	} else {
		s.contractionC(&w)
	}
	return w.b.String()
}

type cWriter struct {
	b      strings.Builder
	indent int
}

func (w *cWriter) line(format string, args ...any) {
	if format == "" {
		w.b.WriteByte('\n')
		return
	}
	w.b.WriteString(strings.Repeat("  ", w.indent))
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteByte('\n')
}

func (w *cWriter) open(format string, args ...any) {
	w.line(format+" {", args...)
	w.indent++
}

func (w *cWriter) close() {
	w.indent--
	w.line("}")
}

func (s Schedule) packC(w *cWriter) {
	op := s.Space.Op
	if !s.packed() {
		w.line("const long tensor_packed_len = 0;")
		w.line("void tensor_pack(const float *restrict in1, float *restrict packed) { (void)in1; (void)packed; }")
		w.line("")
		return
	}
	shape, dim := s.packedShape()
	t := op.Inputs[op.Pack]
	w.line("const long tensor_packed_len = %d;", t.Len())
	w.line("")
	w.line("// %s[%s] packed as [%s]: the inner tile of %s contiguous.", t.Name, dims(t.Shape), dims(shape), op.Axes[op.PackAxis].Name)
	w.open("void tensor_pack(const float *restrict in1, float *restrict packed)")
	subs := make([]string, len(t.Shape))
	for d, e := range t.Shape {
		subs[d] = "q" + strconv.Itoa(d)
		w.open("for (int q%d = 0; q%d < %d; q%d++)", d, d, e, d)
	}
	in := shape[len(shape)-1]
	psubs := []string{fmt.Sprintf("q%d / %d", dim, in)}
	for d := range t.Shape {
		if d != dim {
			psubs = append(psubs, subs[d])
		}
	}
	psubs = append(psubs, fmt.Sprintf("q%d %% %d", dim, in))
	w.line("packed[%s] = in1[%s];", flatten(psubs, shape), flatten(subs, t.Shape))
	for range t.Shape {
		w.close()
	}
	w.close()
	w.line("")
}

func dims(shape []int) string {
	var s []string
	for _, d := range shape {
		s = append(s, strconv.Itoa(d))
	}
	return strings.Join(s, "][")
}

const vectorTypes = `typedef float vf16 __attribute__((vector_size(64), aligned(4)));
typedef float vf8 __attribute__((vector_size(32), aligned(4)));
typedef float vf4 __attribute__((vector_size(16), aligned(4)));
`

func (s Schedule) contractionC(w *cWriter) {
	op := s.Space.Op
	n := s.nest()
	vec := s.get("vec") == 1
	if vec {
		w.b.WriteString(vectorTypes)
		w.line("")
	}
	s.packC(w)
	in1 := "in1"
	if s.packed() {
		in1 = "in1 /* packed */"
	}
	w.open("void tensor_kernel(const float *restrict in0, const float *restrict %s, float *restrict out)", in1)
	if n.accAt < 0 || n.accAdd {
		w.line("memset(out, 0, sizeof(float) * %d);", op.Output.Len())
	}
	a0, a1, aout := s.address(&n, 0), s.address(&n, 1), s.address(&n, 2)
	acc := n.accLin(op)
	width := s.vectorWidth(&n)
	var last loop
	if len(n.loops) > 0 {
		last = n.loops[len(n.loops)-1]
	}
	unroll := s.get("unroll")
	// trip[i]: iterations of loops[i:] as a chain.
	trip := make([]int, len(n.loops)+1)
	trip[len(n.loops)] = 1
	for i := len(n.loops) - 1; i >= 0; i-- {
		e := n.loops[i].extent
		if i == len(n.loops)-1 && width > 0 {
			e /= width
		}
		trip[i] = trip[i+1] * e
	}
	loopHead := func(l loop, w0 int) string {
		v := l.varName(op)
		if w0 > 0 {
			return fmt.Sprintf("for (int %s = 0; %s < %d; %s += %d)", v, v, l.extent, v, w0)
		}
		return fmt.Sprintf("for (int %s = 0; %s < %d; %s++)", v, v, l.extent, v)
	}
	for i, l := range n.loops {
		if i == n.accAt {
			w.line("float acc[%d] __attribute__((aligned(64)));", n.accSize)
			w.line("memset(acc, 0, sizeof acc);")
		}
		isLast := i == len(n.loops)-1
		switch {
		case i == 0 && s.get("par") == 1:
			w.line("#pragma omp parallel for")
		case i == 0 && s.get("par") == 2:
			k := 0
			for k < len(n.loops) && !n.loops[k].reduce && (n.accAt < 0 || k < n.accAt) {
				k++
			}
			if k > 1 {
				w.line("#pragma omp parallel for collapse(%d)", k)
			} else {
				w.line("#pragma omp parallel for")
			}
		case isLast && vec && width == 0:
			w.line("#pragma clang loop vectorize(enable)")
		case unroll > 0 && trip[i] > 1 && trip[i] <= unroll && (n.accAt < 0 || i > n.accAt):
			w.line("#pragma unroll")
		}
		lw := 0
		if isLast {
			lw = width
		}
		w.open("%s", loopHead(l, lw))
	}
	v := last.varName(op)
	if n.accAt < 0 {
		w.line("%s += %s * %s;", ref("out", aout, v, width), ref("in0", a0, v, width), ref("in1", a1, v, width))
		for range n.loops {
			w.close()
		}
		w.close()
		return
	}
	w.line("%s += %s * %s;", ref("acc", acc, v, width), ref("in0", a0, v, width), ref("in1", a1, v, width))
	for i := len(n.loops) - 1; i >= n.accAt; i-- {
		w.close()
	}
	// write back the accumulator
	wbWidth := 0
	if len(n.accLoops) > 0 {
		l := n.loops[n.accLoops[len(n.accLoops)-1]]
		if vec && vectorizable(l.varName(op), aout, acc) {
			wbWidth = vecWidth(l.extent)
		}
		v = l.varName(op)
	}
	for k, i := range n.accLoops {
		l := n.loops[i]
		lw := 0
		if k == len(n.accLoops)-1 {
			lw = wbWidth
			if vec && wbWidth == 0 {
				w.line("#pragma clang loop vectorize(enable)")
			}
		}
		w.open("%s", loopHead(l, lw))
	}
	opAssign := "="
	if n.accAdd {
		opAssign = "+="
	}
	w.line("%s %s %s;", ref("out", aout, v, wbWidth), opAssign, ref("acc", acc, v, wbWidth))
	for range n.accLoops {
		w.close()
	}
	for i := n.accAt - 1; i >= 0; i-- {
		w.close()
	}
	w.close()
}

// vectorWidth is the lanes of the explicit vectors the innermost loop
// becomes (0: none): vec must be on, the loop spatial and its accesses
// contiguous or invariant.
func (s Schedule) vectorWidth(n *loopNest) int {
	if s.get("vec") != 1 || len(n.loops) == 0 {
		return 0
	}
	op := s.Space.Op
	last := n.loops[len(n.loops)-1]
	written := s.address(n, 2)
	if n.accAt >= 0 {
		written = n.accLin(op)
	}
	if last.reduce || !vectorizable(last.varName(op), written, s.address(n, 0), s.address(n, 1)) {
		return 0
	}
	return vecWidth(last.extent)
}

// accLin is the accumulator's address, row-major over accLoops.
func (n *loopNest) accLin(op *Op) lin {
	subs := make([]lin, len(n.accLoops))
	shape := make([]int, len(n.accLoops))
	for k, i := range n.accLoops {
		subs[k] = lin{{n.loops[i].varName(op), 1}}
		shape[k] = n.loops[i].extent
	}
	return flatLin(subs, shape)
}

// fastExpC is a vectorizable expf: 2^(x·log2 e) split into an integer
// power (built in the exponent bits) and a degree-6 polynomial of 2^f on
// [0, 1) (relative error below 2e-7 on [-87, 0]).
const fastExpC = `static inline float fast_expf(float x) {
  x = x < -87.0f ? -87.0f : x;
  float t = x * 1.44269504089f;
  float fi = floorf(t);
  float f = t - fi;
  float p = 1.535336188319500e-4f;
  p = p * f + 1.339887440266574e-3f;
  p = p * f + 9.618437357674640e-3f;
  p = p * f + 5.550332471162809e-2f;
  p = p * f + 2.402264791363012e-1f;
  p = p * f + 6.931472028550421e-1f;
  p = p * f + 1.0f;
  union { int i; float f; } u;
  u.i = ((int)fi + 127) << 23;
  return p * u.f;
}
`

func (s Schedule) softmaxC(w *cWriter) {
	op := s.Space.Op
	rows, cols := op.Axes[0].Extent, op.Axes[1].Extent
	w.line("const long tensor_packed_len = 0;")
	w.line("void tensor_pack(const float *restrict in1, float *restrict packed) { (void)in1; (void)packed; }")
	w.line("")
	exp := "expf"
	if s.get("exp") == 1 {
		w.b.WriteString(fastExpC)
		w.line("")
		exp = "fast_expf"
	}
	var pragma string
	switch {
	case s.get("vec") == 1 && s.get("unroll") > 1:
		pragma = fmt.Sprintf("#pragma clang loop vectorize(enable) interleave_count(%d)", s.get("unroll"))
	case s.get("vec") == 1:
		pragma = "#pragma clang loop vectorize(enable)"
	case s.get("unroll") > 1:
		pragma = fmt.Sprintf("#pragma clang loop interleave_count(%d)", s.get("unroll"))
	}
	loopC := func(from int, body string) {
		if pragma != "" {
			w.line("%s", pragma)
		}
		w.line("for (int c = %d; c < %d; c++) %s", from, cols, body)
	}
	w.open("void tensor_kernel(const float *restrict in0, const float *restrict in1, float *restrict out)")
	w.line("(void)in1;")
	if s.get("par") == 1 {
		w.line("#pragma omp parallel for")
	}
	w.open("for (int r = 0; r < %d; r++)", rows)
	w.line("const float *restrict x = in0 + (long)r * %d;", cols)
	w.line("float *restrict y = out + (long)r * %d;", cols)
	w.line("float m = x[0];")
	loopC(1, "m = x[c] > m ? x[c] : m;")
	w.line("float sum = 0.0f;")
	if s.get("fuse") == 1 {
		loopC(0, fmt.Sprintf("{ float e = %s(x[c] - m); y[c] = e; sum += e; }", exp))
	} else {
		loopC(0, fmt.Sprintf("y[c] = %s(x[c] - m);", exp))
		loopC(0, "sum += y[c];")
	}
	if s.get("recip") == 1 {
		w.line("float inv = 1.0f / sum;")
		loopC(0, "y[c] *= inv;")
	} else {
		loopC(0, "y[c] /= sum;")
	}
	w.close()
	w.close()
}
