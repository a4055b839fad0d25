package nn

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

func randSlice(rng *rand.Rand, n int, scale float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = scale * rng.NormFloat64()
	}
	return s
}

// checkGrad compares an analytic gradient with central finite differences
// of f with respect to x, which it perturbs in place.
func checkGrad(t *testing.T, name string, x, analytic []float64, f func() float64) {
	t.Helper()
	const h = 1e-6
	for i := range x {
		orig := x[i]
		x[i] = orig + h
		fp := f()
		x[i] = orig - h
		fm := f()
		x[i] = orig
		num := (fp - fm) / (2 * h)
		if err := math.Abs(num - analytic[i]); err > 1e-6*math.Max(1, math.Abs(num)) {
			t.Errorf("%s: d/dx[%d]: analytic %.10g, numeric %.10g", name, i, analytic[i], num)
		}
	}
}

// weightedSum is a scalar loss of a network output: Σ c_i y_i.
func weightedSum(y, c []float64) float64 {
	s := 0.0
	for i, v := range y {
		s += c[i] * v
	}
	return s
}

func TestMLPGradients(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
		acts  []Activation
		batch int
	}{
		{"dense identity", []int{3, 4}, []Activation{Identity}, 5},
		{"dense tanh", []int{3, 4}, []Activation{Tanh}, 5},
		{"dense relu", []int{3, 4}, []Activation{ReLU}, 5},
		{"2x8 tanh batch 1", []int{4, 8, 8, 2}, []Activation{Tanh, Tanh, Identity}, 1},
		{"2x8 relu batch 7", []int{4, 8, 8, 3}, []Activation{ReLU, ReLU, Identity}, 7},
		{"mixed deep", []int{2, 5, 6, 4, 1}, []Activation{Tanh, ReLU, Tanh, Identity}, 3},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := newRNG(uint64(i + 1))
			m, err := NewMLP(tc.sizes, tc.acts, rng)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range m.Layers { // non-zero biases
				copy(d.B, randSlice(rng, len(d.B), 0.3))
			}
			x := randSlice(rng, tc.batch*m.InDim(), 1)
			c := randSlice(rng, tc.batch*m.OutDim(), 1)
			loss := func() float64 { return weightedSum(m.Forward(x, tc.batch), c) }
			m.ZeroGrad()
			loss()
			gx := append([]float64(nil), m.Backward(c)...)
			checkGrad(t, "input", x, gx, loss)
			params, grads := m.Params(), m.Grads()
			for k := range params {
				checkGrad(t, "param", params[k], append([]float64(nil), grads[k]...), loss)
			}
		})
	}
}

func TestBackwardAccumulates(t *testing.T) {
	m, err := NewMLP([]int{3, 5, 2}, []Activation{Tanh, Identity}, newRNG(9))
	if err != nil {
		t.Fatal(err)
	}
	x := randSlice(newRNG(1), 6, 1)
	g := randSlice(newRNG(2), 4, 1)
	m.Forward(x, 2)
	m.Backward(g)
	once := append([]float64(nil), m.Grads()[0]...)
	m.Forward(x, 2)
	m.Backward(g)
	for i, v := range m.Grads()[0] {
		if math.Abs(v-2*once[i]) > 1e-12 {
			t.Fatalf("gradient %d after two backward passes is %g, want 2×%g", i, v, once[i])
		}
	}
	m.ZeroGrad()
	if GradNorm(m.Grads()) != 0 {
		t.Fatal("ZeroGrad left non-zero gradients")
	}
}

