package pkcs12

import (
	"bytes"
	"crypto/hmac"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"
	"unicode/utf16"

	"github.com/gostca/gostca/crypto/internal/gostpbes2"
	"github.com/gostca/gostca/crypto/streebog"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// maxEncryptedData bounds the EncryptedData contents of a PFX, each a key
// derivation: with the bound on iteration counts, this bounds the work a
// hostile file can demand. Writers use one.
const maxEncryptedData = 4

// errMalformed is the error for structure that does not parse.
func errMalformed(what string) error { return errors.New("pkcs12: malformed " + what) }

// encrypted is a ciphertext with its parsed scheme: an EncryptedData's
// content or a shrouded key bag.
type encrypted struct {
	scheme     *gostpbes2.Scheme
	ciphertext []byte
}

// pfx is a PFX parsed down to what needs the password.
type pfx struct {
	authSafe   []byte // the MAC'd AuthenticatedSafe DER
	macHash    func() hash.Hash
	mac        []byte
	macSalt    []byte
	macIter    int
	plain      [][]byte     // SafeContents DER of the Data ContentInfos
	encData    []*encrypted // EncryptedData contents
	maxIterate int
}

// Decode opens a PFX with password (UTF-8) and returns the key, its
// certificate and the other certificates. A wrong password gives an error
// wrapping ErrIncorrectPassword, a MAC that fails although the password is
// right one wrapping ErrIntegrity.
func Decode(pfxDER, password []byte) (*Contents, error) {
	return decode(pfxDER, password, MaxIterations)
}

func decode(der, password []byte, maxIterations int) (*Contents, error) {
	p, err := parsePFX(der, maxIterations)
	if err != nil {
		return nil, err
	}
	if !p.macOK(password) {
		// Tell a wrong password from a damaged file: if the password
		// decrypts any content to what it should be, it is right.
		if p.passwordOpensSomething(password) {
			return nil, ErrIntegrity
		}
		return nil, ErrIncorrectPassword
	}
	return p.contents(password)
}

// parsePFX reads the PFX, its MacData and the AuthenticatedSafe's
// ContentInfos, and parses every encryption scheme (checking iteration
// counts) before anything is derived.
func parsePFX(der []byte, maxIterations int) (*pfx, error) {
	in := cryptobyte.String(der)
	var seq, authInfo, macData cryptobyte.String
	var version int64
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() ||
		!seq.ReadASN1Integer(&version) || !seq.ReadASN1(&authInfo, cbasn1.SEQUENCE) {
		return nil, errMalformed("PFX")
	}
	if version != 3 {
		return nil, fmt.Errorf("pkcs12: PFX version %d is not supported", version)
	}
	var contentType asn1.ObjectIdentifier
	var explicit, authSafe cryptobyte.String
	if !authInfo.ReadASN1ObjectIdentifier(&contentType) {
		return nil, errMalformed("authSafe")
	}
	if !contentType.Equal(oidData) {
		return nil, fmt.Errorf("pkcs12: authSafe content type %s is not supported (public-key integrity mode)", contentType)
	}
	if !authInfo.ReadASN1(&explicit, cbasn1.Tag(0).ContextSpecific().Constructed()) || !authInfo.Empty() ||
		!explicit.ReadASN1(&authSafe, cbasn1.OCTET_STRING) || !explicit.Empty() {
		return nil, errMalformed("authSafe")
	}
	if seq.Empty() {
		return nil, errors.New("pkcs12: the PFX has no MAC")
	}
	if !seq.ReadASN1(&macData, cbasn1.SEQUENCE) || !seq.Empty() {
		return nil, errMalformed("MacData")
	}
	p := &pfx{authSafe: authSafe, maxIterate: maxIterations}
	if err := p.parseMAC(macData); err != nil {
		return nil, err
	}

	var infos cryptobyte.String
	if !authSafe.ReadASN1(&infos, cbasn1.SEQUENCE) || !authSafe.Empty() {
		return nil, errMalformed("AuthenticatedSafe")
	}
	for !infos.Empty() {
		var info, content cryptobyte.String
		var ct asn1.ObjectIdentifier
		if !infos.ReadASN1(&info, cbasn1.SEQUENCE) || !info.ReadASN1ObjectIdentifier(&ct) ||
			!info.ReadASN1(&content, cbasn1.Tag(0).ContextSpecific().Constructed()) || !info.Empty() {
			return nil, errMalformed("ContentInfo")
		}
		switch {
		case ct.Equal(oidData):
			var octets cryptobyte.String
			if !content.ReadASN1(&octets, cbasn1.OCTET_STRING) || !content.Empty() {
				return nil, errMalformed("Data")
			}
			p.plain = append(p.plain, octets)
		case ct.Equal(oidEncryptedData):
			if len(p.encData) == maxEncryptedData {
				return nil, fmt.Errorf("pkcs12: more than %d EncryptedData contents", maxEncryptedData)
			}
			e, err := parseEncryptedData(content, maxIterations)
			if err != nil {
				return nil, err
			}
			p.encData = append(p.encData, e)
		default:
			return nil, fmt.Errorf("pkcs12: content type %s is not supported (public-key privacy mode)", ct)
		}
	}
	return p, nil
}

func (p *pfx) parseMAC(macData cryptobyte.String) error {
	var digestInfo, alg, mac, salt cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !macData.ReadASN1(&digestInfo, cbasn1.SEQUENCE) ||
		!digestInfo.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) ||
		!alg.SkipOptionalASN1(cbasn1.NULL) || !alg.Empty() ||
		!digestInfo.ReadASN1(&mac, cbasn1.OCTET_STRING) || !digestInfo.Empty() ||
		!macData.ReadASN1(&salt, cbasn1.OCTET_STRING) {
		return errMalformed("MacData")
	}
	iterations := int64(1)
	if !macData.Empty() && (!macData.ReadASN1Integer(&iterations) || !macData.Empty()) {
		return errMalformed("MacData")
	}
	switch {
	case oid.Equal(oidStreebog512):
		p.macHash = streebog.New512
	case oid.Equal(oidStreebog256):
		p.macHash = streebog.New256
	default:
		return fmt.Errorf("pkcs12: MAC digest %s is not supported (GOST PFX use Streebog)", oid)
	}
	if iterations < 1 || iterations > int64(p.maxIterate) {
		return fmt.Errorf("pkcs12: MAC %w: %d is outside 1 to %d", ErrIterations, iterations, p.maxIterate)
	}
	if len(mac) != p.macHash().Size() {
		return fmt.Errorf("pkcs12: MAC of %d bytes, want %d", len(mac), p.macHash().Size())
	}
	p.mac, p.macSalt, p.macIter = mac, salt, int(iterations)
	return nil
}

