// Package hl runs this project's Halide 14 image pipelines through
// Halide's JIT: it describes each pipeline's stages (Catalog), compiles a
// pipeline under a schedule given as directive lines or under one of
// Halide's auto-schedulers, times it, and compares its output with the
// default schedule's (Measure). It links libHalide14 through cgo; a
// Halide error is returned as an error, but an abort or a crash inside
// Halide ends the process, so tasks call Measure in a worker process.
package hl

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/schedule"
)

// Docs describes each pipeline's algorithm and input (the C++ is in
// pipelines.cpp). Every input is the same kind of generated test image
// (test_image in pipelines.cpp: a sky gradient, a lit sphere, a striped
// disc, a checkerboard floor and fine noise), so nothing is downloaded.
var Docs = map[string]string{
	"harris": "Harris corner detection on a 768x768 RGB image: luminance, 3x3 Sobel gradients Ix and Iy, " +
		"their products, 3x3 box sums, and the response det - 0.04 trace². 11 stages.",
	"interpolate": "Multi-scale interpolation (bilinear pyramid) of a 512x512 RGB image sampled on a sparse " +
		"lattice (1 pixel in 11): alpha-premultiplied 5-level [1 2 1] downsampling pyramid, bilinear " +
		"upsampling that fills holes level by level, and normalisation by alpha. 23 stages.",
	"hist_eq": "Histogram equalization of a 1024x1024 RGB image: luminance, 256-bin histogram (a reduction " +
		"over the image), its cumulative sum (a scan), and each pixel rescaled by its luminance's CDF. 7 stages.",
	"max_filter": "Max filter of a 768x768 RGB image over a 15x15 window, separable: a vertical then a " +
		"horizontal running maximum (reductions over a 15-tap RDom). 3 stages.",
	"unsharp": "Unsharp mask of a 768x768 RGB image: luminance, separable 7-tap Gaussian blur, sharpened " +
		"luminance 2·gray - blur, and the colour scaled by sharpened/gray. 7 stages.",
	"nl_means": "Non-local means denoising of a 128x128 RGB image: for every offset in a 7x7 search window, " +
		"squared colour distance, summed over a 5x5 patch (two separable reductions), turned into a weight " +
		"exp(-d/h²), and the weighted average of the offset pixels. 7 stages.",
	"lens_blur": "Lens blur (depth of field) of a 192x192 RGB image: a synthetic depth map (a tilted plane, " +
		"in focus at its middle), a blur radius per pixel up to 4, and a gather over a 9x9 disc keeping the " +
		"samples whose own radius covers the pixel, normalised by their count. 5 stages.",
	"local_laplacian": "Local Laplacian filters (detail enhancement) of a 384x384 RGB image: 8 intensity " +
		"levels remapped, 3-level Gaussian and Laplacian pyramids of each, the input's Gaussian pyramid, " +
		"the output Laplacian pyramid interpolated between levels by the input's intensity, collapsed and " +
		"applied to the colour. 28 stages.",
	"conv_layer": "A 3x3 convolution layer with bias and ReLU: 16 input channels of 66x66 (derived from the " +
		"test image) to 16 output channels of 64x64, a reduction over 3x3x16 per output. 2 stages.",
	"stencil_chain": "A chain of eight 3x3 weighted stencils over the luminance of a 768x768 RGB image. 10 stages.",
}

// Catalog lists the pipelines, built once per process by Halide.
func Catalog() ([]*schedule.Pipeline, error) {
	text, _ := catalogOnce()
	return parseCatalog(text)
}

func parseCatalog(text string) ([]*schedule.Pipeline, error) {
	var out []*schedule.Pipeline
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "error":
			return nil, fmt.Errorf("halide: building the pipelines: %s", strings.TrimPrefix(line, "error "))
		case "pipeline":
			if len(f) < 6 {
				return nil, fmt.Errorf("halide catalog: bad line %q", line)
			}
			n := make([]int, len(f)-2)
			for i, s := range f[2:] {
				v, err := strconv.Atoi(s)
				if err != nil {
					return nil, fmt.Errorf("halide catalog: bad line %q: %w", line, err)
				}
				n[i] = v
			}
			out = append(out, &schedule.Pipeline{Name: f[1], Doc: Docs[f[1]], InW: n[0], InH: n[1], InC: n[2], OutExtents: n[3:]})
		case "stage":
			if len(out) == 0 || len(f) < 2 {
				return nil, fmt.Errorf("halide catalog: stage before pipeline: %q", line)
			}
			s := schedule.Func{Name: f[1]}
			for _, kv := range f[2:] {
				k, v, _ := strings.Cut(kv, "=")
				var list []string
				if v != "" {
					list = strings.Split(v, ",")
				}
				switch k {
				case "vars":
					s.Vars = list
				case "updates":
					s.Updates, _ = strconv.Atoi(v)
				case "pure_updates":
					s.PureUpdates = v == "1"
				case "rvars":
					s.RVars = list
				case "consumers":
					s.Consumers = list
				case "pointwise":
					s.Pointwise = v == "1"
				case "resampled":
					s.Resampled = v == "1"
				case "broadcast":
					s.Broadcast = v == "1"
				}
			}
			p := out[len(out)-1]
			p.Stages = append(p.Stages, s)
		}
	}
	return out, nil
}
