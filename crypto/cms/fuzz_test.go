package cms_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/gostca/gostca/crypto/cms"
	"github.com/gostca/gostca/crypto/gost3410"
)

// FuzzParse feeds Parse and ParseReader the golden signatures and ours,
// mutated. Both must agree; whatever parses must re-parse from Raw to the
// same Raw, verify and co-sign without panicking, and the co-signed result
// must parse; whatever does not must fail with ErrMalformed.
func FuzzParse(f *testing.F) {
	for _, data := range goldenFiles(f) {
		f.Add(data)
	}
	s := newTestSigner(f, gost3410.ParamsCryptoProA(), "fuzz")
	f.Add(signDetached(f, s.s, []byte("fuzz")))
	f.Add(signAttached(f, s.s, []byte("fuzz")))
	opts := cms.VerifyOptions{NoChain: true, CurrentTime: time.Now()}
	f.Fuzz(func(t *testing.T, data []byte) {
		var streamed bytes.Buffer
		sdr, errr := cms.ParseReader(bytes.NewReader(data), &streamed)
		if errr != nil && !errors.Is(errr, cms.ErrMalformed) {
			t.Fatalf("ParseReader error does not wrap ErrMalformed: %v", errr)
		}
		sd, err := cms.Parse(data)
		if (err == nil) != (errr == nil) {
			t.Fatalf("Parse: %v, but ParseReader: %v", err, errr)
		}
		if err != nil {
			if !errors.Is(err, cms.ErrMalformed) {
				t.Fatalf("Parse error does not wrap ErrMalformed: %v", err)
			}
			return
		}
		if sdr.Detached != sd.Detached || len(sdr.SignerInfos) != len(sd.SignerInfos) || !bytes.Equal(streamed.Bytes(), sd.Content) {
			t.Fatal("Parse and ParseReader disagree")
		}
		again, err := cms.Parse(sd.Raw)
		if err != nil || !bytes.Equal(again.Raw, sd.Raw) {
			t.Fatalf("Raw does not parse to itself: %v", err)
		}
		_, _ = verify(sd, nil, opts)
		der, err := s.s.CoSign(sd, contentReader(sd, nil))
		if err != nil {
			return
		}
		co, err := cms.Parse(der)
		if err != nil {
			t.Fatalf("co-signed output does not parse: %v", err)
		}
		if len(co.SignerInfos) != len(sd.SignerInfos)+1 {
			t.Fatalf("%d signers after co-signing %d", len(co.SignerInfos), len(sd.SignerInfos))
		}
	})
}
