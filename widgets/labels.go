package widgets

import (
	"strconv"
	"strings"
)

// Plural counts n of what in words: "1 pull", "2 pulls", "0 pulls".
func Plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// armSep separates the components of an arm's name ("ppo · autophase ·
// quality-delta"); arms named with a bare middle dot are split as well.
const armSep = "·"

// benchSep separates a deployment's arm from its benchmark ("ppo ·
// autophase @ builtin:adpcm").
const benchSep = " @ "

// shortNames drops from arm names the components that every arm shares at
// the same position, so that a legend shows what tells arms apart. It
// returns the short names and the shared components joined (empty when
// nothing is shared or names are not made of components).
func shortNames(names []string) (short []string, common string) {
	short = append([]string(nil), names...)
	if len(names) < 2 {
		return short, ""
	}
	parts := make([][]string, len(names))
	for i, n := range names {
		// A deployment's run is "ARM @ BENCHMARK": the benchmark is one
		// more component, kept with its "@ ".
		arm, bench, onBench := strings.Cut(n, benchSep)
		parts[i] = strings.Split(arm, armSep)
		for j := range parts[i] {
			parts[i][j] = strings.TrimSpace(parts[i][j])
		}
		if onBench {
			parts[i] = append(parts[i], "@ "+strings.TrimSpace(bench))
		}
		if len(parts[i]) != len(parts[0]) || len(parts[i]) < 2 {
			return short, ""
		}
	}
	var shared []string
	keep := make([]bool, len(parts[0]))
	kept := 0
	for j := range parts[0] {
		for i := range parts {
			if parts[i][j] != parts[0][j] {
				keep[j] = true
				break
			}
		}
		if keep[j] {
			kept++
		} else {
			shared = append(shared, parts[0][j])
		}
	}
	if len(shared) == 0 || kept == 0 {
		return short, ""
	}
	for i := range parts {
		var own []string
		for j, p := range parts[i] {
			if keep[j] {
				own = append(own, p)
			}
		}
		short[i] = joinParts(own)
	}
	return short, joinParts(shared)
}

// joinParts joins the components of a name again: " · " between arm
// components, " " before "@ BENCHMARK", and a benchmark alone without its
// "@".
func joinParts(parts []string) string {
	var b strings.Builder
	for i, p := range parts {
		switch {
		case i == 0:
			p = strings.TrimPrefix(p, "@ ")
		case strings.HasPrefix(p, "@ "):
			b.WriteString(" ")
		default:
			b.WriteString(" " + armSep + " ")
		}
		b.WriteString(p)
	}
	return b.String()
}
