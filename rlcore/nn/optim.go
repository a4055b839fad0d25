package nn

import (
	"fmt"
	"math"
)

// Adam is the Adam optimizer (Kingma & Ba 2015) over a fixed list of
// parameter slices and their gradients.
type Adam struct {
	LR, Beta1, Beta2, Eps float64

	params, grads [][]float64
	m, v          [][]float64
	t             int
}

// NewAdam returns an Adam optimizer with learning rate lr and the usual
// β1 = 0.9, β2 = 0.999, ε = 1e-8 (change the fields to override). params
// and grads are parallel lists (for example MLP.Params and MLP.Grads, or
// the concatenation of several networks' lists).
func NewAdam(params, grads [][]float64, lr float64) (*Adam, error) {
	if len(params) != len(grads) {
		return nil, fmt.Errorf("nn: Adam needs as many gradient slices as parameter slices, got %d and %d", len(grads), len(params))
	}
	a := &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, params: params, grads: grads}
	for i, p := range params {
		if len(grads[i]) != len(p) {
			return nil, fmt.Errorf("nn: Adam: parameter slice %d has %d values but its gradient %d", i, len(p), len(grads[i]))
		}
		a.m = append(a.m, make([]float64, len(p)))
		a.v = append(a.v, make([]float64, len(p)))
	}
	return a, nil
}

// Step applies one update from the current gradients (it does not zero
// them).
func (a *Adam) Step() {
	a.t++
	b1, b2 := a.Beta1, a.Beta2
	c1 := 1 - math.Pow(b1, float64(a.t))
	c2 := 1 - math.Pow(b2, float64(a.t))
	lr := a.LR * math.Sqrt(c2) / c1
	eps := a.Eps * math.Sqrt(c2)
	for i, p := range a.params {
		g, m, v := a.grads[i][:len(p)], a.m[i][:len(p)], a.v[i][:len(p)]
		for j := range p {
			gj := g[j]
			m[j] = b1*m[j] + (1-b1)*gj
			v[j] = b2*v[j] + (1-b2)*gj*gj
			p[j] -= lr * m[j] / (math.Sqrt(v[j]) + eps)
		}
	}
}

// Steps is the number of updates applied so far.
func (a *Adam) Steps() int { return a.t }

// GradNorm returns the global L2 norm of all gradient slices.
func GradNorm(grads [][]float64) float64 {
	s := 0.0
	for _, g := range grads {
		for _, v := range g {
			s += v * v
		}
	}
	return math.Sqrt(s)
}

// ClipGradNorm rescales all gradients together so that their global L2
// norm is at most maxNorm, and returns the norm before clipping. A
// non-positive maxNorm disables clipping.
func ClipGradNorm(grads [][]float64, maxNorm float64) float64 {
	n := GradNorm(grads)
	if maxNorm > 0 && n > maxNorm {
		s := maxNorm / (n + 1e-12)
		for _, g := range grads {
			for i := range g {
				g[i] *= s
			}
		}
	}
	return n
}
