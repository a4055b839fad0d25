package nn

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Magic and FormatVersion identify the weight format (see the package doc).
const (
	Magic         = "SSNNMLP\x00"
	FormatVersion = 1
	maxLayers     = 64
)

// MarshalBinary encodes the network's shape and weights in the format
// described in the package doc.
func (m *MLP) MarshalBinary() ([]byte, error) {
	if len(m.Layers) == 0 {
		return nil, errNoLayers
	}
	size := len(Magic) + 8 + 12*len(m.Layers) + 8*m.NumParams()
	b := make([]byte, 0, size)
	b = append(b, Magic...)
	b = binary.LittleEndian.AppendUint32(b, FormatVersion)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(m.Layers)))
	for k, d := range m.Layers {
		b = binary.LittleEndian.AppendUint32(b, uint32(d.In))
		b = binary.LittleEndian.AppendUint32(b, uint32(d.Out))
		b = binary.LittleEndian.AppendUint32(b, uint32(m.Acts[k]))
	}
	for _, d := range m.Layers {
		for _, v := range d.W {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		for _, v := range d.B {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b, nil
}

// UnmarshalBinary replaces the network by the one encoded in data.
func (m *MLP) UnmarshalBinary(data []byte) error {
	nm, err := DecodeMLP(data)
	if err != nil {
		return err
	}
	*m = *nm
	return nil
}

// DecodeMLP reads a network written by MLP.MarshalBinary.
func DecodeMLP(data []byte) (*MLP, error) {
	const head = len(Magic) + 8
	if len(data) < head {
		return nil, fmt.Errorf("nn: weights: %d bytes is shorter than the %d-byte header", len(data), head)
	}
	if string(data[:len(Magic)]) != Magic {
		return nil, fmt.Errorf("nn: weights: bad magic %q, want %q", data[:len(Magic)], Magic)
	}
	le := binary.LittleEndian
	if v := le.Uint32(data[len(Magic):]); v != FormatVersion {
		return nil, fmt.Errorf("nn: weights: format version %d, this reader knows version %d", v, FormatVersion)
	}
	nl := le.Uint32(data[len(Magic)+4:])
	if nl < 1 || nl > maxLayers {
		return nil, fmt.Errorf("nn: weights: %d layers, want 1 to %d", nl, maxLayers)
	}
	p := head
	if len(data) < p+12*int(nl) {
		return nil, fmt.Errorf("nn: weights: truncated layer table (%d layers need %d bytes, have %d)", nl, 12*nl, len(data)-p)
	}
	m := &MLP{}
	total := 0
	for k := range int(nl) {
		in, out, act := le.Uint32(data[p:]), le.Uint32(data[p+4:]), Activation(le.Uint32(data[p+8:]))
		p += 12
		if in < 1 || in > maxWidth || out < 1 || out > maxWidth {
			return nil, fmt.Errorf("nn: weights: layer %d is %d→%d; widths must be in [1, %d]", k, in, out, maxWidth)
		}
		if !act.valid() {
			return nil, fmt.Errorf("nn: weights: layer %d has activation code %d; known: 0 identity, 1 tanh, 2 relu", k, uint32(act))
		}
		if k > 0 && int(in) != m.Layers[k-1].Out {
			return nil, fmt.Errorf("nn: weights: layer %d takes %d inputs but layer %d gives %d", k, in, k-1, m.Layers[k-1].Out)
		}
		total += int(in)*int(out) + int(out)
		if 8*total > len(data)-p {
			return nil, fmt.Errorf("nn: weights: truncated: the layers need %d more bytes than the %d present", 8*total-(len(data)-p), len(data)-p)
		}
		m.Layers = append(m.Layers, &Dense{In: int(in), Out: int(out)})
		m.Acts = append(m.Acts, act)
	}
	if want := p + 8*total; len(data) != want {
		return nil, fmt.Errorf("nn: weights: %d bytes follow the last layer's bias", len(data)-want)
	}
	read := func(dst []float64) {
		for i := range dst {
			dst[i] = math.Float64frombits(le.Uint64(data[p:]))
			p += 8
		}
	}
	for k, d := range m.Layers {
		nd := NewDense(d.In, d.Out)
		read(nd.W)
		read(nd.B)
		m.Layers[k] = nd
	}
	m.outs = make([][]float64, len(m.Layers))
	return m, nil
}
