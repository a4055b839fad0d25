package dqn

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/supersonic-rl/supersonic/rlcore/nn"
)

// qNet maps a batch of observations to one Q-value per action. A trunk of
// ReLU layers feeds either one linear head (Q directly) or, when dueling,
// a state-value head V and an advantage head A combined as
//
//	Q(s, a) = V(s) + A(s, a) − (1/|A|) Σ_b A(s, b)    (Wang et al. 2016, eq. 9)
//
// The mean runs over every action, masked or not: masks only restrict
// which Q-values are maximised, so the identification of V and A does not
// depend on the state's mask.
type qNet struct {
	trunk   *nn.MLP
	q       *nn.MLP // plain head (nil when dueling)
	val     *nn.MLP // dueling heads (nil otherwise)
	adv     *nn.MLP
	nAct    int
	dueling bool

	out    []float64 // n×A Q-values of the last forward (dueling)
	gHead  []float64 // n×hidden gradient into the trunk
	gVal   []float64 // n gradient into V (dueling)
	gAdv   []float64 // n×A gradient into A (dueling)
	params [][]float64
	grads  [][]float64
}

// newQNet builds a Q-network for obsDim inputs and nAct actions with
// hidden ReLU layers of the given widths. The trunk is initialised
// orthogonally with gain √2 and the heads with gain 1 (nn.NewMLP).
func newQNet(obsDim int, hidden []int, nAct int, dueling bool, rng *rand.Rand) (*qNet, error) {
	if len(hidden) == 0 {
		return nil, fmt.Errorf("the Q-network needs at least one hidden layer")
	}
	sizes := append([]int{obsDim}, hidden...)
	acts := make([]nn.Activation, len(hidden))
	for i := range acts {
		acts[i] = nn.ReLU
	}
	trunk, err := nn.NewMLP(sizes, acts, rng)
	if err != nil {
		return nil, err
	}
	h := hidden[len(hidden)-1]
	q := &qNet{trunk: trunk, nAct: nAct, dueling: dueling}
	if dueling {
		if q.val, err = nn.NewMLP([]int{h, 1}, []nn.Activation{nn.Identity}, rng); err != nil {
			return nil, err
		}
		if q.adv, err = nn.NewMLP([]int{h, nAct}, []nn.Activation{nn.Identity}, rng); err != nil {
			return nil, err
		}
	} else if q.q, err = nn.NewMLP([]int{h, nAct}, []nn.Activation{nn.Identity}, rng); err != nil {
		return nil, err
	}
	q.collect()
	return q, nil
}

// nets lists the component networks in a fixed order.
func (q *qNet) nets() []*nn.MLP {
	if q.dueling {
		return []*nn.MLP{q.trunk, q.val, q.adv}
	}
	return []*nn.MLP{q.trunk, q.q}
}

func (q *qNet) collect() {
	q.params, q.grads = nil, nil
	for _, m := range q.nets() {
		q.params = append(q.params, m.Params()...)
		q.grads = append(q.grads, m.Grads()...)
	}
}

// clone returns an independent copy with the same weights (a target
// network).
func (q *qNet) clone() *qNet {
	c := &qNet{trunk: q.trunk.Clone(), nAct: q.nAct, dueling: q.dueling}
	if q.dueling {
		c.val, c.adv = q.val.Clone(), q.adv.Clone()
	} else {
		c.q = q.q.Clone()
	}
	c.collect()
	return c
}

// forward returns the n×A Q-values of the n rows of x, valid until the
// next forward. x must stay unchanged until backward.
func (q *qNet) forward(x []float64, n int) []float64 {
	h := q.trunk.Forward(x, n)
	if !q.dueling {
		return q.q.Forward(h, n)
	}
	v := q.val.Forward(h, n)
	a := q.adv.Forward(h, n)
	A := q.nAct
	q.out = grow(q.out, n*A)
	for r := range n {
		centerRow(q.out[r*A:(r+1)*A], a[r*A:(r+1)*A], v[r])
	}
	return q.out
}

// centerRow sets dst to c + row − mean(row) and returns the sum of row:
// the dueling combination of V and A forward, and of its gradient
// backward.
func centerRow(dst, row []float64, c float64) (sum float64) {
	for _, x := range row {
		sum += x
	}
	base := c - sum/float64(len(row))
	for k, x := range row {
		dst[k] = base + x
	}
	return sum
}

