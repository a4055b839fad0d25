package envs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// CartPole constants, as in Barto, Sutton & Anderson (1983) and Gym's
// CartPole-v1 (classic_control/cartpole.py).
const (
	cpGravity    = 9.8
	cpMassCart   = 1.0
	cpMassPole   = 0.1
	cpTotalMass  = cpMassCart + cpMassPole
	cpHalfLength = 0.5 // half the pole's length
	cpPoleMassL  = cpMassPole * cpHalfLength
	cpForce      = 10.0
	cpTau        = 0.02 // seconds between state updates (Euler integration)
	// CartPoleThetaLimit is the pole angle (radians, 12°) beyond which an
	// episode terminates.
	CartPoleThetaLimit = 12 * 2 * math.Pi / 360
	// CartPoleXLimit is the cart position beyond which an episode terminates.
	CartPoleXLimit = 2.4
	// CartPoleMaxSteps is CartPole-v1's time limit: episodes are truncated
	// after this many steps.
	CartPoleMaxSteps = 500
)

// CartPole is the classic cart-pole balancing task with CartPole-v1's
// semantics: action 0 pushes the cart left and 1 right with a force of
// 10 N, the state (x, ẋ, θ, θ̇) follows the equations of Barto, Sutton &
// Anderson (1983) integrated with Euler steps of 0.02 s, every step
// (including the last) pays reward 1, the episode terminates when |θ| >
// 12° or |x| > 2.4 and is truncated after 500 steps. Reset draws every
// state variable uniformly from (−0.05, 0.05). It ignores benchmark names.
type CartPole struct {
	src   rand.PCG
	rng   *rand.Rand
	state [4]float64
	steps int
	live  bool // an episode is running
}

var (
	_ rlcore.Env    = (*CartPole)(nil)
	_ rlcore.Forker = (*CartPole)(nil)
)

// NewCartPole returns a CartPole whose initial states are drawn from a
// generator seeded with seed.
func NewCartPole(seed int64) *CartPole {
	c := &CartPole{src: *rand.NewPCG(uint64(seed), 0xca27901e)}
	c.rng = rand.New(&c.src)
	return c
}

// ObservationSpace is Box(4): x ∈ [−4.8, 4.8], ẋ unbounded, θ ∈ [−24°, 24°]
// (in radians), θ̇ unbounded — Gym's bounds.
func (c *CartPole) ObservationSpace() rlcore.Space {
	inf := math.Inf(1)
	return rlcore.Box{
		Low:  []float64{-2 * CartPoleXLimit, -inf, -2 * CartPoleThetaLimit, -inf},
		High: []float64{2 * CartPoleXLimit, inf, 2 * CartPoleThetaLimit, inf},
	}
}

// ActionSpace is Discrete(2): 0 pushes left, 1 pushes right.
func (c *CartPole) ActionSpace() rlcore.Discrete { return rlcore.Discrete{N: 2} }

// Reset starts an episode; benchmark is ignored.
func (c *CartPole) Reset(ctx context.Context, benchmark string) ([]float64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i := range c.state {
		c.state[i] = c.rng.Float64()*0.1 - 0.05
	}
	c.steps, c.live = 0, true
	return c.obs(), nil
}

// errCartPoleDone is returned by Step outside an episode.
var errCartPoleDone = errors.New("cartpole: Step called after the episode ended (or before Reset); call Reset first")

// Step pushes the cart left (0) or right (1) for one time step.
func (c *CartPole) Step(ctx context.Context, action int) (rlcore.StepResult, error) {
	if !c.live {
		return rlcore.StepResult{}, errCartPoleDone
	}
	if action != 0 && action != 1 {
		return rlcore.StepResult{}, fmt.Errorf("cartpole: action %d outside Discrete(2): want 0 (left) or 1 (right)", action)
	}
	x, xDot, theta, thetaDot := c.state[0], c.state[1], c.state[2], c.state[3]
	force := cpForce
	if action == 0 {
		force = -cpForce
	}
	cos, sin := math.Cos(theta), math.Sin(theta)
	temp := (force + cpPoleMassL*thetaDot*thetaDot*sin) / cpTotalMass
	thetaAcc := (cpGravity*sin - cos*temp) / (cpHalfLength * (4.0/3.0 - cpMassPole*cos*cos/cpTotalMass))
	xAcc := temp - cpPoleMassL*thetaAcc*cos/cpTotalMass
	x += cpTau * xDot
	xDot += cpTau * xAcc
	theta += cpTau * thetaDot
	thetaDot += cpTau * thetaAcc
	c.state = [4]float64{x, xDot, theta, thetaDot}
	c.steps++
	sr := rlcore.StepResult{Obs: c.obs(), Reward: 1}
	sr.Terminated = x < -CartPoleXLimit || x > CartPoleXLimit || theta < -CartPoleThetaLimit || theta > CartPoleThetaLimit
	sr.Truncated = !sr.Terminated && c.steps >= CartPoleMaxSteps
	if sr.Done() {
		c.live = false
	}
	return sr, nil
}

// Fork returns an independent copy of the current state, including the
// random generator's state.
func (c *CartPole) Fork(ctx context.Context) (rlcore.Env, error) {
	f := &CartPole{src: c.src, state: c.state, steps: c.steps, live: c.live}
	f.rng = rand.New(&f.src)
	return f, nil
}

// State returns (x, ẋ, θ, θ̇).
func (c *CartPole) State() [4]float64 { return c.state }

func (c *CartPole) obs() []float64 {
	s := c.state
	return []float64{s[0], s[1], s[2], s[3]}
}
