//go:build cgo

package pkcs11

import (
	"crypto/rand"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/miekg/pkcs11"
)

// Module is an open PKCS#11 library. It is safe for concurrent use.
type Module struct {
	lib  *library
	be   backend
	path string
	opts Options

	// mu is held for reading by every operation that calls the module
	// and for writing by Close, so that C_Finalize never runs under a
	// call in flight.
	mu     sync.RWMutex
	closed bool

	tokMu  sync.Mutex
	logins map[uint]*login // by slot
	keys   map[*Key]struct{}
}

// login is the login state of one token. Its session stays open while the
// Module is: PKCS#11 ends a login when the application's last session
// with the token closes.
type login struct {
	session pkcs11.SessionHandle
}

// Open loads the PKCS#11 library module (a path, or a PKCS#11 URI whose
// module-path names it) and initialises it. opts may be nil. Several
// Modules of one library share its initialisation; the last Close
// finalises it.
func Open(module string, opts *Options) (*Module, error) {
	path := module
	if strings.HasPrefix(strings.ToLower(module), "pkcs11:") {
		u, err := ParseURI(module)
		if err != nil {
			return nil, err
		}
		path = u.ModulePath
	}
	lib, err := loadLibrary(path)
	if err != nil {
		return nil, err
	}
	m := &Module{lib: lib, be: lib.ctx, path: path, logins: map[uint]*login{}, keys: map[*Key]struct{}{}}
	m.opts.Sessions = opts.sessions()
	return m, nil
}

// Close closes every Key opened through m and every session, and
// finalises the library if no other Module uses it. Keys in the token are
// unaffected.
func (m *Module) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	m.tokMu.Lock()
	keys := m.keys
	m.keys = nil
	for _, l := range m.logins {
		m.be.CloseSession(l.session)
	}
	m.logins = nil
	m.tokMu.Unlock()
	for k := range keys {
		k.closeSessions()
	}
	return m.lib.release()
}

// rlock takes m.mu for reading, failing if m is closed.
func (m *Module) rlock() error {
	m.mu.RLock()
	if m.closed {
		m.mu.RUnlock()
		return ErrClosed
	}
	return nil
}

// Tokens lists the tokens present, with their mechanisms.
func (m *Module) Tokens() ([]Token, error) {
	if err := m.rlock(); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	slots, err := m.be.GetSlotList(true)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: listing slots: %w", rv(err))
	}
	var tokens []Token
	for _, slot := range slots {
		t, err := m.token(slot, true)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, t)
	}
	return tokens, nil
}

func (m *Module) token(slot uint, mechanisms bool) (Token, error) {
	si, err := m.be.GetSlotInfo(slot)
	if err != nil {
		return Token{}, fmt.Errorf("pkcs11: slot %d: C_GetSlotInfo: %w", slot, rv(err))
	}
	ti, err := m.be.GetTokenInfo(slot)
	if err != nil {
		return Token{}, fmt.Errorf("pkcs11: slot %d: C_GetTokenInfo: %w", slot, rv(err))
	}
	t := Token{SlotID: slot, SlotDescription: strings.TrimRight(si.SlotDescription, " \x00"),
		Label: strings.TrimRight(ti.Label, " \x00"), Manufacturer: strings.TrimRight(ti.ManufacturerID, " \x00"),
		Model: strings.TrimRight(ti.Model, " \x00"), Serial: strings.TrimRight(ti.SerialNumber, " \x00"), Flags: ti.Flags}
	if !mechanisms {
		return t, nil
	}
	list, err := m.be.GetMechanismList(slot)
	if err != nil {
		return Token{}, fmt.Errorf("pkcs11: token %q: C_GetMechanismList: %w", t.Label, rv(err))
	}
	for _, mech := range list {
		mi, err := m.be.GetMechanismInfo(slot, []*pkcs11.Mechanism{mech})
		if err != nil {
			return Token{}, fmt.Errorf("pkcs11: token %q: C_GetMechanismInfo(%s): %w", t.Label, MechanismName(mech.Mechanism), rv(err))
		}
		t.Mechanisms = append(t.Mechanisms, Mechanism{Type: mech.Mechanism, MinKeySize: mi.MinKeySize, MaxKeySize: mi.MaxKeySize, Flags: mi.Flags})
	}
	return t, nil
}