// backward takes the n×A gradient of the loss with respect to the last
// forward's Q-values and accumulates every parameter gradient. With
// g = ∂L/∂Q, the dueling combination gives ∂L/∂V = Σ_a g_a and
// ∂L/∂A_b = g_b − (1/|A|) Σ_a g_a.
func (q *qNet) backward(gq []float64) {
	if !q.dueling {
		q.trunk.Backward(q.q.Backward(gq))
		return
	}
	A := q.nAct
	n := len(gq) / A
	q.gVal = grow(q.gVal, n)
	q.gAdv = grow(q.gAdv, n*A)
	for r := range n {
		q.gVal[r] = centerRow(q.gAdv[r*A:(r+1)*A], gq[r*A:(r+1)*A], 0)
	}
	gv := q.val.Backward(q.gVal)
	ga := q.adv.Backward(q.gAdv)
	q.gHead = grow(q.gHead, len(gv))
	for i := range gv {
		q.gHead[i] = gv[i] + ga[i]
	}
	q.trunk.Backward(q.gHead)
}

func (q *qNet) zeroGrad() {
	for _, m := range q.nets() {
		m.ZeroGrad()
	}
}

// blendFrom sets every weight w of q to tau·w_src + (1−tau)·w; tau = 1 is
// a hard copy. src must have q's shape.
func (q *qNet) blendFrom(src *qNet, tau float64) {
	for i, p := range q.params {
		s := src.params[i]
		if tau == 1 {
			copy(p, s)
			continue
		}
		for j := range p {
			p[j] += tau * (s[j] - p[j])
		}
	}
}

// copyFrom makes q's weights equal to src's.
func (q *qNet) copyFrom(src *qNet) { q.blendFrom(src, 1) }

// export returns a plain MLP computing exactly q's Q-values: the trunk's
// layers followed by one linear output layer. For a dueling network the
// output layer folds V + A − mean A into a single Dense layer, which is
// exact because all three terms are linear in the trunk's output:
//
//	W'[i, a] = Wv[i] + Wa[i, a] − (1/|A|) Σ_b Wa[i, b]
//	b'[a]    = bv + ba[a] − (1/|A|) Σ_b ba[b]
//
// So every policy, dueling or not, is saved in nn's weight format and
// loads as an nn.Policy whose logits are Q-values.
func (q *qNet) export() *nn.MLP {
	m := q.trunk.Clone()
	var out *nn.Dense
	if !q.dueling {
		out = q.q.Clone().Layers[0]
	} else {
		v, a := q.val.Layers[0], q.adv.Layers[0]
		A := q.nAct
		out = nn.NewDense(a.In, A)
		for i := range a.In {
			row := a.W[i*A : (i+1)*A]
			mean := 0.0
			for _, w := range row {
				mean += w
			}
			mean /= float64(A)
			for k, w := range row {
				out.W[i*A+k] = v.W[i] + w - mean
			}
		}
		mean := 0.0
		for _, b := range a.B {
			mean += b
		}
		mean /= float64(A)
		for k, b := range a.B {
			out.B[k] = v.B[0] + b - mean
		}
	}
	m.Layers = append(m.Layers, out)
	m.Acts = append(m.Acts, nn.Identity)
	return m
}

// load sets q's weights from m, a network export wrote (warm start):
// the trunk's layers, then the output layer as the plain head, or for a
// dueling network as the advantage head with a zero state-value head
// (which changes every Q-value of a state by the same amount, so the
// greedy policy is m's).
func (q *qNet) load(m *nn.MLP) error {
	if got, want := m.Sizes(), q.export().Sizes(); !slices.Equal(got, want) {
		return fmt.Errorf("the stored Q-network has widths %v, the hyperparameters (hidden, layers) make %v", got, want)
	}
	n := len(m.Layers)
	if err := q.trunk.CopyFrom(&nn.MLP{Layers: m.Layers[:n-1], Acts: m.Acts[:n-1]}); err != nil {
		return err
	}
	head := &nn.MLP{Layers: m.Layers[n-1:], Acts: m.Acts[n-1:]}
	if !q.dueling {
		return q.q.CopyFrom(head)
	}
	clear(q.val.Layers[0].W)
	clear(q.val.Layers[0].B)
	return q.adv.CopyFrom(head)
}

// grow returns s resliced to length n, reallocating only when too small.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
