package pg

import (
	"errors"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// rollout holds consecutive transitions, possibly spanning episodes.
type rollout struct {
	obsDim, nAct int

	obs     []float64 // n×obsDim, the observation each action was chosen in
	masks   []bool    // n×nAct when the env masks actions, else empty
	actions []int
	logp    []float64 // log-probability of the action when it was chosen
	values  []float64 // critic's value of obs
	rewards []float64 // reward, plus γ·V(next) when the episode was truncated
	ends    []bool    // the episode ended after this step (no bootstrap)
	ended   int       // number of ends

	adv, ret []float64 // filled by computeGAE
	last     float64   // value of the observation after the last step, 0 if it ended
}

func (r *rollout) reset() {
	r.obs, r.masks, r.actions = r.obs[:0], r.masks[:0], r.actions[:0]
	r.logp, r.values, r.rewards, r.ends = r.logp[:0], r.values[:0], r.rewards[:0], r.ends[:0]
	r.ended, r.last = 0, 0
}

func (r *rollout) len() int { return len(r.actions) }

// collector plays the env through the recorder for an actor-critic,
// keeping the current observation between rollouts.
type collector struct {
	rec   *rlcore.Recorder
	ac    *actorCritic
	gamma float64

	obs     []float64 // current observation (own copy)
	mask    []bool
	inEp    bool
	hasMask bool
}

// collect appends transitions to r until it holds maxSteps of them (0: no
// limit) or minEpisodes episode ends (0: no limit), or the run stops. It
// sets r.last. Env errors end the episode; collection goes on while the
// recorder allows.
func (c *collector) collect(r *rollout, maxSteps, minEpisodes int) {
	ac := c.ac
	for !c.rec.Stopped() {
		if (maxSteps > 0 && r.len() >= maxSteps) || (minEpisodes > 0 && r.ended >= minEpisodes) {
			break
		}
		if !c.inEp {
			obs, err := c.rec.Reset()
			if err != nil {
				continue // recorded; Stopped says whether to go on
			}
			c.obs = append(c.obs[:0], obs...)
			c.inEp = true
		}
		c.mask = c.rec.Mask(c.mask)
		if !usableMask(c.mask) {
			c.mask = nil
		}
		a, logp, v := ac.act(c.obs, c.mask)
		sr, err := c.rec.Step(a)
		if err != nil {
			c.inEp = false
			if !errors.Is(err, rlcore.ErrStopped) && r.len() > 0 && !r.ends[r.len()-1] {
				// The episode failed: cut it at the last good transition.
				r.ends[r.len()-1] = true
				r.ended++
			}
			continue
		}
		r.obs = append(r.obs, c.obs...)
		if c.mask != nil {
			if !c.hasMask { // first mask: earlier rows allowed everything
				c.hasMask = true
				for range r.len() * ac.nAct {
					r.masks = append(r.masks, true)
				}
			}
			r.masks = append(r.masks, c.mask...)
		} else if c.hasMask {
			for range ac.nAct {
				r.masks = append(r.masks, true)
			}
		}
		rew := sr.Reward
		if sr.Truncated && !sr.Terminated {
			rew += c.gamma * ac.stateValue(sr.Obs)
		}
		r.actions = append(r.actions, a)
		r.logp = append(r.logp, logp)
		r.values = append(r.values, v)
		r.rewards = append(r.rewards, rew)
		r.ends = append(r.ends, sr.Done())
		if sr.Done() {
			r.ended++
			c.inEp = false
		} else {
			c.obs = append(c.obs[:0], sr.Obs...)
		}
	}
	r.last = 0
	if c.inEp && r.len() > 0 && !r.ends[r.len()-1] {
		r.last = ac.stateValue(c.obs)
	}
}

// rowMasks returns the masks of the rollout, or nil when the env never
// masked an action.
func (c *collector) rowMasks(r *rollout) []bool {
	if !c.hasMask {
		return nil
	}
	return r.masks
}

// computeGAE fills r.adv with GAE(λ) advantages (Schulman et al. 2016) and
// r.ret with the critic's targets adv + value. With λ = 1 the advantages
// are Monte-Carlo (or n-step) returns minus the baseline.
func (r *rollout) computeGAE(gamma, lambda float64) {
	n := r.len()
	r.adv = growF(r.adv, n)
	r.ret = growF(r.ret, n)
	next, gae := r.last, 0.0
	for t := n - 1; t >= 0; t-- {
		if r.ends[t] {
			next, gae = 0, 0
		}
		delta := r.rewards[t] + gamma*next - r.values[t]
		gae = delta + gamma*lambda*gae
		r.adv[t] = gae
		r.ret[t] = gae + r.values[t]
		next = r.values[t]
	}
}

func growF(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
