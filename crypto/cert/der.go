package cert

import (
	"bytes"
	"crypto"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/streebog"
)

// maxSerialOctets is the longest serial number RFC 5280 §4.1.2.2 allows
// (and the longest cRLNumber, §5.2.3), counted in DER content octets.
const maxSerialOctets = 20

// NewSerialNumber returns a random positive serial number whose DER
// encoding is exactly 20 octets: 160 bits from rand (a CSPRNG, normally
// crypto/rand.Reader) with the top bit cleared and the top octet non-zero.
func NewSerialNumber(rand io.Reader) (*big.Int, error) {
	buf := make([]byte, maxSerialOctets)
	for range 100 {
		if _, err := io.ReadFull(rand, buf); err != nil {
			return nil, fmt.Errorf("cert: reading randomness for a serial number: %w", err)
		}
		buf[0] &= 0x7f
		if buf[0] != 0 {
			return new(big.Int).SetBytes(buf), nil
		}
	}
	return nil, errors.New("cert: random source gave no usable serial number in 100 tries")
}

// derIntLen returns the number of DER content octets of a non-negative n.
func derIntLen(n *big.Int) int {
	return n.BitLen()/8 + 1
}

// checkSerial checks a certificate or CRL entry serial number.
func checkSerial(n *big.Int, what string) error {
	switch {
	case n == nil:
		return fmt.Errorf("cert: %s has no serial number", what)
	case n.Sign() <= 0:
		return fmt.Errorf("cert: %s serial number %v is not positive", what, n)
	case derIntLen(n) > maxSerialOctets:
		return fmt.Errorf("cert: %s serial number is %d octets, more than %d", what, derIntLen(n), maxSerialOctets)
	}
	return nil
}

// addTime writes t as UTCTime for the years 1950–2049 and GeneralizedTime
// otherwise (RFC 5280 §4.1.2.5), in whole seconds, UTC.
func addTime(b *cryptobyte.Builder, t time.Time) {
	t = t.UTC().Truncate(time.Second)
	if y := t.Year(); y >= 1950 && y < 2050 {
		b.AddASN1UTCTime(t)
		return
	}
	b.AddASN1GeneralizedTime(t)
}

func addAlgorithm(b *cryptobyte.Builder, alg SignatureAlgorithm) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(alg.oid())
	})
}

// signerKey returns the GOST key of signer and the algorithm it signs with.
func signerKey(signer crypto.Signer) (*gost3410.PublicKey, SignatureAlgorithm, error) {
	if signer == nil {
		return nil, 0, errors.New("cert: no signer")
	}
	pub, ok := signer.Public().(*gost3410.PublicKey)
	if !ok || pub == nil {
		return nil, 0, fmt.Errorf("cert: signer key is %T, not a GOST R 34.10-2012 key (*gost3410.PublicKey)", signer.Public())
	}
	switch pub.Params().Size() {
	case 32:
		return pub, GOST256, nil
	case 64:
		return pub, GOST512, nil
	}
	return nil, 0, fmt.Errorf("cert: unsupported GOST key size %d", pub.Params().Size())
}

func newDigest(alg SignatureAlgorithm) hash.Hash {
	if alg == GOST512 {
		return streebog.New512()
	}
	return streebog.New256()
}

func digestOf(alg SignatureAlgorithm, data []byte) []byte {
	h := newDigest(alg)
	h.Write(data)
	return h.Sum(nil)
}

// signAndWrap signs tbs with signer and returns the DER of
// SEQUENCE { tbs, algorithm, BIT STRING signature }. It verifies the
// signature with pub, the signer's public key, before returning.
func signAndWrap(rand io.Reader, signer crypto.Signer, pub *gost3410.PublicKey, alg SignatureAlgorithm, tbs []byte, what string) ([]byte, error) {
	sig, err := gost3410.SignMessage(rand, signer, pub, tbs)
	if err != nil {
		return nil, fmt.Errorf("cert: signing %s: %w", what, err)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		addAlgorithm(b, alg)
		b.AddASN1BitString(sig)
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("cert: encoding %s: %w", what, err)
	}
	return der, nil
}

// signed is the outer structure shared by certificates, CRLs and requests.
type signed struct {
	tbs       []byte
	algorithm SignatureAlgorithm
	signature []byte
}

