package rlcore

import (
	"fmt"
	"math"
)

// Space describes a set of flat float64 vectors: the observations of an Env.
type Space interface {
	// Dim is the length of every vector in the space.
	Dim() int
	// Contains reports whether x belongs to the space.
	Contains(x []float64) bool
	String() string
}

// Discrete is the set {0, 1, …, N-1}, seen as a vector of length 1.
// Action spaces are always Discrete.
type Discrete struct{ N int }

func (d Discrete) Dim() int { return 1 }

func (d Discrete) Contains(x []float64) bool {
	return len(x) == 1 && x[0] == math.Trunc(x[0]) && x[0] >= 0 && int(x[0]) < d.N
}

func (d Discrete) String() string { return fmt.Sprintf("Discrete(%d)", d.N) }

// Box is the product of closed intervals [Low[i], High[i]]. Infinite bounds
// are allowed.
type Box struct{ Low, High []float64 }

// NewBox returns a Box of dimension n with the same bounds on every axis.
func NewBox(n int, low, high float64) Box {
	b := Box{Low: make([]float64, n), High: make([]float64, n)}
	for i := range n {
		b.Low[i], b.High[i] = low, high
	}
	return b
}

func (b Box) Dim() int { return len(b.Low) }

func (b Box) Contains(x []float64) bool {
	if len(x) != len(b.Low) {
		return false
	}
	for i, v := range x {
		if math.IsNaN(v) || v < b.Low[i] || v > b.High[i] {
			return false
		}
	}
	return true
}

func (b Box) String() string { return fmt.Sprintf("Box(%d)", len(b.Low)) }

// MultiDiscrete is the product of Discrete spaces: x[i] ∈ {0, …, Nvec[i]-1}.
type MultiDiscrete struct{ Nvec []int }

func (m MultiDiscrete) Dim() int { return len(m.Nvec) }

func (m MultiDiscrete) Contains(x []float64) bool {
	if len(x) != len(m.Nvec) {
		return false
	}
	for i, v := range x {
		if v != math.Trunc(v) || v < 0 || int(v) >= m.Nvec[i] {
			return false
		}
	}
	return true
}

func (m MultiDiscrete) String() string { return fmt.Sprintf("MultiDiscrete(%v)", m.Nvec) }

// Flatten maps a MultiDiscrete point to a single index in
// [0, ∏Nvec), so that a MultiDiscrete choice can be made with one Discrete
// action. Unflatten is its inverse.
func (m MultiDiscrete) Flatten(x []int) int {
	idx := 0
	for i, v := range x {
		idx = idx*m.Nvec[i] + v
	}
	return idx
}

// Unflatten is the inverse of Flatten.
func (m MultiDiscrete) Unflatten(idx int) []int {
	x := make([]int, len(m.Nvec))
	for i := len(m.Nvec) - 1; i >= 0; i-- {
		x[i] = idx % m.Nvec[i]
		idx /= m.Nvec[i]
	}
	return x
}

// Size is the number of points: ∏Nvec.
func (m MultiDiscrete) Size() int {
	n := 1
	for _, v := range m.Nvec {
		n *= v
	}
	return n
}