// findToken returns the one token matching u's token attributes.
func (m *Module) findToken(u *URI, mechanisms bool) (Token, error) {
	slots, err := m.be.GetSlotList(true)
	if err != nil {
		return Token{}, fmt.Errorf("pkcs11: listing slots: %w", rv(err))
	}
	var found []Token
	var present []string
	for _, slot := range slots {
		t, err := m.token(slot, false)
		if err != nil {
			return Token{}, err
		}
		present = append(present, fmt.Sprintf("%q (slot %d, serial %s)", t.Label, t.SlotID, t.Serial))
		if (u.SlotID == nil || *u.SlotID == slot) && match(u.Token, t.Label) && match(u.Serial, t.Serial) &&
			match(u.Manufacturer, t.Manufacturer) && match(u.Model, t.Model) &&
			match(u.SlotDescription, t.SlotDescription) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		if len(present) == 0 {
			present = []string{"none"}
		}
		return Token{}, fmt.Errorf("%w: no token matches %s; tokens present: %s", ErrTokenNotFound, describeToken(u), strings.Join(present, ", "))
	case 1:
	default:
		return Token{}, fmt.Errorf("%w: %d tokens match %s; add serial or slot-id", ErrAmbiguous, len(found), describeToken(u))
	}
	t := found[0]
	if mechanisms {
		return m.token(t.SlotID, true)
	}
	return t, nil
}

func match(want, got string) bool { return want == "" || want == got }

func describeToken(u *URI) string {
	t := &URI{Token: u.Token, Manufacturer: u.Manufacturer, Model: u.Model, Serial: u.Serial,
		SlotID: u.SlotID, SlotDescription: u.SlotDescription}
	return t.String()
}

func describeKey(u *URI) string {
	k := &URI{Object: u.Object, ID: u.ID}
	return strings.TrimPrefix(k.String(), "pkcs11:")
}

// resolvePIN returns pin, or the PIN of u's pin-source when pin is nil.
func resolvePIN(u *URI, pin []byte) ([]byte, error) {
	if pin != nil {
		return append([]byte(nil), pin...), nil
	}
	return u.PIN()
}

// login logs the application in to the token in slot as its user, once:
// later calls return at once while the login holds. force discards a
// login believed lost. A wrong PIN is never retried.
func (m *Module) login(t Token, pin []byte, force bool) error {
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	if m.logins == nil {
		return ErrClosed
	}
	if l := m.logins[t.SlotID]; l != nil {
		if !force {
			return nil
		}
		m.be.CloseSession(l.session)
		delete(m.logins, t.SlotID)
	}
	if pin == nil {
		if t.Flags&FlagLoginRequired != 0 {
			return fmt.Errorf("%w: token %q needs a login; give a PIN (pin-source in the URI)", ErrPINRequired, t.Label)
		}
		return nil
	}
	s, err := m.be.OpenSession(t.SlotID, pkcs11.CKF_SERIAL_SESSION)
	if err != nil {
		return fmt.Errorf("pkcs11: token %q: opening a session: %w", t.Label, rv(err))
	}
	if err := m.be.Login(s, pkcs11.CKU_USER, string(pin)); err != nil && !isCode(err, pkcs11.CKR_USER_ALREADY_LOGGED_IN) {
		m.be.CloseSession(s)
		return loginError(t.Label, err)
	}
	m.logins[t.SlotID] = &login{session: s}
	return nil
}

func loginError(token string, err error) error {
	switch {
	case isCode(err, pkcs11.CKR_PIN_INCORRECT):
		return fmt.Errorf("%w: token %q refused the PIN (not retried, so as not to lock the token): %w", ErrPINIncorrect, token, rv(err))
	case isCode(err, pkcs11.CKR_PIN_LOCKED):
		return fmt.Errorf("%w: token %q: the user PIN is locked; the security officer must unlock it: %w", ErrPINLocked, token, rv(err))
	}
	return fmt.Errorf("pkcs11: token %q: logging in: %w", token, rv(err))
}

