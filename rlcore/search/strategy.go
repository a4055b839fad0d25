package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Strategy chooses arms. The search loop asks Next whenever a worker is
// free and tells Observe about every finished pull (failed ones included,
// interrupted ones not); several pulls may be in flight, visible as
// ArmStats.InFlight on the board. Next returns ok=false when it has nothing
// to propose (the search ends when nothing is in flight either). A
// strategy is used by one goroutine only.
type Strategy interface {
	Next(b *Board) (arm int, ok bool)
	Observe(b *Board, p *PullResult)
}

// StrategyInfo is a named, documented strategy.
type StrategyInfo struct {
	Name string
	Doc  string // one line
	// New builds the strategy for board's arm space; budget is the
	// search budget; every random choice must come from rng.
	New func(b *Board, budget rlcore.Budget, rng *rand.Rand) Strategy
}

var (
	strategiesMu sync.RWMutex
	strategies   = []StrategyInfo{
		{"bandit", "UCB over arms with successive elimination; in-flight pulls count as virtual pulls (default)", newBandit},
		{"drl", "the paper's deep-RL meta-agent: softmax policy on the recent arm history, REINFORCE with a baseline, rewards normalized per benchmark", newDRL},
		{"grid", "every arm in turn, sweep after sweep", newGrid},
		{"random", "an arm uniformly at random each pull", newRandom},
		{"anneal", "simulated annealing over arm vectors; a neighbour changes one component", newAnneal},
		{"genetic", "steady-state genetic algorithm over arm vectors: tournament selection, uniform crossover, mutation", newGenetic},
	}
)

// Strategies lists the search strategies.
func Strategies() []StrategyInfo {
	strategiesMu.RLock()
	defer strategiesMu.RUnlock()
	return append([]StrategyInfo(nil), strategies...)
}

// RegisterStrategy adds a strategy (or replaces the one of that name, so
// that a notebook cell can be re-run).
func RegisterStrategy(s StrategyInfo) {
	if s.Name == "" || s.New == nil {
		panic("search: RegisterStrategy needs a Name and a New function")
	}
	strategiesMu.Lock()
	defer strategiesMu.Unlock()
	for i := range strategies {
		if strategies[i].Name == s.Name {
			strategies[i] = s
			return
		}
	}
	strategies = append(strategies, s)
}

// NewStrategy builds the named strategy for board's arm space. budget is
// the search budget (strategies that schedule, such as anneal, read
// Steps).
func NewStrategy(name string, b *Board, budget rlcore.Budget, seed int64) (Strategy, error) {
	var names []string
	for _, s := range Strategies() {
		if s.Name == name {
			return s.New(b, budget, rand.New(rand.NewPCG(uint64(seed), 0x57a7_e6))), nil
		}
		names = append(names, s.Name)
	}
	return nil, fmt.Errorf("unknown strategy %q; known: %s", name, strings.Join(names, ", "))
}

// randomActive picks an active arm uniformly, preferring arms that were
// never pulled nor are in flight when fresh is set.
func randomActive(b *Board, rng *rand.Rand, fresh bool) (int, bool) {
	var pool []int
	if fresh {
		for _, i := range b.ActiveArms() {
			if b.Arms[i].Pulls+b.Arms[i].InFlight+b.Arms[i].Failures == 0 {
				pool = append(pool, i)
			}
		}
	}
	if len(pool) == 0 {
		pool = b.ActiveArms()
	}
	if len(pool) == 0 {
		return 0, false
	}
	return pool[rng.IntN(len(pool))], true
}

// ---- random ----

type randomStrategy struct{ rng *rand.Rand }

func newRandom(_ *Board, _ rlcore.Budget, rng *rand.Rand) Strategy { return &randomStrategy{rng} }

func (s *randomStrategy) Next(b *Board) (int, bool)   { return randomActive(b, s.rng, false) }
func (s *randomStrategy) Observe(*Board, *PullResult) {}

// ---- grid ----

type gridStrategy struct{ next int }

func newGrid(*Board, rlcore.Budget, *rand.Rand) Strategy { return &gridStrategy{} }

func (s *gridStrategy) Next(b *Board) (int, bool) {
	for range b.Arms {
		i := s.next % len(b.Arms)
		s.next++
		if b.Active(i) {
			return i, true
		}
	}
	return 0, false
}
func (s *gridStrategy) Observe(*Board, *PullResult) {}

// ---- bandit ----

// banditStrategy is UCB1 with a scale-free exploration bonus (the board's
// pooled score spread) and successive elimination: an arm whose upper
// confidence bound falls below the best lower bound is no longer pulled.
// Every arm is pulled once first, in a seeded random order.
type banditStrategy struct {
	rng        *rand.Rand
	order      []int
	eliminated []bool
}

func newBandit(b *Board, _ rlcore.Budget, rng *rand.Rand) Strategy {
	return &banditStrategy{rng: rng, order: rng.Perm(len(b.Arms)), eliminated: make([]bool, len(b.Arms))}
}

const (
	ucbC         = 1.0 // exploration weight
	eliminationZ = 2.5 // confidence width, in standard errors, for elimination
)

func (s *banditStrategy) Next(b *Board) (int, bool) {
	for _, i := range s.order {
		a := b.Arms[i]
		if b.Active(i) && a.Pulls+a.InFlight+a.Failures == 0 {
			return i, true
		}
	}
	scale := b.Scale()
	total := float64(b.Pulls + 1)
	for _, i := range b.ActiveArms() {
		if b.Arms[i].Pulls == 0 && b.Arms[i].InFlight == 0 {
			return i, true // its first pull failed; try once more
		}
	}
	best, bestU := -1, math.Inf(-1)
	for _, i := range s.order {
		a := b.Arms[i]
		if !b.Active(i) || s.eliminated[i] || a.Pulls == 0 {
			continue
		}
		n := float64(a.Pulls + a.InFlight)
		u := a.Mean + ucbC*scale*math.Sqrt(2*math.Log(total+float64(a.InFlight))/n)
		if u > bestU {
			best, bestU = i, u
		}
	}
	if best < 0 {
		return randomActive(b, s.rng, false)
	}
	return best, true
}

