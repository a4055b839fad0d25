// Package cellmod prepares gonb's cell module (the go.mod in gonb's temporary
// directory) so that notebook cells can import the packages of the installed
// Supersonic checkout and gonb's gonbui with pinned versions, without any
// version-list look-up on the network.
//
// Prepare makes the cell module require every module the checkout requires,
// at the checkout's versions, plus the checkout itself replaced by its local
// directory, and copies the checkout's go.sum. gonb's `go get` before each
// cell then finds every import already resolved.
package cellmod

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
)

// localVersion is the pseudo-version required for the replaced checkout.
const localVersion = "v0.0.0-00010101000000-000000000000"

// Prepare rewrites cellDir/go.mod and cellDir/go.sum for the checkout at
// checkoutDir (a directory holding go.mod). It keeps the cell module's own
// path and any requirement the cell module already had that the checkout
// does not mention.
func Prepare(cellDir, checkoutDir string) error {
	checkoutDir, err := filepath.Abs(checkoutDir)
	if err != nil {
		return fmt.Errorf("locating the checkout: %w", err)
	}
	srcPath := filepath.Join(checkoutDir, "go.mod")
	srcData, err := os.ReadFile(srcPath)
	if err != nil {
		return fmt.Errorf("reading the checkout's go.mod (is %s a Supersonic checkout?): %w", checkoutDir, err)
	}
	src, err := modfile.Parse(srcPath, srcData, nil)
	if err != nil {
		return fmt.Errorf("parsing %s: %w", srcPath, err)
	}
	if src.Module == nil {
		return fmt.Errorf("%s declares no module", srcPath)
	}
	cellPath := filepath.Join(cellDir, "go.mod")
	cellData, err := os.ReadFile(cellPath)
	if err != nil {
		return fmt.Errorf("reading gonb's cell go.mod: %w", err)
	}
	cell, err := modfile.Parse(cellPath, cellData, nil)
	if err != nil {
		return fmt.Errorf("parsing %s: %w", cellPath, err)
	}
	if src.Go != nil {
		if err := cell.AddGoStmt(src.Go.Version); err != nil {
			return fmt.Errorf("setting the cell module's go version: %w", err)
		}
	}
	for _, r := range src.Require {
		if err := cell.AddRequire(r.Mod.Path, r.Mod.Version); err != nil {
			return fmt.Errorf("requiring %s: %w", r.Mod, err)
		}
	}
	self := src.Module.Mod.Path
	if err := cell.AddRequire(self, localVersion); err != nil {
		return fmt.Errorf("requiring %s: %w", self, err)
	}
	if err := cell.AddReplace(self, "", checkoutDir, ""); err != nil {
		return fmt.Errorf("replacing %s by %s: %w", self, checkoutDir, err)
	}
	for _, r := range src.Replace {
		newPath := r.New.Path
		if modfile.IsDirectoryPath(newPath) && !filepath.IsAbs(newPath) {
			newPath = filepath.Join(checkoutDir, newPath)
		}
		if err := cell.AddReplace(r.Old.Path, r.Old.Version, newPath, r.New.Version); err != nil {
			return fmt.Errorf("copying replace %s: %w", r.Old.Path, err)
		}
	}
	cell.Cleanup()
	out, err := cell.Format()
	if err != nil {
		return fmt.Errorf("formatting the cell go.mod: %w", err)
	}
	if err := writeAtomic(cellPath, out); err != nil {
		return err
	}
	return mergeSums(filepath.Join(cellDir, "go.sum"), filepath.Join(checkoutDir, "go.sum"))
}

// mergeSums adds the lines of from to the go.sum at to (created if needed).
func mergeSums(to, from string) error {
	add, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("reading the checkout's go.sum: %w", err)
	}
	have, err := os.ReadFile(to)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("reading the cell go.sum: %w", err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(have)+"\n"+string(add), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines[l] = true
		}
	}
	sorted := slices.Sorted(maps.Keys(lines))
	var b bytes.Buffer
	for _, l := range sorted {
		b.WriteString(l + "\n")
	}
	return writeAtomic(to, b.Bytes())
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".supersonic-tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replacing %s: %w", path, err)
	}
	return nil
}

// FindCheckout walks up from dir to the directory whose go.mod declares
// the module modulePath; it returns "" when there is none.
func FindCheckout(dir, modulePath string) string {
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && modfile.ModulePath(data) == modulePath {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
