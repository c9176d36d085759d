// Package layout reads the package lists of gostca's README ("## Layout")
// and docs/architecture.md ("## Packages and layers"), which its test
// holds against go list: the documents must name every package, and only
// packages that exist, and no package may import from a layer above its
// own. It is a test harness: nothing imports it.
package layout

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Layers lists the layers from the bottom up; a package's layer is the
// first element of its path within the module. internal/ holds test
// harnesses, which no package but a test may import.
var Layers = []string{"crypto", "store", "ca", "cmd"}

// Rank returns the position of the layer of pkg (a module-relative path)
// in Layers, or -1 for internal/ and anything else.
func Rank(pkg string) int {
	top, _, _ := strings.Cut(pkg, "/")
	for i, l := range Layers {
		if l == top {
			return i
		}
	}
	return -1
}

// Section returns the first fenced code block after the Markdown heading
// (the whole heading line, e.g. "## Layout") in doc.
func Section(doc []byte, heading string) ([]string, error) {
	sc := bufio.NewScanner(bytes.NewReader(doc))
	var lines []string
	found, in := false, false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case !found && line == heading:
			found = true
		case found && !in && strings.HasPrefix(line, "```"):
			in = true
		case in && strings.HasPrefix(line, "```"):
			return lines, nil
		case in:
			lines = append(lines, line)
		}
	}
	if !found {
		return nil, fmt.Errorf("no %q heading", heading)
	}
	return nil, fmt.Errorf("no closed code block after %q", heading)
}

// Paths returns the first word of each line of a listing that names a
// module-relative path (a lower-case first word followed by a
// description; not a layer's heading, drawn with "─", nor a description's
// continuation, indented further), without a trailing slash.
func Paths(lines []string) []string {
	var out []string
	for _, line := range lines {
		f := strings.Fields(line)
		if len(f) < 2 || f[0][0] < 'a' || f[0][0] > 'z' || strings.Contains(line, "─") {
			continue // blank, a layer's heading, or a folder without words
		}
		// A description continues on an indented line under a package:
		// those lines start with more spaces than a package line.
		if indent := len(line) - len(strings.TrimLeft(line, " ")); indent > 2 {
			continue
		}
		out = append(out, strings.TrimSuffix(f[0], "/"))
	}
	return out
}
