// Package kernel describes float32 neural-network operators as loop nests,
// their schedule spaces in the spirit of AutoTVM's config spaces (split
// factors per loop, loop order, unrolling, vectorization, an OpenMP
// parallel outer loop, a local accumulator, a packed weight layout), and
// generates the C that a schedule stands for. A Schedule is plain data: its
// String is the knob vector, C(op, s) the program clang compiles.
//
// Operators come in two templates. A contraction writes
// out[spatial] = Σ_reduce in0[…]·in1[…], where every index is an affine
// combination of loop variables (GEMM, dense, conv2d NCHW with a
// pre-padded input, depthwise conv2d, batched matmul). A row softmax is a
// memory-bound operator with its own knobs (passes, fast exp, vectorize,
// unroll, parallel rows).
//
// The shapes are those of named layers of real networks (ResNet-18,
// MobileNetV2, BERT-base); see Ops.
package kernel

import (
	"fmt"
	"sort"
	"strings"
)

// Kind is an operator template.
type Kind int

const (
	// Contraction: out[spatial] = Σ_reduce in0[…] · in1[…].
	Contraction Kind = iota
	// Softmax: out[r][c] = exp(in0[r][c] − max_c) / Σ_c exp(…), row by row.
	Softmax
)

// Axis is a loop of the operator's naive nest.
type Axis struct {
	Name   string
	Extent int
	Reduce bool
}

// Term is Coef · axis.
type Term struct {
	Axis int
	Coef int
}

// Index is one dimension's subscript: Σ terms (constant 0).
type Index []Term

// Tensor is a dense row-major float32 array.
type Tensor struct {
	Name  string
	Shape []int
}

