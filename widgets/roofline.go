package widgets

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Roofline is achieved throughput against the machine's peak: one point
// per (kernel, method) at the kernel's arithmetic intensity, the compute
// roof as a horizontal line and, when Bandwidth is known, the memory roof
// Bandwidth·intensity.
type Roofline struct {
	Title string
	// PeakGFLOPS is the measured peak (a horizontal roof); Bandwidth in
	// GB/s draws the memory roof, 0 leaves it out.
	PeakGFLOPS, Bandwidth float64
	// Methods name the point series (e.g. default, reference, best found).
	Methods []string
	Points  []RooflinePoint
}

// RooflinePoint is one kernel under one method.
type RooflinePoint struct {
	Kernel    string
	Method    string
	Intensity float64 // FLOP per byte of compulsory traffic
	GFLOPS    float64
}

// PlotRoofline draws r on log–log axes.
func PlotRoofline(r Roofline) (*Figure, error) {
	if !(r.PeakGFLOPS > 0) {
		return nil, errors.New("roofline: the peak must be positive")
	}
	if len(r.Points) == 0 {
		return nil, errors.New("roofline: no points")
	}
	p := newPlot("arithmetic intensity (FLOP / byte, log scale)", "GFLOP/s (log scale)")
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	f := newFigure(p)
	f.title = r.Title
	lo, hi := math.Inf(1), math.Inf(-1)
	ylo := r.PeakGFLOPS
	for _, pt := range r.Points {
		if !(pt.Intensity > 0 && pt.GFLOPS > 0) {
			return nil, fmt.Errorf("roofline: %s/%s: intensity %g and GFLOP/s %g must be positive", pt.Kernel, pt.Method, pt.Intensity, pt.GFLOPS)
		}
		lo, hi, ylo = min(lo, pt.Intensity), max(hi, pt.Intensity), min(ylo, pt.GFLOPS)
	}
	lo, hi = lo/2, hi*2
	p.X.Min, p.X.Max = lo, hi
	p.Y.Min, p.Y.Max = ylo/2, r.PeakGFLOPS*2
	roof := func(x float64) float64 {
		y := r.PeakGFLOPS
		if r.Bandwidth > 0 {
			y = min(y, r.Bandwidth*x)
		}
		return y
	}
	line := plotter.NewFunction(roof)
	line.XMin, line.XMax = lo, hi
	line.LineStyle = draw.LineStyle{Color: color.Gray{0x33}, Width: vg.Points(1.4)}
	p.Add(line)
	f.addLegend(fmt.Sprintf("peak %.0f GFLOP/s", r.PeakGFLOPS), line)
	half := plotter.NewFunction(func(x float64) float64 { return roof(x) / 2 })
	half.XMin, half.XMax = lo, hi
	half.LineStyle = draw.LineStyle{Color: color.Gray{0x99}, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
	p.Add(half)
	f.addLegend("50 % of peak", half)
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{}, draw.CrossGlyph{}}
	for m, method := range r.Methods {
		var xys plotter.XYs
		var labels []string
		for _, pt := range r.Points {
			if pt.Method == method {
				xys = append(xys, plotter.XY{X: pt.Intensity, Y: pt.GFLOPS})
				labels = append(labels, pt.Kernel)
			}
		}
		if len(xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, fmt.Errorf("roofline %s: %w", method, err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: palette[m%len(palette)], Radius: vg.Points(4), Shape: shapes[m%len(shapes)]}
		p.Add(sc)
		f.addLegend(method, sc)
		if m == len(r.Methods)-1 { // name the kernels once, at the last method's points
			lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
			if err == nil {
				for i := range lb.TextStyle {
					lb.TextStyle[i].Font = sansFont(8)
					lb.TextStyle[i].XAlign = draw.XLeft
				}
				lb.Offset = vg.Point{X: vg.Points(6), Y: vg.Points(-3)}
				p.Add(lb)
			}
		}
	}
	return f, nil
}

// RenderRoofline shows the roofline picture of r.
func RenderRoofline(out Output, name string, r Roofline) error {
	f, err := PlotRoofline(r)
	if err := out.showFigure("roofline", name, f, err); err != nil {
		return err
	}
	if out.Text != nil {
		fmt.Fprintf(out.Text, "%s (peak %.1f GFLOP/s)\n", r.Title, r.PeakGFLOPS)
		for _, pt := range r.Points {
			fmt.Fprintf(out.Text, "  %-24s %-12s %8.2f FLOP/B %9.1f GFLOP/s  %5.1f%% of peak\n", pt.Kernel, pt.Method, pt.Intensity, pt.GFLOPS, 100*pt.GFLOPS/r.PeakGFLOPS)
		}
	}
	return nil
}