// parseEncryptedData reads an EncryptedData (RFC 5652 §8) with PBES2.
func parseEncryptedData(content cryptobyte.String, maxIterations int) (*encrypted, error) {
	var ed, eci, alg, ciphertext cryptobyte.String
	var version int64
	var ct asn1.ObjectIdentifier
	if !content.ReadASN1(&ed, cbasn1.SEQUENCE) || !content.Empty() ||
		!ed.ReadASN1Integer(&version) || !ed.ReadASN1(&eci, cbasn1.SEQUENCE) ||
		!eci.ReadASN1ObjectIdentifier(&ct) || !eci.ReadASN1(&alg, cbasn1.SEQUENCE) ||
		!eci.ReadASN1(&ciphertext, cbasn1.Tag(0).ContextSpecific()) || !eci.Empty() {
		return nil, errMalformed("EncryptedData")
	}
	if !ct.Equal(oidData) {
		return nil, fmt.Errorf("pkcs12: EncryptedData of content type %s", ct)
	}
	scheme, err := parseScheme(alg, maxIterations)
	if err != nil {
		return nil, fmt.Errorf("pkcs12: certificates: %w", err)
	}
	return &encrypted{scheme: scheme, ciphertext: ciphertext}, nil
}

// parseScheme reads the contents of a PBES2 AlgorithmIdentifier with a GOST
// cipher.
func parseScheme(alg cryptobyte.String, maxIterations int) (*gostpbes2.Scheme, error) {
	var oid asn1.ObjectIdentifier
	if !alg.ReadASN1ObjectIdentifier(&oid) {
		return nil, errMalformed("encryption AlgorithmIdentifier")
	}
	if !oid.Equal(gostpbes2.OIDPBES2) {
		return nil, fmt.Errorf("unsupported encryption scheme %s (GOST PFX use PBES2)", oid)
	}
	return gostpbes2.Parse(alg, maxIterations)
}

