package search

import (
	"strings"
	"testing"
)

func TestDeclare(t *testing.T) {
	Declare("declare-ok", "task: codesize\nbenchmarks: builtin:crc32\nstates: autophase\nalgorithms: ppo")
	Declare("declare-bad", "task: codesize\nflavour: strawberry")
	s, err := Declared("declare-ok")
	if err != nil || s.Task != "codesize" || s.Name != "declare-ok" {
		t.Fatalf("Declared(declare-ok) = %+v, %v", s, err)
	}
	if _, err := Declared("declare-bad"); err == nil || !strings.Contains(err.Error(), "declared with an error") || !strings.Contains(err.Error(), "flavour") {
		t.Errorf("Declared(declare-bad) error = %v, want the parse error", err)
	}
	_, err = Declared("nowhere")
	if err == nil || !strings.Contains(err.Error(), "%%task nowhere") || !strings.Contains(err.Error(), "declare-ok") {
		t.Errorf("Declared(nowhere) error = %v, want how to declare it and the declared names", err)
	}
	// A declaration replaces the earlier one, also a failed one.
	Declare("declare-bad", "task: codesize\nbenchmarks: builtin:crc32\nstates: autophase\nalgorithms: a2c")
	if s, err := Declared("declare-bad"); err != nil || s.Algorithms[0].Name != "a2c" {
		t.Errorf("after redeclaring: %+v, %v", s, err)
	}
}
