package codesize

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The worker's requests and responses travel in a small binary form
// (varints and length-prefixed bytes): a step is a few milliseconds of
// LLVM work, and a fresh gob stream per call would add tens of
// microseconds to each.

type encoder struct{ b []byte }

func (e *encoder) int(v int64) { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) bytes(v []byte) {
	e.b = binary.AppendUvarint(e.b, uint64(len(v)))
	e.b = append(e.b, v...)
}
func (e *encoder) string(v string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(v)))
	e.b = append(e.b, v...)
}
func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated message")

func (d *decoder) int() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	if d.err != nil {
		return nil
	}
	l, n := binary.Uvarint(d.b)
	if n <= 0 || l > uint64(len(d.b)-n) {
		d.err = errShort
		return nil
	}
	v := d.b[n : n+int(l) : n+int(l)]
	d.b = d.b[n+int(l):]
	if len(v) == 0 {
		return nil
	}
	return v
}

func (d *decoder) string() string { return string(d.bytes()) }

func (d *decoder) bool() bool {
	if d.err != nil {
		return false
	}
	if len(d.b) == 0 {
		d.err = errShort
		return false
	}
	v := d.b[0] != 0
	d.b = d.b[1:]
	return v
}

func (d *decoder) done(what string) error {
	if d.err == nil && len(d.b) > 0 {
		d.err = fmt.Errorf("%d bytes left over", len(d.b))
	}
	if d.err != nil {
		return fmt.Errorf("decode %s: %w", what, d.err)
	}
	return nil
}

func (r *request) encode() []byte {
	e := encoder{b: make([]byte, 0, 32+len(r.Key)+len(r.Pipeline)+len(r.Bitcode))}
	e.int(int64(r.Op))
	e.int(int64(r.Handle))
	e.string(r.Key)
	e.bytes(r.Bitcode)
	e.string(r.Pipeline)
	e.bool(r.WithSize)
	e.bool(r.Verify)
	return e.b
}

func (r *request) decode(data []byte) error {
	d := decoder{b: data}
	r.Op = op(d.int())
	r.Handle = int(d.int())
	r.Key = d.string()
	r.Bitcode = d.bytes()
	r.Pipeline = d.string()
	r.WithSize = d.bool()
	r.Verify = d.bool()
	return d.done("request")
}

func (r *response) encode() []byte {
	e := encoder{b: make([]byte, 0, 32+8*len(r.Counts)+len(r.Bitcode)+len(r.IR))}
	e.int(int64(r.Handle))
	e.int(r.IC)
	e.int(r.Size)
	e.b = binary.AppendUvarint(e.b, uint64(len(r.Counts)))
	for _, c := range r.Counts {
		e.int(c)
	}
	e.bytes(r.Bitcode)
	e.bool(r.NeedBitcode)
	e.bool(r.HasMain)
	e.string(r.IR)
	return e.b
}

func (r *response) decode(data []byte) error {
	d := decoder{b: data}
	r.Handle = int(d.int())
	r.IC = d.int()
	r.Size = d.int()
	n, k := binary.Uvarint(d.b)
	if k <= 0 || n > uint64(len(d.b)) {
		d.err = errShort
	} else {
		d.b = d.b[k:]
		if n > 0 {
			r.Counts = make([]int64, n)
			for i := range r.Counts {
				r.Counts[i] = d.int()
			}
		}
	}
	r.Bitcode = d.bytes()
	r.NeedBitcode = d.bool()
	r.HasMain = d.bool()
	r.IR = d.string()
	return d.done("response")
}
