package gostec

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedFieldUpToDate regenerates field_pm.go, field_pm_amd64.s and
// edwards_amd64.s with gen_field.go and compares them with the committed files, so that a
// hand edit or a generator change without "go generate" is caught.
func TestGeneratedFieldUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	dir := t.TempDir()
	if msg, err := exec.Command("go", "run", "gen_field.go", "-o", dir).CombinedOutput(); err != nil {
		t.Fatalf("go run gen_field.go: %v\n%s", err, msg)
	}
	for _, name := range []string{"field_pm.go", "field_pm_amd64.s", "edwards_amd64.s"} {
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

// TestFieldAssemblyStraightLine checks that the field assembly has no
// branch: every function is straight-line code ending in RET, so its timing
// cannot depend on the operands through control flow (its multiplications
// and additions are constant time on the CPUs that have MULX and ADX). The
// fused Edwards formulas of the verification are held to the same rule.
func TestFieldAssemblyStraightLine(t *testing.T) {
	for _, name := range []string{"field_pm_amd64.s", "edwards_amd64.s"} {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			f := strings.Fields(line)
			if len(f) > 0 && (strings.HasPrefix(f[0], "J") || f[0] == "CALL" || strings.HasPrefix(f[0], "CMOV") || strings.HasPrefix(f[0], "LOOP")) {
				t.Errorf("%s:%d: %s", name, i+1, strings.TrimSpace(line))
			}
		}
	}
}
