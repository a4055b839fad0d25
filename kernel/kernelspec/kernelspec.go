// Package kernelspec writes the Jupyter kernelspec "supersonic": kernel.json
// (display name, language, argv pointing at the installed binary, the
// environment) and the 64×64 and 32×32 logos, drawn here with image/png.
package kernelspec

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
)

// Name is the kernelspec's name, as in --ExecutePreprocessor.kernel_name.
const Name = "supersonic"

// DisplayName is shown in the frontends' kernel pickers.
const DisplayName = "Supersonic (Go)"

// Spec is the content of kernel.json.
type Spec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode"`
	Env           map[string]string `json:"env,omitempty"`
	Metadata      map[string]any    `json:"metadata,omitempty"`
}

// New returns the spec that runs binary as the kernel, with gonb and the
// checkout given on its command line and binDir first on PATH.
func New(binary, gonb, checkout, binDir string) Spec {
	argv := []string{binary, "kernel", "--connection-file", "{connection_file}", "--gonb", gonb}
	if checkout != "" {
		argv = append(argv, "--checkout", checkout)
	}
	return Spec{
		Argv:          argv,
		DisplayName:   DisplayName,
		Language:      "go",
		InterruptMode: "message",
		Env:           map[string]string{"PATH": binDir + string(os.PathListSeparator) + os.Getenv("PATH")},
		Metadata:      map[string]any{"debugger": false},
	}
}

// UserDir is the per-user kernels directory ($JUPYTER_DATA_DIR/kernels or
// ~/.local/share/jupyter/kernels).
func UserDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return filepath.Join(d, "kernels"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the home directory for a --user install: %w", err)
	}
	return filepath.Join(home, ".local", "share", "jupyter", "kernels"), nil
}

// PrefixDir is the kernels directory under an installation prefix.
func PrefixDir(prefix string) string {
	return filepath.Join(prefix, "share", "jupyter", "kernels")
}

// Install writes the spec and logos into kernelsDir/supersonic, replacing
// an earlier install, and returns that directory.
func Install(kernelsDir string, spec Spec) (string, error) {
	dir := filepath.Join(kernelsDir, Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating kernelspec directory: %w", err)
	}
	data, err := json.MarshalIndent(spec, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding kernel.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kernel.json"), append(data, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("writing kernel.json: %w", err)
	}
	for _, size := range []int{64, 32} {
		if err := writePNG(filepath.Join(dir, fmt.Sprintf("logo-%dx%d.png", size, size)), Logo(size)); err != nil {
			return "", err
		}
	}
	return dir, nil
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating logo: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encoding logo %s: %w", path, err)
	}
	return f.Close()
}

// Logo draws the Supersonic logo at size×size: a deep blue disc crossed by
// a white Mach cone (a chevron) and a gopher-cyan shock line.
func Logo(size int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	blue := color.NRGBA{0x1e, 0x3a, 0x8a, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	cyan := color.NRGBA{0x00, 0xad, 0xd8, 0xff}
	s := float64(size)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			// Sample the centre of the pixel in unit coordinates.
			u, v := (float64(x)+0.5)/s, (float64(y)+0.5)/s
			dx, dy := u-0.5, v-0.5
			if dx*dx+dy*dy > 0.25 {
				continue // transparent outside the disc
			}
			c := blue
			// Chevron: two strokes meeting at the nose (0.78, 0.5).
			if d := math.Abs(math.Abs(v-0.5) - 0.9*(0.78-u)); u < 0.78 && u > 0.2 && d < 0.06 {
				c = white
			}
			if math.Abs(v-0.5) < 0.035 && u > 0.12 && u < 0.6 {
				c = cyan
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}
