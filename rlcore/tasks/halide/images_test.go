package halide_test

import (
	"image/color"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide"
	"github.com/supersonic-rl/supersonic/rlcore/tasks/halide/hl"
)

func TestToImage(t *testing.T) {
	tests := []struct {
		name string
		im   hl.Image
		want []color.RGBA // pixels left to right
	}{
		{"colour in [0,1] maps directly", hl.Image{W: 2, H: 1, C: 3, Pix: []float32{0, 0.5, 1, 1, 1, 0}},
			[]color.RGBA{{0, 128, 255, 255}, {255, 255, 0, 255}}},
		{"grey outside [0,1] is stretched", hl.Image{W: 3, H: 1, C: 1, Pix: []float32{-2, 0, 2}},
			[]color.RGBA{{0, 0, 0, 255}, {128, 128, 128, 255}, {255, 255, 255, 255}}},
		{"many channels show the first three", hl.Image{W: 1, H: 1, C: 4, Pix: []float32{1, 0, 0, 0.5}},
			[]color.RGBA{{255, 0, 0, 255}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := halide.ToImage(tt.im)
			for x, want := range tt.want {
				if got := color.RGBAModel.Convert(img.At(x, 0)).(color.RGBA); got != want {
					t.Errorf("pixel %d = %v, want %v", x, got, want)
				}
			}
		})
	}
}
