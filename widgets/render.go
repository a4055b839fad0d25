package widgets

import (
	"fmt"
	"io"
	"math"
)

// Output says where the Render functions show what they draw.
type Output struct {
	// Display shows the result in a new block; nil means the notebook
	// under gonb and nothing otherwise, Headless forces nothing.
	Display Display
	// Dir, when set, receives the charts as SVG and PNG files and the
	// tables as HTML files, named after the name given to Render….
	Dir string
	// Text, when set, receives a plain-text summary (for terminals).
	Text io.Writer
}

// Shows reports whether out displays what is rendered into it (a notebook,
// or a display given) or writes it as text.
func (out Output) Shows() bool { return resolveDisplay(out.Display) != nil || out.Text != nil }

// show displays html in a new block of out's display.
func (out Output) show(html string) {
	if d := resolveDisplay(out.Display); d != nil {
		d.Update(newBlockID("static"), html)
	}
}

// showFigure displays the figure f of what (a chart kind) and writes its
// files; plotErr is the error of the Plot function that drew f, returned
// as is. Other errors say what was rendered.
func (out Output) showFigure(what, name string, f *Figure, plotErr error) error {
	if plotErr != nil {
		return plotErr
	}
	if err := out.writeFigure(name, f); err != nil {
		return fmt.Errorf("rendering %s %s: %w", what, name, err)
	}
	return nil
}

func (out Output) writeFigure(name string, f *Figure) error {
	if d := resolveDisplay(out.Display); d != nil {
		svg, err := f.SVG()
		if err != nil {
			return err
		}
		d.Update(newBlockID(name), svgToHTML(svg))
	}
	if out.Dir != "" {
		return f.WriteFiles(out.Dir, name)
	}
	return nil
}

// RenderCurves shows stored curves (one per run or arm) with the given
// style: what `%show RUN` draws for a search's learning curves.
func RenderCurves(out Output, name string, series []Series, style CurveStyle) error {
	if err := out.showFigure("curves", name, PlotCurves(series, style), nil); err != nil {
		return err
	}
	if out.Text != nil {
		for _, s := range series {
			best := math.NaN()
			for _, p := range s.Points {
				if math.IsNaN(best) || p.Best > best {
					best = p.Best
				}
			}
			if _, err := fmt.Fprintf(out.Text, "%s: best %s after %s\n", runLabel(s.Name), scoreText(best), Plural(len(s.Points), "episode")); err != nil {
				return fmt.Errorf("rendering curves %s: %w", name, err)
			}
		}
	}
	return nil
}

// RenderTimeToQuality shows the best quality so far of each method
// against wall time.
func RenderTimeToQuality(out Output, name, title string, series []Series) error {
	return out.showFigure("time to quality", name, PlotTimeToQuality(title, series), nil)
}

// RenderComparison shows the bar chart of c and, when c has overheads,
// the table of costs under it. Headless, Text receives the geomeans.
func RenderComparison(out Output, name string, c Comparison) error {
	f, err := PlotComparison(c)
	if err := out.showFigure("comparison", name, f, err); err != nil {
		return err
	}
	if len(c.Overhead) > 0 {
		html := OverheadHTML("search overhead", c.Overhead)
		out.show(html)
		if out.Dir != "" {
			if err := writeHTMLFile(out.Dir, name+"-overhead", html); err != nil {
				return fmt.Errorf("rendering comparison %s: %w", name, err)
			}
		}
	}
	if out.Text != nil {
		return WriteComparisonText(out.Text, c)
	}
	return nil
}

// RenderLeaderboard shows a final leaderboard of arms.
func RenderLeaderboard(out Output, name, title string, rows []ArmRow) error {
	html := LeaderboardHTML(title, rows)
	out.show(html)
	if out.Dir != "" {
		if err := writeHTMLFile(out.Dir, name, html); err != nil {
			return fmt.Errorf("rendering leaderboard %s: %w", name, err)
		}
	}
	if out.Text != nil {
		return WriteLeaderboardText(out.Text, title, rows)
	}
	return nil
}
