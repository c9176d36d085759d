package layout_test

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gostca/gostca/internal/layout"
)

const module = "github.com/gostca/gostca"

// pkg is what go list -json says of a package.
type pkg struct {
	ImportPath string
	Imports    []string
}

// goList returns the module's packages by module-relative path.
func goList(t *testing.T) map[string]pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := make(map[string]pkg)
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[rel(p.ImportPath)] = p
	}
	return pkgs
}

func rel(importPath string) string {
	return strings.TrimPrefix(strings.TrimPrefix(importPath, module), "/")
}

func readDoc(t *testing.T, name, heading string) []string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	lines, err := layout.Section(doc, heading)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return lines
}

// compare checks that listed names exactly the packages of go list.
func compare(t *testing.T, doc string, listed []string, pkgs map[string]pkg) {
	t.Helper()
	seen := make(map[string]bool)
	for _, p := range listed {
		if seen[p] {
			t.Errorf("%s lists %s twice", doc, p)
		}
		seen[p] = true
		if _, ok := pkgs[p]; !ok {
			t.Errorf("%s lists %s, which is not a package", doc, p)
		}
	}
	for p := range pkgs {
		if !seen[p] {
			t.Errorf("%s does not list the package %s", doc, p)
		}
	}
}

func TestDocumentsListEveryPackage(t *testing.T) {
	pkgs := goList(t)
	arch := layout.Paths(readDoc(t, "docs/architecture.md", "## Packages and layers"))
	compare(t, "docs/architecture.md", arch, pkgs)
	// The README also lists folders that hold no package.
	var readme []string
	for _, p := range layout.Paths(readDoc(t, "README.md", "## Layout")) {
		if p != "testdata" && p != "docs" {
			readme = append(readme, p)
		}
	}
	compare(t, "README.md", readme, pkgs)
}

// TestLayers checks that no package imports from a layer above its own,
// and none but tests import a test harness (internal/).
func TestLayers(t *testing.T) {
	for path, p := range goList(t) {
		for _, imp := range p.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			dep := rel(imp)
			switch {
			case strings.HasPrefix(path, "internal/"):
				// A harness may use any layer.
			case strings.HasPrefix(dep, "internal/"):
				t.Errorf("%s imports the test harness %s", path, dep)
			case layout.Rank(dep) > layout.Rank(path):
				t.Errorf("%s (layer %s) imports %s, a layer above", path, layer(path), dep)
			}
		}
	}
}

func layer(pkg string) string {
	if r := layout.Rank(pkg); r >= 0 {
		return layout.Layers[r]
	}
	return "internal"
}

func TestPaths(t *testing.T) {
	got := layout.Paths([]string{
		" cmd ─────",
		"  cmd/gostca                 the binary",
		"                             continued",
		"ca/                       the authority",
		"",
		"store/ the ledger",
	})
	want := []string{"cmd/gostca", "ca", "store"}
	if !slices.Equal(got, want) {
		t.Errorf("Paths = %q, want %q", got, want)
	}
	if _, err := layout.Section([]byte("# x\n"), "## Layout"); err == nil {
		t.Error("Section without the heading: no error")
	}
}
