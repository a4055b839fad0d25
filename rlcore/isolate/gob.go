package isolate

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
)

// Caller is what Pool and Worker have in common.
type Caller interface {
	Call(ctx context.Context, name string, req []byte) ([]byte, error)
}

var (
	_ Caller = (*Pool)(nil)
	_ Caller = (*Worker)(nil)
)

// GobHandler adapts a typed handler to the byte-level Handler, with gob
// encoding on both sides. Pair it with CallGob.
func GobHandler[Req, Resp any](h func(ctx context.Context, req *Req) (*Resp, error)) Handler {
	return func(ctx context.Context, data []byte) ([]byte, error) {
		req := new(Req)
		if err := gob.NewDecoder(bytes.NewReader(data)).Decode(req); err != nil {
			return nil, fmt.Errorf("decode %T: %w", req, err)
		}
		resp, err := h(ctx, req)
		if err != nil {
			return nil, err
		}
		if resp == nil {
			resp = new(Resp)
		}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(resp); err != nil {
			return nil, fmt.Errorf("encode %T: %w", resp, err)
		}
		return buf.Bytes(), nil
	}
}

// CallGob sends a gob-encoded request to a handler made by GobHandler and
// decodes its answer.
func CallGob[Resp, Req any](ctx context.Context, c Caller, name string, req *Req) (*Resp, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(req); err != nil {
		return nil, fmt.Errorf("isolate: encode %T: %w", req, err)
	}
	data, err := c.Call(ctx, name, buf.Bytes())
	if err != nil {
		return nil, err
	}
	resp := new(Resp)
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(resp); err != nil {
		return nil, fmt.Errorf("isolate: decode %T from %s: %w", resp, name, err)
	}
	return resp, nil
}