// Len is the number of elements.
func (t Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Op is an operator instance with concrete shapes.
type Op struct {
	Name    string // e.g. "conv2d-resnet18-layer1"
	Network string // where the shape comes from
	Layer   string // the layer in that network
	Kind    Kind
	// Inputs are in0 (and in1 for contractions); Output is written.
	Inputs []Tensor
	Output Tensor
	// Axes of the naive nest, outermost first (contractions: spatial axes
	// then reduction axes; softmax: rows, cols).
	Axes []Axis
	// Access holds the subscripts of in0, in1 and out (contractions).
	Access [3][]Index
	// Pack is the input whose layout the pack knob changes (-1: none) and
	// PackAxis the spatial axis whose innermost tile becomes its
	// contiguous last dimension.
	Pack, PackAxis int
}

// FLOPs counts multiply-adds as two operations (softmax: 5 per element,
// the usual max, subtract, exp, sum, scale count).
func (op *Op) FLOPs() float64 {
	n := 1.0
	for _, a := range op.Axes {
		n *= float64(a.Extent)
	}
	if op.Kind == Softmax {
		return 5 * n
	}
	return 2 * n
}

// Bytes is the compulsory memory traffic (inputs read once, output
// written once), the roofline's denominator of arithmetic intensity.
func (op *Op) Bytes() float64 {
	n := op.Output.Len()
	for _, t := range op.Inputs {
		n += t.Len()
	}
	return 4 * float64(n)
}

func (op *Op) spatial() []int {
	var s []int
	for i, a := range op.Axes {
		if !a.Reduce {
			s = append(s, i)
		}
	}
	return s
}

func (op *Op) reduce() []int {
	var r []int
	for i, a := range op.Axes {
		if a.Reduce {
			r = append(r, i)
		}
	}
	return r
}

func ix(terms ...Term) Index { return Index(terms) }
func v(axis int) Term        { return Term{Axis: axis, Coef: 1} }

func gemm(name, network, layer string, m, n, k int) *Op {
	// axes: i j k
	return &Op{
		Name: name, Network: network, Layer: layer, Kind: Contraction,
		Inputs: []Tensor{{"A", []int{m, k}}, {"B", []int{k, n}}},
		Output: Tensor{"C", []int{m, n}},
		Axes:   []Axis{{"i", m, false}, {"j", n, false}, {"k", k, true}},
		Access: [3][]Index{{ix(v(0)), ix(v(2))}, {ix(v(2)), ix(v(1))}, {ix(v(0)), ix(v(1))}},
		Pack:   1, PackAxis: 1,
	}
}

// conv2d is NCHW with batch 1, stride s, an r×r kernel and an input that
// is already padded (TVM pads in a separate stage too).
func conv2d(name, network, layer string, c, k, h, w, r, s int) *Op {
	ph, pw := (h-1)*s+r, (w-1)*s+r
	// axes: k y x | c ry rx
	return &Op{
		Name: name, Network: network, Layer: layer, Kind: Contraction,
		Inputs: []Tensor{{"I", []int{c, ph, pw}}, {"W", []int{k, c, r, r}}},
		Output: Tensor{"O", []int{k, h, w}},
		Axes: []Axis{{"k", k, false}, {"y", h, false}, {"x", w, false},
			{"c", c, true}, {"ry", r, true}, {"rx", r, true}},
		Access: [3][]Index{
			{ix(v(3)), ix(Term{1, s}, v(4)), ix(Term{2, s}, v(5))},
			{ix(v(0)), ix(v(3)), ix(v(4)), ix(v(5))},
			{ix(v(0)), ix(v(1)), ix(v(2))},
		},
		Pack: 1, PackAxis: 0,
	}
}

func depthwise(name, network, layer string, c, h, w, r, s int) *Op {
	ph, pw := (h-1)*s+r, (w-1)*s+r
	// axes: c y x | ry rx
	return &Op{
		Name: name, Network: network, Layer: layer, Kind: Contraction,
		Inputs: []Tensor{{"I", []int{c, ph, pw}}, {"W", []int{c, r, r}}},
		Output: Tensor{"O", []int{c, h, w}},
		Axes:   []Axis{{"c", c, false}, {"y", h, false}, {"x", w, false}, {"ry", r, true}, {"rx", r, true}},
		Access: [3][]Index{
			{ix(v(0)), ix(Term{1, s}, v(3)), ix(Term{2, s}, v(4))},
			{ix(v(0)), ix(v(3)), ix(v(4))},
			{ix(v(0)), ix(v(1)), ix(v(2))},
		},
		Pack: -1, PackAxis: -1,
	}
}

func batchMatmul(name, network, layer string, b, m, n, k int) *Op {
	// axes: b i j | k
	return &Op{
		Name: name, Network: network, Layer: layer, Kind: Contraction,
		Inputs: []Tensor{{"A", []int{b, m, k}}, {"B", []int{b, k, n}}},
		Output: Tensor{"C", []int{b, m, n}},
		Axes:   []Axis{{"b", b, false}, {"i", m, false}, {"j", n, false}, {"k", k, true}},
		Access: [3][]Index{
			{ix(v(0)), ix(v(1)), ix(v(3))},
			{ix(v(0)), ix(v(3)), ix(v(2))},
			{ix(v(0)), ix(v(1)), ix(v(2))},
		},
		Pack: -1, PackAxis: -1,
	}
}

func softmax(name, network, layer string, rows, cols int) *Op {
	return &Op{
		Name: name, Network: network, Layer: layer, Kind: Softmax,
		Inputs: []Tensor{{"X", []int{rows, cols}}},
		Output: Tensor{"Y", []int{rows, cols}},
		Axes:   []Axis{{"r", rows, false}, {"c", cols, false}},
		Pack:   -1, PackAxis: -1,
	}
}

var ops = []*Op{
	gemm("gemm-512", "square GEMM (the issue's benchmark)", "512×512×512", 512, 512, 512),
	gemm("dense-bert", "BERT-base", "attention output dense: 128 tokens × 768 → 768", 128, 768, 768),
	conv2d("conv2d-resnet18", "ResNet-18", "layer1.0.conv1: 3×3, 64→64 channels, 56×56, stride 1, pad 1", 64, 64, 56, 56, 3, 1),
	depthwise("depthwise-mobilenetv2", "MobileNetV2", "features.3.conv.1 (block 3 depthwise): 3×3, 144 channels, 56×56, stride 1, pad 1", 144, 56, 56, 3, 1),
	batchMatmul("batch-matmul-bert", "BERT-base", "attention scores Q·Kᵀ: 12 heads, 128×64 · 64×128", 12, 128, 128, 64),
	softmax("softmax-bert", "BERT-base", "attention probabilities: 12 heads × 128 rows of 128", 12*128, 128),
}

// Ops returns every operator, in a fixed order.
func Ops() []*Op { return append([]*Op(nil), ops...) }

// Lookup finds an operator by name.
func Lookup(name string) (*Op, error) {
	for _, op := range ops {
		if op.Name == name {
			return op, nil
		}
	}
	return nil, fmt.Errorf("unknown operator %q; known: %s", name, strings.Join(Names(), ", "))
}

// Names lists the operator names, sorted.
func Names() []string {
	var n []string
	for _, op := range ops {
		n = append(n, op.Name)
	}
	sort.Strings(n)
	return n
}