// openSession opens a session with the token, read-write if rw.
func (m *Module) openSession(t Token, rw bool) (pkcs11.SessionHandle, error) {
	flags := uint(pkcs11.CKF_SERIAL_SESSION)
	if rw {
		flags |= pkcs11.CKF_RW_SESSION
	}
	s, err := m.be.OpenSession(t.SlotID, flags)
	if err != nil {
		return 0, fmt.Errorf("pkcs11: token %q: opening a session: %w", t.Label, rv(err))
	}
	return s, nil
}

// find returns the handles of the objects matching template, at most max.
func (m *Module) find(s pkcs11.SessionHandle, template []*pkcs11.Attribute, max int) ([]pkcs11.ObjectHandle, error) {
	if err := m.be.FindObjectsInit(s, template); err != nil {
		return nil, fmt.Errorf("pkcs11: C_FindObjectsInit: %w", rv(err))
	}
	objs, _, err := m.be.FindObjects(s, max)
	if ferr := m.be.FindObjectsFinal(s); err == nil && ferr != nil {
		err = ferr
	}
	if err != nil {
		return nil, fmt.Errorf("pkcs11: C_FindObjects: %w", rv(err))
	}
	return objs, nil
}

// keyTemplate selects objects of class with u's label and id.
func keyTemplate(class uint, label string, id []byte) []*pkcs11.Attribute {
	tmpl := []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_CLASS, class)}
	if label != "" {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_LABEL, label))
	}
	if len(id) > 0 {
		tmpl = append(tmpl, pkcs11.NewAttribute(pkcs11.CKA_ID, id))
	}
	return tmpl
}

// FindKey opens the private key named by u (object and/or id) in the
// token u names, logging in to the token with pin, or with the PIN from
// u's pin-source when pin is nil. The Key keeps a copy of the PIN, for
// context-specific logins (CKA_ALWAYS_AUTHENTICATE) and to log in again
// after the token lost the login; Close clears it.
func (m *Module) FindKey(u *URI, pin []byte) (*Key, error) {
	if u.Object == "" && len(u.ID) == 0 {
		return nil, fmt.Errorf("pkcs11: key URI %s names no object or id", u)
	}
	if u.Type != "" && u.Type != "private" {
		return nil, fmt.Errorf("pkcs11: key URI %s: type=%s; a signing key is type=private", u, u.Type)
	}
	if err := m.rlock(); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	t, err := m.findToken(u, true)
	if err != nil {
		return nil, err
	}
	pin, err = resolvePIN(u, pin)
	if err != nil {
		return nil, err
	}
	if err := m.login(t, pin, false); err != nil {
		clear(pin)
		return nil, err
	}
	k, err := m.openKey(t, u.Object, u.ID, pin)
	if err != nil {
		clear(pin)
		return nil, err
	}
	return k, nil
}

// openKey makes a Key of the private key with label and id in t.
func (m *Module) openKey(t Token, label string, id []byte, pin []byte) (*Key, error) {
	s, err := m.openSession(t, false)
	if err != nil {
		return nil, err
	}
	defer m.be.CloseSession(s)
	want := describeKey(&URI{Object: label, ID: id})
	objs, err := m.find(s, keyTemplate(pkcs11.CKO_PRIVATE_KEY, label, id), 2)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: token %q: looking for %s: %w", t.Label, want, err)
	}
	switch len(objs) {
	case 0:
		return nil, fmt.Errorf("%w: token %q has no private key %s", ErrKeyNotFound, t.Label, want)
	case 1:
	default:
		return nil, fmt.Errorf("%w: token %q has several private keys %s; add id", ErrAmbiguous, t.Label, want)
	}
	info, err := m.keyInfo(s, t, objs[0])
	if err != nil {
		return nil, err
	}
	if info.Public == nil {
		return nil, fmt.Errorf("%w: token %q has no public key object for the private key %s", ErrKeyNotFound, t.Label, want)
	}
	bits := info.Params.Bits()
	if err := t.Supports(bits); err != nil {
		return nil, err
	}
	_, mech, _ := mechanismsFor(bits)
	k := &Key{
		m: m, token: t, handle: objs[0], label: info.Label, id: info.ID,
		pub: info.Public, mech: mech, alwaysAuth: info.AlwaysAuthenticate, pin: pin,
		sem: make(chan struct{}, m.opts.Sessions), free: make(chan pkcs11.SessionHandle, m.opts.Sessions),
	}
	k.uri = info.URI
	m.tokMu.Lock()
	defer m.tokMu.Unlock()
	if m.keys == nil {
		return nil, ErrClosed
	}
	m.keys[k] = struct{}{}
	return k, nil
}

