package nn

import (
	"fmt"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Policy is a greedy categorical policy over a network of logits. It
// implements rlcore.Policy. It is not safe for concurrent use; give each
// goroutine its own (Clone).
type Policy struct {
	Net    *MLP
	logits []float64
}

var _ rlcore.Policy = (*Policy)(nil)

// NewPolicy wraps net, whose outputs are one logit per action.
func NewPolicy(net *MLP) *Policy { return &Policy{Net: net} }

// Act returns the allowed action with the largest logit for obs; mask may
// be nil. It returns -1 when the mask allows no action, and panics if obs
// has the wrong length (a programming error).
func (p *Policy) Act(obs []float64, mask []bool) int {
	if len(obs) != p.Net.InDim() {
		panic(fmt.Sprintf("nn: Policy.Act: observation has length %d, the network takes %d", len(obs), p.Net.InDim()))
	}
	p.logits = append(p.logits[:0], p.Net.Forward(obs, 1)...)
	return Argmax(p.logits, mask)
}

// Logits returns the network's logits for obs (valid until the next call).
func (p *Policy) Logits(obs []float64) []float64 { return p.Net.Forward(obs, 1) }

// Clone returns an independent copy.
func (p *Policy) Clone() *Policy { return &Policy{Net: p.Net.Clone()} }

// MarshalBinary encodes the network (see the package doc for the format).
func (p *Policy) MarshalBinary() ([]byte, error) { return p.Net.MarshalBinary() }

// UnmarshalBinary replaces the policy's network by the encoded one.
func (p *Policy) UnmarshalBinary(data []byte) error {
	m, err := DecodeMLP(data)
	if err != nil {
		return err
	}
	p.Net = m
	return nil
}
