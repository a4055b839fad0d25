package schedule

import (
	"strings"
	"testing"
)

// blur is a two-stage pipeline: blur_x feeds blur_y, the output.
var blur = &Pipeline{Name: "blur", OutExtents: []int{128, 128}, Stages: []Func{
	{Name: "blur_x", Vars: []string{"x", "y"}, Consumers: []string{"blur_y"}},
	{Name: "blur_y", Vars: []string{"x", "y"}},
}}

// chain is three stages in a line: a feeds b feeds c, the output.
var chain = &Pipeline{Name: "chain", OutExtents: []int{128, 128}, Stages: []Func{
	{Name: "a", Vars: []string{"x", "y"}, Consumers: []string{"b"}},
	{Name: "b", Vars: []string{"x", "y"}, Consumers: []string{"c"}},
	{Name: "c", Vars: []string{"x", "y"}},
}}

// conv has an output fed by a reduction with pure updates.
var conv = &Pipeline{Name: "conv", Stages: []Func{
	{Name: "conv", Vars: []string{"x", "y", "co"}, Updates: 1, PureUpdates: true, RVars: []string{"r$x", "r$y"}, Consumers: []string{"relu"}},
	{Name: "relu", Vars: []string{"x", "y", "co"}},
}}

func TestDirectivesAndCPP(t *testing.T) {
	tests := []struct {
		name       string
		p          *Pipeline
		text       string
		directives []string
		cpp        []string
	}{
		{"default", blur, "blur: default", []string{"blur_x root", "blur_y root"}, []string{"blur_x\n    .compute_root();"}},
		{"inline", blur, "blur: blur_x=inline", []string{"blur_x inline"}, []string{"blur_x\n    .compute_inline();"}},
		{"tiled output, producer per tile", blur, "blur: blur_x=tiles,vec8 blur_y=root,tile(64x16),vec8,par",
			[]string{"blur_x 0 vectorize x 8", "blur_x at blur_y xo", "blur_y 0 split x xo xi 64", "blur_y 0 split y yo yi 16",
				"blur_y 0 reorder xi yi xo yo", "blur_y 0 vectorize xi 8", "blur_y 0 parallel yo"},
			[]string{`Var xi("xi"), xo("xo"), yi("yi"), yo("yo");`, ".compute_at(blur_y, xo)", ".parallel(yo)"}},
		{"computed at an inlined consumer means at that one's consumer", chain, "chain: a=tiles b=inline c=root,tile(64x16)",
			[]string{"a at c xo", "b inline"}, []string{".compute_at(c, xo)"}},
		{"rows with sliding window", blur, "blur: blur_x=rows,store_root", []string{"blur_x at blur_y y", "blur_x store_root"}, []string{".store_root()"}},
		{"swap and unroll", blur, "blur: blur_y=root,par,unroll2,swap", []string{"blur_y 0 reorder y x", "blur_y 0 unroll y 2", "blur_y 0 parallel x"}, nil},
		{"reduction outside", conv, "conv: conv=tiles,tile(8x0),vec8,router", []string{"conv 0 split x xo xi 8", "conv 1 split x xo xi 8", "conv 1 reorder xi r$x r$y xo co y", "conv 1 vectorize xi 8", "conv at relu x"},
			[]string{"conv\n    .split(x, xo, xi, 8)", "conv.update(0)\n    .split(x, xo, xi, 8)\n    .reorder(xi, r.x, r.y, xo, co, y)"}},
		{"channels inside the tile", conv, "conv: conv=tiles relu=root,tile(16x16),vec8,par",
			[]string{"relu 0 reorder xi yi co xo yo", "relu 0 parallel yo", "conv at relu xo"}, nil},
		{"channels inside the parallel row loop", conv, "conv: relu=root,par", []string{"relu 0 reorder x co y", "relu 0 parallel y"}, nil},
		{"channels outside, parallel over them", conv, "conv: relu=root,vec8,par,couter", []string{"relu 0 reorder x y co", "relu 0 vectorize x 8", "relu 0 parallel co"}, []string{".parallel(co)"}},
		{"channels outside a tile", conv, "conv: conv=tiles relu=root,tile(16x16),par,couter", []string{"relu 0 reorder xi yi xo yo co", "relu 0 parallel co", "conv at relu xo"}, nil},
		{"register block: vectors, rows and channels unrolled inside the reduction", conv, "conv: conv=tiles,tile(32x4),vec16,block,blockc2 relu=root,tile(32x32),vec16,par",
			[]string{"conv 0 split xi xu xv 16", "conv 1 split x xo xi 32", "conv 1 split y yo yi 4", "conv 1 split xi xu xv 16", "conv 1 split co coo coi 2",
				"conv 1 reorder xv xu yi coi r$x r$y coo xo yo", "conv 1 vectorize xv 16", "conv 1 unroll xu", "conv 1 unroll yi", "conv 1 unroll coi", "conv at relu xo"},
			[]string{`Var coi("coi"), coo("coo"), xi("xi"), xo("xo"), xu("xu"), xv("xv"), yi("yi"), yo("yo");`,
				"conv.update(0)\n    .split(x, xo, xi, 32)\n    .split(y, yo, yi, 4)\n    .split(xi, xu, xv, 16)\n    .split(co, coo, coi, 2)\n    .reorder(xv, xu, yi, coi, r.x, r.y, coo, xo, yo)\n    .vectorize(xv, 16)\n    .unroll(xu)\n    .unroll(yi)\n    .unroll(coi);"}},
		{"register block of one vector, channels outside, parallel", conv, "conv: conv=root,tile(16x2),vec16,par,block",
			[]string{"conv 1 reorder xi yi r$x r$y co xo yo", "conv 1 unroll yi", "conv 1 parallel yo"}, nil},
		{"computed at a consumer computed per tile means per tile of the group's root", chain, "chain: a=tiles b=tiles c=root,tile(64x16)",
			[]string{"a at c xo", "b at c xo"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse(tt.p, tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if s.String() != tt.text {
				t.Errorf("String() = %q, want %q", s.String(), tt.text)
			}
			d := s.Directives()
			for _, want := range tt.directives {
				if !strings.Contains(d, want+"\n") {
					t.Errorf("directives lack %q:\n%s", want, d)
				}
			}
			c := s.CPP()
			for _, want := range tt.cpp {
				if !strings.Contains(c, want) {
					t.Errorf("C++ lacks %q:\n%s", want, c)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, text := range []string{
		"blur", "other: default", "blur: nosuch=root", "blur: blur_x=vec5", "blur: blur_y=inline",
		"blur: blur_x=root,store_root", "blur: blur_x=tile(3x4)", "blur: blur_y=root,tile(256x8)", "blur: blur_x=fast", "conv: conv=inline",
		// order block needs a reduction, a tile a whole number of vectors
		// wide, no unroll of its own; blockcN needs order block and a
		// channel
		"blur: blur_y=root,tile(32x4),vec16,block", "conv: conv=root,vec16,block", "conv: conv=root,tile(32x0),vec16,block",
		"conv: conv=root,tile(8x4),vec16,block", "conv: conv=root,tile(32x4),block", "conv: conv=root,tile(32x4),vec16,block,unroll2",
		"conv: conv=root,tile(32x4),vec16,blockc2", "conv: conv=root,tile(32x4),vec16,block,blockc3", "conv: conv=root,tile(32x4),vec16,router,blockc2",
	} {
		p := blur
		if strings.HasPrefix(text, "conv") {
			p = conv
		}
		if _, err := Parse(p, text); err == nil {
			t.Errorf("Parse(%q) accepted it", text)
		}
	}
}

func TestActionsEditOneDirective(t *testing.T) {
	s := Default(blur)
	index := map[string]int{}
	for i, a := range Actions {
		index[a.Name] = i
	}
	cursor := 1
	steps := []struct {
		action  string
		changed bool
		want    string
	}{
		{"compute-inline", false, "blur: default"}, // the output cannot be inlined
		{"vectorize=8", true, "blur: blur_y=root,vec8"},
		{"vectorize=8", false, "blur: blur_y=root,vec8"},
		{"prev-stage", true, "blur: blur_y=root,vec8"},
		{"store-root", false, "blur: blur_y=root,vec8"}, // needs compute_at
		{"compute-tiles", true, "blur: blur_x=tiles blur_y=root,vec8"},
		{"store-root", true, "blur: blur_x=tiles,store_root blur_y=root,vec8"},
		{"compute-root", true, "blur: blur_y=root,vec8"},
	}
	for _, st := range steps {
		var changed bool
		var err error
		cursor, changed, err = s.Apply(index[st.action], cursor)
		if err != nil || changed != st.changed || s.String() != st.want {
			t.Fatalf("%s: changed %v (%v), schedule %q; want %v, %q", st.action, changed, err, s, st.changed, st.want)
		}
	}
	if _, _, err := s.Apply(len(Actions), 0); err == nil {
		t.Error("an out-of-range action was accepted")
	}
}

// hist is a histogram equalization in small: lum feeds a histogram (a
// reduction with non-pure updates) and, pointwise, the output.
var hist = &Pipeline{Name: "hist", OutExtents: []int{256, 256, 3}, Stages: []Func{
	{Name: "lum", Vars: []string{"x", "y"}, Consumers: []string{"hist", "out"}},
	{Name: "hist", Vars: []string{"i"}, Updates: 1, Consumers: []string{"out"}},
	{Name: "out", Vars: []string{"x", "y", "c"}},
}}

// pointwiseChain is chain with b read pointwise by c.
var pointwiseChain = &Pipeline{Name: "chain", OutExtents: []int{1024, 64}, Stages: []Func{
	{Name: "a", Vars: []string{"x", "y"}, Consumers: []string{"b"}},
	{Name: "b", Vars: []string{"x", "y"}, Consumers: []string{"c"}, Pointwise: true},
	{Name: "c", Vars: []string{"x", "y"}},
}}

func TestMacros(t *testing.T) {
	tests := []struct {
		p      *Pipeline
		action string
		want   string
	}{
		{blur, "fuse-tiles", "blur: blur_x=tiles,vec16 blur_y=root,tile(32x32),vec16,par"},
		{pointwiseChain, "fuse-tiles", "chain: a=tiles,vec16 b=inline c=root,tile(64x16),vec16,par"},
		// lum is read by the histogram and the output, in two groups
		{hist, "fuse-tiles", "hist: lum=root,vec16,par hist=root,vec16,par out=root,tile(64x32),vec16,par"},
		{hist, "root-parallel", "hist: lum=root,vec16,par hist=root,vec16,par out=root,vec16,par"},
		{pointwiseChain, "inline-pointwise", "chain: b=inline"},
		{blur, "inline-pointwise", "blur: default"}, // nothing to inline: no change
	}
	for _, tt := range tests {
		t.Run(tt.p.Name+"/"+tt.action, func(t *testing.T) {
			s := Default(tt.p)
			for i, a := range Actions {
				if a.Name != tt.action {
					continue
				}
				cursor, changed, err := s.Apply(i, 1)
				if err != nil || cursor != 1 || changed != (tt.want != tt.p.Name+": default") {
					t.Fatalf("cursor %d, changed %v, err %v", cursor, changed, err)
				}
			}
			if s.String() != tt.want {
				t.Errorf("%s = %q, want %q", tt.action, s, tt.want)
			}
			if err := s.Check(); err != nil {
				t.Error(err)
			}
		})
	}
}

// pyramid is a two-level pyramid in small, shaped like the catalog's
// pipelines: a colour input read by a grey level, a downsampled level
// (read at 2x, so resampled), a 3x3 stencil on it, an upsampling read at
// x/2 (resampled), a grey ratio read pointwise by the colour output
// (broadcast over the channels) and a reduction with pure updates read
// pointwise.
var pyramid = &Pipeline{Name: "pyramid", OutExtents: []int{512, 512, 3}, Stages: []Func{
	{Name: "clamped", Vars: []string{"x", "y", "c"}, Consumers: []string{"gray", "out"}, Pointwise: true},
	{Name: "gray", Vars: []string{"x", "y"}, Consumers: []string{"down", "ratio"}, Resampled: true, Broadcast: true},
	{Name: "down", Vars: []string{"x", "y"}, Consumers: []string{"smooth"}},
	{Name: "smooth", Vars: []string{"x", "y"}, Consumers: []string{"up"}, Resampled: true},
	{Name: "up", Vars: []string{"x", "y"}, Consumers: []string{"sum"}, Pointwise: true},
	{Name: "sum", Vars: []string{"x", "y"}, Updates: 1, PureUpdates: true, RVars: []string{"r$x"}, Consumers: []string{"ratio"}, Pointwise: true},
	{Name: "ratio", Vars: []string{"x", "y"}, Consumers: []string{"out"}, Pointwise: true, Broadcast: true},
	{Name: "out", Vars: []string{"x", "y", "c"}},
}}

var colourPyramid = &Pipeline{Name: "cpyr", OutExtents: []int{256, 256, 3}, Stages: []Func{
	{Name: "down", Vars: []string{"x", "y", "c"}, Consumers: []string{"out"}, Resampled: true},
	{Name: "out", Vars: []string{"x", "y", "c"}},
}}

// Grouped inlines what is read pointwise (unless broadcast), makes
// resampled stages and non-pure reductions group roots, and computes
// stencil stages per tile of their group's root, which it tiles.
func TestGrouped(t *testing.T) {
	tests := []struct {
		p    *Pipeline
		want string
	}{
		{pyramid, "pyramid: clamped=inline gray=root,vec16,par down=tiles,vec16 smooth=root,tile(64x32),vec16,par up=inline sum=tiles,vec16,router ratio=tiles,vec16 out=root,tile(64x32),vec16,par"},
		// a stencil chain is one group over the output
		{chain, "chain: a=tiles,vec16 b=tiles,vec16 c=root,tile(32x32),vec16,par"},
		// the histogram (non-pure updates) and lum, read by two groups,
		// are roots
		{hist, "hist: lum=root,vec16,par hist=root,vec16,par out=root,tile(64x32),vec16,par"},
		// a reduction with pure updates runs its reduction loops outside
		// the vector loop; no output extents, no tile
		{conv, "conv: conv=tiles,vec16,router relu=root,vec16,par"},
		// a colour pyramid level is a root of its own, parallel over
		// its channels
		{colourPyramid, "cpyr: down=root,vec16,par,couter out=root,tile(64x32),vec16,par"},
	}
	for _, tt := range tests {
		t.Run(tt.p.Name, func(t *testing.T) {
			s := Grouped(tt.p)
			if s.String() != tt.want {
				t.Errorf("Grouped = %q\nwant      %q", s, tt.want)
			}
			if err := s.Check(); err != nil {
				t.Error(err)
			}
			if again, err := Parse(tt.p, s.String()); err != nil || again.String() != s.String() {
				t.Errorf("does not parse back: %v", err)
			}
		})
	}
}

// group-root and group-member edit the cursor stage as Grouped would;
// group-stages is Grouped in one step.
func TestGroupActions(t *testing.T) {
	applySteps(t, Default(pyramid), []actionStep{
		{"group-root", 2, true, "pyramid: down=root,vec16,par"},
		{"group-root", 2, false, "pyramid: down=root,vec16,par"},
		{"group-member", 2, true, "pyramid: down=tiles,vec16"},
		{"group-root", 5, true, "pyramid: down=tiles,vec16 sum=root,vec16,par,router"},
		{"group-member", 7, false, "pyramid: down=tiles,vec16 sum=root,vec16,par,router"}, // the output stays a root
		{"group-stages", 0, true, Grouped(pyramid).String()},
	})
}

// actionStep is one action applied at a cursor, whether it changes the
// schedule and the schedule after it.
type actionStep struct {
	action  string
	cursor  int
	changed bool
	want    string
}

// applySteps applies the steps to s in turn, checking each.
func applySteps(t *testing.T, s Schedule, steps []actionStep) {
	t.Helper()
	index := actionIndex()
	for _, st := range steps {
		_, changed, err := s.Apply(index[st.action], st.cursor)
		if err != nil || changed != st.changed || s.String() != st.want {
			t.Fatalf("%s at %d: changed %v (%v), schedule %q; want %v, %q", st.action, st.cursor, changed, err, s, st.changed, st.want)
		}
	}
}

func actionIndex() map[string]int {
	index := map[string]int{}
	for i, a := range Actions {
		index[a.Name] = i
	}
	return index
}

// conv64 is conv with the output extents of the catalog's conv_layer.
var conv64 = &Pipeline{Name: "conv", OutExtents: []int{64, 64, 16}, Stages: conv.Stages}

// Blocked register-blocks a reduction computed per tile of its group
// root, its block cut to the root's tile, and leaves a reduction computed
// per pixel of an untiled root as Grouped has it.
func TestBlocked(t *testing.T) {
	tests := []struct {
		p    *Pipeline
		want string
	}{
		{conv64, "conv: conv=tiles,tile(16x4),vec16,block,blockc2 relu=root,tile(16x16),vec16,par"},
		{conv, "conv: conv=tiles,vec16,router relu=root,vec16,par"},
		{pyramid, strings.Replace(Grouped(pyramid).String(), "sum=tiles,vec16,router", "sum=tiles,tile(32x4),vec16,block", 1)},
		{chain, Grouped(chain).String()},
	}
	for _, tt := range tests {
		s := Blocked(tt.p)
		if s.String() != tt.want {
			t.Errorf("Blocked = %q\nwant      %q", s, tt.want)
		}
		if err := s.Check(); err != nil {
			t.Error(err)
		}
	}
}

// register-block sets the cursor's reduction up as Adams2019 blocks a
// convolution; block-c needs order block; leaving order block drops the
// channel block.
func TestRegisterBlockActions(t *testing.T) {
	applySteps(t, Default(conv64), []actionStep{
		{"block-c=2", 0, false, "conv: default"},
		{"order=block", 0, false, "conv: default"},    // no tile yet
		{"register-block", 1, false, "conv: default"}, // relu has no updates
		{"register-block", 0, true, "conv: conv=root,tile(32x4),vec16,block"},
		{"block-c=2", 0, true, "conv: conv=root,tile(32x4),vec16,block,blockc2"},
		{"block-c=4", 0, true, "conv: conv=root,tile(32x4),vec16,block,blockc4"},
		{"unroll=2", 0, false, "conv: conv=root,tile(32x4),vec16,block,blockc4"},
		{"split-x=8", 0, false, "conv: conv=root,tile(32x4),vec16,block,blockc4"}, // narrower than a vector
		{"order=router", 0, true, "conv: conv=root,tile(32x4),vec16,router"},
		{"order=block", 0, true, "conv: conv=root,tile(32x4),vec16,block"},
	})
	// the indices of the actions before the register blocking stay put
	index := actionIndex()
	if index["order=couter"] != 44 || index["order=block"] != 45 || index["register-block"] != len(Actions)-1 {
		t.Errorf("order=couter at %d, order=block at %d, register-block at %d of %d", index["order=couter"], index["order=block"], index["register-block"], len(Actions))
	}
}

func TestHashFollowsString(t *testing.T) {
	a, _ := Parse(blur, "blur: blur_x=inline")
	b, _ := Parse(blur, "blur: blur_x=inline")
	c := Default(blur)
	if a.Hash() != b.Hash() || a.Hash() == c.Hash() {
		t.Errorf("hashes %x %x %x", a.Hash(), b.Hash(), c.Hash())
	}
}

func FuzzParse(f *testing.F) {
	f.Add("blur: blur_x=tiles,vec8 blur_y=root,tile(64x16),vec8,par")
	f.Add("blur: default")
	f.Add("blur: blur_x=rows,store_root,unroll2,swap")
	f.Add("blur: blur_y=root,tile(32x4),vec16,block,blockc2")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse(blur, text)
		if err != nil {
			return
		}
		again, err := Parse(blur, s.String())
		if err != nil || again.String() != s.String() {
			t.Fatalf("%q → %q → %q, %v", text, s.String(), again.String(), err)
		}
		_ = s.Directives()
		_ = s.CPP()
	})
}

// nlm is nl_means in small: a distance read through offsets, a box
// filter with pure updates, weights, and a weighted sum (a reduction with
// pure updates) read by every colour channel of the output.
var nlm = &Pipeline{Name: "nlm", OutExtents: []int{128, 128, 3}, Stages: []Func{
	{Name: "clamped", Vars: []string{"x", "y", "c"}, Consumers: []string{"dist", "sum"}, Resampled: true},
	{Name: "dist", Vars: []string{"x", "y", "dx", "dy"}, Consumers: []string{"blur"}},
	{Name: "blur", Vars: []string{"x", "y", "dx", "dy"}, Updates: 1, PureUpdates: true, RVars: []string{"p$x"}, Consumers: []string{"weight"}, Pointwise: true},
	{Name: "weight", Vars: []string{"x", "y", "dx", "dy"}, Consumers: []string{"sum"}, Pointwise: true, Broadcast: true},
	{Name: "sum", Vars: []string{"x", "y", "c"}, Updates: 1, PureUpdates: true, RVars: []string{"s$x", "s$y"}, Consumers: []string{"out"}, Pointwise: true, Broadcast: true},
	{Name: "out", Vars: []string{"x", "y", "c"}},
}}

// GroupedRows makes a reduction read by every channel a group root and
// computes the members per row of their root, untiled, as Mullapudi2016 places
// nl_means; a root with members keeps its channels inside its rows.
func TestGroupedRows(t *testing.T) {
	tests := []struct {
		p    *Pipeline
		want string
	}{
		{nlm, "nlm: clamped=root,vec16,par,couter dist=rows,vec16 blur=rows,vec16,router weight=rows,vec16 sum=root,vec16,par,router out=root,vec16,par"},
		{chain, "chain: a=rows,vec16 b=rows,vec16 c=root,vec16,par"},
	}
	for _, tt := range tests {
		s := GroupedRows(tt.p)
		if s.String() != tt.want {
			t.Errorf("GroupedRows = %q\nwant          %q", s, tt.want)
		}
		if err := s.Check(); err != nil {
			t.Error(err)
		}
	}
}
