package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// MLP is a multilayer perceptron: Dense layers, each followed by its
// activation. It is not safe for concurrent use (Forward keeps caches).
type MLP struct {
	Layers []*Dense
	Acts   []Activation // Acts[k] follows Layers[k]

	outs [][]float64 // activation outputs of the last Forward
	gbuf []float64   // gradient buffer for the output layer
}

// maxWidth bounds layer widths (also when reading weights).
const maxWidth = 1 << 20

// NewMLP builds an MLP with widths sizes[0] (input) … sizes[L] (output);
// acts[k] follows layer k, so len(acts) = len(sizes)-1. Weights are
// orthogonal with gain √2 for ReLU and tanh layers and 1 for identity
// layers, drawn from rng; biases are zero.
func NewMLP(sizes []int, acts []Activation, rng *rand.Rand) (*MLP, error) {
	if len(sizes) < 2 {
		return nil, fmt.Errorf("nn: an MLP needs at least 2 widths (input and output), got %v", sizes)
	}
	if len(acts) != len(sizes)-1 {
		return nil, fmt.Errorf("nn: %d widths %v need %d activations, got %d", len(sizes), sizes, len(sizes)-1, len(acts))
	}
	for _, s := range sizes {
		if s < 1 || s > maxWidth {
			return nil, fmt.Errorf("nn: layer width %d in %v outside [1, %d]", s, sizes, maxWidth)
		}
	}
	m := &MLP{}
	for k, a := range acts {
		if !a.valid() {
			return nil, fmt.Errorf("nn: layer %d: %v is not an activation (want identity, tanh or relu)", k, a)
		}
		d := NewDense(sizes[k], sizes[k+1])
		gain := 1.0
		if a != Identity {
			gain = math.Sqrt2
		}
		d.InitOrthogonal(rng, gain)
		m.Layers = append(m.Layers, d)
		m.Acts = append(m.Acts, a)
	}
	m.outs = make([][]float64, len(m.Layers))
	return m, nil
}

// Hidden returns the widths of n hidden layers of w units each, as the
// learners' "layers" and "hidden" hyperparameters give them.
func Hidden(n, w int) []int {
	out := make([]int, max(n, 0))
	for i := range out {
		out[i] = w
	}
	return out
}

// NewPolicyNet returns an MLP from obs inputs through the hidden widths to
// one logit per action, the hidden layers using act. The output layer is
// initialised orthogonally with gain 0.01, so the initial policy is close
// to uniform.
func NewPolicyNet(obs int, hidden []int, actions int, act Activation, rng *rand.Rand) (*MLP, error) {
	m, err := newHeadNet(obs, hidden, actions, act, rng)
	if err != nil {
		return nil, err
	}
	m.Layers[len(m.Layers)-1].InitOrthogonal(rng, 0.01)
	return m, nil
}

// NewValueNet returns an MLP from obs inputs through the hidden widths to a
// single identity output (a state value), the hidden layers using act.
func NewValueNet(obs int, hidden []int, act Activation, rng *rand.Rand) (*MLP, error) {
	return newHeadNet(obs, hidden, 1, act, rng)
}

func newHeadNet(in int, hidden []int, out int, act Activation, rng *rand.Rand) (*MLP, error) {
	sizes := append(append([]int{in}, hidden...), out)
	acts := make([]Activation, len(sizes)-1)
	for k := range len(hidden) {
		acts[k] = act
	}
	return NewMLP(sizes, acts, rng)
}

// InDim is the input width.
func (m *MLP) InDim() int { return m.Layers[0].In }

// OutDim is the output width.
func (m *MLP) OutDim() int { return m.Layers[len(m.Layers)-1].Out }

// Sizes returns the widths, input first.
func (m *MLP) Sizes() []int {
	s := []int{m.InDim()}
	for _, d := range m.Layers {
		s = append(s, d.Out)
	}
	return s
}

// Forward runs the n rows of x (n×InDim) through the network and returns
// the n×OutDim output, which is valid until the next Forward. x must stay
// unchanged until Backward.
func (m *MLP) Forward(x []float64, n int) []float64 {
	if len(m.outs) != len(m.Layers) {
		m.outs = make([][]float64, len(m.Layers))
	}
	if len(x) < n*m.InDim() {
		panic(fmt.Sprintf("nn: Forward with %d rows of width %d needs %d inputs, got %d", n, m.InDim(), n*m.InDim(), len(x)))
	}
	h := x
	for k, d := range m.Layers {
		y := d.Forward(h, n)
		if m.Acts[k] != Identity {
			m.Acts[k].apply(y, y) // the layer's buffer now holds f(x·W+b)
		}
		m.outs[k] = y
		h = y
	}
	return h
}