func TestLossGradients(t *testing.T) {
	rng := newRNG(3)
	const n, A = 4, 3
	actions := []int{0, 2, 1, 2}
	weights := []float64{1.5, -0.7, 0.3, 2}
	old := []float64{-1.2, -0.9, -1.0, -1.4}
	masks := [][]bool{nil, {true, false, true}}
	for _, mask := range masks {
		logits := randSlice(rng, n*A, 1)
		masked := func() []float64 {
			z := append([]float64(nil), logits...)
			for r := range n {
				MaskLogits(z[r*A:(r+1)*A], mask)
			}
			return z
		}
		acts := actions
		if mask != nil {
			acts = []int{0, 2, 0, 2}
		}
		grad := make([]float64, n*A)
		tests := []struct {
			name string
			f    func(grad []float64) float64
		}{
			{"policy gradient", func(g []float64) float64 {
				l, _ := PolicyGradientLoss(g, masked(), n, A, acts, weights, 0.05)
				return l
			}},
			{"clipped surrogate", func(g []float64) float64 {
				// ε large enough that no ratio sits exactly at a kink.
				l, _ := ClippedSurrogateLoss(g, masked(), n, A, acts, weights, old, 0.2, 0.05)
				return l
			}},
		}
		for _, tc := range tests {
			tc.f(grad)
			an := append([]float64(nil), grad...)
			scratch := make([]float64, n*A)
			checkGrad(t, tc.name, logits, an, func() float64 { return tc.f(scratch) })
			if mask != nil {
				for r := range n {
					if an[r*A+1] != 0 {
						t.Errorf("%s: masked action has gradient %g, want 0", tc.name, an[r*A+1])
					}
				}
			}
		}
	}
	pred, target := randSlice(rng, 6, 2), randSlice(rng, 6, 2)
	grad := make([]float64, 6)
	scratch := make([]float64, 6)
	for _, tc := range []struct {
		name string
		f    func(g []float64) float64
	}{
		{"mse", func(g []float64) float64 { return MSE(g, pred, target) }},
		{"huber", func(g []float64) float64 { return Huber(g, pred, target, 1) }},
	} {
		tc.f(grad)
		checkGrad(t, tc.name, pred, append([]float64(nil), grad...), func() float64 { return tc.f(scratch) })
	}
}

func TestClippedSurrogateClips(t *testing.T) {
	// One row, two actions; the new policy already favours the action far
	// more than the old one, so with a positive advantage the ratio is
	// clipped and the surrogate has no policy gradient (only entropy's).
	logits := []float64{3, 0}
	old := []float64{math.Log(0.5)}
	grad := make([]float64, 2)
	_, st := ClippedSurrogateLoss(grad, logits, 1, 2, []int{0}, []float64{1}, old, 0.2, 0)
	if st.ClipFrac != 1 || grad[0] != 0 || grad[1] != 0 {
		t.Fatalf("clipped row: ClipFrac %g, grad %v; want 1 and zero gradient", st.ClipFrac, grad)
	}
	// Negative advantage: the unclipped (pessimistic) branch is chosen.
	_, st = ClippedSurrogateLoss(grad, logits, 1, 2, []int{0}, []float64{-1}, old, 0.2, 0)
	if grad[0] <= 0 {
		t.Fatalf("negative advantage: gradient %v should push the logit of action 0 down", grad)
	}
	if st.ApproxKL <= 0 {
		t.Fatalf("ApproxKL = %g, want > 0 for different policies", st.ApproxKL)
	}
}

func TestLogSoftmaxStableAndMasked(t *testing.T) {
	tests := []struct {
		name   string
		logits []float64
		mask   []bool
		want   []float64
	}{
		{"uniform", []float64{0, 0}, nil, []float64{math.Log(0.5), math.Log(0.5)}},
		{"huge logits", []float64{1000, 1000}, nil, []float64{math.Log(0.5), math.Log(0.5)}},
		{"tiny logits", []float64{-1000, -1001}, nil, []float64{-math.Log1p(math.Exp(-1)), -1 - math.Log1p(math.Exp(-1))}},
		{"masked", []float64{5, 1, 1}, []bool{false, true, true}, []float64{math.Inf(-1), math.Log(0.5), math.Log(0.5)}},
	}
	for _, tc := range tests {
		z := append([]float64(nil), tc.logits...)
		MaskLogits(z, tc.mask)
		got := LogSoftmax(nil, z)
		for i := range got {
			if !(got[i] == tc.want[i] || math.Abs(got[i]-tc.want[i]) < 1e-12) {
				t.Errorf("%s: logp = %v, want %v", tc.name, got, tc.want)
				break
			}
		}
		if h := Entropy(got); math.IsNaN(h) {
			t.Errorf("%s: entropy is NaN", tc.name)
		}
		if tc.mask != nil {
			rng := newRNG(4)
			for range 200 {
				if a := Sample(rng, got); !tc.mask[a] {
					t.Fatalf("%s: sampled masked action %d", tc.name, a)
				}
			}
			if a := Argmax(tc.logits, tc.mask); a == 0 {
				t.Errorf("%s: Argmax chose the masked action", tc.name)
			}
		}
	}
}

func TestSampleFrequencies(t *testing.T) {
	logp := LogSoftmax(nil, []float64{0, math.Log(3)}) // p = 1/4, 3/4
	rng := newRNG(5)
	const n = 40000
	count := 0
	for range n {
		count += Sample(rng, logp)
	}
	if f := float64(count) / n; math.Abs(f-0.75) > 0.01 {
		t.Fatalf("action 1 drawn with frequency %.4f, want 0.75", f)
	}
}

