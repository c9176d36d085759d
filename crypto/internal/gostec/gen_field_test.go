package gostec

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGeneratedFieldUpToDate regenerates field_pm.go and field_pm_amd64.s
// with gen_field.go and compares them with the committed files, so that a
// hand edit or a generator change without "go generate" is caught.
func TestGeneratedFieldUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	dir := t.TempDir()
	if msg, err := exec.Command("go", "run", "gen_field.go", "-o", dir).CombinedOutput(); err != nil {
		t.Fatalf("go run gen_field.go: %v\n%s", err, msg)
	}
	for _, name := range []string{"field_pm.go", "field_pm_amd64.s"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what gen_field.go makes: run go generate", name)
		}
	}
}
