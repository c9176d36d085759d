package pkcs11

import (
	"fmt"

	"github.com/gostca/gostca/crypto/gost3410"
)

// Options configure a Module. A nil *Options means the defaults.
type Options struct {
	// Sessions is the number of sessions each Key may use at once, so
	// the number of signatures a Key computes concurrently; 0 means 4.
	// Sessions are opened on demand and kept for reuse until the Key is
	// closed.
	Sessions int
}

func (o *Options) sessions() int {
	if o == nil || o.Sessions <= 0 {
		return 4
	}
	return o.Sessions
}

// KeyOptions adjust GenerateKey. A nil *KeyOptions means the defaults.
type KeyOptions struct {
	// AlwaysAuthenticate sets CKA_ALWAYS_AUTHENTICATE on the private key:
	// the token then wants the PIN again (a context-specific login) for
	// every signature, which the Key gives from the PIN it was opened
	// with. Default false.
	AlwaysAuthenticate bool
}

// Token describes a token present in a slot, for listing (gostca token
// list).
type Token struct {
	SlotID          uint
	SlotDescription string
	Label           string
	Manufacturer    string
	Model           string
	Serial          string
	// Flags are the token's CKF_ flags (CK_TOKEN_INFO.flags); the
	// methods below read the ones that matter to a CA.
	Flags      uint
	Mechanisms []Mechanism
}

// Token flags (PKCS#11 v2.40 CK_TOKEN_INFO), as reported by Token.Flags.
const (
	FlagLoginRequired      = 0x00000004 // CKF_LOGIN_REQUIRED
	FlagUserPINInitialized = 0x00000008 // CKF_USER_PIN_INITIALIZED
	FlagTokenInitialized   = 0x00000400 // CKF_TOKEN_INITIALIZED
	FlagUserPINCountLow    = 0x00010000 // CKF_USER_PIN_COUNT_LOW
	FlagUserPINFinalTry    = 0x00020000 // CKF_USER_PIN_FINAL_TRY
	FlagUserPINLocked      = 0x00040000 // CKF_USER_PIN_LOCKED
)

// URI returns a URI naming the token by label and serial.
func (t *Token) URI() *URI { return &URI{Token: t.Label, Serial: t.Serial} }

// HasMechanism reports whether the token lists mechanism m.
func (t *Token) HasMechanism(m uint) bool {
	for _, x := range t.Mechanisms {
		if x.Type == m {
			return true
		}
	}
	return false
}

// Supports returns nil if the token lists the mechanisms this package
// needs to generate and use keys of the given size (256 or 512 bits), and
// otherwise an error wrapping ErrMechanism naming the first missing one.
func (t *Token) Supports(bits int) error {
	gen, sign, err := mechanismsFor(bits)
	if err != nil {
		return err
	}
	for _, m := range []uint{gen, sign} {
		if !t.HasMechanism(m) {
			return missingMechanism(t.Label, m, bits)
		}
	}
	return nil
}

// Mechanism is one entry of a token's mechanism list, with its
// CK_MECHANISM_INFO.
type Mechanism struct {
	Type       uint
	MinKeySize uint
	MaxKeySize uint
	Flags      uint
}

// Name returns the mechanism's PKCS#11 name for the GOST mechanisms
// (standard and TC26 vendor-defined) and a few common ones, or its
// number in hex.
func (m Mechanism) Name() string { return MechanismName(m.Type) }

// KeyInfo describes a GOST key pair in a token, for listing (gostca token
// keys).
type KeyInfo struct {
	Label  string
	ID     []byte
	Params *gost3410.Params
	// Public is nil when the token holds no public key object for the
	// private key.
	Public *gost3410.PublicKey
	// The private key's attributes.
	Sensitive, Extractable, AlwaysAuthenticate, Sign bool
	// URI names the key (token, serial, object, id).
	URI *URI
}

// GOST mechanisms, key types and attributes: PKCS#11 v2.30 and the TC26
// vendor extension (docs: gost.md §5.1, §5.2).
const (
	CKK_GOSTR3410     = 0x00000030
	CKK_GOSTR3410_512 = 0xD4321003 // TC26

	CKA_GOSTR3410_PARAMS = 0x00000250
	CKA_GOSTR3411_PARAMS = 0x00000251

	CKM_GOSTR3410_KEY_PAIR_GEN          = 0x00001200
	CKM_GOSTR3410                       = 0x00001201
	CKM_GOSTR3410_WITH_GOSTR3411        = 0x00001202
	CKM_GOSTR3410_KEY_WRAP              = 0x00001203
	CKM_GOSTR3410_DERIVE                = 0x00001204
	CKM_GOSTR3411                       = 0x00001210
	CKM_GOSTR3411_HMAC                  = 0x00001211
	CKM_GOST28147_KEY_GEN               = 0x00001220
	CKM_GOST28147_ECB                   = 0x00001221
	CKM_GOST28147                       = 0x00001222
	CKM_GOST28147_MAC                   = 0x00001223
	CKM_GOST28147_KEY_WRAP              = 0x00001224
	CKM_GOSTR3410_512_KEY_PAIR_GEN      = 0xD4321005 // TC26
	CKM_GOSTR3410_512                   = 0xD4321006 // TC26
	CKM_GOSTR3410_12_DERIVE             = 0xD4321007 // TC26
	CKM_GOSTR3410_WITH_GOSTR3411_12_256 = 0xD4321008 // TC26
	CKM_GOSTR3410_WITH_GOSTR3411_12_512 = 0xD4321009 // TC26
	CKM_GOSTR3411_12_256                = 0xD4321012 // TC26
	CKM_GOSTR3411_12_512                = 0xD4321013 // TC26
	CKM_GOSTR3411_12_256_HMAC           = 0xD4321014 // TC26
	CKM_GOSTR3411_12_512_HMAC           = 0xD4321015 // TC26
)