// macOK checks the MAC keyed as RFC 9548 says, then the RFC 7292 way.
func (p *pfx) macOK(password []byte) bool {
	key, err := gostMACKey(p.macHash, password, p.macSalt, p.macIter)
	if err == nil && p.checkMAC(key) {
		return true
	}
	return p.checkMAC(legacyMACKey(p.macHash, password, p.macSalt, p.macIter))
}

func (p *pfx) checkMAC(key []byte) bool {
	defer clear(key)
	m := hmac.New(p.macHash, key)
	m.Write(p.authSafe)
	return hmac.Equal(m.Sum(nil), p.mac)
}

// passwordOpensSomething reports whether password decrypts the first
// encrypted certificates or the first shrouded key of the file to a
// well-formed structure.
func (p *pfx) passwordOpensSomething(password []byte) bool {
	if len(p.encData) > 0 {
		e := p.encData[0]
		if b, err := e.scheme.Decrypt(password, e.ciphertext); err == nil && isSafeContents(b) {
			return true
		}
	}
	for _, sc := range p.plain {
		bags, err := parseSafeContents(sc, p.maxIterate)
		if err != nil {
			continue
		}
		for _, bag := range bags {
			if bag.key != nil {
				b, err := bag.key.scheme.Decrypt(password, bag.key.ciphertext)
				ok := err == nil && isPrivateKeyInfo(b)
				clear(b)
				return ok
			}
		}
	}
	return false
}

// bag is a parsed SafeBag of a kind Decode uses.
type bag struct {
	key        *encrypted // a shrouded key bag
	plainKey   []byte     // a key bag
	cert       []byte
	name       string
	localKeyID []byte
}

// contents decrypts and gathers the bags once the MAC is verified.
func (p *pfx) contents(password []byte) (*Contents, error) {
	var bags []bag
	for _, sc := range p.plain {
		b, err := parseSafeContents(sc, p.maxIterate)
		if err != nil {
			return nil, err
		}
		bags = append(bags, b...)
	}
	for _, e := range p.encData {
		sc, err := e.scheme.Decrypt(password, e.ciphertext)
		if errors.Is(err, gostpbes2.ErrMAC) {
			return nil, fmt.Errorf("%w (the MAC of the encrypted certificates does not match)", ErrIntegrity)
		}
		if err != nil {
			return nil, fmt.Errorf("pkcs12: decrypting certificates: %w", err)
		}
		b, err := parseSafeContents(sc, p.maxIterate)
		if err != nil {
			return nil, err
		}
		bags = append(bags, b...)
	}
	c := new(Contents)
	var certs []bag
	for _, b := range bags {
		switch {
		case b.cert != nil:
			certs = append(certs, b)
			continue
		case c.Key != nil:
			return nil, errors.New("pkcs12: more than one private key")
		}
		info := b.plainKey
		if b.key != nil {
			var err error
			info, err = b.key.scheme.Decrypt(password, b.key.ciphertext)
			if errors.Is(err, gostpbes2.ErrMAC) {
				return nil, fmt.Errorf("%w (the MAC of the key bag does not match)", ErrIntegrity)
			}
			if err != nil {
				return nil, fmt.Errorf("pkcs12: decrypting the key: %w", err)
			}
			defer clear(info)
		}
		key, err := parsePrivateKey(info)
		if err != nil {
			return nil, fmt.Errorf("pkcs12: the key: %w", err)
		}
		c.Key, c.FriendlyName, c.LocalKeyID = key, b.name, b.localKeyID
	}
	if c.Key == nil {
		return nil, errors.New("pkcs12: the PFX holds no private key")
	}
	for _, b := range certs {
		if c.Certificate == nil {
			if pub, err := certificateKey(b.cert); err == nil && pub.Equal(c.Key.Public()) {
				c.Certificate = b.cert
				continue
			}
		}
		c.Chain = append(c.Chain, b.cert)
	}
	return c, nil
}

// isSafeContents reports whether b is a DER SEQUENCE OF SEQUENCE, as a
// decrypted SafeContents must be.
func isSafeContents(b []byte) bool {
	in := cryptobyte.String(b)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return false
	}
	for !seq.Empty() {
		if !seq.SkipASN1(cbasn1.SEQUENCE) {
			return false
		}
	}
	return true
}

