package cms_test

import (
	"crypto/sha256"
	"github.com/gostca/gostca/internal/testkit"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/gost3410"
)

// allocated runs f and returns the bytes the heap allocated meanwhile
// (runtime.MemStats.TotalAlloc: every allocation, freed or not).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestLargeStream signs a 256 MiB document streamed from a generator,
// detached and attached, and verifies both the same way (the attached one
// piped from SignAttached into ParseReader), checking that each pass
// allocates less than 4 MiB in all: the content is never held in memory.
// Under the race detector the document is 16 MiB.
func TestLargeStream(t *testing.T) {
	size := int64(256 << 20)
	if testkit.Race || testing.Short() {
		size = 16 << 20
	}
	const maxAlloc = 4 << 20
	s := newTestSigner(t, gost3410.ParamsCryptoProA(), "large")
	check := func(what string, f func()) {
		t.Helper()
		start := time.Now()
		if n := allocated(f); n > maxAlloc {
			t.Errorf("%s: %d bytes allocated for %d MiB, want under %d", what, n, size>>20, maxAlloc)
		} else {
			t.Logf("%s: %d MiB in %v, %d KiB allocated", what, size>>20, time.Since(start).Round(time.Millisecond), n>>10)
		}
	}

	var der []byte
	var err error
	check("SignDetached", func() { der, err = s.s.SignDetached(stream(size)) })
	if err != nil {
		t.Fatal(err)
	}
	sd := parse(t, der)
	check("Verify detached", func() { _, err = sd.Verify(stream(size), s.opts()) })
	if err != nil {
		t.Fatal(err)
	}

	// Attached: sign into a pipe that ParseReader reads, the content it
	// streams out hashed with SHA-256 to compare with the input.
	want := sha256.New()
	io.Copy(want, stream(size))
	got := sha256.New()
	check("SignAttached into ParseReader, then Verify", func() {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(s.s.SignAttached(pw, stream(size), size)) }()
		var streamed *cms.SignedData
		if streamed, err = cms.ParseReader(pr, got); err != nil {
			pr.CloseWithError(err)
			return
		}
		_, err = streamed.Verify(nil, s.opts())
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Sum(nil)) != string(want.Sum(nil)) {
		t.Fatal("ParseReader streamed other content")
	}
}