func TestInitOrthogonal(t *testing.T) {
	for _, shape := range [][2]int{{4, 64}, {64, 64}, {64, 2}} {
		d := NewDense(shape[0], shape[1])
		d.InitOrthogonal(newRNG(6), 1)
		// The smaller dimension's vectors are orthonormal.
		in, out := d.In, d.Out
		small, big := min(in, out), max(in, out)
		at := func(s, b int) float64 { // element of the small-dim vector s at b
			if in < out {
				return d.W[s*out+b]
			}
			return d.W[b*out+s]
		}
		for i := range small {
			for j := range small {
				dot := 0.0
				for b := range big {
					dot += at(i, b) * at(j, b)
				}
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(dot-want) > 1e-9 {
					t.Fatalf("%v: vectors %d·%d = %g, want %g", shape, i, j, dot, want)
				}
			}
		}
	}
	d := NewDense(10, 20)
	d.InitXavier(newRNG(7))
	lim := math.Sqrt(6.0 / 30)
	for _, w := range d.W {
		if math.Abs(w) > lim {
			t.Fatalf("Xavier weight %g outside ±%g", w, lim)
		}
	}
}

func TestAdamMinimisesQuadratic(t *testing.T) {
	x := []float64{3, -2}
	g := make([]float64, 2)
	opt, err := NewAdam([][]float64{x}, [][]float64{g}, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	// First step of Adam moves each coordinate by exactly lr against the
	// sign of its gradient.
	g[0], g[1] = 2*x[0], 2*x[1]
	opt.Step()
	if math.Abs(x[0]-2.9) > 1e-6 || math.Abs(x[1]+1.9) > 1e-6 {
		t.Fatalf("after one step x = %v, want [2.9 -1.9]", x)
	}
	for range 500 {
		g[0], g[1] = 2*x[0], 2*x[1]
		opt.Step()
	}
	if math.Abs(x[0]) > 1e-2 || math.Abs(x[1]) > 1e-2 {
		t.Fatalf("Adam did not minimise x² : x = %v", x)
	}
	if _, err := NewAdam([][]float64{x}, nil, 0.1); err == nil {
		t.Fatal("NewAdam accepted mismatched lists")
	}
}

func TestClipGradNorm(t *testing.T) {
	tests := []struct {
		name      string
		grads     [][]float64
		max       float64
		wantNorm  float64 // before
		wantAfter float64
	}{
		{"clipped", [][]float64{{3}, {4}}, 1, 5, 1},
		{"under the limit", [][]float64{{0.3}, {0.4}}, 1, 0.5, 0.5},
		{"disabled", [][]float64{{3}, {4}}, 0, 5, 5},
	}
	for _, tc := range tests {
		if n := ClipGradNorm(tc.grads, tc.max); math.Abs(n-tc.wantNorm) > 1e-12 {
			t.Errorf("%s: norm %g, want %g", tc.name, n, tc.wantNorm)
		}
		if n := GradNorm(tc.grads); math.Abs(n-tc.wantAfter) > 1e-9 {
			t.Errorf("%s: norm after clipping %g, want %g", tc.name, n, tc.wantAfter)
		}
	}
}

func TestSaveLoadIdentical(t *testing.T) {
	rng := newRNG(8)
	m, err := NewPolicyNet(4, []int{64, 64}, 3, Tanh, rng)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Layers {
		copy(d.B, randSlice(rng, len(d.B), 0.1))
	}
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if want := 8 + 8 + 12*3 + 8*m.NumParams(); len(data) != want {
		t.Fatalf("encoded %d bytes, want %d", len(data), want)
	}
	m2, err := DecodeMLP(data)
	if err != nil {
		t.Fatal(err)
	}
	x := randSlice(rng, 10*4, 1)
	y1 := append([]float64(nil), m.Forward(x, 10)...)
	y2 := m2.Forward(x, 10)
	for i := range y1 {
		if y1[i] != y2[i] {
			t.Fatalf("output %d differs after save/load: %v vs %v", i, y1[i], y2[i])
		}
	}
	again, _ := m2.MarshalBinary()
	if !bytes.Equal(data, again) {
		t.Fatal("re-encoding the loaded network gives different bytes")
	}
	p := NewPolicy(m)
	var q Policy
	pb, _ := p.MarshalBinary()
	if err := q.UnmarshalBinary(pb); err != nil {
		t.Fatal(err)
	}
	mask := []bool{true, false, true}
	for r := range 10 {
		obs := x[r*4 : (r+1)*4]
		if a, b := p.Act(obs, mask), q.Act(obs, mask); a != b || a == 1 {
			t.Fatalf("row %d: actions %d and %d (mask forbids 1)", r, a, b)
		}
	}
}

func TestDecodeRejectsBadInput(t *testing.T) {
	m, _ := NewMLP([]int{2, 3, 1}, []Activation{ReLU, Identity}, newRNG(1))
	good, _ := m.MarshalBinary()
	mod := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"bad magic", mod(func(b []byte) []byte { b[0] = 'X'; return b })},
		{"future version", mod(func(b []byte) []byte { b[8] = 2; return b })},
		{"zero layers", mod(func(b []byte) []byte { b[12] = 0; return b })},
		{"bad activation", mod(func(b []byte) []byte { b[16+8] = 9; return b })},
		{"shape mismatch", mod(func(b []byte) []byte { b[16+12] = 4; return b })},
		{"truncated", good[:len(good)-1]},
		{"trailing bytes", append(append([]byte(nil), good...), 0)},
	}
	for _, tc := range tests {
		if _, err := DecodeMLP(tc.data); err == nil {
			t.Errorf("%s: decoded without error", tc.name)
		}
	}
}

