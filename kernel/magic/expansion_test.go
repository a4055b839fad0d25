package magic

import (
	"errors"
	"strings"
	"testing"
)

// checkExpansion runs code as a magic: with wantErr, it must fail with a
// *Error containing wantErr; otherwise its expansion must contain every
// wantCode and be valid Go.
func checkExpansion(t *testing.T, code string, wantCode []string, wantErr string) {
	t.Helper()
	exp, err := Run(code)
	if wantErr != "" {
		var me *Error
		if !errors.As(err, &me) || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("Run(%q) error = %v, want a *magic.Error containing %q", code, err, wantErr)
		}
		return
	}
	if err != nil {
		t.Fatalf("Run(%q): %v", code, err)
	}
	for _, want := range wantCode {
		if !strings.Contains(exp.Code, want) {
			t.Errorf("expansion of %q lacks %q:\n%s", code, want, exp.Code)
		}
	}
	checkGoSyntax(t, exp.Code)
}