// keyInfo reads a GOST private key's attributes and finds its public key.
func (m *Module) keyInfo(s pkcs11.SessionHandle, t Token, obj pkcs11.ObjectHandle) (*KeyInfo, error) {
	attrs, err := m.be.GetAttributeValue(s, obj, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, nil), pkcs11.NewAttribute(pkcs11.CKA_LABEL, nil),
		pkcs11.NewAttribute(pkcs11.CKA_ID, nil), pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, nil),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, nil), pkcs11.NewAttribute(pkcs11.CKA_SIGN, nil),
	})
	if err != nil {
		return nil, fmt.Errorf("pkcs11: token %q: reading a private key's attributes: %w", t.Label, rv(err))
	}
	info := &KeyInfo{Label: string(attrs[1].Value), ID: attrs[2].Value,
		Sensitive: isTrue(attrs[3].Value), Extractable: isTrue(attrs[4].Value), Sign: isTrue(attrs[5].Value)}
	info.URI = &URI{Token: t.Label, Serial: t.Serial, Object: info.Label, ID: info.ID}
	name := describeKey(info.URI)
	// CKA_ALWAYS_AUTHENTICATE is v2.20; an older token may not know it.
	if a, err := m.be.GetAttributeValue(s, obj, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_ALWAYS_AUTHENTICATE, nil)}); err == nil {
		info.AlwaysAuthenticate = isTrue(a[0].Value)
	}
	keyType := ulong(attrs[0].Value)
	if keyType != CKK_GOSTR3410 && keyType != CKK_GOSTR3410_512 {
		return nil, fmt.Errorf("%w: token %q: key %s has key type 0x%x", ErrNotGOST, t.Label, name, keyType)
	}
	a, err := m.be.GetAttributeValue(s, obj, []*pkcs11.Attribute{pkcs11.NewAttribute(CKA_GOSTR3410_PARAMS, nil)})
	if err != nil {
		return nil, fmt.Errorf("pkcs11: token %q: key %s: reading CKA_GOSTR3410_PARAMS: %w", t.Label, name, rv(err))
	}
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(a[0].Value, &oid); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("%w: token %q: key %s: CKA_GOSTR3410_PARAMS %x is not a DER OID", ErrNotGOST, t.Label, name, a[0].Value)
	}
	params, err := gost3410.ParamsByOID(oid)
	if err != nil {
		return nil, fmt.Errorf("%w: token %q: key %s: %w", ErrNotGOST, t.Label, name, err)
	}
	if (params.Bits() == 512) != (keyType == CKK_GOSTR3410_512) {
		return nil, fmt.Errorf("%w: token %q: key %s: key type 0x%x with %d-bit parameters %s", ErrNotGOST, t.Label, name, keyType, params.Bits(), params)
	}
	info.Params = params
	pubs, err := m.find(s, keyTemplate(pkcs11.CKO_PUBLIC_KEY, pick(len(info.ID) == 0, info.Label), info.ID), 2)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: token %q: key %s: looking for its public key: %w", t.Label, name, err)
	}
	if len(pubs) != 1 {
		return info, nil
	}
	a, err = m.be.GetAttributeValue(s, pubs[0], []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil)})
	if err != nil {
		return nil, fmt.Errorf("pkcs11: token %q: key %s: reading the public key's CKA_VALUE: %w", t.Label, name, rv(err))
	}
	pub, err := publicKey(params, a[0].Value)
	if err != nil {
		return nil, fmt.Errorf("%w: token %q: key %s: public key: %w", ErrNotGOST, t.Label, name, err)
	}
	info.Public = pub
	return info, nil
}

