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
	transitions[int32]
}

// transitions are n transitions in flat arrays: the replay buffer's
// (actions stored as int32) and a sampled batch's.
type transitions[A int32 | int] struct {
	obs, nextObs []float64 // n×obsDim
	actions      []A
	rewards      []float64
	terminated   []bool
	nextMask     []bool // n×nAct; nil when the env has no masks
}

func newTransitions[A int32 | int](n, obsDim, nAct int, masked bool) transitions[A] {
	t := transitions[A]{
		obs:        make([]float64, n*obsDim),
		nextObs:    make([]float64, n*obsDim),
		actions:    make([]A, n),
		rewards:    make([]float64, n),
		terminated: make([]bool, n),
	}
	if masked {
		t.nextMask = make([]bool, n*nAct)
	}
	return t
}

func newReplay(capacity, obsDim, nAct int, masked bool) *replay {
	return &replay{obsDim: obsDim, nAct: nAct, capacity: capacity,
		transitions: newTransitions[int32](capacity, obsDim, nAct, masked)}
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
	n int
	transitions[int]
}

func newBatch(n, obsDim, nAct int, masked bool) *batch {
	return &batch{n: n, transitions: newTransitions[int](n, obsDim, nAct, masked)}
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
