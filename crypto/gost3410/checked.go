package gost3410

import (
	"crypto"
	"errors"
	"fmt"
	"io"

	"github.com/gostca/gostca/crypto/streebog"
)

// ErrSignatureCheck reports a signature that a signer returned and that
// does not verify with the public key it should belong to: a token with
// another key, or a faulty one.
var ErrSignatureCheck = errors.New("gost3410: the signature made does not verify with the signer's public key")

// SignMessage hashes message with the Streebog of pub's size (256 or 512
// bits, as X.509, CMS and OCSP signatures use), has signer sign the digest,
// and verifies the signature with pub before returning it, so that a
// faulty or mismatched signer (a token key, say) never yields a signature
// that will not verify. signer holds pub's private key. A failed check
// wraps ErrSignatureCheck.
func SignMessage(rand io.Reader, signer crypto.Signer, pub *PublicKey, message []byte) ([]byte, error) {
	var digest []byte
	if pub.Params().Size() == 64 {
		d := streebog.Sum512(message)
		digest = d[:]
	} else {
		d := streebog.Sum256(message)
		digest = d[:]
	}
	sig, err := signer.Sign(rand, digest, crypto.Hash(0))
	if err != nil {
		return nil, err
	}
	if err := pub.Verify(digest, sig); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSignatureCheck, err)
	}
	return sig, nil
}
