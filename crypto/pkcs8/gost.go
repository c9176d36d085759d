package pkcs8

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	"github.com/gostca/gostca/crypto/gost28147"
	"github.com/gostca/gostca/crypto/internal/gostpbes2"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// gostCiphers maps the GOST Cipher options to their schemes.
var gostCiphers = map[Cipher]gostpbes2.Cipher{
	CipherGOST28147:              gostpbes2.GOST28147,
	CipherKuznyechikCTRACPKM:     gostpbes2.KuznyechikCTRACPKM,
	CipherMagmaCTRACPKM:          gostpbes2.MagmaCTRACPKM,
	CipherKuznyechikCTRACPKMOMAC: gostpbes2.KuznyechikCTRACPKMOMAC,
	CipherMagmaCTRACPKMOMAC:      gostpbes2.MagmaCTRACPKMOMAC,
}

// encryptGOST is Encrypt with one of the GOST ciphers.
func encryptGOST(rand io.Reader, privateKeyInfo, passphrase []byte, iterations, saltSize int, c gostpbes2.Cipher) ([]byte, error) {
	scheme, err := gostpbes2.New(rand, iterations, saltSize, c, gost28147.SBoxTC26Z())
	if err != nil {
		return nil, fmt.Errorf("pkcs8: %w", err)
	}
	ciphertext, err := scheme.Encrypt(passphrase, privateKeyInfo)
	if err != nil {
		return nil, fmt.Errorf("pkcs8: %w", err)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		scheme.AddAlgorithmIdentifier(b)
		b.AddASN1OctetString(ciphertext)
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("pkcs8: encoding EncryptedPrivateKeyInfo: %w", err)
	}
	return der, nil
}

// gostPBES2 reports whether der is an EncryptedPrivateKeyInfo with PBES2
// and a GOST cipher, and returns the PBES2 parameters and the ciphertext.
func gostPBES2(der []byte) (params, ciphertext []byte, ok bool) {
	input := cryptobyte.String(der)
	var epki, alg, ct cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !input.ReadASN1(&epki, cbasn1.SEQUENCE) || !input.Empty() ||
		!epki.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) ||
		!oid.Equal(gostpbes2.OIDPBES2) || !gostpbes2.IsGOST(alg) ||
		!epki.ReadASN1(&ct, cbasn1.OCTET_STRING) || !epki.Empty() {
		return nil, nil, false
	}
	return alg, ct, true
}

// decryptGOST is Decrypt for the GOST ciphers.
func decryptGOST(params, ciphertext, passphrase []byte, maxIterations int) ([]byte, error) {
	scheme, err := gostpbes2.Parse(params, maxIterations)
	if err != nil {
		return nil, fmt.Errorf("pkcs8: %w", err)
	}
	if len(ciphertext) == 0 {
		return nil, errors.New("pkcs8: empty encrypted data")
	}
	plaintext, err := scheme.Decrypt(passphrase, ciphertext)
	if errors.Is(err, gostpbes2.ErrMAC) {
		return nil, fmt.Errorf("%w (or the file was altered: its MAC does not match)", ErrIncorrectPassphrase)
	}
	if err != nil {
		return nil, fmt.Errorf("pkcs8: %w", err)
	}
	if !isPrivateKeyInfo(plaintext) {
		clear(plaintext)
		return nil, ErrIncorrectPassphrase
	}
	return plaintext, nil
}
