package widgets

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/supersonic-rl/supersonic/rlcore"
)

// armNames are realistic names of search arms: algorithm, state, reward.
var armNames = []string{
	"ppo·autophase·ic-oz", "ppo·instcount·ic-delta", "dqn·autophase·ic-oz",
	"a2c·history(8)·ic-oz", "reinforce·instcount·ic-oz", "mcts·autophase·ic-delta",
	"qlearning·instcount·ic-oz", "dqn·history(8)·ic-delta", "a2c·autophase·ic-delta",
	"ppo·history(8)·ic-oz", "reinforce·autophase·ic-delta", "mcts·instcount·ic-oz",
}

// syntheticRun returns the events of one run of a learning arm: episodes
// of 45 steps whose quality rises towards a ceiling, with noise, and a
// final RunDone. Everything flows from seed.
func syntheticRun(seed uint64, name string, episodes int) []rlcore.Event {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	ceiling := 0.85 + 0.25*rng.Float64()
	tau := float64(episodes) * (0.1 + 0.4*rng.Float64())
	per := time.Duration(20+rng.IntN(30)) * time.Millisecond
	var out []rlcore.Event
	best := math.Inf(-1)
	for ep := 1; ep <= episodes; ep++ {
		q := ceiling*(1-math.Exp(-float64(ep)/tau)) + 0.08*rng.NormFloat64()
		best = math.Max(best, q)
		out = append(out, rlcore.Event{
			Kind: rlcore.EpisodeEnd, Run: name, Episode: ep, Step: 45 * ep,
			Elapsed: time.Duration(ep) * per, Quality: q, Return: q * 10, Best: best,
		})
	}
	last := out[len(out)-1]
	out = append(out, rlcore.Event{Kind: rlcore.RunDone, Run: name, Step: last.Step, Episode: episodes,
		Elapsed: last.Elapsed, Best: best, Status: rlcore.BudgetExhausted})
	return out
}

// syntheticSearch returns the runs of a search with the given arms,
// interleaved as a search with parallel workers would emit them.
func syntheticSearch(seed uint64, arms, episodes int) []rlcore.Event {
	runs := make([][]rlcore.Event, arms)
	for a := range runs {
		runs[a] = syntheticRun(seed+uint64(a), armName(a), episodes)
	}
	var out []rlcore.Event
	for i := 0; ; i++ {
		any := false
		for _, r := range runs {
			if i < len(r) {
				out = append(out, r[i])
				any = true
			}
		}
		if !any {
			return out
		}
	}
}

func armName(i int) string {
	if i < len(armNames) {
		return armNames[i]
	}
	return fmt.Sprintf("arm-%d", i)
}

// series turns events into stored curves, as a run store would keep them.
func seriesOf(events []rlcore.Event) []Series {
	idx := map[string]int{}
	var out []Series
	for _, e := range events {
		if e.Kind != rlcore.EpisodeEnd {
			continue
		}
		i, ok := idx[e.Run]
		if !ok {
			i = len(out)
			idx[e.Run] = i
			out = append(out, Series{Name: e.Run})
		}
		out[i].Points = append(out[i].Points, rlcore.CurvePoint{Step: e.Step, Episode: e.Episode,
			Elapsed: e.Elapsed, Return: e.Return, Quality: e.Quality, Best: e.Best})
	}
	return out
}

// svgDoc is what the tests read from an SVG chart.
type svgDoc struct {
	texts []string
	paths []svgPath
}

type svgPath struct {
	stroke, fill string
	points       int // drawing commands in d
}

// parseSVG parses an SVG document as XML and collects its texts and paths.
func parseSVG(t *testing.T, svg []byte) svgDoc {
	t.Helper()
	var doc svgDoc
	dec := xml.NewDecoder(strings.NewReader(string(svg)))
	var inText bool
	var root bool
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("chart is not well-formed XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "svg":
				root = true
			case "text":
				inText = true
				doc.texts = append(doc.texts, "")
			case "path":
				var p svgPath
				for _, a := range el.Attr {
					switch a.Name.Local {
					case "d":
						p.points = strings.Count(a.Value, "L") + strings.Count(a.Value, "M")
					case "style":
						p.stroke = styleValue(a.Value, "stroke")
						p.fill = styleValue(a.Value, "fill")
					}
				}
				doc.paths = append(doc.paths, p)
			}
		case xml.EndElement:
			if el.Name.Local == "text" {
				inText = false
			}
		case xml.CharData:
			if inText {
				doc.texts[len(doc.texts)-1] += string(el)
			}
		}
	}
	if !root {
		t.Fatal("chart has no <svg> element")
	}
	return doc
}

func styleValue(style, key string) string {
	for _, kv := range strings.Split(style, ";") {
		k, v, ok := strings.Cut(kv, ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func (d svgDoc) hasText(sub string) bool {
	for _, s := range d.texts {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// linesOf counts the long stroked paths (the data lines, not the legend
// thumbnails or ticks) of a colour.
func (d svgDoc) linesOf(color string, minPoints int) int {
	n := 0
	for _, p := range d.paths {
		if p.stroke == color && p.points >= minPoints {
			n++
		}
	}
	return n
}

func hexColor(i int) string {
	c := palette[i%len(palette)]
	return fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B)
}