var mechanismNames = map[uint]string{
	CKM_GOSTR3410_KEY_PAIR_GEN:          "CKM_GOSTR3410_KEY_PAIR_GEN",
	CKM_GOSTR3410:                       "CKM_GOSTR3410",
	CKM_GOSTR3410_WITH_GOSTR3411:        "CKM_GOSTR3410_WITH_GOSTR3411",
	CKM_GOSTR3410_KEY_WRAP:              "CKM_GOSTR3410_KEY_WRAP",
	CKM_GOSTR3410_DERIVE:                "CKM_GOSTR3410_DERIVE",
	CKM_GOSTR3411:                       "CKM_GOSTR3411",
	CKM_GOSTR3411_HMAC:                  "CKM_GOSTR3411_HMAC",
	CKM_GOST28147_KEY_GEN:               "CKM_GOST28147_KEY_GEN",
	CKM_GOST28147_ECB:                   "CKM_GOST28147_ECB",
	CKM_GOST28147:                       "CKM_GOST28147",
	CKM_GOST28147_MAC:                   "CKM_GOST28147_MAC",
	CKM_GOST28147_KEY_WRAP:              "CKM_GOST28147_KEY_WRAP",
	CKM_GOSTR3410_512_KEY_PAIR_GEN:      "CKM_GOSTR3410_512_KEY_PAIR_GEN",
	CKM_GOSTR3410_512:                   "CKM_GOSTR3410_512",
	CKM_GOSTR3410_12_DERIVE:             "CKM_GOSTR3410_12_DERIVE",
	CKM_GOSTR3410_WITH_GOSTR3411_12_256: "CKM_GOSTR3410_WITH_GOSTR3411_12_256",
	CKM_GOSTR3410_WITH_GOSTR3411_12_512: "CKM_GOSTR3410_WITH_GOSTR3411_12_512",
	CKM_GOSTR3411_12_256:                "CKM_GOSTR3411_12_256",
	CKM_GOSTR3411_12_512:                "CKM_GOSTR3411_12_512",
	CKM_GOSTR3411_12_256_HMAC:           "CKM_GOSTR3411_12_256_HMAC",
	CKM_GOSTR3411_12_512_HMAC:           "CKM_GOSTR3411_12_512_HMAC",
	0x00000000:                          "CKM_RSA_PKCS_KEY_PAIR_GEN",
	0x00000001:                          "CKM_RSA_PKCS",
	0x00000040:                          "CKM_SHA256_RSA_PKCS",
	0x00000220:                          "CKM_SHA_1",
	0x00000250:                          "CKM_SHA256",
	0x00000270:                          "CKM_SHA512",
	0x00001040:                          "CKM_EC_KEY_PAIR_GEN",
	0x00001041:                          "CKM_ECDSA",
	0x00001050:                          "CKM_ECDH1_DERIVE",
	0x00001080:                          "CKM_AES_KEY_GEN",
}

// MechanismName returns the PKCS#11 name of mechanism m if the package
// knows it, and otherwise m in hex.
func MechanismName(m uint) string {
	if n, ok := mechanismNames[m]; ok {
		return n
	}
	return fmt.Sprintf("0x%08x", m)
}

// mechanismsFor returns the key pair generation and raw signing
// mechanisms for keys of the given size.
func mechanismsFor(bits int) (gen, sign uint, err error) {
	switch bits {
	case 256:
		return CKM_GOSTR3410_KEY_PAIR_GEN, CKM_GOSTR3410, nil
	case 512:
		return CKM_GOSTR3410_512_KEY_PAIR_GEN, CKM_GOSTR3410_512, nil
	}
	return 0, 0, fmt.Errorf("pkcs11: no GOST R 34.10-2012 keys of %d bits", bits)
}

func missingMechanism(token string, m uint, bits int) error {
	return fmt.Errorf("%w: token %q lacks %s (0x%08x), needed for %d-bit GOST R 34.10-2012 keys",
		ErrMechanism, token, MechanismName(m), m, bits)
}
