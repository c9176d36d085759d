package pkcs11

import "errors"

// Sentinel errors. Returned errors wrap one of these (test with errors.Is)
// and say what was looked for; errors from the module also wrap its
// pkcs11.Error return value (github.com/miekg/pkcs11), for errors.As.
var (
	// ErrNotBuilt is returned by every operation of a binary built without
	// cgo, which cannot load a PKCS#11 module.
	ErrNotBuilt = errors.New("pkcs11: this binary was built without PKCS#11 support (cgo disabled); rebuild with CGO_ENABLED=1")
	// ErrModule means the module path does not name a loadable PKCS#11
	// library: the file is missing, cannot be loaded, has no
	// C_GetFunctionList, or C_Initialize failed.
	ErrModule = errors.New("pkcs11: unusable module")
	// ErrTokenNotFound means no token present matches the URI.
	ErrTokenNotFound = errors.New("pkcs11: token not found")
	// ErrKeyNotFound means the token holds no key matching the URI.
	ErrKeyNotFound = errors.New("pkcs11: key not found")
	// ErrAmbiguous means several tokens or keys match the URI; add
	// attributes (serial, slot-id, id) to single one out.
	ErrAmbiguous = errors.New("pkcs11: URI matches more than one object")
	// ErrKeyExists means GenerateKey found a key with the label or id
	// asked for already in the token.
	ErrKeyExists = errors.New("pkcs11: key already exists")
	// ErrPINRequired means the token needs a login and no PIN was given.
	ErrPINRequired = errors.New("pkcs11: PIN required")
	// ErrPINIncorrect means the token refused the PIN. The package never
	// retries a login, so one wrong PIN costs the token one attempt.
	ErrPINIncorrect = errors.New("pkcs11: incorrect PIN")
	// ErrPINLocked means the token's user PIN is locked (too many wrong
	// attempts); only its security officer can unlock it.
	ErrPINLocked = errors.New("pkcs11: PIN locked")
	// ErrMechanism means the token lacks a mechanism the operation needs;
	// the message names it.
	ErrMechanism = errors.New("pkcs11: mechanism not supported by the token")
	// ErrNotGOST means the key found is not a GOST R 34.10 key, or its
	// parameters are not a set this package knows.
	ErrNotGOST = errors.New("pkcs11: not a GOST R 34.10-2012 key")
	// ErrSessionLost means a session died (closed, device error, device
	// removed) and the one reopened in its place failed too.
	ErrSessionLost = errors.New("pkcs11: session lost")
	// ErrBadSignature means the token returned a signature that does not
	// verify with the key's public key. It is never returned to the
	// caller as a signature.
	ErrBadSignature = errors.New("pkcs11: token produced an invalid signature")
	// ErrClosed means the Module or Key was closed.
	ErrClosed = errors.New("pkcs11: use of closed module or key")
)
