package interop

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"testing"
)

var chromiumFinder finder

// Chromium returns the Chromium browser (Debian's chromium, or $CHROME),
// for tests that drive pages with chromedp, or stops t through [Missing].
// Its Path is the executable.
func Chromium(t testing.TB) *Tool {
	t.Helper()
	return chromiumFinder.get(t, findChromium)
}

// Path returns the tool's executable.
func (o *Tool) Path() string { return o.path }

func findChromium() (*Tool, error) {
	path := os.Getenv("CHROME")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		return nil, fmt.Errorf("chromium not found (Debian: chromium)")
	}
	out, err := exec.Command(path, "--headless", "--no-sandbox", "--version").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s does not run: %v: %s", path, err, bytes.TrimSpace(out))
	}
	return &Tool{name: "chromium", path: path}, nil
}
