package cert

import (
	"crypto"
	"errors"
	"fmt"
	"io"
	"iter"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/gostca/gostca/crypto/gost3410"
)

// A CRL may list a million entries. CreateRevocationList therefore encodes
// the entries by hand in two passes over the sequence: the first checks
// every entry and adds up the encoded lengths, so that the second can write
// the whole CRL into one buffer of exactly its final size. Nothing else is
// allocated per entry, and the peak memory is the CRL itself.

// DER of the two entry extensions, up to their values.
var (
	// SEQUENCE { OID 2.5.29.21, OCTET STRING { ENUMERATED n } }
	reasonExtPrefix = []byte{0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15, 0x04, 0x03, 0x0a, 0x01}
	// SEQUENCE { OID 2.5.29.24, OCTET STRING { GeneralizedTime } }
	invalidityExtPrefix = []byte{0x30, 0x18, 0x06, 0x03, 0x55, 0x1d, 0x18, 0x04, 0x11, 0x18, 0x0f}
)

const (
	reasonExtLen     = 12 // len(reasonExtPrefix) + 1
	invalidityExtLen = 26 // len(invalidityExtPrefix) + 15
)

// derLenLen returns the size of the DER length field for a length of n.
func derLenLen(n int) int {
	switch {
	case n < 0x80:
		return 1
	case n < 0x100:
		return 2
	case n < 0x10000:
		return 3
	case n < 0x1000000:
		return 4
	}
	return 5
}

// appendDERLen appends the DER length field of n.
func appendDERLen(dst []byte, n int) []byte {
	k := derLenLen(n)
	if k == 1 {
		return append(dst, byte(n))
	}
	dst = append(dst, 0x80|byte(k-1))
	for i := k - 2; i >= 0; i-- {
		dst = append(dst, byte(n>>(8*i)))
	}
	return dst
}

// tlvLen is the size of a TLV with a one-octet tag and n octets of content.
func tlvLen(n int) int { return 1 + derLenLen(n) + n }

// timeLen is the size of t encoded by appendTime.
func timeLen(t time.Time) int {
	if y := t.UTC().Year(); y >= 1950 && y < 2050 {
		return 15
	}
	return 17
}

// appendTime appends t as UTCTime for 1950–2049 and GeneralizedTime
// otherwise, in whole seconds, UTC: the bytes addTime writes.
func appendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	if y := t.Year(); y >= 1950 && y < 2050 {
		dst = append(dst, 0x17, 13)
		dst = append2(dst, y%100)
	} else {
		dst = append(dst, 0x18, 15)
		dst = append2(append2(dst, y/100), y%100)
	}
	return appendTimeRest(dst, t)
}

// appendGeneralizedTime appends the 15 content octets of t as
// GeneralizedTime.
func appendGeneralizedTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	return appendTimeRest(append2(append2(dst, t.Year()/100), t.Year()%100), t)
}

func appendTimeRest(dst []byte, t time.Time) []byte {
	dst = append2(dst, int(t.Month()))
	dst = append2(dst, t.Day())
	dst = append2(dst, t.Hour())
	dst = append2(dst, t.Minute())
	dst = append2(dst, t.Second())
	return append(dst, 'Z')
}

func append2(dst []byte, v int) []byte { return append(dst, byte('0'+v/10), byte('0'+v%10)) }

// checkEntry checks one entry and returns the size of its encoding.
func checkEntry(e *RevocationEntry, delta bool) (int, error) {
	switch {
	case e.SerialNumber == nil || e.SerialNumber.Sign() <= 0:
		return 0, errors.New("cert: CRL entry without a positive serial number")
	case e.RevocationTime.IsZero():
		return 0, fmt.Errorf("cert: CRL entry %#x without a revocation time", e.SerialNumber)
	case e.RevocationTime.UTC().Year() > 9999 || (!e.InvalidityDate.IsZero() && (e.InvalidityDate.UTC().Year() > 9999 || e.InvalidityDate.UTC().Year() < 1000)) || e.RevocationTime.UTC().Year() < 1000:
		return 0, fmt.Errorf("cert: CRL entry %#x has a date that cannot be encoded", e.SerialNumber)
	case !e.ReasonCode.valid():
		return 0, fmt.Errorf("cert: CRL entry %#x has an unknown reason code %d", e.SerialNumber, int(e.ReasonCode))
	case e.ReasonCode == ReasonRemoveFromCRL && !delta:
		return 0, fmt.Errorf("cert: CRL entry %#x: removeFromCRL is only for a delta CRL", e.SerialNumber)
	}
	return tlvLen(entryContentLen(e)), nil
}

