package superopt

import (
	"context"
	"strings"
	"testing"
)

func TestCheckResult(t *testing.T) {
	if testing.Short() {
		t.Skip("runs z3")
	}
	p := open(t, 1, nil)
	ctx := context.Background()
	// No episode ran: the best proved rewrite is the target itself, quality 1.
	if err := p.CheckResult(ctx, "p01", 1); err != nil {
		t.Errorf("CheckResult(p01, 1) = %v, want nil: the target proves equivalent to itself", err)
	}
	err := p.CheckResult(ctx, "p01", 3)
	if err == nil || !strings.Contains(err.Error(), "below the 3") {
		t.Errorf("CheckResult(p01, 3) = %v, want an error: no rewrite that fast was proved", err)
	}
	if err := p.CheckResult(ctx, "p99", 1); err == nil {
		t.Error("CheckResult of an unknown benchmark succeeded")
	}
}
