package dqn

import (
	"math/rand/v2"
	"testing"
)

func TestReplayRing(t *testing.T) {
	r := newReplay(3, 2, 2, true)
	for i := range 5 {
		var mask []bool
		if i == 4 {
			mask = []bool{false, true}
		}
		f := float64(i)
		r.add([]float64{f, -f}, i%2, 10*f, []float64{f + 1, -f - 1}, i == 3, mask)
	}
	if r.size != 3 || r.next != 2 {
		t.Fatalf("size %d next %d after 5 adds to a ring of 3, want 3 and 2", r.size, r.next)
	}
	// Slots hold transitions 3, 4, 2 (0 and 1 were overwritten).
	for slot, i := range []int{3, 4, 2} {
		f := float64(i)
		if r.obs[2*slot] != f || r.nextObs[2*slot+1] != -f-1 || r.rewards[slot] != 10*f || int(r.actions[slot]) != i%2 || r.terminated[slot] != (i == 3) {
			t.Errorf("slot %d does not hold transition %d: obs %v reward %g", slot, i, r.obs[2*slot:2*slot+2], r.rewards[slot])
		}
	}
	if m := r.nextMask[2:4]; m[0] || !m[1] {
		t.Errorf("slot 1 mask %v, want the stored [false true]", m)
	}
	if m := r.nextMask[0:2]; !m[0] || !m[1] {
		t.Errorf("slot 0 mask %v, want all allowed for a nil mask", m)
	}
	b := newBatch(50, 2, 2, true)
	r.sample(rand.New(rand.NewPCG(1, 1)), b)
	seen := map[float64]bool{}
	for k := range b.n {
		o := b.obs[2*k]
		seen[o] = true
		if b.rewards[k] != 10*o || b.nextObs[2*k] != o+1 || b.actions[k] != int(o)%2 || b.terminated[k] != (o == 3) {
			t.Fatalf("sampled row %d is inconsistent: obs %g reward %g next %g", k, o, b.rewards[k], b.nextObs[2*k])
		}
		if o == 4 && b.nextMask[2*k] {
			t.Fatalf("sampled row %d lost its mask", k)
		}
	}
	if len(seen) != 3 || seen[0] || seen[1] {
		t.Fatalf("sampled observations %v, want exactly the 3 stored ones", seen)
	}
}

func TestReplayDoesNotAllocate(t *testing.T) {
	r := newReplay(100, 4, 3, true)
	b := newBatch(32, 4, 3, true)
	rng := rand.New(rand.NewPCG(2, 2))
	obs, next, mask := make([]float64, 4), make([]float64, 4), []bool{true, false, true}
	if n := testing.AllocsPerRun(200, func() { r.add(obs, 1, 1, next, false, mask) }); n != 0 {
		t.Errorf("add allocates %v times", n)
	}
	if n := testing.AllocsPerRun(50, func() { r.sample(rng, b) }); n != 0 {
		t.Errorf("sample allocates %v times", n)
	}
}
