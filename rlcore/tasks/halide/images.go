package halide

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore/isolate"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/hl"
)

// Images returns a pipeline's generated input image and its output under
// the default schedule (computed in a worker), ready to display: see
// ToImage for how outputs that are not colours are shown.
func (p *Problem) Images(ctx context.Context, pipeline string) (in, out image.Image, err error) {
	pl, err := p.Pipeline(pipeline)
	if err != nil {
		return nil, nil, err
	}
	name := pl.Name
	r, err := isolate.CallGob[imagesReply](isolate.WithCallTimeout(ctx, p.ms.cfg.CompileTimeout+10*p.ms.cfg.RunTimeout), p.ms.pool, "images", &name)
	if err != nil {
		return nil, nil, fmt.Errorf("halide: images of %s: %w", name, err)
	}
	return ToImage(r.Input), ToImage(r.Output), nil
}

// ToImage converts a float image to 8-bit RGB: one channel shows as grey,
// three or more as the first three. Values in [0, 1] map directly; an
// image with values outside (a corner response, a feature map) is
// stretched from its minimum to its maximum.
func ToImage(im hl.Image) image.Image {
	lo, hi := 0.0, 1.0
	for _, v := range im.Pix {
		lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
	}
	if lo < 0 || hi > 1 {
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, v := range im.Pix {
			lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
		}
	}
	scale := 255 / math.Max(hi-lo, 1e-12)
	px := func(v float32) uint8 { return uint8(math.Round(math.Max(0, math.Min(255, (float64(v)-lo)*scale)))) }
	out := image.NewRGBA(image.Rect(0, 0, im.W, im.H))
	for y := 0; y < im.H; y++ {
		for x := 0; x < im.W; x++ {
			base := (y*im.W + x) * im.C
			if im.C < 3 {
				g := px(im.Pix[base])
				out.Set(x, y, color.RGBA{g, g, g, 255})
				continue
			}
			out.Set(x, y, color.RGBA{px(im.Pix[base]), px(im.Pix[base+1]), px(im.Pix[base+2]), 255})
		}
	}
	return out
}

// GalleryHTML is an HTML table of the named pipelines (all when names is
// empty): name, stages, algorithm, input image and output image.
func (p *Problem) GalleryHTML(ctx context.Context, names ...string) (string, error) {
	if len(names) == 0 {
		names = p.names
	}
	var b strings.Builder
	b.WriteString(`<table><tr><th>pipeline</th><th>stages</th><th style="text-align:left">algorithm and input</th><th>input</th><th>output (default schedule)</th></tr>`)
	for _, n := range names {
		pl, err := p.Pipeline(n)
		if err != nil {
			return "", err
		}
		in, out, err := p.Images(ctx, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, `<tr><td><b>%s</b></td><td>%d</td><td style="text-align:left;max-width:28em">%s</td><td>%s</td><td>%s</td></tr>`,
			html.EscapeString(pl.Name), len(pl.Stages), html.EscapeString(pl.Doc), imgTag(in), imgTag(out))
	}
	b.WriteString("</table>")
	return b.String(), nil
}

func imgTag(im image.Image) string {
	var buf bytes.Buffer
	png.Encode(&buf, im)
	return `<img width="160" src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(buf.Bytes()) + `"/>`
}
