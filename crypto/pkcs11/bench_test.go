//go:build cgo

package pkcs11

import (
	"fmt"
	"sync"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/miekg/pkcs11"
)

// BenchmarkSign measures signatures per second through the token with 1,
// 2 and 4 concurrent signers: "gostca" through Key.Sign (session pool,
// checks, verification of every signature), "raw" with C_SignInit/C_Sign
// in a loop on as many sessions, straight through miekg/pkcs11.
func BenchmarkSign(b *testing.B) {
	tok := NewSoftToken(b, "bench")
	m := tok.Open(b, &Options{Sessions: 4})
	k, err := m.GenerateKey(tok.URI("bench"), gost3410.ParamsCryptoProA(), tok.PIN, nil)
	if err != nil {
		b.Fatal(err)
	}
	digest := make([]byte, 32)
	for _, c := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("gostca/%d", c), func(b *testing.B) {
			run(b, c, func(int) error {
				_, err := k.Sign(nil, digest, nil)
				return err
			})
		})
	}
	ctx := m.lib.ctx
	mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(CKM_GOSTR3410, nil)}
	for _, c := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("raw/%d", c), func(b *testing.B) {
			sessions := make([]pkcs11.SessionHandle, c)
			for i := range sessions {
				if sessions[i], err = ctx.OpenSession(k.token.SlotID, pkcs11.CKF_SERIAL_SESSION); err != nil {
					b.Fatal(err)
				}
				defer ctx.CloseSession(sessions[i])
			}
			run(b, c, func(w int) error {
				if err := ctx.SignInit(sessions[w], mech, k.handle); err != nil {
					return err
				}
				_, err := ctx.Sign(sessions[w], digest)
				return err
			})
		})
	}
}

// run calls sign b.N times spread over c goroutines and reports
// signatures per second.
func run(b *testing.B, c int, sign func(worker int) error) {
	b.ResetTimer()
	var wg sync.WaitGroup
	for w := range c {
		n := b.N / c
		if w < b.N%c {
			n++
		}
		wg.Go(func() {
			for range n {
				if err := sign(w); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sig/s")
}
