// Package pkcs11 keeps GOST R 34.10-2012 keys in PKCS#11 tokens: it opens a
// module, lists its tokens and keys, generates key pairs in a token and
// signs with them through crypto.Signer, so that a CA's key never leaves its
// token.
//
// # Configuration
//
// A token and a key are named by a PKCS#11 URI (RFC 7512), parsed by
// [ParseURI]:
//
//	pkcs11:token=gostca;object=root-2025;id=%a1%b2?module-path=/usr/lib/x/libsofthsm2.so&pin-source=file:/etc/gostca/pin
//
// token, serial, manufacturer, model, slot-id and slot-description select
// the token; object (CKA_LABEL) and id (CKA_ID) the key; module-path is the
// library, which [Open] also takes as a plain path; pin-source says where
// the PIN is read from (file:PATH or env:NAME). A PIN is never part of the
// URI (pin-value is refused), so it stays out of argv and logs.
//
// # Keys and mechanisms
//
// 256-bit keys use the standard mechanisms (CKM_GOSTR3410_KEY_PAIR_GEN,
// CKM_GOSTR3410), key type CKK_GOSTR3410, CKA_GOSTR3410_PARAMS the DER of
// the parameter set's OID and CKA_GOSTR3411_PARAMS that of Streebog-256;
// 512-bit keys the TC26 vendor extension (CKK_GOSTR3410_512,
// CKM_GOSTR3410_512_KEY_PAIR_GEN, CKM_GOSTR3410_512). The package reads the
// token's mechanism list first and fails with [ErrMechanism], naming the
// mechanism, where the token lacks one (SoftHSM2, for one, has no 512-bit
// mechanisms). Generated private keys are CKA_TOKEN, CKA_PRIVATE,
// CKA_SENSITIVE and CKA_SIGN, and not CKA_EXTRACTABLE.
//
// The token signs the Streebog digest raw (CKM_GOSTR3410): the digest goes
// in exactly as the hash returns it, read by the token as a little-endian
// integer, and the signature comes back as s‖r with big-endian halves, the
// X.509 form (PKCS#11 v2.30; gost.md §5.4). That convention is checked,
// not assumed: every signature is verified with the public key before
// [Key.Sign] returns it, a new key signs once as a self-test, and a token
// with another convention fails with [ErrBadSignature] rather than produce
// a bad certificate.
//
// # Security
//
// A wrong PIN is tried once and reported as [ErrPINIncorrect]; nothing in
// the package retries a login, so it cannot lock a token. A [Key] keeps a
// copy of the PIN while open, for the context-specific login of keys with
// CKA_ALWAYS_AUTHENTICATE and to log in again after a token forgot the
// login; Close clears it (copies made by the Go runtime when the PIN is
// passed to the module as a string cannot be cleared). The package does
// not log and reads no file or environment variable but the pin-source it
// is given.
//
// # Sessions and concurrency
//
// [Module] and [Key] are safe for concurrent use. The application logs in
// once per token, on a session the Module keeps open (PKCS#11 ends a login
// with the last session). Each Key signs on a pool of up to
// [Options.Sessions] sessions (4 by default), so that concurrent signatures
// run on several sessions. A session that dies (CKR_SESSION_HANDLE_INVALID,
// CKR_DEVICE_ERROR, CKR_DEVICE_REMOVED, ...) is replaced once; a second
// failure returns [ErrSessionLost]. C_Initialize and C_Finalize act on the
// whole process: Modules of the same library share one initialisation, and
// the last Close finalises it. The package starts no goroutines.
//
// # Build
//
// The package needs cgo (it loads the module with dlopen, through
// github.com/miekg/pkcs11). Built without cgo, it compiles to a stub whose
// operations fail with [ErrNotBuilt], so the rest of gostca still builds.
//
// # Seam
//
// The package talks to the module only through an unexported interface of
// the calls it makes, which *pkcs11.Ctx implements; the tests put a fault
// injector there to kill sessions and fail devices.
package pkcs11