// Backward takes gradOut (n×OutDim), the loss gradient with respect to the
// last Forward's output, accumulates every parameter gradient and returns
// the gradient with respect to the input (n×InDim), valid until the next
// Backward. gradOut is not modified.
func (m *MLP) Backward(gradOut []float64) []float64 {
	last := len(m.Layers) - 1
	n := m.Layers[last].n
	m.gbuf = grow(m.gbuf, n*m.OutDim())
	copy(m.gbuf, gradOut[:n*m.OutDim()])
	g := m.gbuf
	for k := last; k >= 0; k-- {
		m.Acts[k].backward(g, m.outs[k])
		g = m.Layers[k].Backward(g)
	}
	return g
}

// Params returns the parameter slices (W and B of every layer, in order).
// They alias the network's weights.
func (m *MLP) Params() [][]float64 {
	var p [][]float64
	for _, d := range m.Layers {
		p = append(p, d.W, d.B)
	}
	return p
}

// Grads returns the gradient slices, parallel to Params.
func (m *MLP) Grads() [][]float64 {
	var g [][]float64
	for _, d := range m.Layers {
		g = append(g, d.GW, d.GB)
	}
	return g
}

// ZeroGrad sets every accumulated gradient to zero.
func (m *MLP) ZeroGrad() {
	for _, d := range m.Layers {
		clear(d.GW)
		clear(d.GB)
	}
}

// NumParams counts the parameters.
func (m *MLP) NumParams() int {
	n := 0
	for _, d := range m.Layers {
		n += len(d.W) + len(d.B)
	}
	return n
}

// CopyFrom copies the weights of src, which must have the same widths and
// activations (for target networks and snapshots).
func (m *MLP) CopyFrom(src *MLP) error {
	if err := m.sameShape(src); err != nil {
		return fmt.Errorf("nn: copy weights: %w", err)
	}
	for k, d := range m.Layers {
		copy(d.W, src.Layers[k].W)
		copy(d.B, src.Layers[k].B)
	}
	return nil
}

// SoftUpdate moves the weights towards those of src, which must have the
// same shape: w ← (1−tau)·w + tau·w_src (Polyak averaging for target
// networks; tau = 1 copies).
func (m *MLP) SoftUpdate(src *MLP, tau float64) error {
	if err := m.sameShape(src); err != nil {
		return fmt.Errorf("nn: soft update: %w", err)
	}
	if tau < 0 || tau > 1 || math.IsNaN(tau) {
		return fmt.Errorf("nn: soft update: tau = %g, want a value in [0, 1]", tau)
	}
	for k, d := range m.Layers {
		sd := src.Layers[k]
		for i, v := range sd.W {
			d.W[i] += tau * (v - d.W[i])
		}
		for i, v := range sd.B {
			d.B[i] += tau * (v - d.B[i])
		}
	}
	return nil
}

// Clone returns an independent copy of the network (weights only, zero
// gradients).
func (m *MLP) Clone() *MLP {
	c := &MLP{Acts: append([]Activation(nil), m.Acts...), outs: make([][]float64, len(m.Layers))}
	for _, d := range m.Layers {
		nd := NewDense(d.In, d.Out)
		copy(nd.W, d.W)
		copy(nd.B, d.B)
		c.Layers = append(c.Layers, nd)
	}
	return c
}

func (m *MLP) sameShape(o *MLP) error {
	if len(m.Layers) != len(o.Layers) {
		return fmt.Errorf("%d layers vs %d", len(m.Layers), len(o.Layers))
	}
	for k, d := range m.Layers {
		od := o.Layers[k]
		if d.In != od.In || d.Out != od.Out || m.Acts[k] != o.Acts[k] {
			return fmt.Errorf("layer %d is %d→%d %v vs %d→%d %v", k, d.In, d.Out, m.Acts[k], od.In, od.Out, o.Acts[k])
		}
	}
	return nil
}

var errNoLayers = errors.New("nn: network has no layers")
