package tabular

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// Table is a Q-table: one row of action values per distinct observation
// vector, keyed by the vector's exact float64 bits. It is the greedy
// rlcore.Policy of a Q-learning run.
type Table struct {
	obsDim   int
	nActions int
	init     float64 // value of state-action pairs not seen yet
	q        map[string][]float64
}

// NewTable makes an empty table for observations of length obsDim and
// nActions actions; unseen pairs are worth init.
func NewTable(obsDim, nActions int, init float64) *Table {
	return &Table{obsDim: obsDim, nActions: nActions, init: init, q: make(map[string][]float64)}
}

// key is the little-endian float64 bits of obs, as a map key.
func key(obs []float64) string {
	b := make([]byte, 8*len(obs))
	for i, v := range obs {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
	}
	return string(b)
}

// row returns the (mutable) action values of obs, creating the row.
func (t *Table) row(obs []float64) []float64 {
	k := key(obs)
	q, ok := t.q[k]
	if !ok {
		q = make([]float64, t.nActions)
		for a := range q {
			q[a] = t.init
		}
		t.q[k] = q
	}
	return q
}

// Len is the number of observations in the table.
func (t *Table) Len() int { return len(t.q) }

// Q returns a copy of the action values of obs, and whether obs has been
// seen; unseen observations get the initial value for every action.
func (t *Table) Q(obs []float64) ([]float64, bool) {
	q, ok := t.q[key(obs)]
	if !ok {
		q = make([]float64, t.nActions)
		for a := range q {
			q[a] = t.init
		}
		return q, false
	}
	return append([]float64(nil), q...), true
}

// Act returns the allowed action with the highest value for obs (the
// lowest index on ties, so unseen observations get the first allowed
// action). mask may be nil.
func (t *Table) Act(obs []float64, mask []bool) int {
	q, _ := t.Q(obs)
	a := greedy(q, mask, nil)
	if a < 0 {
		return 0
	}
	return a
}

// tableMagic starts the binary encoding of a Table.
const tableMagic = "SSQTABLE"

// MarshalBinary encodes the table, all numbers little endian:
//
//	"SSQTABLE"                8 bytes
//	version                   uint32, 1
//	obsDim, nActions, rows    uint32 each
//	init                      float64, the value of unseen pairs
//	rows × (obsDim float64 observation, then nActions float64 values)
//
// Rows are sorted by the bytes of their observation, so equal tables
// encode identically.
func (t *Table) MarshalBinary() ([]byte, error) {
	keys := slices.Sorted(maps.Keys(t.q))
	var buf bytes.Buffer
	buf.Grow(8 + 4*4 + 8 + len(keys)*8*(t.obsDim+t.nActions))
	buf.WriteString(tableMagic)
	le := binary.LittleEndian
	buf.Write(le.AppendUint32(nil, 1))
	buf.Write(le.AppendUint32(nil, uint32(t.obsDim)))
	buf.Write(le.AppendUint32(nil, uint32(t.nActions)))
	buf.Write(le.AppendUint32(nil, uint32(len(keys))))
	buf.Write(le.AppendUint64(nil, math.Float64bits(t.init)))
	for _, k := range keys {
		buf.WriteString(k)
		for _, v := range t.q[k] {
			buf.Write(le.AppendUint64(nil, math.Float64bits(v)))
		}
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote, replacing t.
func (t *Table) UnmarshalBinary(data []byte) error {
	le := binary.LittleEndian
	const header = 8 + 4*4 + 8
	if len(data) < header || string(data[:8]) != tableMagic {
		return fmt.Errorf("q-table: data does not start with the %q header", tableMagic)
	}
	if v := le.Uint32(data[8:]); v != 1 {
		return fmt.Errorf("q-table: version %d: only version 1 is known", v)
	}
	obsDim, nActions, rows := int(le.Uint32(data[12:])), int(le.Uint32(data[16:])), int(le.Uint32(data[20:]))
	init := math.Float64frombits(le.Uint64(data[24:]))
	rowLen := 8 * (obsDim + nActions)
	if nActions < 1 || int64(rows)*int64(rowLen) != int64(len(data)-header) {
		return fmt.Errorf("q-table: %d rows of %d observation values and %d actions need %d bytes after the header, have %d",
			rows, obsDim, nActions, int64(rows)*int64(rowLen), len(data)-header)
	}
	q := make(map[string][]float64, rows)
	body := data[header:]
	for r := range rows {
		row := body[r*rowLen : (r+1)*rowLen]
		vals := make([]float64, nActions)
		for a := range vals {
			vals[a] = math.Float64frombits(le.Uint64(row[8*(obsDim+a):]))
		}
		q[string(row[:8*obsDim])] = vals
	}
	*t = Table{obsDim: obsDim, nActions: nActions, init: init, q: q}
	return nil
}

var _ rlcore.Policy = (*Table)(nil)
