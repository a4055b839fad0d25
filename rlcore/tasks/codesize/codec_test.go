package codesize

import (
	"reflect"
	"testing"
)

func TestCodecRoundTrip(t *testing.T) {
	for _, req := range []request{
		{},
		{Op: opApply, Handle: 42, Pipeline: "loop-mssa(licm)", Verify: true},
		{Op: opBaseline, Key: "abc", Bitcode: []byte("BC\xc0\xde"), Pipeline: "default<Oz>", WithSize: true},
	} {
		var got request
		if err := got.decode(req.encode()); err != nil || !reflect.DeepEqual(got, req) {
			t.Errorf("request %+v came back as %+v, %v", req, got, err)
		}
	}
	for _, resp := range []response{
		{},
		{Handle: 3, IC: 8123, Size: -1, Counts: []int64{1, -2, 1 << 40}, NeedBitcode: true},
		{Bitcode: []byte{0, 1, 2}, HasMain: true, IR: "define i32 @main() {\n}"},
	} {
		var got response
		if err := got.decode(resp.encode()); err != nil || !reflect.DeepEqual(got, resp) {
			t.Errorf("response %+v came back as %+v, %v", resp, got, err)
		}
	}
	var r request
	if err := r.decode([]byte{2, 4, 0xff}); err == nil {
		t.Errorf("truncated request: no error")
	}
}

// FuzzDecode: malformed messages are errors, never panics.
func FuzzDecode(f *testing.F) {
	f.Add((&request{Op: opApply, Pipeline: "sroa"}).encode())
	f.Add((&response{Counts: []int64{1, 2}, IR: "x"}).encode())
	f.Fuzz(func(t *testing.T, data []byte) {
		var req request
		if req.decode(data) == nil {
			if again := req.encode(); len(again) != len(data) {
				var back request
				if err := back.decode(again); err != nil || !reflect.DeepEqual(back, req) {
					t.Errorf("re-encoding %+v does not round-trip: %v", req, err)
				}
			}
		}
		var resp response
		resp.decode(data)
	})
}
