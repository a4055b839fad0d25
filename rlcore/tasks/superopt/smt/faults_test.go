package smt

import (
	"context"
	"strings"
	"testing"

	"github.com/supersonic-rl/supersonic/rlcore/tasks/superopt/hd"
)

// Issue 18, item 2: without z3, Check returned an error together with
// Verdict = equivalent (the zero value), so a caller that looked at the
// verdict took every rewrite for proved. Now an error comes with Unknown,
// and the error says how to install z3.
func TestCheckWithoutZ3NeverClaimsEquivalence(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no z3 here
	p01, _ := hd.Lookup("p01")
	res, err := Check(context.Background(), Query{Target: p01.Code, Rewrite: p01.Code, LiveOut: p01.LiveOut, OutWidth: p01.OutWidth}, 0)
	if err == nil {
		t.Fatal("Check without z3 succeeded")
	}
	if res.Verdict == Equivalent {
		t.Fatalf("Check returned the error %q together with the verdict %v", err, res.Verdict)
	}
	for _, want := range []string{"z3", "./install.sh", "apt-get install z3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if err := Available(); err == nil || !strings.Contains(err.Error(), "apt-get install z3") {
		t.Errorf("Available() = %v, want an error saying how to install z3", err)
	}
	var zero Result
	if zero.Verdict != Unknown {
		t.Errorf("the zero Result's verdict is %v, want unknown", zero.Verdict)
	}
}
