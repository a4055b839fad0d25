package widgets

import (
	"bytes"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Default figure size: 7.5 × 4 in, about 720 × 384 px in a browser.
const (
	DefaultWidth  = 7.5 * vg.Inch
	DefaultHeight = 4 * vg.Inch
	// pngDPI is the resolution of PNG files: twice the screen's 96 dpi, so
	// that the PNG is sharp on high-density screens.
	pngDPI = 192
)

// palette holds ten colours that stay distinct for the usual forms of
// colour blindness (Tableau 10). Series beyond ten reuse them dashed.
var palette = []color.RGBA{
	{0x4e, 0x79, 0xa7, 0xff}, // blue
	{0xf2, 0x8e, 0x2b, 0xff}, // orange
	{0xe1, 0x57, 0x59, 0xff}, // red
	{0x76, 0xb7, 0xb2, 0xff}, // teal
	{0x59, 0xa1, 0x4f, 0xff}, // green
	{0xed, 0xc9, 0x48, 0xff}, // yellow
	{0xb0, 0x7a, 0xa1, 0xff}, // purple
	{0xff, 0x9d, 0xa7, 0xff}, // pink
	{0x9c, 0x75, 0x5f, 0xff}, // brown
	{0x79, 0x70, 0x6e, 0xff}, // grey
}

// seriesStyle returns the line style of the i-th series.
func seriesStyle(i int) draw.LineStyle {
	sty := draw.LineStyle{Color: palette[i%len(palette)], Width: vg.Points(1.6)}
	switch (i / len(palette)) % 3 {
	case 1:
		sty.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	case 2:
		sty.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	}
	return sty
}

// Figure is a chart ready to be written as SVG or PNG.
type Figure struct {
	plot *plot.Plot
	// legend, when it has entries, is drawn in a column right of the plot
	// (or under it, see draw) instead of over the data.
	legend        plot.Legend
	legendEntries int
	// title and subtitle are drawn left-aligned across the whole figure,
	// so that long summaries are not cut by the legend column.
	title, subtitle string
	Width, Height   vg.Length
}

func newFigure(p *plot.Plot) *Figure {
	leg := plot.NewLegend()
	leg.Top = true
	leg.Left = true
	leg.ThumbnailWidth = vg.Points(18)
	leg.Padding = vg.Points(2.5)
	leg.TextStyle.Font = sansFont(9)
	return &Figure{plot: p, legend: leg, Width: DefaultWidth, Height: DefaultHeight}
}

// addLegend adds an entry to the figure's side legend.
func (f *Figure) addLegend(name string, thumbs ...plot.Thumbnailer) {
	f.legend.Add(name, thumbs...)
	f.legendEntries++
}

// draw lays the figure out on c: the plot on the left and the legend in a
// column on the right, as wide as its longest entry — or, when that entry
// needs more than 40% of the width, the legend under the plot across the
// whole width, so that no entry is cut.
func (f *Figure) draw(c draw.Canvas) {
	c = f.drawTitle(c)
	// gonum puts the y axis's rotated label flush with the left edge, where
	// a browser's font (its descent) reaches a pixel past the frame.
	c.Min.X += vg.Points(3)
	if f.legendEntries == 0 {
		f.plot.Draw(c)
		return
	}
	if f.legendBelow() {
		h := f.legendHeight()
		plotC := draw.Crop(c, 0, 0, h, 0)
		f.plot.Draw(plotC)
		legC := c
		legC.Min.X += vg.Points(8)
		legC.Max.Y = c.Min.Y + h - vg.Points(6)
		f.legend.Draw(legC)
		return
	}
	w := f.legendWidth()
	plotC := draw.Crop(c, 0, -w, 0, 0)
	f.plot.Draw(plotC)
	legC := draw.Crop(c, c.Max.X-c.Min.X-w+vg.Points(8), 0, 0, 0)
	// Align the legend's top with the top of the data area, under the title.
	legC.Max.Y = f.plot.DataCanvas(plotC).Max.Y
	f.legend.Draw(legC)
}

// legendWidth is the width of the legend column: its widest entry plus
// margins.
func (f *Figure) legendWidth() vg.Length {
	r := f.legend.Rectangle(draw.Canvas{})
	return r.Max.X - r.Min.X + vg.Points(12)
}

// legendHeight is the height of the legend under the plot, margins
// included.
func (f *Figure) legendHeight() vg.Length {
	r := f.legend.Rectangle(draw.Canvas{})
	return r.Max.Y - r.Min.Y + vg.Points(12)
}

// legendBelow reports whether the legend goes under the plot: a column
// right of it would take more than 40% of the width.
func (f *Figure) legendBelow() bool {
	return f.legendEntries > 0 && f.legendWidth() > f.Width*0.4
}

// drawTitle draws the title lines at the top left of c and returns the
// rest of c.
func (f *Figure) drawTitle(c draw.Canvas) draw.Canvas {
	x := c.Min.X + vg.Points(4)
	y := c.Max.Y - vg.Points(4)
	type titleLine struct {
		text  string
		style text.Style
	}
	lines := []titleLine{{f.title, titleStyle(11.5, color.Black)}}
	sub := titleStyle(9.5, color.Gray{0x44})
	for _, l := range wrapText(sub, f.subtitle, c.Max.X-c.Min.X-vg.Points(8)) {
		lines = append(lines, titleLine{l, sub})
	}
	for _, line := range lines {
		if line.text == "" {
			continue
		}
		h := line.style.Rectangle(line.text).Size().Y
		y -= h
		c.FillText(line.style, vg.Point{X: x, Y: y + line.style.FontExtents().Descent}, line.text)
		y -= vg.Points(2)
	}
	c.Max.Y = y - vg.Points(4)
	return c
}

// wrapText splits s at its " · " separators (then at blanks) into lines
// no wider than width, so that a long summary wraps instead of being cut
// at the figure's edge.
func wrapText(sty text.Style, s string, width vg.Length) []string {
	if s == "" || sty.Width(s) <= width {
		return []string{s}
	}
	sep := " · "
	words := strings.Split(s, sep)
	if len(words) == 1 {
		sep, words = " ", strings.Fields(s)
	}
	var lines []string
	cur := ""
	for _, w := range words {
		next := w
		if cur != "" {
			next = cur + sep + w
		}
		if cur != "" && sty.Width(next) > width {
			lines = append(lines, cur)
			next = w
		}
		cur = next
	}
	return append(lines, cur)
}

func titleStyle(size float64, clr color.Color) text.Style {
	return text.Style{Color: clr, Font: sansFont(size), Handler: plot.DefaultTextHandler}
}

// width returns the figure's width, raised only when a legend entry is
// wider than the whole figure (the chart is scaled to the cell's width
// anyway): a legend entry is never cut at the figure's edge.
func (f *Figure) width() vg.Length {
	if f.legendEntries == 0 {
		return f.Width
	}
	return max(f.Width, f.legendWidth()+vg.Points(8))
}

// height returns the figure's height: raised by the legend's height when
// the legend is under the plot, or when the legend column needs more room
// than Height leaves under the title (a search with many arms).
func (f *Figure) height() vg.Length {
	if f.legendEntries == 0 {
		return f.Height
	}
	if f.legendBelow() {
		return f.Height + f.legendHeight()
	}
	r := f.legend.Rectangle(draw.Canvas{})
	need := r.Max.Y - r.Min.Y + vg.Points(80) // title lines, axis, margins
	return max(f.Height, need)
}

// SVG returns the figure as an SVG document (fonts are referenced by
// name, not embedded).
func (f *Figure) SVG() ([]byte, error) {
	c := vgsvg.New(f.width(), f.height())
	f.draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("writing chart as SVG: %w", err)
	}
	// Browsers without Liberation Sans fall back to a metric-compatible
	// sans-serif font rather than to their default serif one.
	return bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"), svgFontFamily), nil
}

var svgFontFamily = []byte("font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;")

// PNG returns the figure as a PNG image at 192 dpi on a white background.
func (f *Figure) PNG() ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(f.width(), f.height()), vgimg.UseDPI(pngDPI), vgimg.UseBackgroundColor(color.White))
	f.draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("writing chart as PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// WriteFiles writes the figure as dir/name.svg and dir/name.png, creating
// dir if needed.
func (f *Figure) WriteFiles(dir, name string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating chart directory: %w", err)
	}
	svg, err := f.SVG()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, name+".svg"), svg, 0o644); err != nil {
		return fmt.Errorf("writing chart %s: %w", name, err)
	}
	png, err := f.PNG()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		return fmt.Errorf("writing chart %s: %w", name, err)
	}
	return nil
}

// sansFont is Liberation Sans (metrically equal to Arial and Helvetica,
// which browsers substitute when it is not installed) at size points.
func sansFont(size float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
}

// newPlot returns a plot with the package's common styling: light grid,
// readable font sizes.
func newPlot(xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sansFont(10)
		a.Tick.Label.Font = sansFont(9)
		a.Color = color.Gray{0x55}
		a.Tick.Color = color.Gray{0x55}
	}
	return p
}
