package dqn

import (
	"math"
	"math/rand/v2"
	"testing"
)

func testNet(t *testing.T, dueling bool, seed uint64) *qNet {
	t.Helper()
	q, err := newQNet(3, []int{5, 4}, 3, dueling, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	// Random biases too, so that the checks see every parameter.
	rng := rand.New(rand.NewPCG(seed, 2))
	for _, p := range q.params {
		for i := range p {
			p[i] += 0.3 * rng.NormFloat64()
		}
	}
	return q
}

// TestQNetGradients checks backward against central finite differences of
// L = Σ w ⊙ Q for the plain and the dueling head.
func TestQNetGradients(t *testing.T) {
	const n, eps = 4, 1e-6
	rng := rand.New(rand.NewPCG(9, 9))
	x := make([]float64, n*3)
	w := make([]float64, n*3)
	for i := range x {
		x[i], w[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	loss := func(q *qNet) float64 {
		out := q.forward(x, n)
		s := 0.0
		for i, v := range out {
			s += w[i] * v
		}
		return s
	}
	for _, dueling := range []bool{false, true} {
		q := testNet(t, dueling, 3)
		q.zeroGrad()
		q.forward(x, n)
		q.backward(w)
		checked := 0
		for pi, p := range q.params {
			for j := range p {
				old := p[j]
				p[j] = old + eps
				up := loss(q)
				p[j] = old - eps
				down := loss(q)
				p[j] = old
				num := (up - down) / (2 * eps)
				got := q.grads[pi][j]
				if math.Abs(num-got) > 1e-6*math.Max(1, math.Abs(num)) {
					t.Fatalf("dueling=%v: parameter slice %d[%d]: backward %g, finite difference %g", dueling, pi, j, got, num)
				}
				checked++
			}
		}
		if checked != q.trunk.NumParams()+headParams(q) {
			t.Fatalf("checked %d parameters", checked)
		}
	}
}

func headParams(q *qNet) int {
	if q.dueling {
		return q.val.NumParams() + q.adv.NumParams()
	}
	return q.q.NumParams()
}

// TestDuelingCombination checks Q = V + A − mean A on the head outputs.
func TestDuelingCombination(t *testing.T) {
	q := testNet(t, true, 4)
	x := []float64{0.5, -1, 2}
	got := append([]float64(nil), q.forward(x, 1)...)
	h := q.trunk.Forward(x, 1)
	v := q.val.Forward(h, 1)[0]
	a := q.adv.Forward(h, 1)
	mean := (a[0] + a[1] + a[2]) / 3
	for k := range 3 {
		if want := v + a[k] - mean; math.Abs(got[k]-want) > 1e-12 {
			t.Fatalf("Q[%d] = %g, want V + A − mean A = %g", k, got[k], want)
		}
	}
}

// TestExportComputesQ checks that the exported MLP (dueling folded into
// one layer) gives the network's Q-values.
func TestExportComputesQ(t *testing.T) {
	for _, dueling := range []bool{false, true} {
		q := testNet(t, dueling, 5)
		m := q.export()
		if got := len(m.Layers); got != 3 {
			t.Fatalf("dueling=%v: exported %d layers, want 3", dueling, got)
		}
		rng := rand.New(rand.NewPCG(5, 5))
		x := make([]float64, 7*3)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		want := append([]float64(nil), q.forward(x, 7)...)
		got := m.Forward(x, 7)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("dueling=%v: exported Q[%d] = %g, network %g", dueling, i, got[i], want[i])
			}
		}
	}
}

func TestBlendFrom(t *testing.T) {
	a, b := testNet(t, true, 6), testNet(t, true, 7)
	before := append([]float64(nil), a.params[0]...)
	a.blendFrom(b, 0.25)
	for j, v := range a.params[0] {
		if want := before[j] + 0.25*(b.params[0][j]-before[j]); math.Abs(v-want) > 1e-15 {
			t.Fatalf("blend: %g, want %g", v, want)
		}
	}
	a.copyFrom(b)
	for i, p := range a.params {
		for j, v := range p {
			if v != b.params[i][j] {
				t.Fatalf("copy: slice %d[%d] = %g, want %g", i, j, v, b.params[i][j])
			}
		}
	}
	c := b.clone()
	c.params[0][0]++
	if b.params[0][0] == c.params[0][0] {
		t.Fatal("clone shares weights with the original")
	}
}