// readSigned reads SEQUENCE { tbs SEQUENCE, AlgorithmIdentifier, BIT STRING }
// spanning all of der. A GOST algorithm must have absent or NULL parameters;
// any other algorithm is UnknownSignatureAlgorithm.
func readSigned(der []byte, what string) (*signed, error) {
	input := cryptobyte.String(der)
	var outer, tbs, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	var sig asn1.BitString
	if !input.ReadASN1(&outer, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("cert: malformed %s", what)
	}
	if !input.Empty() {
		return nil, fmt.Errorf("cert: trailing data after %s", what)
	}
	if !outer.ReadASN1Element(&tbs, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("cert: malformed %s: to-be-signed part", what)
	}
	if !outer.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, fmt.Errorf("cert: malformed %s: signature algorithm", what)
	}
	if !outer.ReadASN1BitString(&sig) || !outer.Empty() {
		return nil, fmt.Errorf("cert: malformed %s: signature", what)
	}
	out := &signed{tbs: tbs, signature: sig.RightAlign()}
	switch {
	case oid.Equal(oidSignGOST256):
		out.algorithm = GOST256
	case oid.Equal(oidSignGOST512):
		out.algorithm = GOST512
	default:
		return out, nil
	}
	if !alg.Empty() && !bytes.Equal(alg, []byte{0x05, 0x00}) {
		return nil, fmt.Errorf("cert: malformed %s: GOST signature algorithm with parameters", what)
	}
	return out, nil
}

// verifySignature checks sig over data with pub under alg.
func verifySignature(pub *gost3410.PublicKey, alg SignatureAlgorithm, data, sig []byte) error {
	if pub == nil {
		return errors.New("cert: no public key to verify with")
	}
	size := alg.keySize()
	if size == 0 {
		return fmt.Errorf("cert: cannot verify %v", alg)
	}
	if pub.Params().Size() != size {
		return fmt.Errorf("cert: %v signature cannot be made by a %d-bit key", alg, pub.Params().Bits())
	}
	if err := pub.Verify(digestOf(alg, data), sig); err != nil {
		return fmt.Errorf("cert: signature does not verify: %w", err)
	}
	return nil
}

// extensionBuilder collects the extensions of a certificate, request or
// CRL by OID, in order, with the errors of their encoders.
type extensionBuilder struct {
	list []pkix.Extension
	errs []error
}

// add appends an encoded extension, or records the error of its encoder.
func (eb *extensionBuilder) add(id asn1.ObjectIdentifier, critical bool, value []byte, err error) {
	if err != nil {
		eb.errs = append(eb.errs, err)
		return
	}
	eb.set(pkix.Extension{Id: id, Critical: critical, Value: value})
}

// set adds e; one with an OID already present replaces it in place.
func (eb *extensionBuilder) set(e pkix.Extension) {
	for i := range eb.list {
		if eb.list[i].Id.Equal(e.Id) {
			eb.list[i] = e
			return
		}
	}
	eb.list = append(eb.list, e)
}

// finish adds the template's ExtraExtensions, each replacing an extension
// of the same OID, and returns the list, or every encoder error joined.
func (eb *extensionBuilder) finish(extra []pkix.Extension) ([]pkix.Extension, error) {
	if err := errors.Join(eb.errs...); err != nil {
		return nil, err
	}
	for _, e := range extra {
		if len(e.Id) == 0 {
			return nil, errors.New("cert: extra extension without an OID")
		}
		eb.set(e)
	}
	return eb.list, nil
}

// addExtensions writes SEQUENCE OF Extension.
func addExtensions(b *cryptobyte.Builder, exts []pkix.Extension) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, e := range exts {
			if len(e.Id) == 0 {
				b.SetError(errors.New("cert: extension without an OID"))
				return
			}
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(e.Id)
				if e.Critical {
					b.AddASN1Boolean(true)
				}
				b.AddASN1OctetString(e.Value)
			})
		}
	})
}

// build runs f on a fresh builder and returns its bytes.
func build(f func(b *cryptobyte.Builder)) ([]byte, error) {
	var b cryptobyte.Builder
	f(&b)
	return b.Bytes()
}

func findExtension(exts []pkix.Extension, id asn1.ObjectIdentifier) *pkix.Extension {
	for i := range exts {
		if exts[i].Id.Equal(id) {
			return &exts[i]
		}
	}
	return nil
}