// entryExtsLen is the size of the crlEntryExtensions content.
func entryExtsLen(e *RevocationEntry) int {
	n := 0
	if e.ReasonCode != ReasonUnspecified {
		n += reasonExtLen
	}
	if !e.InvalidityDate.IsZero() {
		n += invalidityExtLen
	}
	return n
}

func entryContentLen(e *RevocationEntry) int {
	n := tlvLen(derIntLen(e.SerialNumber)) + timeLen(e.RevocationTime)
	if x := entryExtsLen(e); x > 0 {
		n += tlvLen(x)
	}
	return n
}

// appendEntry appends the revokedCertificates entry of a checked e.
func appendEntry(dst []byte, e *RevocationEntry) []byte {
	dst = append(dst, 0x30)
	dst = appendDERLen(dst, entryContentLen(e))
	serialLen := derIntLen(e.SerialNumber)
	dst = append(dst, 0x02)
	dst = appendDERLen(dst, serialLen)
	start := len(dst)
	dst = append(dst, make([]byte, serialLen)...)
	e.SerialNumber.FillBytes(dst[start:])
	dst = appendTime(dst, e.RevocationTime)
	if x := entryExtsLen(e); x > 0 {
		dst = append(dst, 0x30)
		dst = appendDERLen(dst, x)
		if e.ReasonCode != ReasonUnspecified {
			dst = append(append(dst, reasonExtPrefix...), byte(e.ReasonCode))
		}
		if !e.InvalidityDate.IsZero() {
			dst = appendGeneralizedTime(append(dst, invalidityExtPrefix...), e.InvalidityDate)
		}
	}
	return dst
}

// errEntriesChanged reports a sequence that gave different entries on its
// two passes.
var errEntriesChanged = errors.New("cert: the CRL entries changed between the two passes over them")

// writeCRL assembles and signs a CRL: head holds the TBS fields before
// revokedCertificates (version to nextUpdate) and tail the [0] extensions.
func writeCRL(rand io.Reader, signer crypto.Signer, pub *gost3410.PublicKey, alg SignatureAlgorithm,
	head []byte, entries iter.Seq[RevocationEntry], delta bool, tail []byte) ([]byte, error) {
	count, entriesLen := 0, 0
	if entries != nil {
		for e := range entries {
			n, err := checkEntry(&e, delta)
			if err != nil {
				return nil, fmt.Errorf("%w (entry %d)", err, count+1)
			}
			count++
			entriesLen += n
		}
	}
	tbsContent := len(head) + len(tail)
	if count > 0 {
		tbsContent += tlvLen(entriesLen)
	}
	algDER, err := build(func(b *cryptobyte.Builder) { addAlgorithm(b, alg) })
	if err != nil {
		return nil, fmt.Errorf("cert: encoding CRL: %w", err)
	}
	sigLen := 2 * pub.Params().Size()
	outerContent := tlvLen(tbsContent) + len(algDER) + tlvLen(sigLen+1)
	total := tlvLen(outerContent)

	out := make([]byte, 0, total)
	out = appendDERLen(append(out, 0x30), outerContent)
	tbsStart := len(out)
	out = appendDERLen(append(out, 0x30), tbsContent)
	out = append(out, head...)
	if count > 0 {
		out = appendDERLen(append(out, 0x30), entriesLen)
		want := len(out) + entriesLen
		seen := 0
		for e := range entries {
			if seen == count {
				return nil, errEntriesChanged
			}
			if _, err := checkEntry(&e, delta); err != nil {
				return nil, errEntriesChanged
			}
			out = appendEntry(out, &e)
			seen++
		}
		if seen != count || len(out) != want {
			return nil, errEntriesChanged
		}
	}
	out = append(out, tail...)
	tbs := out[tbsStart:]

	sig, err := gost3410.SignMessage(rand, signer, pub, tbs)
	if err != nil {
		return nil, fmt.Errorf("cert: signing CRL: %w", err)
	}
	if len(sig) != sigLen {
		return nil, fmt.Errorf("cert: the signer returned a %d-byte signature, want %d", len(sig), sigLen)
	}
	out = append(out, algDER...)
	out = appendDERLen(append(out, 0x03), sigLen+1)
	out = append(append(out, 0), sig...)
	if len(out) != total {
		return nil, fmt.Errorf("cert: internal error: CRL is %d bytes, computed %d", len(out), total)
	}
	return out, nil
}
