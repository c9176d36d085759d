//go:build cgo

package pkcs11

import (
	"crypto"
	"fmt"
	"io"
	"sync"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/miekg/pkcs11"
)

// Key is a GOST R 34.10-2012 private key in a token: a crypto.Signer whose
// Public is a *gost3410.PublicKey. It is safe for concurrent use; up to
// Options.Sessions signatures run at once, each on its own session.
type Key struct {
	m          *Module
	token      Token
	label      string
	id         []byte
	uri        *URI
	pub        *gost3410.PublicKey
	mech       uint
	alwaysAuth bool

	sem  chan struct{}             // one slot per session in use
	free chan pkcs11.SessionHandle // idle sessions

	mu     sync.Mutex // guards the fields below
	handle pkcs11.ObjectHandle
	pin    []byte
	closed bool
}

// Public returns the key's *gost3410.PublicKey, read from the token's
// public key object (CKA_VALUE) and validated on the key's parameters.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// PublicKey returns the key's public half.
func (k *Key) PublicKey() *gost3410.PublicKey { return k.pub }

// Params returns the key's parameter set.
func (k *Key) Params() *gost3410.Params { return k.pub.Params() }

// URI returns a URI naming the key: token label and serial, object, id.
func (k *Key) URI() *URI { return k.uri.clone() }

// Sign signs digest, a Streebog digest of Params().Size() bytes exactly as
// the hash returns it, as gost3410.PrivateKey.Sign does, and returns s‖r,
// the octets of an X.509 signatureValue. The token computes the signature
// (CKM_GOSTR3410 or, for 512-bit keys, CKM_GOSTR3410_512) with its own
// randomness: rand is ignored. opts may be nil; otherwise its HashFunc
// must be 0.
//
// Every signature is verified with the public key before it is returned;
// one that does not verify yields ErrBadSignature. A session that died
// (closed, device error, device removed) is replaced once, logging in
// again if the token lost the login; a second failure yields
// ErrSessionLost.
func (k *Key) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	params := k.pub.Params()
	if opts != nil && opts.HashFunc() != 0 {
		return nil, fmt.Errorf("pkcs11: digest of %v given; sign a Streebog digest with crypto.Hash(0) as opts", opts.HashFunc())
	}
	if len(digest) != params.Size() {
		return nil, fmt.Errorf("pkcs11: %s key signs a %d-byte Streebog digest, got %d bytes", params, params.Size(), len(digest))
	}
	if err := k.m.rlock(); err != nil {
		return nil, err
	}
	defer k.m.mu.RUnlock()
	return k.sign(digest)
}