// publicKey decodes a CKA_VALUE: LE(x)‖LE(y), or (as some tokens give it)
// that wrapped in a DER OCTET STRING. The point is validated on params.
func publicKey(params *gost3410.Params, v []byte) (*gost3410.PublicKey, error) {
	if n := 2 * params.Size(); len(v) != n {
		var inner []byte
		if rest, err := asn1.Unmarshal(v, &inner); err == nil && len(rest) == 0 && len(inner) == n {
			v = inner
		}
	}
	return gost3410.NewPublicKey(params, v)
}

func pick(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}

func isTrue(v []byte) bool { return len(v) == 1 && v[0] != 0 }

// ulong decodes a CK_ULONG attribute value, in the host's byte order.
func ulong(v []byte) uint {
	switch len(v) {
	case 8:
		return uint(binary.NativeEndian.Uint64(v))
	case 4:
		return uint(binary.NativeEndian.Uint32(v))
	}
	return ^uint(0)
}

// Keys lists the GOST key pairs in the token u names, logging in with pin
// (or u's pin-source when pin is nil) to see private objects.
func (m *Module) Keys(u *URI, pin []byte) ([]KeyInfo, error) {
	if err := m.rlock(); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	t, err := m.findToken(u, false)
	if err != nil {
		return nil, err
	}
	pin, err = resolvePIN(u, pin)
	defer clear(pin)
	if err != nil {
		return nil, err
	}
	if err := m.login(t, pin, false); err != nil {
		return nil, err
	}
	s, err := m.openSession(t, false)
	if err != nil {
		return nil, err
	}
	defer m.be.CloseSession(s)
	objs, err := m.find(s, keyTemplate(pkcs11.CKO_PRIVATE_KEY, "", nil), 10000)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: token %q: listing keys: %w", t.Label, err)
	}
	var keys []KeyInfo
	for _, obj := range objs {
		info, err := m.keyInfo(s, t, obj)
		if errors.Is(err, ErrNotGOST) {
			continue
		}
		if err != nil {
			return nil, err
		}
		keys = append(keys, *info)
	}
	return keys, nil
}

// Streebog OIDs for CKA_GOSTR3411_PARAMS (gost.md §5.3).
var (
	oidStreebog256 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 2}
	oidStreebog512 = asn1.ObjectIdentifier{1, 2, 643, 7, 1, 1, 2, 3}
)

// GenerateKey generates a key pair on params in the token u names, with
// u's object as its label and u's id as its id (16 random bytes when u has
// none), and returns it opened as FindKey would. The private key is
// CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, CKA_SIGN and not CKA_EXTRACTABLE.
// 256-bit keys use CKM_GOSTR3410_KEY_PAIR_GEN, 512-bit keys the TC26
// CKM_GOSTR3410_512_KEY_PAIR_GEN; a token that does not list the
// mechanisms fails with ErrMechanism naming the one missing. The new key
// signs once as a self-test (the token's signature must verify with our
// gost3410); a pair whose public key is not a valid point on params, or
// that fails the self-test, is destroyed. opts may be nil.
func (m *Module) GenerateKey(u *URI, params *gost3410.Params, pin []byte, opts *KeyOptions) (*Key, error) {
	if params == nil {
		return nil, errors.New("pkcs11: GenerateKey: no parameter set")
	}
	if u.Object == "" {
		return nil, fmt.Errorf("pkcs11: GenerateKey: URI %s names no object (the key's label)", u)
	}
	if err := m.rlock(); err != nil {
		return nil, err
	}
	defer m.mu.RUnlock()
	t, err := m.findToken(u, true)
	if err != nil {
		return nil, err
	}
	bits := params.Bits()
	if err := t.Supports(bits); err != nil {
		return nil, err
	}
	gen, _, _ := mechanismsFor(bits)
	pin, err = resolvePIN(u, pin)
	if err != nil {
		return nil, err
	}
	k, err := m.generate(t, u, params, gen, pin, opts)
	if err != nil {
		clear(pin)
		return nil, err
	}
	return k, nil
}

