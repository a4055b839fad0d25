package codesize

import (
	"fmt"
	"strings"
)

// Pass is one action: a pass of CompilerGym's LLVM action space and the
// LLVM 19 new-pass-manager pipeline text that performs it.
type Pass struct {
	// Name is CompilerGym's flag, as its opt command lines show it
	// ("-mem2reg").
	Name string
	// Pipeline is the text given to LLVMRunPasses ("mem2reg",
	// "loop(loop-rotate)", "instcombine<no-verify-fixpoint>").
	Pipeline string
}

// Passes is the task's action list, in CompilerGym's order: the 118 of
// CompilerGym's 124 LLVM-10 passes that LLVM 19 still has. See doc.go for
// the mapping rules and the six omissions.
var Passes = func() []Pass {
	out := make([]Pass, len(passTable))
	for i, p := range passTable {
		out[i] = Pass{Name: "-" + p[0], Pipeline: p[1]}
	}
	return out
}()

// OmittedPasses are CompilerGym's passes that LLVM 19 no longer has, with
// what replaced them.
var OmittedPasses = map[string]string{
	"-barrier":     "a no-op barrier of the legacy pass manager; nothing to run",
	"-constprop":   "folded into instsimplify and sccp (both actions)",
	"-die":         "removed; dce (an action) does the same and more",
	"-ipconstprop": "removed; ipsccp (an action) subsumes it",
	"-loop-reroll": "removed from LLVM",
	"-prune-eh":    "removed; function-attrs (an action) infers nounwind",
}

