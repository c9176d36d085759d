package pkcs12

import (
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// IsPFX reports whether data begins like a PFX: a DER SEQUENCE whose first
// element is the version 3 and whose second is a ContentInfo. It reads no
// further (Decode does), so that a caller can tell a PFX from a PKCS#8 key
// or a certificate before asking for a password.
func IsPFX(data []byte) bool {
	in := cryptobyte.String(data)
	var seq, info cryptobyte.String
	var version int64
	return in.ReadASN1(&seq, cbasn1.SEQUENCE) &&
		seq.ReadASN1Integer(&version) && version == 3 &&
		seq.ReadASN1(&info, cbasn1.SEQUENCE) && info.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER)
}