func TestCopyFromAndClone(t *testing.T) {
	a, _ := NewMLP([]int{3, 4, 2}, []Activation{Tanh, Identity}, newRNG(1))
	b, _ := NewMLP([]int{3, 4, 2}, []Activation{Tanh, Identity}, newRNG(2))
	if err := b.CopyFrom(a); err != nil {
		t.Fatal(err)
	}
	c := a.Clone()
	a.Layers[0].W[0] += 1 // the copies are independent
	x := []float64{0.1, -0.2, 0.3}
	yb := append([]float64(nil), b.Forward(x, 1)...)
	yc := c.Forward(x, 1)
	for i := range yb {
		if yb[i] != yc[i] {
			t.Fatalf("CopyFrom and Clone disagree: %v vs %v", yb, yc)
		}
	}
	// Soft updates interpolate; tau 1 copies.
	d, _ := NewMLP([]int{3, 4, 2}, []Activation{Tanh, Identity}, newRNG(4))
	before := d.Layers[0].W[0]
	if err := d.SoftUpdate(a, 0.25); err != nil {
		t.Fatal(err)
	}
	if want := before + 0.25*(a.Layers[0].W[0]-before); math.Abs(d.Layers[0].W[0]-want) > 1e-15 {
		t.Fatalf("soft update gave %g, want %g", d.Layers[0].W[0], want)
	}
	if err := d.SoftUpdate(a, 1); err != nil || d.Layers[1].B[1] != a.Layers[1].B[1] || d.Layers[0].W[3] != a.Layers[0].W[3] {
		t.Fatalf("soft update with tau 1 did not copy (err %v)", err)
	}
	if err := d.SoftUpdate(a, 1.5); err == nil {
		t.Fatal("tau 1.5 accepted")
	}
	other, _ := NewMLP([]int{3, 5, 2}, []Activation{Tanh, Identity}, newRNG(3))
	if err := other.CopyFrom(a); err == nil {
		t.Fatal("CopyFrom accepted a network of another shape")
	}
	if err := other.SoftUpdate(a, 0.5); err == nil {
		t.Fatal("SoftUpdate accepted a network of another shape")
	}
}

func TestNewMLPRejectsBadShapes(t *testing.T) {
	tests := []struct {
		name  string
		sizes []int
		acts  []Activation
	}{
		{"one width", []int{3}, nil},
		{"activation count", []int{3, 4}, []Activation{Tanh, Tanh}},
		{"zero width", []int{3, 0, 2}, []Activation{Tanh, Identity}},
		{"unknown activation", []int{3, 2}, []Activation{7}},
	}
	for _, tc := range tests {
		if _, err := NewMLP(tc.sizes, tc.acts, newRNG(1)); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func FuzzDecodeMLP(f *testing.F) {
	m, _ := NewMLP([]int{2, 3, 1}, []Activation{ReLU, Identity}, newRNG(1))
	good, _ := m.MarshalBinary()
	f.Add(good)
	f.Add([]byte(Magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMLP(data)
		if err != nil {
			return
		}
		again, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("decoded network re-encodes differently (err %v)", err)
		}
		m.Forward(make([]float64, m.InDim()), 1)
	})
}
