package nn

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Dense is a fully connected layer y = x·W + b applied to every row of a
// batch. W is In×Out, row-major: W[i*Out+o] connects input i to output o.
type Dense struct {
	In, Out int
	W, B    []float64 // parameters
	GW, GB  []float64 // accumulated gradients, same shapes

	x  []float64 // input of the last Forward (not copied)
	n  int       // its batch size
	y  []float64 // output buffer
	gx []float64 // input-gradient buffer
	fs scratch   // for the forward product
	bs scratch   // for the backward products
}

// NewDense returns an In×Out layer with zero weights; initialise it with
// InitOrthogonal or InitXavier.
func NewDense(in, out int) *Dense {
	return &Dense{
		In: in, Out: out,
		W: make([]float64, in*out), B: make([]float64, out),
		GW: make([]float64, in*out), GB: make([]float64, out),
	}
}

// Forward computes x·W + b for the n rows of x (n×In) and returns the n×Out
// result. x must stay unchanged until Backward.
func (d *Dense) Forward(x []float64, n int) []float64 {
	d.x, d.n = x[:n*d.In], n
	d.y = grow(d.y, n*d.Out)
	y := d.y
	for r := range n {
		copy(y[r*d.Out:(r+1)*d.Out], d.B)
	}
	mulAdd(y, d.x, d.W, n, d.In, d.Out, &d.fs)
	return y
}

// Backward takes gy (n×Out), the loss gradient with respect to the last
// Forward's output, adds the parameter gradients into GW and GB and returns
// the gradient with respect to the input (n×In).
func (d *Dense) Backward(gy []float64) []float64 {
	n := d.n
	gy = gy[:n*d.Out]
	mulTransAAdd(d.GW, d.x, gy, d.In, n, d.Out, &d.bs)
	for r := range n {
		row := gy[r*d.Out : (r+1)*d.Out]
		for o, g := range row {
			d.GB[o] += g
		}
	}
	d.gx = grow(d.gx, n*d.In)
	clear(d.gx)
	mulTransBAdd(d.gx, gy, d.W, n, d.Out, d.In, &d.bs)
	return d.gx
}

// InitOrthogonal sets W to a random (semi-)orthogonal matrix scaled by
// gain and B to zero (Saxe et al. 2014), drawing from rng.
func (d *Dense) InitOrthogonal(rng *rand.Rand, gain float64) {
	rows, cols := max(d.In, d.Out), min(d.In, d.Out)
	a := mat.NewDense(rows, cols, nil)
	for i := range rows {
		for j := range cols {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q, r mat.Dense
	qr.QTo(&q)
	qr.RTo(&r)
	for i := range d.In {
		for o := range d.Out {
			// Q's first cols columns are orthonormal; fix signs with diag(R)
			// so the distribution is uniform (Haar).
			qi, qj := i, o
			if d.In < d.Out {
				qi, qj = o, i
			}
			s := 1.0
			if r.At(qj, qj) < 0 {
				s = -1
			}
			d.W[i*d.Out+o] = gain * s * q.At(qi, qj)
		}
	}
	clear(d.B)
}

// InitXavier sets W uniform in ±√(6/(In+Out)) (Glorot & Bengio 2010) and B
// to zero, drawing from rng.
func (d *Dense) InitXavier(rng *rand.Rand) {
	lim := math.Sqrt(6 / float64(d.In+d.Out))
	for i := range d.W {
		d.W[i] = (2*rng.Float64() - 1) * lim
	}
	clear(d.B)
}

// grow returns s resliced to length n, reallocating only when too small.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
