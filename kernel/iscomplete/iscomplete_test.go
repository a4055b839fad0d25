package iscomplete

import "testing"

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		code   string
		status Status
		indent string
	}{
		{"", Complete, ""},
		{"x := 1", Complete, ""},
		{"func add(a, b int) int {", Incomplete, Unit},
		{"func add(a, b int) int {\n    return a + b", Incomplete, Unit},
		{"func add(a, b int) int {\n    return a + b\n}", Complete, ""},
		{"func f() {\n\tif true {", Incomplete, Unit + Unit},
		{"x := []int{\n1, 2,", Incomplete, Unit + Unit},
		{"x := 1 +", Incomplete, Unit},
		{"s := `raw\nstill raw", Incomplete, ""},
		{"s := `raw\ndone`", Complete, ""},
		{"/* a comment", Incomplete, ""},
		{"// a comment with { inside", Complete, ""},
		{`fmt.Println("{ not a bracket")`, Complete, ""},
		{`r := '{'`, Complete, ""},
		{`s := "escaped \" {"`, Complete, ""},
		{`s := "unterminated`, Invalid, ""},
		{"x := (1]", Invalid, ""},
		{"}", Invalid, ""},
		{"x++", Complete, ""},
		{"%supersonic help", Complete, ""},
		{"%search quickstart --budget 30s \\", Incomplete, ""},
		{"!ls -l", Complete, ""},
		{"%%task demo", Incomplete, ""},
		{"%%task demo\ntask: codesize\nstates: autophase", Incomplete, ""},
		{"%%task demo\ntask: codesize\n", Complete, ""},
		{"%%\nfmt.Println(1)\n", Complete, ""},
		{"%env X 1\nfunc f() {", Incomplete, Unit},
		{"import (\n\t\"fmt\"", Incomplete, Unit},
		{"import (\n\t\"fmt\"\n)", Complete, ""},
	} {
		status, indent := Check(tc.code)
		if status != tc.status || indent != tc.indent {
			t.Errorf("Check(%q) = %s, %q; want %s, %q", tc.code, status, indent, tc.status, tc.indent)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"func f() {", "%%task x\n", "`", "/*", "x := \"a\\\"", "%search x \\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		status, indent := Check(code)
		switch status {
		case Complete, Invalid:
			if indent != "" {
				t.Errorf("Check(%q) = %s with indent %q", code, status, indent)
			}
		case Incomplete:
		default:
			t.Errorf("Check(%q): unknown status %q", code, status)
		}
	})
}