func (m *Module) generate(t Token, u *URI, params *gost3410.Params, gen uint, pin []byte, opts *KeyOptions) (*Key, error) {
	if pin == nil {
		return nil, fmt.Errorf("%w: generating a key in token %q needs the user's login", ErrPINRequired, t.Label)
	}
	if err := m.login(t, pin, false); err != nil {
		return nil, err
	}
	id := append([]byte(nil), u.ID...)
	if len(id) == 0 {
		id = make([]byte, 16)
		rand.Read(id)
	}
	s, err := m.openSession(t, true)
	if err != nil {
		return nil, err
	}
	defer m.be.CloseSession(s)
	want := describeKey(&URI{Object: u.Object, ID: id})
	for _, class := range []uint{pkcs11.CKO_PRIVATE_KEY, pkcs11.CKO_PUBLIC_KEY} {
		for _, tmpl := range [][]*pkcs11.Attribute{keyTemplate(class, u.Object, nil), keyTemplate(class, "", id)} {
			objs, err := m.find(s, tmpl, 1)
			if err != nil {
				return nil, fmt.Errorf("pkcs11: token %q: looking for %s: %w", t.Label, want, err)
			}
			if len(objs) > 0 {
				return nil, fmt.Errorf("%w: token %q already has a key with the label or id of %s", ErrKeyExists, t.Label, want)
			}
		}
	}
	keyType := uint(CKK_GOSTR3410)
	digestOID := oidStreebog256
	if params.Bits() == 512 {
		keyType, digestOID = CKK_GOSTR3410_512, oidStreebog512
	}
	paramsDER, _ := asn1.Marshal(params.OID())
	digestDER, _ := asn1.Marshal(digestOID)
	alwaysAuth := opts != nil && opts.AlwaysAuthenticate
	pubTmpl := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, keyType),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, u.Object),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		pkcs11.NewAttribute(CKA_GOSTR3410_PARAMS, paramsDER),
		pkcs11.NewAttribute(CKA_GOSTR3411_PARAMS, digestDER),
	}
	privTmpl := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, keyType),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, u.Object),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
	}
	if alwaysAuth {
		privTmpl = append(privTmpl, pkcs11.NewAttribute(pkcs11.CKA_ALWAYS_AUTHENTICATE, true))
	}
	pubObj, privObj, err := m.be.GenerateKeyPair(s, []*pkcs11.Mechanism{pkcs11.NewMechanism(gen, nil)}, pubTmpl, privTmpl)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: token %q: generating key pair %s on %s (%s) with %s: %w", t.Label, want, params, params.OID(), MechanismName(gen), rv(err))
	}
	destroy := func() {
		m.be.DestroyObject(s, privObj)
		m.be.DestroyObject(s, pubObj)
	}
	// The token must have made the key on the curve asked for: a token
	// that ignored the parameters gives a point that fails validation.
	a, err := m.be.GetAttributeValue(s, pubObj, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil)})
	if err != nil {
		destroy()
		return nil, fmt.Errorf("pkcs11: token %q: reading the new public key %s: %w", t.Label, want, rv(err))
	}
	if _, err := publicKey(params, a[0].Value); err != nil {
		destroy()
		return nil, fmt.Errorf("%w: token %q: the key generated on %s is not a valid point of that set (pair destroyed): %w", ErrNotGOST, t.Label, params, err)
	}
	k, err := m.openKey(t, u.Object, id, pin)
	if err != nil {
		destroy()
		return nil, err
	}
	if k.pub.Params() != params {
		k.close()
		destroy()
		return nil, fmt.Errorf("%w: token %q reports parameters %s for the key generated on %s (pair destroyed)", ErrNotGOST, t.Label, k.pub.Params(), params)
	}
	digest := make([]byte, params.Size())
	rand.Read(digest)
	if _, err := k.sign(digest); err != nil {
		k.close()
		destroy()
		return nil, fmt.Errorf("pkcs11: token %q: self-test signature of the new key %s (pair destroyed): %w", t.Label, want, err)
	}
	return k, nil
}