var passTable = [][2]string{
	{"add-discriminators", "add-discriminators"},
	{"adce", "adce"},
	{"aggressive-instcombine", "aggressive-instcombine"},
	{"alignment-from-assumptions", "alignment-from-assumptions"},
	{"always-inline", "always-inline"},
	{"argpromotion", "argpromotion"},
	{"attributor", "attributor"},
	{"bdce", "bdce"},
	{"break-crit-edges", "break-crit-edges"},
	{"simplifycfg", "simplifycfg"},
	{"callsite-splitting", "callsite-splitting"},
	{"called-value-propagation", "called-value-propagation"},
	{"canonicalize-aliases", "canonicalize-aliases"},
	{"consthoist", "consthoist"},
	{"constmerge", "constmerge"},
	{"coro-cleanup", "coro-cleanup"},
	{"coro-early", "coro-early"},
	{"coro-elide", "coro-elide"},
	{"coro-split", "coro-split"},
	{"correlated-propagation", "correlated-propagation"},
	{"cross-dso-cfi", "cross-dso-cfi"},
	{"deadargelim", "deadargelim"},
	{"dce", "dce"},
	{"dse", "dse"},
	{"reg2mem", "reg2mem"},
	{"div-rem-pairs", "div-rem-pairs"},
	{"early-cse-memssa", "early-cse<memssa>"},
	{"early-cse", "early-cse"},
	{"elim-avail-extern", "elim-avail-extern"},
	{"ee-instrument", "ee-instrument"},
	{"flattencfg", "flatten-cfg"},
	{"float2int", "float2int"},
	{"forceattrs", "forceattrs"},
	{"inline", "inline"},
	{"insert-gcov-profiling", "insert-gcov-profiling"},
	{"gvn-hoist", "gvn-hoist"},
	{"gvn", "gvn"},
	{"globaldce", "globaldce"},
	{"globalopt", "globalopt"},
	{"globalsplit", "globalsplit"},
	{"guard-widening", "guard-widening"},
	{"hotcoldsplit", "hotcoldsplit"},
	{"ipsccp", "ipsccp"},
	{"indvars", "loop(indvars)"},
	{"irce", "irce"},
	{"infer-address-spaces", "infer-address-spaces"},
	{"inferattrs", "inferattrs"},
	{"inject-tli-mappings", "inject-tli-mappings"},
	{"instsimplify", "instsimplify"},
	{"instcombine", "instcombine<no-verify-fixpoint>"},
	{"instnamer", "instnamer"},
	{"jump-threading", "jump-threading"},
	{"lcssa", "lcssa"},
	{"licm", "loop-mssa(licm)"},
	{"libcalls-shrinkwrap", "libcalls-shrinkwrap"},
	{"load-store-vectorizer", "load-store-vectorizer"},
	{"loop-data-prefetch", "loop-data-prefetch"},
	{"loop-deletion", "loop(loop-deletion)"},
	{"loop-distribute", "loop-distribute"},
	{"loop-fusion", "loop-fusion"},
	{"loop-guard-widening", "loop(guard-widening)"},
	{"loop-idiom", "loop(loop-idiom)"},
	{"loop-instsimplify", "loop(loop-instsimplify)"},
	{"loop-interchange", "loop(loop-interchange)"},
	{"loop-load-elim", "loop-load-elim"},
	{"loop-predication", "loop(loop-predication)"},
	{"loop-rotate", "loop(loop-rotate)"},
	{"loop-simplifycfg", "loop(loop-simplifycfg)"},
	{"loop-simplify", "loop-simplify"},
	{"loop-sink", "loop-sink"},
	{"loop-reduce", "loop(loop-reduce)"},
	{"loop-unroll-and-jam", "loop(loop-unroll-and-jam)"},
	{"loop-unroll", "loop-unroll"},
	{"loop-unswitch", "loop-mssa(simple-loop-unswitch<nontrivial>)"},
	{"loop-vectorize", "loop-vectorize"},
	{"loop-versioning-licm", "loop(loop-versioning-licm)"},
	{"loop-versioning", "loop-versioning"},
	{"loweratomic", "lower-atomic"},
	{"lower-constant-intrinsics", "lower-constant-intrinsics"},
	{"lower-expect", "lower-expect"},
	{"lower-guard-intrinsic", "lower-guard-intrinsic"},
	{"lowerinvoke", "lower-invoke"},
	{"lower-matrix-intrinsics", "lower-matrix-intrinsics"},
	{"lowerswitch", "lower-switch"},
	{"lower-widenable-condition", "lower-widenable-condition"},
	{"memcpyopt", "memcpyopt"},
	{"mergefunc", "mergefunc"},
	{"mergeicmps", "mergeicmps"},
	{"mldst-motion", "mldst-motion"},
	{"sancov", "sancov-module"},
	{"name-anon-globals", "name-anon-globals"},
	{"nary-reassociate", "nary-reassociate"},
	{"newgvn", "newgvn"},
	{"pgo-memop-opt", "pgo-memop-opt"},
	{"partial-inliner", "partial-inliner"},
	{"partially-inline-libcalls", "partially-inline-libcalls"},
	{"post-inline-ee-instrument", "ee-instrument<post-inline>"},
	{"functionattrs", "function-attrs"},
	{"mem2reg", "mem2reg"},
	{"reassociate", "reassociate"},
	{"redundant-dbg-inst-elim", "redundant-dbg-inst-elim"},
	{"rpo-functionattrs", "rpo-function-attrs"},
	{"rewrite-statepoints-for-gc", "rewrite-statepoints-for-gc"},
	{"sccp", "sccp"},
	{"slp-vectorizer", "slp-vectorizer"},
	{"sroa", "sroa"},
	{"scalarizer", "scalarizer"},
	{"separate-const-offset-from-gep", "separate-const-offset-from-gep"},
	{"simple-loop-unswitch", "loop-mssa(simple-loop-unswitch)"},
	{"sink", "sink"},
	{"speculative-execution", "speculative-execution"},
	{"slsr", "slsr"},
	{"strip-dead-prototypes", "strip-dead-prototypes"},
	{"strip-debug-declare", "strip-debug-declare"},
	{"strip-nondebug", "strip-nondebug"},
	{"strip", "strip"},
	{"tailcallelim", "tailcallelim"},
	{"mergereturn", "mergereturn"},
}

