package kernelspec

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstall(t *testing.T) {
	kernels := PrefixDir(t.TempDir())
	spec := New("/opt/ss/bin/supersonic", "/opt/ss/bin/gonb", "/opt/ss", "/opt/ss/bin")
	dir, err := Install(kernels, spec)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(dir) != Name || !strings.HasSuffix(filepath.Dir(dir), filepath.Join("share", "jupyter", "kernels")) {
		t.Errorf("installed in %s", dir)
	}
	data, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("kernel.json: %v\n%s", err, data)
	}
	if got["display_name"] != DisplayName || got["language"] != "go" || got["interrupt_mode"] != "message" {
		t.Errorf("kernel.json = %s", data)
	}
	argv := got["argv"].([]any)
	if argv[0] != "/opt/ss/bin/supersonic" || argv[1] != "kernel" || argv[3] != "{connection_file}" {
		t.Errorf("argv = %v", argv)
	}
	if path := got["env"].(map[string]any)["PATH"].(string); !strings.HasPrefix(path, "/opt/ss/bin:") {
		t.Errorf("PATH = %q, want the bin directory first", path)
	}
	for _, size := range []int{64, 32} {
		f, err := os.Open(filepath.Join(dir, "logo-"+itoa(size)+"x"+itoa(size)+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("logo %d: %v", size, err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Errorf("logo %d is %v", size, b)
		}
		if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
			t.Errorf("logo %d: corner not transparent", size)
		}
		if _, _, _, a := img.At(size/2, size/4).RGBA(); a == 0 {
			t.Errorf("logo %d: disc not drawn", size)
		}
	}
	// Installing again replaces the spec.
	if _, err := Install(kernels, New("/other/supersonic", "/other/gonb", "", "/other")); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(filepath.Join(dir, "kernel.json"))
	if !strings.Contains(string(data), "/other/supersonic") || strings.Contains(string(data), "--checkout") {
		t.Errorf("reinstall did not replace kernel.json:\n%s", data)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
