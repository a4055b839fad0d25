package widgets

import (
	"bytes"
	"strings"
	"testing"
)

func TestRoofline(t *testing.T) {
	r := Roofline{Title: "roofline", PeakGFLOPS: 200, Methods: []string{"default", "best"},
		Points: []RooflinePoint{
			{Kernel: "gemm", Method: "default", Intensity: 40, GFLOPS: 0.4},
			{Kernel: "gemm", Method: "best", Intensity: 40, GFLOPS: 120},
			{Kernel: "softmax", Method: "best", Intensity: 0.6, GFLOPS: 6},
		}}
	f, err := PlotRoofline(r)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"peak 200 GFLOP/s", "gemm", "softmax", "best"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	var text strings.Builder
	if err := RenderRoofline(Output{Display: Headless, Text: &text}, "roof", r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "60.0% of peak") {
		t.Errorf("text summary:\n%s", text.String())
	}
	for _, bad := range []Roofline{{PeakGFLOPS: 0, Points: r.Points}, {PeakGFLOPS: 1}, {PeakGFLOPS: 1, Points: []RooflinePoint{{Intensity: -1, GFLOPS: 1}}}} {
		if _, err := PlotRoofline(bad); err == nil {
			t.Errorf("PlotRoofline(%+v) accepted", bad)
		}
	}
}