// sign is Sign without the argument checks and the Module's lock.
func (k *Key) sign(digest []byte) ([]byte, error) {
	k.sem <- struct{}{}
	defer func() { <-k.sem }()
	sig, err := k.signOnce(digest, false)
	if err != nil && sessionLost(err) {
		k.drain()
		first := err
		sig, err = k.signOnce(digest, true)
		if err != nil && sessionLost(err) {
			return nil, fmt.Errorf("%w: token %q, key %s: reopened after %w, then: %w", ErrSessionLost, k.token.Label, k.name(), first, err)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := k.pub.Verify(digest, sig); err != nil {
		return nil, fmt.Errorf("%w: token %q, key %s: %w", ErrBadSignature, k.token.Label, k.name(), err)
	}
	return sig, nil
}

func (k *Key) name() string { return describeKey(k.uri) }

// signOnce signs on one session: an idle one, or a new one when fresh
// (after a session was lost: the key is looked up again and, if the
// token lost the login, the user logs in again).
func (k *Key) signOnce(digest []byte, fresh bool) ([]byte, error) {
	s, handle, pin, err := k.session(fresh)
	if err != nil {
		return nil, err
	}
	sig, err := k.signOn(s, handle, pin, digest)
	if err != nil {
		// An error may leave an operation active or the session dead:
		// never reuse the session.
		k.m.be.CloseSession(s)
		return nil, err
	}
	k.put(s)
	return sig, nil
}

func (k *Key) signOn(s pkcs11.SessionHandle, handle pkcs11.ObjectHandle, pin, digest []byte) ([]byte, error) {
	if err := k.m.be.SignInit(s, []*pkcs11.Mechanism{pkcs11.NewMechanism(k.mech, nil)}, handle); err != nil {
		return nil, fmt.Errorf("pkcs11: token %q, key %s: C_SignInit(%s): %w", k.token.Label, k.name(), MechanismName(k.mech), rv(err))
	}
	if k.alwaysAuth {
		if pin == nil {
			return nil, fmt.Errorf("%w: token %q, key %s has CKA_ALWAYS_AUTHENTICATE", ErrPINRequired, k.token.Label, k.name())
		}
		if err := k.m.be.Login(s, pkcs11.CKU_CONTEXT_SPECIFIC, string(pin)); err != nil {
			return nil, loginError(k.token.Label, err)
		}
	}
	sig, err := k.m.be.Sign(s, digest)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: token %q, key %s: C_Sign(%s): %w", k.token.Label, k.name(), MechanismName(k.mech), rv(err))
	}
	if len(sig) != 2*k.pub.Params().Size() {
		return nil, fmt.Errorf("%w: token %q, key %s: %d-byte signature, want %d", ErrBadSignature, k.token.Label, k.name(), len(sig), 2*k.pub.Params().Size())
	}
	return sig, nil
}

// session returns a session to sign on, with the key's handle and PIN.
func (k *Key) session(fresh bool) (pkcs11.SessionHandle, pkcs11.ObjectHandle, []byte, error) {
	k.mu.Lock()
	closed, handle, pin := k.closed, k.handle, k.pin
	k.mu.Unlock()
	if closed {
		return 0, 0, nil, ErrClosed
	}
	if !fresh {
		select {
		case s := <-k.free:
			return s, handle, pin, nil
		default:
		}
	}
	s, err := k.m.openSession(k.token, false)
	if err != nil {
		return 0, 0, nil, err
	}
	if !fresh {
		return s, handle, pin, nil
	}
	// After a loss: log in again if the token forgot the login, and look
	// the key up again (its handle may have changed).
	if info, err := k.m.be.GetSessionInfo(s); err == nil && pin != nil &&
		info.State != pkcs11.CKS_RO_USER_FUNCTIONS && info.State != pkcs11.CKS_RW_USER_FUNCTIONS {
		if err := k.m.login(k.token, pin, true); err != nil {
			k.m.be.CloseSession(s)
			return 0, 0, nil, err
		}
	}
	objs, err := k.m.find(s, keyTemplate(pkcs11.CKO_PRIVATE_KEY, k.label, k.id), 2)
	if err == nil && len(objs) != 1 {
		err = fmt.Errorf("%w: token %q has %d private keys %s after reopening the session", ErrKeyNotFound, k.token.Label, len(objs), k.name())
	}
	if err != nil {
		k.m.be.CloseSession(s)
		return 0, 0, nil, err
	}
	k.mu.Lock()
	k.handle = objs[0]
	k.mu.Unlock()
	return s, objs[0], pin, nil
}

// put returns a session to the idle list, or closes it if k is closed.
func (k *Key) put(s pkcs11.SessionHandle) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		k.m.be.CloseSession(s)
		return
	}
	k.free <- s // never blocks: at most cap(sem) sessions exist
}

// drain closes the idle sessions, which a lost session suggests are lost
// too.
func (k *Key) drain() {
	for {
		select {
		case s := <-k.free:
			k.m.be.CloseSession(s)
		default:
			return
		}
	}
}

// Close waits for the key's signatures in flight, closes its sessions and
// clears its copy of the PIN. The key stays in the token.
func (k *Key) Close() error {
	if err := k.m.rlock(); err != nil {
		// The Module's Close has closed the sessions already.
		k.mu.Lock()
		k.closed = true
		k.mu.Unlock()
		return nil
	}
	defer k.m.mu.RUnlock()
	k.close()
	return nil
}

// close is Close under the Module's lock.
func (k *Key) close() {
	k.m.tokMu.Lock()
	if k.m.keys != nil {
		delete(k.m.keys, k)
	}
	k.m.tokMu.Unlock()
	for range cap(k.sem) {
		k.sem <- struct{}{}
	}
	k.closeSessions()
	for range cap(k.sem) {
		<-k.sem
	}
}

// closeSessions marks k closed, clears the PIN and closes the idle
// sessions; no signature may be in flight.
func (k *Key) closeSessions() {
	k.mu.Lock()
	k.closed = true
	clear(k.pin)
	k.pin = nil
	k.mu.Unlock()
	k.drain()
}
