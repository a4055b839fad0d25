package nn

import (
	"math"
	"math/rand/v2"
)

// MaskLogits sets the logits of actions with mask[a] == false to −∞; a nil
// mask allows every action. With at least one allowed action the result is
// a valid input for LogSoftmax.
func MaskLogits(logits []float64, mask []bool) {
	if mask == nil {
		return
	}
	for a, ok := range mask[:len(logits)] {
		if !ok {
			logits[a] = math.Inf(-1)
		}
	}
}

// LogSoftmax writes log softmax(logits) into dst (grown to len(logits) if
// needed; may alias logits) and returns it. It subtracts the maximum first,
// so large logits do not overflow; −∞ logits get log-probability −∞.
func LogSoftmax(dst, logits []float64) []float64 {
	dst = grow(dst, len(logits))
	m := math.Inf(-1)
	for _, z := range logits {
		m = max(m, z)
	}
	sum := 0.0
	for _, z := range logits {
		sum += math.Exp(z - m)
	}
	lse := m + math.Log(sum)
	for i, z := range logits {
		dst[i] = z - lse
	}
	return dst
}

// Entropy returns −Σ p log p of the distribution with log-probabilities
// logp (terms with p = 0 contribute 0).
func Entropy(logp []float64) float64 {
	h := 0.0
	for _, l := range logp {
		if !math.IsInf(l, -1) {
			h -= math.Exp(l) * l
		}
	}
	return h
}

// Argmax returns the allowed action with the largest logit (the first one
// on ties); mask may be nil. It returns -1 when no action is allowed.
func Argmax(logits []float64, mask []bool) int {
	best, arg := math.Inf(-1), -1
	for a, z := range logits {
		if mask != nil && !mask[a] {
			continue
		}
		if arg < 0 || z > best {
			best, arg = z, a
		}
	}
	return arg
}

// Sample draws an action from the distribution with log-probabilities logp
// using rng. Actions with log-probability −∞ are never drawn.
func Sample(rng *rand.Rand, logp []float64) int {
	u := rng.Float64()
	c, last := 0.0, -1
	for a, l := range logp {
		if math.IsInf(l, -1) {
			continue
		}
		c += math.Exp(l)
		last = a
		if u < c {
			return a
		}
	}
	return last // rounding: c ended just below u
}

// PolicyGradientLoss evaluates, for n rows of logits (n×A, masked logits
// −∞) with chosen actions and weights (advantages or returns),
//
//	L = −(1/n) Σ_r [ w_r · log π(a_r | z_r) + β · H(π(· | z_r)) ]
//
// writes ∂L/∂logits into grad (n×A) and returns L and the mean entropy.
func PolicyGradientLoss(grad, logits []float64, n, nActions int, actions []int, weights []float64, beta float64) (loss, entropy float64) {
	lp := make([]float64, nActions)
	inv := 1 / float64(n)
	for r := range n {
		LogSoftmax(lp, logits[r*nActions:(r+1)*nActions])
		a, w := actions[r], weights[r]
		h := Entropy(lp)
		loss -= w*lp[a] + beta*h
		entropy += h
		rowGrad(grad[r*nActions:(r+1)*nActions], lp, a, w, beta, h, inv)
	}
	return loss * inv, entropy * inv
}

// SurrogateStats describes a ClippedSurrogateLoss evaluation.
type SurrogateStats struct {
	Entropy  float64 // mean entropy
	ApproxKL float64 // mean (ρ−1) − log ρ, an estimate of KL(old ‖ new)
	ClipFrac float64 // fraction of rows whose ratio was outside [1−ε, 1+ε]
}

// ClippedSurrogateLoss evaluates PPO's clipped objective (Schulman et al.
// 2017) with an entropy bonus for n rows of logits (n×A, masked −∞):
//
//	ρ_r = π(a_r | z_r) / π_old(a_r)   (from oldLogProbs)
//	L   = −(1/n) Σ_r [ min(ρ_r A_r, clip(ρ_r, 1−ε, 1+ε) A_r) + β H(π(· | z_r)) ]
//
// writes ∂L/∂logits into grad (n×A) and returns L with statistics.
func ClippedSurrogateLoss(grad, logits []float64, n, nActions int, actions []int, adv, oldLogProbs []float64, eps, beta float64) (float64, SurrogateStats) {
	var st SurrogateStats
	lp := make([]float64, nActions)
	inv := 1 / float64(n)
	loss := 0.0
	for r := range n {
		LogSoftmax(lp, logits[r*nActions:(r+1)*nActions])
		a, A := actions[r], adv[r]
		h := Entropy(lp)
		logRatio := lp[a] - oldLogProbs[r]
		rho := math.Exp(logRatio)
		s1 := rho * A
		s2 := min(max(rho, 1-eps), 1+eps) * A
		c := 0.0 // ∂min(s1, s2)/∂log π(a): ρA on the unclipped branch
		if s1 <= s2 {
			c = s1
		} else {
			s1 = s2
		}
		if rho < 1-eps || rho > 1+eps {
			st.ClipFrac++
		}
		loss -= s1 + beta*h
		st.Entropy += h
		st.ApproxKL += (rho - 1) - logRatio
		rowGrad(grad[r*nActions:(r+1)*nActions], lp, a, c, beta, h, inv)
	}
	st.Entropy *= inv
	st.ApproxKL *= inv
	st.ClipFrac *= inv
	return loss * inv, st
}

// rowGrad writes into g the gradient with respect to one row's logits of
// −inv·(c·log p_a + β·H), where c is held constant, lp are the row's
// log-probabilities and h its entropy. With p_k = exp(lp_k):
// ∂log p_a/∂z_k = 1[k=a] − p_k and ∂H/∂z_k = −p_k (log p_k + H).
func rowGrad(g, lp []float64, a int, c, beta, h, inv float64) {
	for k, l := range lp {
		if math.IsInf(l, -1) {
			g[k] = 0 // masked: probability 0, no gradient
			continue
		}
		p := math.Exp(l)
		g[k] = inv * (c*p + beta*p*(l+h))
	}
	g[a] -= inv * c
}

// MSE returns the mean squared error L = (1/n) Σ ½ (pred_i − target_i)²
// and writes ∂L/∂pred into grad.
func MSE(grad, pred, target []float64) float64 {
	inv := 1 / float64(len(pred))
	loss := 0.0
	for i, p := range pred {
		d := p - target[i]
		loss += 0.5 * d * d
		grad[i] = d * inv
	}
	return loss * inv
}

// Huber returns the mean Huber loss with threshold delta,
// L = (1/n) Σ ℓ(pred_i − target_i) with ℓ(d) = ½d² for |d| ≤ delta and
// delta(|d| − ½delta) beyond, and writes ∂L/∂pred into grad.
func Huber(grad, pred, target []float64, delta float64) float64 {
	inv := 1 / float64(len(pred))
	loss := 0.0
	for i, p := range pred {
		d := p - target[i]
		if math.Abs(d) <= delta {
			loss += 0.5 * d * d
			grad[i] = d * inv
		} else {
			loss += delta * (math.Abs(d) - 0.5*delta)
			grad[i] = math.Copysign(delta, d) * inv
		}
	}
	return loss * inv
}
