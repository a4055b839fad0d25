package dqn

import "math/rand/v2"

// replay is a ring buffer of transitions (s, a, r, s', terminated, mask
// of s') in flat preallocated arrays: adding a transition and sampling a
// batch allocate nothing. Once full, each new transition overwrites the
// oldest.
type replay struct {
	obsDim, nAct int
	capacity     int
	size, next   int

	obs, nextObs []float64 // capacity×obsDim
	actions      []int32
	rewards      []float64
	terminated   []bool
	nextMask     []bool // capacity×nAct; nil when the env has no masks
}

func newReplay(capacity, obsDim, nAct int, masked bool) *replay {
	r := &replay{
		obsDim: obsDim, nAct: nAct, capacity: capacity,
		obs:        make([]float64, capacity*obsDim),
		nextObs:    make([]float64, capacity*obsDim),
		actions:    make([]int32, capacity),
		rewards:    make([]float64, capacity),
		terminated: make([]bool, capacity),
	}
	if masked {
		r.nextMask = make([]bool, capacity*nAct)
	}
	return r
}

// add stores one transition. nextMask is the action mask of nextObs (nil
// when every action is allowed there); it is ignored by a buffer made
// without masks.
func (r *replay) add(obs []float64, action int, reward float64, nextObs []float64, terminated bool, nextMask []bool) {
	i, D := r.next, r.obsDim
	copy(r.obs[i*D:(i+1)*D], obs)
	copy(r.nextObs[i*D:(i+1)*D], nextObs)
	r.actions[i] = int32(action)
	r.rewards[i] = reward
	r.terminated[i] = terminated
	if r.nextMask != nil {
		m := r.nextMask[i*r.nAct : (i+1)*r.nAct]
		if nextMask == nil {
			for k := range m {
				m[k] = true
			}
		} else {
			copy(m, nextMask)
		}
	}
	r.next = (r.next + 1) % r.capacity
	r.size = min(r.size+1, r.capacity)
}

// batch is a sampled minibatch, reused from one sample to the next.
type batch struct {
	n            int
	obs, nextObs []float64
	actions      []int
	rewards      []float64
	terminated   []bool
	nextMask     []bool // nil when the buffer has no masks
}

func newBatch(n, obsDim, nAct int, masked bool) *batch {
	b := &batch{
		n:          n,
		obs:        make([]float64, n*obsDim),
		nextObs:    make([]float64, n*obsDim),
		actions:    make([]int, n),
		rewards:    make([]float64, n),
		terminated: make([]bool, n),
	}
	if masked {
		b.nextMask = make([]bool, n*nAct)
	}
	return b
}

// sample fills b with b.n transitions drawn uniformly with replacement.
func (r *replay) sample(rng *rand.Rand, b *batch) {
	D, A := r.obsDim, r.nAct
	for k := range b.n {
		i := rng.IntN(r.size)
		copy(b.obs[k*D:(k+1)*D], r.obs[i*D:(i+1)*D])
		copy(b.nextObs[k*D:(k+1)*D], r.nextObs[i*D:(i+1)*D])
		b.actions[k] = int(r.actions[i])
		b.rewards[k] = r.rewards[i]
		b.terminated[k] = r.terminated[i]
		if b.nextMask != nil {
			copy(b.nextMask[k*A:(k+1)*A], r.nextMask[i*A:(i+1)*A])
		}
	}
}