// passIndex maps every accepted spelling of a pass to its action index:
// CompilerGym's flag with or without the dash, and the LLVM 19 pipeline
// text.
var passIndex = func() map[string]int {
	m := make(map[string]int, 3*len(passTable))
	for i, p := range passTable {
		m[p[1]] = i
		m[p[0]] = i
		m["-"+p[0]] = i
	}
	return m
}()

// LookupPass finds a pass by CompilerGym flag ("-licm" or "licm") or by its
// LLVM 19 pipeline text ("loop-mssa(licm)") and returns its action index.
func LookupPass(name string) (int, error) {
	name = strings.TrimSpace(name)
	if i, ok := passIndex[name]; ok {
		return i, nil
	}
	if why, ok := OmittedPasses["-"+strings.TrimPrefix(name, "-")]; ok {
		return 0, fmt.Errorf("pass %q is not available in LLVM 19 (%s)", name, why)
	}
	return 0, fmt.Errorf("unknown pass %q: want one of CompilerGym's passes such as -mem2reg, -instcombine, -licm (see codesize.Passes for all %d)", name, len(Passes))
}

// basePassName strips adaptors and parameters from a pipeline text:
// "loop-mssa(simple-loop-unswitch<nontrivial>)" → "simple-loop-unswitch".
func basePassName(pipeline string) string {
	s := pipeline
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = strings.TrimSuffix(s[i+1:], ")")
	}
	if i := strings.IndexByte(s, '<'); i >= 0 {
		s = s[:i]
	}
	return s
}

// ozPipelinePasses are the pass names that LLVM 19's default<Oz> pipeline
// runs, read from `opt-19 -passes='default<Oz>' -print-pipeline-passes`
// (adaptors, analyses and parameters removed).
var ozPipelinePasses = map[string]bool{
	"adce": true, "aggressive-instcombine": true, "alignment-from-assumptions": true,
	"always-inline": true, "annotation-remarks": true, "annotation2metadata": true, "bdce": true,
	"called-value-propagation": true, "cg-profile": true, "constmerge": true,
	"constraint-elimination": true, "coro-cleanup": true, "coro-early": true, "coro-elide": true,
	"coro-split": true, "correlated-propagation": true, "deadargelim": true, "div-rem-pairs": true,
	"dse": true, "early-cse": true, "ee-instrument": true, "elim-avail-extern": true,
	"float2int": true, "forceattrs": true, "function-attrs": true, "globaldce": true,
	"globalopt": true, "gvn": true, "indvars": true, "infer-alignment": true, "inferattrs": true,
	"inject-tli-mappings": true, "inline": true, "instcombine": true, "instsimplify": true,
	"ipsccp": true, "jump-threading": true, "licm": true, "loop-deletion": true,
	"loop-distribute": true, "loop-idiom": true, "loop-instsimplify": true, "loop-load-elim": true,
	"loop-rotate": true, "loop-simplifycfg": true, "loop-sink": true, "loop-unroll": true,
	"loop-unroll-full": true, "loop-vectorize": true, "lower-constant-intrinsics": true,
	"lower-expect": true, "mem2reg": true, "memcpyopt": true, "mldst-motion": true,
	"move-auto-init": true, "openmp-opt": true, "reassociate": true, "rel-lookup-table-converter": true,
	"rpo-function-attrs": true, "sccp": true, "simple-loop-unswitch": true, "simplifycfg": true,
	"speculative-execution": true, "sroa": true, "tailcallelim": true, "transform-warning": true,
	"vector-combine": true,
}

// ozSubset returns the action indices of the passes -Oz itself uses.
func ozSubset() []int {
	var idx []int
	for i, p := range Passes {
		if ozPipelinePasses[basePassName(p.Pipeline)] {
			idx = append(idx, i)
		}
	}
	return idx
}
