package widgets

import (
	"strings"
	"sync"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// Display shows HTML blocks that can be replaced in place. Update with an
// id not seen before creates a new block; later Updates with that id
// replace it. Implementations must be safe for concurrent use.
type Display interface {
	Update(id, html string)
}

// Notebook is the Display of a cell run by gonb: its blocks are Jupyter
// display_data / update_display_data messages sent through gonbui.
type Notebook struct{}

// Update sends html to the block id of the running cell's output.
func (Notebook) Update(id, html string) { gonbui.UpdateHtml(id, html) }

// ShowWithText shows html as a new output of the running cell, with text as
// its plain-text form: a frontend that does not render HTML (jupyter
// console) prints text instead of showing nothing.
func (Notebook) ShowWithText(html, text string) {
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		protocol.MIMETextHTML: html, protocol.MIMETextPlain: text}})
}

// Flush waits until gonb has received every update sent so far, so that
// the final frame is not lost when the cell's program exits.
func (Notebook) Flush() { gonbui.Sync() }

// flush calls d's Flush method when it has one.
func flush(d Display) {
	if f, ok := d.(interface{ Flush() }); ok {
		f.Flush()
	}
}

// InNotebook reports whether the program runs inside a gonb notebook cell.
func InNotebook() bool { return gonbui.IsNotebook }

// Auto returns the Notebook display when the program runs in a gonb
// notebook, and nil otherwise (headless).
func Auto() Display {
	if InNotebook() {
		return Notebook{}
	}
	return nil
}

// Headless is a Display that shows nothing; put it in options to turn the
// in-cell output off even inside a notebook.
var Headless Display = headless{}

type headless struct{}

func (headless) Update(string, string) {}

// resolveDisplay maps the options' Display to the one to draw on: nil means
// Auto, Headless means none.
func resolveDisplay(d Display) Display {
	if d == nil {
		d = Auto()
	}
	if _, ok := d.(headless); ok {
		return nil
	}
	return d
}

// Memory is a Display that keeps the latest HTML of each block and counts
// updates. It is what tests, examples and servers that relay frames use.
type Memory struct {
	mu      sync.Mutex
	blocks  map[string]string
	order   []string
	updates int
}

// Update stores html as the content of block id.
func (m *Memory) Update(id, html string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.blocks == nil {
		m.blocks = make(map[string]string)
	}
	if _, ok := m.blocks[id]; !ok {
		m.order = append(m.order, id)
	}
	m.blocks[id] = html
	m.updates++
}

// Updates returns how many times Update was called.
func (m *Memory) Updates() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.updates
}

// Blocks returns the ids of the blocks in the order they were created.
func (m *Memory) Blocks() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.order...)
}

// Block returns the latest content of block id.
func (m *Memory) Block(id string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.blocks[id]
}

// newBlockID returns a fresh id for a display block.
func newBlockID(prefix string) string {
	return "supersonic_" + prefix + "_" + gonbui.UniqueId()
}

// svgToHTML strips the XML prolog of an SVG document so that it can be
// inlined in HTML, and wraps it in a div.
func svgToHTML(svg []byte) string {
	s := string(svg)
	if i := strings.Index(s, "<svg"); i >= 0 {
		// As wide as the output area (up to 1200 px), keeping the
		// aspect ratio of the viewBox.
		s = `<svg style="width:100%;max-width:1200px;height:auto"` + s[i+len("<svg"):]
	}
	return `<div class="supersonic-chart">` + s + `</div>`
}
