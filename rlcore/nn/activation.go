package nn

import (
	"fmt"
	"math"
	"strings"
)

// Activation is an elementwise nonlinearity applied after a Dense layer.
type Activation uint32

const (
	// Identity: f(x) = x (output layers).
	Identity Activation = iota
	// Tanh: f(x) = tanh x.
	Tanh
	// ReLU: f(x) = max(0, x).
	ReLU
)

var activationNames = [...]string{Identity: "identity", Tanh: "tanh", ReLU: "relu"}

func (a Activation) String() string {
	if int(a) < len(activationNames) {
		return activationNames[a]
	}
	return fmt.Sprintf("Activation(%d)", uint32(a))
}

// valid reports whether a is one of the defined activations.
func (a Activation) valid() bool { return int(a) < len(activationNames) }

// ParseActivation reads "identity", "tanh" or "relu".
func ParseActivation(s string) (Activation, error) {
	for i, n := range activationNames {
		if strings.EqualFold(s, n) {
			return Activation(i), nil
		}
	}
	return 0, fmt.Errorf("unknown activation %q; known: %s", s, strings.Join(activationNames[:], ", "))
}

// apply writes f(x) into dst (same length; may alias x).
func (a Activation) apply(dst, x []float64) {
	dst = dst[:len(x)]
	switch a {
	case Identity:
		copy(dst, x)
	case Tanh:
		tanhSlice(dst, x)
	case ReLU:
		for i, v := range x {
			dst[i] = max(v, 0)
		}
	}
}

// backward turns g, the gradient with respect to the activation's output
// y = f(x), into the gradient with respect to x, in place.
func (a Activation) backward(g, y []float64) {
	y = y[:len(g)]
	switch a {
	case Tanh:
		for i, v := range y {
			g[i] *= 1 - v*v
		}
	case ReLU:
		for i, v := range y {
			if v <= 0 {
				g[i] = 0
			}
		}
	}
}

// tanhSlice writes tanh(x[i]) into dst[i] (dst may alias x): four at a
// time with the AVX2 kernel where available (within 2 ulp of math.Tanh,
// see the tests), math.Tanh for the rest.
func tanhSlice(dst, x []float64) {
	dst = dst[:len(x)]
	n4 := 0
	if useKernels {
		n4 = len(x) &^ 3
		if n4 > 0 {
			tanh4(&dst[0], &x[0], n4)
		}
	}
	for i := n4; i < len(x); i++ {
		dst[i] = math.Tanh(x[i])
	}
}
