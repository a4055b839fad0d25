package kernel

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func randomValid(sp *Space, rng *rand.Rand) (Schedule, bool) {
	for range 500 {
		s := sp.Default()
		for i, k := range sp.Knobs {
			s.Values[i] = k.Values[rng.IntN(len(k.Values))]
		}
		if s.Valid() == nil {
			return s, true
		}
	}
	return Schedule{}, false
}

func TestDefaultAndReferenceAreValid(t *testing.T) {
	for _, op := range Ops() {
		sp := NewSpace(op)
		if err := sp.Default().Valid(); err != nil {
			t.Errorf("%s default: %v", op.Name, err)
		}
		ref, err := sp.Reference()
		if err != nil {
			t.Errorf("%s reference: %v", op.Name, err)
			continue
		}
		c := ref.C()
		for _, want := range []string{"void tensor_kernel(", "tensor_packed_len", "void tensor_pack("} {
			if !strings.Contains(c, want) {
				t.Errorf("%s reference C lacks %q", op.Name, want)
			}
		}
	}
}

func TestDefaultIsTheNaiveNest(t *testing.T) {
	op, err := Lookup("gemm-512")
	if err != nil {
		t.Fatal(err)
	}
	c := NewSpace(op).Default().C()
	for _, want := range []string{
		"for (int i0 = 0; i0 < 512; i0++)", "for (int j0 = 0; j0 < 512; j0++)", "for (int k0 = 0; k0 < 512; k0++)",
		"out[i0*512 + j0] += in0[i0*512 + k0] * in1[k0*512 + j0];",
	} {
		if !strings.Contains(c, want) {
			t.Errorf("naive GEMM lacks %q:\n%s", want, c)
		}
	}
	if strings.Contains(c, "#pragma") {
		t.Errorf("naive GEMM has pragmas:\n%s", c)
	}
}

func TestStepKeepsSchedulesValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, op := range Ops() {
		sp := NewSpace(op)
		s := sp.Default()
		for range 300 {
			name := KnobNames[rng.IntN(len(KnobNames))]
			next, ok := s.Step(name, 1-2*rng.IntN(2))
			if ok {
				if err := next.Valid(); err != nil {
					t.Fatalf("%s: step %s gave an invalid schedule: %v", op.Name, name, err)
				}
				s = next
			}
		}
	}
}

func TestFeaturesHaveFixedLength(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, op := range Ops() {
		sp := NewSpace(op)
		for range 20 {
			s, ok := randomValid(sp, rng)
			if !ok {
				t.Fatalf("%s: no valid random schedule", op.Name)
			}
			if f := s.Features(); len(f) != NumFeatures {
				t.Fatalf("%s: %d features, want %d", op.Name, len(f), NumFeatures)
			}
		}
	}
}

func TestParseRejectsUnknownKnobs(t *testing.T) {
	op, _ := Lookup("softmax-bert")
	sp := NewSpace(op)
	for _, tc := range []map[string]int{{"s1.inner": 4}, {"exp": 7}} {
		if _, err := sp.Parse(tc); err == nil {
			t.Errorf("Parse(%v) accepted", tc)
		}
	}
}
