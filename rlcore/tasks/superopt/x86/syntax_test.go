package x86

import "testing"

func TestPrintParseRoundTrip(t *testing.T) {
	for _, in := range cpuInstructions() {
		got, err := ParseInst(in.String())
		if err != nil {
			t.Errorf("ParseInst(%q): %v", in.String(), err)
			continue
		}
		if got != in {
			t.Errorf("ParseInst(%q) = %+v, want %+v", in.String(), got, in)
		}
	}
}

func TestParseGCCOutput(t *testing.T) {
	src := `	.file	"p.c"
	.intel_syntax noprefix
	.text
	.globl	f
f:
.LFB0:
	.cfi_startproc
	lea	eax, -1[rdi]
	lea	edx, [rdi+rsi*4-8]
	and	eax, edi   # comment
	sete	al
	movzx	eax, al
	cmovge	eax, esi
	sal	eax
	shr	eax, cl
	imul	eax, esi, 12
	movabs	rax, 81985529216486895
	ret
`
	p, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"lea eax, [rdi-1]", "lea edx, [rdi+rsi*4-8]", "and eax, edi", "sete al", "movzx eax, al",
		"cmovge eax, esi", "shl eax, 1", "shr eax, cl", "imul eax, esi, 12", "movabs rax, 81985529216486895"}
	if len(p) != len(want) {
		t.Fatalf("parsed %d instructions, want %d:\n%s", len(p), len(want), p)
	}
	for i, w := range want {
		if p[i].String() != w {
			t.Errorf("instruction %d = %q, want %q", i, p[i].String(), w)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{
		"add eax, rbx",        // mixed widths
		"frobnicate eax",      // unknown
		"shl eax, ebx",        // count not cl
		"lea eax, [rdi*3]",    // bad scale and no base
		"add al, bl",          // 8-bit arithmetic
		"add rax, 5000000000", // imm too wide
		"sete eax",            // setcc needs 8-bit
		"lea eax, [rsp*2+rdi]",
	} {
		if _, err := Parse(src); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", src)
		}
	}
}

// FuzzParse checks that whatever parses prints back to text that parses to
// the same program.
func FuzzParse(f *testing.F) {
	for _, in := range cpuInstructions()[:40] {
		f.Add(in.String())
	}
	f.Add("lea rax, [rdi+rsi*8+16]\nsetnz cl")
	f.Fuzz(func(t *testing.T, src string) {
		p, err := Parse(src)
		if err != nil {
			return
		}
		q, err := Parse(p.String())
		if err != nil {
			t.Fatalf("printed program does not parse: %v\n%s", err, p)
		}
		if p.String() != q.String() {
			t.Fatalf("round trip changed the program:\n%s\nvs\n%s", p, q)
		}
	})
}

func TestMustParse(t *testing.T) {
	if p := MustParse("lea eax, [rdi-1]\nand eax, edi"); p.Len() != 2 {
		t.Fatalf("MustParse gave %d instructions, want 2", p.Len())
	}
	defer func() {
		if recover() == nil {
			t.Fatal("MustParse of a bad program did not panic")
		}
	}()
	MustParse("frobnicate eax")
}
