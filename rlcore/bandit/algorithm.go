package bandit

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// UCB1Algorithm runs UCB1 on a one-step environment: every episode is one
// pull of the arm (action) UCB1 selects.
var UCB1Algorithm = &rlcore.Algorithm{
	Name: "ucb1",
	Doc:  "UCB1 bandit (Auer et al. 2002) over the actions of a one-step env",
	Kind: rlcore.Learner,
	Params: []rlcore.Param{
		{Name: "c", Doc: "exploration constant (√2 for rewards in [0, 1])", Default: math.Sqrt2, Min: 0.01, Max: 10, Log: true},
	},
	Train: func(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
		sel, err := NewUCB1(env.ActionSpace().N, cfg.Hyper["c"])
		if err != nil {
			return nil, fmt.Errorf("ucb1: %w", err)
		}
		return run(ctx, env, cfg, sel), nil
	},
}

// ThompsonAlgorithm runs Thompson sampling on a one-step environment.
var ThompsonAlgorithm = &rlcore.Algorithm{
	Name: "thompson",
	Doc:  "Thompson-sampling bandit (Beta-Bernoulli or Gaussian) over the actions of a one-step env",
	Kind: rlcore.Learner,
	Params: []rlcore.Param{
		{Name: "gaussian", Doc: "reward model: 0 = Beta-Bernoulli (rewards in [0, 1]), 1 = Gaussian", Default: 0, Min: 0, Max: 1, Int: true},
		{Name: "sigma", Doc: "reward standard deviation of the Gaussian model", Default: 1, Min: 0.01, Max: 100, Log: true},
	},
	Train: func(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig) (*rlcore.Result, error) {
		var sel *Thompson
		var err error
		if cfg.Hyper["gaussian"] != 0 {
			sel, err = NewGaussianThompson(env.ActionSpace().N, cfg.Hyper["sigma"])
		} else {
			sel, err = NewThompson(env.ActionSpace().N)
		}
		if err != nil {
			return nil, fmt.Errorf("thompson: %w", err)
		}
		return run(ctx, env, cfg, sel), nil
	},
}

func init() {
	rlcore.RegisterAlgorithm(UCB1Algorithm)
	rlcore.RegisterAlgorithm(ThompsonAlgorithm)
}

// selectExcepter is implemented by UCB1 and Thompson.
type selectExcepter interface {
	Selector
	SelectExcept(rng *rand.Rand, skip []bool) int
}

// errNotOneStep is the reason a bandit run fails on a multi-step env.
var errNotOneStep = errors.New("the episode went on after the first step: bandit algorithms need one-step episodes (each episode is one pull)")

// run pulls arms through a Recorder until it stops. Masked-out actions are
// never pulled.
func run(ctx context.Context, env rlcore.Env, cfg rlcore.TrainConfig, sel selectExcepter) *rlcore.Result {
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x62616e646974))
	rec := rlcore.NewRecorder(ctx, env, cfg)
	var mask, skip []bool
	var runErr error
	for !rec.Stopped() {
		if _, err := rec.Reset(); err != nil {
			continue
		}
		var skipped []bool // nil: no arm is masked out
		if mask = rec.Mask(mask); mask != nil {
			skip = skip[:0]
			for _, ok := range mask {
				skip = append(skip, !ok)
			}
			skipped = skip
		}
		arm := sel.SelectExcept(rng, skipped)
		if arm < 0 {
			runErr = errors.New("the action mask allows no action")
			rec.StopFinished()
			break
		}
		sr, err := rec.Step(arm)
		if err != nil {
			continue
		}
		sel.Update(arm, sr.Reward)
		if !sr.Done() {
			runErr = errNotOneStep
			rec.StopFinished()
			break
		}
	}
	res := rec.Finish(&ArmPolicy{Arms: sel.Counts(), Means: sel.Means()})
	if runErr != nil {
		res.Status, res.Err = rlcore.Failed, runErr
	}
	return res
}

// ArmPolicy is the policy a bandit run learns: always pull the arm with
// the best mean reward among the pulled arms.
type ArmPolicy struct {
	Arms  []int     // pulls per arm
	Means []float64 // mean reward per arm
}

// Best is the pulled arm with the highest mean (the lowest index on ties;
// 0 when nothing was pulled).
func (p *ArmPolicy) Best(mask []bool) int {
	best := -1
	for i, n := range p.Arms {
		if n == 0 || (mask != nil && !mask[i]) {
			continue
		}
		if best < 0 || p.Means[i] > p.Means[best] {
			best = i
		}
	}
	if best < 0 {
		for i := range p.Arms {
			if mask == nil || mask[i] {
				return i
			}
		}
		return 0
	}
	return best
}

// Act ignores the observation and returns Best(mask).
func (p *ArmPolicy) Act(_ []float64, mask []bool) int { return p.Best(mask) }

// armPolicyMagic starts the binary encoding of an ArmPolicy.
const armPolicyMagic = "SSBANDIT"

// MarshalBinary encodes the policy, little endian: the 8 bytes
// "SSBANDIT", uint32 version (1), uint32 k, then per arm a uint64 pull
// count and a float64 mean.
func (p *ArmPolicy) MarshalBinary() ([]byte, error) {
	if len(p.Arms) != len(p.Means) {
		return nil, fmt.Errorf("bandit policy: %d pull counts but %d means", len(p.Arms), len(p.Means))
	}
	var buf bytes.Buffer
	buf.WriteString(armPolicyMagic)
	binary.Write(&buf, binary.LittleEndian, uint32(1))
	binary.Write(&buf, binary.LittleEndian, uint32(len(p.Arms)))
	for i := range p.Arms {
		binary.Write(&buf, binary.LittleEndian, uint64(p.Arms[i]))
		binary.Write(&buf, binary.LittleEndian, p.Means[i])
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (p *ArmPolicy) UnmarshalBinary(data []byte) error {
	r := bytes.NewReader(data)
	magic := make([]byte, len(armPolicyMagic))
	if _, err := r.Read(magic); err != nil || string(magic) != armPolicyMagic {
		return fmt.Errorf("bandit policy: data does not start with %q", armPolicyMagic)
	}
	var version, k uint32
	if err := binary.Read(r, binary.LittleEndian, &version); err != nil || version != 1 {
		return fmt.Errorf("bandit policy: version %d: only version 1 is known", version)
	}
	if err := binary.Read(r, binary.LittleEndian, &k); err != nil {
		return fmt.Errorf("bandit policy: reading the arm count: %w", err)
	}
	if int64(k)*16 != int64(r.Len()) {
		return fmt.Errorf("bandit policy: %d arms need %d bytes, %d are left", k, int64(k)*16, r.Len())
	}
	p.Arms, p.Means = make([]int, k), make([]float64, k)
	for i := range p.Arms {
		var n uint64
		binary.Read(r, binary.LittleEndian, &n)
		binary.Read(r, binary.LittleEndian, &p.Means[i])
		p.Arms[i] = int(n)
	}
	return nil
}
