package codesize

import (
	"fmt"

	"github.com/supersonic-rl/supersonic/rlcore"
)

func init() {
	rlcore.RegisterActionSpace(&rlcore.ActionSpace{
		Name: "coreset", Task: TaskName,
		Doc: fmt.Sprintf("%d macro actions, one pass sequence each: greedy's best sequence on each built-in program that supersonic eval neither holds out nor validates on (a coreset of sequences, as in Coreset-NVP); one step applies a whole sequence",
			len(coresetSequences)),
		Sequences: func(rlcore.Problem) ([][]int, error) { return coresetActions() },
	})
	rlcore.RegisterActionSpace(&rlcore.ActionSpace{
		Name: "coreset-oz", Task: TaskName,
		Doc: fmt.Sprintf("the coreset's %d pass sequences followed by the %d passes of oz-passes, one action each: whole sequences to start from and single passes to refine them",
			len(coresetSequences), len(ozSubset())),
		Sequences: func(rlcore.Problem) ([][]int, error) {
			out, err := coresetActions()
			for _, a := range ozSubset() {
				out = append(out, []int{a})
			}
			return out, err
		},
	})
}

// coresetActions are the coreset's sequences as pass indices.
func coresetActions() ([][]int, error) {
	out := make([][]int, len(coresetSequences))
	for i, seq := range coresetSequences {
		for _, name := range seq {
			a, err := LookupPass(name)
			if err != nil {
				return nil, fmt.Errorf("coreset sequence %d: %w", i+1, err)
			}
			out[i] = append(out[i], a)
		}
	}
	return out, nil
}

// coresetSequences are the "coreset" action space's macro actions:
// greedy search's best pass sequence (reward ic, horizon 45) on each
// built-in program left for training — every built-in except eval.HeldOut
// and eval.ValidationFold — with duplicates dropped. `go test
// ./rlcore/tasks/codesize -run TestCoresetSequences -coreset.regen -v`
// recomputes them.
var coresetSequences = [][]string{
	{"-mem2reg", "-gvn", "-simplifycfg", "-instcombine", "-gvn-hoist", "-simplifycfg", "-early-cse", "-attributor", "-early-cse-memssa", "-gvn-hoist"}, // builtin:adpcm: 1.1321 of -Oz
	{"-mem2reg", "-instcombine", "-gvn", "-simplifycfg"},                                                                      // builtin:backtrack: 1.8500 of -Oz
	{"-mem2reg", "-simplifycfg", "-instcombine", "-gvn", "-load-store-vectorizer", "-simplifycfg", "-correlated-propagation"}, // builtin:base64: 1.1450 of -Oz
	{"-mem2reg", "-gvn", "-simplifycfg", "-ipsccp", "-instcombine", "-simplifycfg", "-early-cse-memssa", "-gvn-hoist", "-simplifycfg", "-mldst-motion", "-simplifycfg", "-instcombine", "-nary-reassociate", "-load-store-vectorizer"}, // builtin:bignum: 1.0281 of -Oz
	{"-mem2reg", "-instcombine", "-simplifycfg", "-aggressive-instcombine", "-gvn"},                                                                                                                  // builtin:bitcount: 1.2806 of -Oz
	{"-mem2reg", "-simplifycfg", "-instcombine", "-simplifycfg", "-gvn", "-instcombine"},                                                                                                             // builtin:crc32: 1.3367 of -Oz
	{"-sroa", "-gvn", "-simplifycfg", "-instcombine", "-gvn-hoist", "-simplifycfg"},                                                                                                                  // builtin:dijkstra: 1.3511 of -Oz
	{"-mem2reg", "-gvn", "-simplifycfg", "-ipsccp", "-instcombine", "-early-cse-memssa", "-load-store-vectorizer", "-instcombine", "-gvn-hoist", "-jump-threading"},                                  // builtin:huffman: 1.1873 of -Oz
	{"-early-cse-memssa", "-sroa", "-simplifycfg", "-instcombine", "-jump-threading", "-early-cse-memssa", "-simplifycfg"},                                                                           // builtin:json: 1.0930 of -Oz
	{"-mem2reg", "-gvn", "-simplifycfg", "-instcombine", "-early-cse", "-gvn-hoist", "-instcombine", "-mldst-motion", "-simplifycfg"},                                                                // builtin:levenshtein: 1.0520 of -Oz
	{"-mem2reg", "-gvn", "-instcombine", "-simplifycfg", "-gvn-hoist", "-jump-threading", "-gvn"},                                                                                                    // builtin:matmul: 1.5567 of -Oz
	{"-mem2reg", "-gvn", "-simplifycfg", "-load-store-vectorizer", "-instcombine", "-slp-vectorizer", "-gvn-hoist", "-gvn", "-loop-rotate", "-instcombine", "-simplifycfg", "-bdce", "-simplifycfg"}, // builtin:md5: 4.6133 of -Oz
	{"-sroa", "-gvn", "-simplifycfg", "-instcombine", "-simplifycfg", "-instcombine", "-mldst-motion", "-simplifycfg", "-ipsccp", "-instcombine", "-jump-threading"},                                 // builtin:patricia: 0.9906 of -Oz
	{"-mem2reg", "-gvn", "-simplifycfg", "-instcombine", "-gvn-hoist", "-simplifycfg", "-ipsccp", "-load-store-vectorizer"},                                                                          // builtin:pqueue: 1.0490 of -Oz
	{"-mem2reg", "-gvn", "-simplifycfg", "-early-cse", "-instcombine", "-early-cse-memssa", "-gvn-hoist"},                                                                                            // builtin:qsort: 1.0984 of -Oz
	{"-sroa", "-instcombine", "-simplifycfg", "-gvn", "-instcombine", "-simplifycfg", "-ipsccp", "-newgvn"},                                                                                          // builtin:raytrace: 1.0268 of -Oz
	{"-mem2reg", "-gvn", "-slp-vectorizer", "-simplifycfg", "-indvars", "-instcombine", "-load-store-vectorizer", "-loop-rotate", "-simplifycfg", "-instsimplify", "-ipsccp"},                        // builtin:sha256: 1.3765 of -Oz
	{"-sroa", "-gvn", "-simplifycfg", "-instcombine", "-gvn-hoist", "-correlated-propagation", "-load-store-vectorizer", "-simplifycfg", "-nary-reassociate", "-early-cse"},                          // builtin:sobel: 1.2015 of -Oz
	{"-mem2reg", "-simplifycfg", "-instcombine", "-early-cse-memssa", "-simplifycfg", "-gvn-hoist", "-adce"},                                                                                         // builtin:stringsearch: 1.0587 of -Oz
	{"-sroa", "-gvn", "-simplifycfg", "-instcombine", "-slp-vectorizer", "-gvn-hoist", "-early-cse-memssa"},                                                                                          // builtin:xtea: 1.2194 of -Oz
}