// isPrivateKeyInfo reports whether b is a DER PrivateKeyInfo in outline.
func isPrivateKeyInfo(b []byte) bool {
	in := cryptobyte.String(b)
	var info cryptobyte.String
	var version int64
	return in.ReadASN1(&info, cbasn1.SEQUENCE) && in.Empty() &&
		info.ReadASN1Integer(&version) && info.SkipASN1(cbasn1.SEQUENCE) &&
		info.SkipASN1(cbasn1.OCTET_STRING)
}

// parseSafeContents reads the bags Decode uses; others (CRL bags, secret
// bags, nested SafeContents) are skipped.
func parseSafeContents(der []byte, maxIterations int) ([]bag, error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errMalformed("SafeContents")
	}
	var bags []bag
	for !seq.Empty() {
		var sb, value, attrs cryptobyte.String
		var id asn1.ObjectIdentifier
		var hasAttrs bool
		if !seq.ReadASN1(&sb, cbasn1.SEQUENCE) || !sb.ReadASN1ObjectIdentifier(&id) ||
			!sb.ReadASN1(&value, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
			!sb.ReadOptionalASN1(&attrs, &hasAttrs, cbasn1.SET) || !sb.Empty() {
			return nil, errMalformed("SafeBag")
		}
		var b bag
		switch {
		case id.Equal(oidShroudedKeyBag):
			var epki, alg, ct cryptobyte.String
			if !value.ReadASN1(&epki, cbasn1.SEQUENCE) || !value.Empty() ||
				!epki.ReadASN1(&alg, cbasn1.SEQUENCE) || !epki.ReadASN1(&ct, cbasn1.OCTET_STRING) || !epki.Empty() {
				return nil, errMalformed("shrouded key bag")
			}
			scheme, err := parseScheme(alg, maxIterations)
			if err != nil {
				return nil, fmt.Errorf("pkcs12: key bag: %w", err)
			}
			b.key = &encrypted{scheme: scheme, ciphertext: ct}
		case id.Equal(oidKeyBag):
			var info cryptobyte.String
			if !value.ReadASN1Element(&info, cbasn1.SEQUENCE) || !value.Empty() {
				return nil, errMalformed("key bag")
			}
			b.plainKey = info
		case id.Equal(oidCertBag):
			var cb, certValue, cert cryptobyte.String
			var certType asn1.ObjectIdentifier
			if !value.ReadASN1(&cb, cbasn1.SEQUENCE) || !value.Empty() ||
				!cb.ReadASN1ObjectIdentifier(&certType) ||
				!cb.ReadASN1(&certValue, cbasn1.Tag(0).ContextSpecific().Constructed()) || !cb.Empty() ||
				!certValue.ReadASN1(&cert, cbasn1.OCTET_STRING) || !certValue.Empty() {
				return nil, errMalformed("certificate bag")
			}
			if !certType.Equal(oidX509Certificate) {
				continue // SDSI certificates
			}
			b.cert = bytes.Clone(cert)
		default:
			continue
		}
		if hasAttrs {
			if err := parseAttributes(attrs, &b); err != nil {
				return nil, err
			}
		}
		bags = append(bags, b)
	}
	return bags, nil
}

func parseAttributes(attrs cryptobyte.String, b *bag) error {
	for !attrs.Empty() {
		var attr, values cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !attrs.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) ||
			!attr.ReadASN1(&values, cbasn1.SET) || !attr.Empty() {
			return errMalformed("bag attributes")
		}
		switch {
		case oid.Equal(oidFriendlyName):
			var bmp cryptobyte.String
			if !values.ReadASN1(&bmp, cbasn1.Tag(30)) || len(bmp)%2 != 0 {
				return errMalformed("friendlyName")
			}
			u := make([]uint16, len(bmp)/2)
			for i := range u {
				u[i] = uint16(bmp[2*i])<<8 | uint16(bmp[2*i+1])
			}
			b.name = string(utf16.Decode(u))
		case oid.Equal(oidLocalKeyID):
			var id cryptobyte.String
			if !values.ReadASN1(&id, cbasn1.OCTET_STRING) {
				return errMalformed("localKeyId")
			}
			b.localKeyID = bytes.Clone(id)
		}
	}
	return nil
}