func (s *banditStrategy) Observe(b *Board, _ *PullResult) {
	scale := b.Scale()
	lcb := math.Inf(-1)
	for i, a := range b.Arms {
		if b.Active(i) && a.Pulls >= 2 {
			lcb = math.Max(lcb, a.Mean-eliminationZ*scale/math.Sqrt(float64(a.Pulls)))
		}
	}
	for i, a := range b.Arms {
		if a.Pulls >= 2 && a.Mean+eliminationZ*scale/math.Sqrt(float64(a.Pulls)) < lcb {
			s.eliminated[i] = true
			b.Arms[i].Pruned = true
		}
	}
}

// ---- anneal ----

// annealStrategy walks the arm space: it pulls a neighbour of the current
// arm (one component changed) and moves there when its mean score is
// better, or worse by Δ with probability exp(Δ/T); T starts at the
// board's score spread and cools geometrically so that it is ~1% of it
// when the pull budget (or 4 × the arms) is spent.
type annealStrategy struct {
	rng     *rand.Rand
	cur     int
	cooling float64
	t       float64 // temperature in units of the score scale
}

func newAnneal(b *Board, budget rlcore.Budget, rng *rand.Rand) Strategy {
	n := budget.Pulls
	if n <= 0 {
		n = 4 * len(b.Arms)
	}
	return &annealStrategy{rng: rng, cur: rng.IntN(len(b.Arms)), cooling: math.Pow(0.01, 1/float64(max(n, 2))), t: 1}
}

func (s *annealStrategy) Next(b *Board) (int, bool) {
	if !b.Active(s.cur) {
		var ok bool
		if s.cur, ok = randomActive(b, s.rng, true); !ok {
			return 0, false
		}
	}
	c := b.Arms[s.cur]
	if c.Pulls+c.InFlight == 0 || (c.Pulls < 2 && c.InFlight == 0) {
		return s.cur, true // measure (or re-measure) where we stand
	}
	for range 20 {
		if n, ok := neighbour(b, s.cur, s.rng); ok {
			return n, true
		}
	}
	return randomActive(b, s.rng, true)
}

func (s *annealStrategy) Observe(b *Board, p *PullResult) {
	s.t *= s.cooling
	if p.ArmIndex == s.cur || !p.OK() {
		return
	}
	c, n := b.Arms[s.cur], b.Arms[p.ArmIndex]
	if c.Pulls == 0 {
		s.cur = p.ArmIndex
		return
	}
	d := n.Mean - c.Mean
	if d > 0 || s.rng.Float64() < math.Exp(d/(s.t*b.Scale())) {
		s.cur = p.ArmIndex
	}
}

// neighbour changes one component of arm i (among components with a
// choice) to another value.
func neighbour(b *Board, i int, rng *rand.Rand) (int, bool) {
	var free []int
	for k, d := range b.Dims {
		if d > 1 {
			free = append(free, k)
		}
	}
	if len(free) == 0 {
		return 0, false
	}
	v := b.Vec(i)
	k := free[rng.IntN(len(free))]
	v[k] = (v[k] + 1 + rng.IntN(b.Dims[k]-1)) % b.Dims[k]
	n := b.Index(v)
	return n, b.Active(n)
}

// ---- genetic ----

// geneticStrategy is a steady-state genetic algorithm: the population is
// the arms pulled so far ranked by mean score; each child takes every
// component from one of two tournament-selected parents and mutates each
// component with probability 1/len(components). With probability
// reevaluate it re-pulls the current best arm instead, so that a lucky
// single pull does not decide.
type geneticStrategy struct {
	rng *rand.Rand
	pop int
}

const reevaluate = 0.2

func newGenetic(b *Board, _ rlcore.Budget, rng *rand.Rand) Strategy {
	return &geneticStrategy{rng: rng, pop: min(8, len(b.Arms))}
}

func (s *geneticStrategy) Next(b *Board) (int, bool) {
	var pulled []int
	for _, i := range b.ActiveArms() {
		if b.Arms[i].Pulls > 0 {
			pulled = append(pulled, i)
		}
	}
	if len(pulled) < s.pop {
		return randomActive(b, s.rng, true)
	}
	sort.Slice(pulled, func(x, y int) bool { return b.Arms[pulled[x]].Mean > b.Arms[pulled[y]].Mean })
	if best := pulled[0]; s.rng.Float64() < reevaluate && b.Arms[best].InFlight == 0 {
		return best, true
	}
	elite := pulled[:max(s.pop, len(pulled)/2)]
	tournament := func() []int {
		x, y := elite[s.rng.IntN(len(elite))], elite[s.rng.IntN(len(elite))]
		if b.Arms[y].Mean > b.Arms[x].Mean {
			x = y
		}
		return b.Vec(x)
	}
	for range 20 {
		p1, p2 := tournament(), tournament()
		child := make([]int, len(p1))
		for k := range child {
			child[k] = p1[k]
			if s.rng.IntN(2) == 1 {
				child[k] = p2[k]
			}
			if b.Dims[k] > 1 && s.rng.Float64() < 1/float64(len(child)) {
				child[k] = s.rng.IntN(b.Dims[k])
			}
		}
		if c := b.Index(child); b.Active(c) {
			return c, true
		}
	}
	return randomActive(b, s.rng, true)
}

func (s *geneticStrategy) Observe(*Board, *PullResult) {}
