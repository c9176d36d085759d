//go:build cgo

package pkcs11

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
	"github.com/gostca/gostca/crypto/streebog"
	"github.com/miekg/pkcs11"
)

// faultyBackend wraps the real module: it counts logins and the sessions
// signatures run on, and injects faults into C_Sign.
type faultyBackend struct {
	backend
	mu           sync.Mutex
	signFaults   []error // returned by the next C_Sign calls, in order
	corrupt      bool    // flip a bit of every signature
	logins       map[uint]int
	signSessions map[pkcs11.SessionHandle]bool
	inSign, most int
}

func wrap(m *Module) *faultyBackend {
	f := &faultyBackend{backend: m.be, logins: map[uint]int{}, signSessions: map[pkcs11.SessionHandle]bool{}}
	m.be = f
	return f
}

func (f *faultyBackend) Login(sh pkcs11.SessionHandle, userType uint, pin string) error {
	f.mu.Lock()
	f.logins[userType]++
	f.mu.Unlock()
	return f.backend.Login(sh, userType, pin)
}

func (f *faultyBackend) Sign(sh pkcs11.SessionHandle, msg []byte) ([]byte, error) {
	f.mu.Lock()
	f.signSessions[sh] = true
	f.inSign++
	f.most = max(f.most, f.inSign)
	var fault error
	if len(f.signFaults) > 0 {
		fault, f.signFaults = f.signFaults[0], f.signFaults[1:]
	}
	corrupt := f.corrupt
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.inSign--; f.mu.Unlock() }()
	if fault != nil {
		return nil, fault
	}
	sig, err := f.backend.Sign(sh, msg)
	if err == nil && corrupt {
		sig[len(sig)-1] ^= 1
	}
	return sig, err
}

func digest256(msg string) []byte {
	h := streebog.New256()
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// newKey makes a token with one CryptoPro-A key in it.
func newKey(t *testing.T, opts *Options) (*SoftToken, *Module, *Key) {
	t.Helper()
	tok := NewSoftToken(t, "gostca test")
	m := tok.Open(t, opts)
	k, err := m.GenerateKey(tok.URI("ca key"), gost3410.ParamsCryptoProA(), tok.PIN, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok, m, k
}

func mustSign(t *testing.T, k *Key, digest []byte) []byte {
	t.Helper()
	sig, err := k.Sign(rand.Reader, digest, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.PublicKey().Verify(digest, sig); err != nil {
		t.Fatalf("token signature does not verify: %v", err)
	}
	return sig
}

// TestMechanisms reads SoftHSM's mechanism list: the standard GOST
// mechanisms are there, the TC26 512-bit ones are not.
func TestMechanisms(t *testing.T) {
	tok := NewSoftToken(t, "mechanisms")
	m := tok.Open(t, nil)
	tokens, err := m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(tokens, func(x Token) bool { return x.Label == tok.Label })
	if i < 0 {
		t.Fatalf("token %q not listed in %+v", tok.Label, tokens)
	}
	tt := tokens[i]
	var names []string
	for _, mech := range tt.Mechanisms {
		names = append(names, mech.Name())
	}
	t.Logf("%s %s %q: %s", tt.Manufacturer, tt.Model, tt.Label, strings.Join(names, " "))
	if err := tt.Supports(256); err != nil {
		t.Errorf("Supports(256): %v", err)
	}
	err = tt.Supports(512)
	if !errors.Is(err, ErrMechanism) || !strings.Contains(err.Error(), "CKM_GOSTR3410_512_KEY_PAIR_GEN") {
		t.Errorf("Supports(512) = %v; want ErrMechanism naming CKM_GOSTR3410_512_KEY_PAIR_GEN", err)
	}
}

// TestGenerateKey256 generates a key on every 256-bit parameter set: the
// token either makes a valid key on that set, which signs, or refuses with
// an error naming the set; CryptoPro-A must work.
func TestGenerateKey256(t *testing.T) {
	tok := NewSoftToken(t, "keygen")
	m := tok.Open(t, nil)
	var accepted []string
	for _, p := range gost3410.AllParams() {
		if p.Bits() != 256 {
			continue
		}
		k, err := m.GenerateKey(tok.URI("key "+p.Name()), p, tok.PIN, nil)
		if err != nil {
			if !strings.Contains(err.Error(), p.Name()) {
				t.Errorf("%s: error does not name the parameter set: %v", p, err)
			}
			if p == gost3410.ParamsCryptoProA() {
				t.Errorf("%s: %v", p, err)
			}
			continue
		}
		accepted = append(accepted, p.Name())
		if k.Params() != p {
			t.Errorf("%s: key has parameters %s", p, k.Params())
		}
		mustSign(t, k, digest256(p.Name()))
		k.Close()
	}
	t.Logf("parameter sets the token accepts: %v", accepted)
	// The refused sets left nothing behind.
	keys, err := m.Keys(tok.URI(""), tok.PIN)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != len(accepted) {
		t.Errorf("token holds %d keys, want %d", len(keys), len(accepted))
	}
}

// TestGenerateKey512Unsupported: SoftHSM lacks the TC26 mechanisms, and
// GenerateKey says which.
func TestGenerateKey512Unsupported(t *testing.T) {
	tok := NewSoftToken(t, "keygen512")
	m := tok.Open(t, nil)
	_, err := m.GenerateKey(tok.URI("key512"), gost3410.ParamsTC26512A(), tok.PIN, nil)
	if !errors.Is(err, ErrMechanism) || !strings.Contains(err.Error(), "CKM_GOSTR3410_512_KEY_PAIR_GEN (0xd4321005)") {
		t.Fatalf("GenerateKey(512) = %v; want ErrMechanism naming CKM_GOSTR3410_512_KEY_PAIR_GEN", err)
	}
	t.Log(err)
}

// TestPrivateKeyAttributes reads the generated private key's attributes
// back from the token.
func TestPrivateKeyAttributes(t *testing.T) {
	_, m, k := newKey(t, nil)
	s, err := m.be.OpenSession(k.token.SlotID, pkcs11.CKF_SERIAL_SESSION)
	if err != nil {
		t.Fatal(err)
	}
	defer m.be.CloseSession(s)
	attrs, err := m.be.GetAttributeValue(s, k.handle, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, nil), pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, nil),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, nil), pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, nil),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, nil), pkcs11.NewAttribute(pkcs11.CKA_LABEL, nil),
		pkcs11.NewAttribute(pkcs11.CKA_ID, nil), pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, nil),
		pkcs11.NewAttribute(CKA_GOSTR3410_PARAMS, nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, true, true, false, true} {
		if got := isTrue(attrs[i].Value); got != want {
			t.Errorf("attribute 0x%x = %v, want %v", attrs[i].Type, got, want)
		}
	}
	if string(attrs[5].Value) != "ca key" || !bytes.Equal(attrs[6].Value, k.id) || len(k.id) != 16 {
		t.Errorf("label %q id %x; want \"ca key\" and the id %x", attrs[5].Value, attrs[6].Value, k.id)
	}
	if ulong(attrs[7].Value) != CKK_GOSTR3410 {
		t.Errorf("key type %x", attrs[7].Value)
	}
	if want := []byte{0x06, 0x07, 0x2a, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01}; !bytes.Equal(attrs[8].Value, want) {
		t.Errorf("CKA_GOSTR3410_PARAMS %x, want %x", attrs[8].Value, want)
	}
	// The value is not readable.
	if _, err := m.be.GetAttributeValue(s, k.handle, []*pkcs11.Attribute{pkcs11.NewAttribute(pkcs11.CKA_VALUE, nil)}); err == nil {
		t.Error("the private key's CKA_VALUE is readable")
	}
	// The listing agrees.
	keys, err := m.Keys(k.URI(), nil)
	if err != nil || len(keys) != 1 {
		t.Fatalf("Keys = %v, %v", keys, err)
	}
	if ki := keys[0]; !ki.Sensitive || ki.Extractable || !ki.Sign || ki.AlwaysAuthenticate || !ki.Public.Equal(k.Public()) {
		t.Errorf("KeyInfo %+v", ki)
	}
}

// TestDigestOrder establishes the token's convention empirically: the
// digest goes in as the hash returns it and the signature comes out as
// s‖r, which our gost3410 verifies, and which the reversed digest or the
// swapped halves do not.
func TestDigestOrder(t *testing.T) {
	_, _, k := newKey(t, nil)
	digest := digest256("digest order")
	sig := mustSign(t, k, digest)
	rev := slices.Clone(digest)
	slices.Reverse(rev)
	if k.PublicKey().Verify(rev, sig) == nil {
		t.Error("signature verifies over the reversed digest too")
	}
	swapped := append(slices.Clone(sig[32:]), sig[:32]...)
	if k.PublicKey().Verify(digest, swapped) == nil {
		t.Error("signature verifies with r and s swapped")
	}
	if _, err := k.Sign(nil, digest[:31], nil); err == nil {
		t.Error("a 31-byte digest was signed")
	}
}

// TestConcurrentSign signs from many goroutines; the pool spreads them
// over several sessions, never more than configured.
func TestConcurrentSign(t *testing.T) {
	_, m, k := newKey(t, &Options{Sessions: 3})
	f := wrap(m)
	var wg sync.WaitGroup
	for g := range 12 {
		wg.Go(func() {
			for i := range 10 {
				d := digest256(strings.Repeat("x", g*10+i))
				sig, err := k.Sign(nil, d, nil)
				if err == nil {
					err = k.PublicKey().Verify(d, sig)
				}
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if n := len(f.signSessions); n < 2 || n > 3 {
		t.Errorf("signed on %d sessions, want 2..3", n)
	}
	if f.most > 3 {
		t.Errorf("%d signatures at once, want ≤ 3", f.most)
	}
	if f.logins[pkcs11.CKU_USER] != 0 {
		t.Errorf("%d logins while signing; the token was logged in once, before", f.logins[pkcs11.CKU_USER])
	}
}

// TestWrongPIN: one attempt, a clear error, the token's PIN counters
// untouched; the right PIN works after.
func TestWrongPIN(t *testing.T) {
	tok, m, k := newKey(t, nil)
	uri := k.URI()
	k.Close()
	m.Close()

	m = tok.Open(t, nil)
	f := wrap(m)
	_, err := m.FindKey(uri, []byte("00000000"))
	if !errors.Is(err, ErrPINIncorrect) {
		t.Fatalf("FindKey with a wrong PIN = %v; want ErrPINIncorrect", err)
	}
	t.Log(err)
	if f.logins[pkcs11.CKU_USER] != 1 {
		t.Errorf("%d login attempts, want 1", f.logins[pkcs11.CKU_USER])
	}
	// SoftHSM raises CKF_USER_PIN_COUNT_LOW after any failed login (and
	// clears it with the next good one); a final try or a lock after one
	// attempt would mean the attempt was repeated.
	if flags := tokenFlags(t, m, tok.Label); flags&(FlagUserPINFinalTry|FlagUserPINLocked) != 0 {
		t.Errorf("token flags %#x after one wrong PIN", flags)
	} else {
		t.Logf("token flags after one wrong PIN: %#x (count low: %v)", flags, flags&FlagUserPINCountLow != 0)
	}
	k, err = m.FindKey(uri, tok.PIN)
	if err != nil {
		t.Fatalf("FindKey with the right PIN after a wrong one: %v", err)
	}
	mustSign(t, k, digest256("after a wrong PIN"))
	if flags := tokenFlags(t, m, tok.Label); flags&(FlagUserPINCountLow|FlagUserPINFinalTry|FlagUserPINLocked) != 0 {
		t.Errorf("token flags %#x after the right PIN", flags)
	}
	if _, err := m.FindKey(uri, nil); err != nil {
		t.Errorf("FindKey once logged in: %v", err)
	}
}

func tokenFlags(t *testing.T, m *Module, label string) uint {
	t.Helper()
	tokens, err := m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tokens {
		if tt.Label == label {
			return tt.Flags
		}
	}
	t.Fatalf("token %q not listed", label)
	return 0
}

// TestPINSource reads the PIN from a file and from the environment.
func TestPINSource(t *testing.T) {
	tok, m, k := newKey(t, nil)
	uri := k.URI()
	k.Close()
	m.Close()
	file := filepath.Join(t.TempDir(), "pin")
	os.WriteFile(file, append(slices.Clone(tok.PIN), '\n'), 0o600)
	t.Setenv("GOSTCA_TEST_PIN", string(tok.PIN))
	for _, src := range []string{"file:" + file, "env:GOSTCA_TEST_PIN"} {
		u := uri.clone()
		u.PINSource = src
		u.ModulePath = tok.Module
		m, err := Open(u.String(), nil)
		if err != nil {
			t.Fatal(err)
		}
		k, err := m.FindKey(u, nil)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		mustSign(t, k, digest256(src))
		m.Close()
	}
}

// TestNotFound: the errors name what was looked for.
func TestNotFound(t *testing.T) {
	tok, m, _ := newKey(t, nil)
	_, err := m.FindKey(&URI{Token: "no such token", Object: "ca key"}, tok.PIN)
	if !errors.Is(err, ErrTokenNotFound) || !strings.Contains(err.Error(), `token=no%20such%20token`) || !strings.Contains(err.Error(), `"gostca test"`) {
		t.Errorf("unknown token: %v", err)
	}
	_, err = m.FindKey(tok.URI("no such key"), tok.PIN)
	if !errors.Is(err, ErrKeyNotFound) || !strings.Contains(err.Error(), "object=no%20such%20key") {
		t.Errorf("unknown key: %v", err)
	}
	_, err = m.FindKey(&URI{Token: tok.Label, ID: []byte{1, 2, 3}}, tok.PIN)
	if !errors.Is(err, ErrKeyNotFound) || !strings.Contains(err.Error(), "id=%01%02%03") {
		t.Errorf("unknown id: %v", err)
	}
	_, err = m.GenerateKey(tok.URI("ca key"), gost3410.ParamsCryptoProA(), tok.PIN, nil)
	if !errors.Is(err, ErrKeyExists) {
		t.Errorf("GenerateKey over an existing label: %v", err)
	}
	// The token is unchanged: one key, which signs.
	k, err := m.FindKey(tok.URI("ca key"), nil)
	if err != nil {
		t.Fatal(err)
	}
	mustSign(t, k, digest256("still there"))
}

// TestSessionClosedBehindTheSigner closes the pooled sessions through the
// module, behind the Key's back: the next signature reopens and succeeds.
func TestSessionClosedBehindTheSigner(t *testing.T) {
	_, m, k := newKey(t, nil)
	mustSign(t, k, digest256("one"))
	var pooled []pkcs11.SessionHandle
	for len(k.free) > 0 {
		pooled = append(pooled, <-k.free)
	}
	if len(pooled) == 0 {
		t.Fatal("no pooled session")
	}
	for _, s := range pooled {
		if err := m.be.CloseSession(s); err != nil {
			t.Fatal(err)
		}
		k.free <- s
	}
	mustSign(t, k, digest256("two"))
	mustSign(t, k, digest256("three"))
}

// TestDeviceFaults injects dead sessions and device errors: one is
// survived by reopening, two in a row give ErrSessionLost, and the key
// signs again afterwards.
func TestDeviceFaults(t *testing.T) {
	_, m, k := newKey(t, nil)
	f := wrap(m)
	for _, code := range []uint{pkcs11.CKR_SESSION_HANDLE_INVALID, pkcs11.CKR_DEVICE_ERROR, pkcs11.CKR_DEVICE_REMOVED} {
		name := pkcs11.Error(code).Error()
		f.signFaults = []error{pkcs11.Error(code)}
		mustSign(t, k, digest256(name+" once"))

		f.signFaults = []error{pkcs11.Error(code), pkcs11.Error(code)}
		_, err := k.Sign(nil, digest256(name+" twice"), nil)
		if !errors.Is(err, ErrSessionLost) || !errors.Is(err, pkcs11.Error(code)) {
			t.Errorf("%s twice: %v; want ErrSessionLost", name, err)
		}
		mustSign(t, k, digest256(name+" after"))
	}
	// Another error is not retried.
	f.signFaults = []error{pkcs11.Error(pkcs11.CKR_FUNCTION_FAILED), nil}
	if _, err := k.Sign(nil, digest256("failed"), nil); !errors.Is(err, pkcs11.Error(pkcs11.CKR_FUNCTION_FAILED)) || errors.Is(err, ErrSessionLost) {
		t.Errorf("CKR_FUNCTION_FAILED: %v", err)
	}
}

// TestBadSignature: a token whose signature does not verify yields an
// error, never the signature.
func TestBadSignature(t *testing.T) {
	_, m, k := newKey(t, nil)
	f := wrap(m)
	f.corrupt = true
	sig, err := k.Sign(nil, digest256("corrupt"), nil)
	if !errors.Is(err, ErrBadSignature) || sig != nil {
		t.Fatalf("Sign = %x, %v; want ErrBadSignature", sig, err)
	}
	f.corrupt = false
	mustSign(t, k, digest256("fine"))
}

// TestAlwaysAuthenticate: a key with CKA_ALWAYS_AUTHENTICATE gets a
// context-specific login with every signature.
func TestAlwaysAuthenticate(t *testing.T) {
	tok := NewSoftToken(t, "always")
	m := tok.Open(t, nil)
	f := wrap(m)
	k, err := m.GenerateKey(tok.URI("always"), gost3410.ParamsCryptoProA(), tok.PIN, &KeyOptions{AlwaysAuthenticate: true})
	if err != nil {
		t.Fatal(err)
	}
	if !k.alwaysAuth {
		t.Fatal("CKA_ALWAYS_AUTHENTICATE not read back")
	}
	before := f.logins[pkcs11.CKU_CONTEXT_SPECIFIC]
	for i := range 3 {
		mustSign(t, k, digest256(string(rune('a'+i))))
	}
	if n := f.logins[pkcs11.CKU_CONTEXT_SPECIFIC] - before; n != 3 {
		t.Errorf("%d context-specific logins for 3 signatures", n)
	}
	// Without it, SoftHSM refuses: the login is needed.
	k.alwaysAuth = false
	if _, err := k.Sign(nil, digest256("no login"), nil); err == nil {
		t.Error("signed without the context-specific login")
	}
}

// TestModuleErrors: a missing library and a library that is not a
// PKCS#11 module fail clearly.
func TestModuleErrors(t *testing.T) {
	_, err := Open("/nonexistent/libpkcs11.so", nil)
	if !errors.Is(err, ErrModule) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "/nonexistent/libpkcs11.so") {
		t.Errorf("missing module: %v", err)
	}
	libc := ""
	for _, pattern := range []string{"/lib/*-linux-gnu/libc.so.6", "/usr/lib/*-linux-gnu/libc.so.6", "/lib64/libc.so.6", "/usr/lib64/libc.so.6"} {
		if m, _ := filepath.Glob(pattern); len(m) > 0 {
			libc = m[0]
			break
		}
	}
	if libc == "" {
		t.Skip("no libc.so.6 found")
	}
	_, err = Open(libc, nil)
	if !errors.Is(err, ErrModule) || !strings.Contains(err.Error(), "not a PKCS#11 module") {
		t.Errorf("libc: %v", err)
	}
	t.Log(err)
	text := filepath.Join(t.TempDir(), "text.so")
	os.WriteFile(text, []byte("not a library"), 0o600)
	if _, err = Open(text, nil); !errors.Is(err, ErrModule) || !strings.Contains(err.Error(), "cannot be loaded") {
		t.Errorf("text file: %v", err)
	}
	if _, err = Open("pkcs11:token=x", nil); !errors.Is(err, ErrModule) {
		t.Errorf("URI without module-path: %v", err)
	}
}

// TestClose: a closed module or key refuses to sign.
func TestClose(t *testing.T) {
	tok, m, k := newKey(t, nil)
	mustSign(t, k, digest256("open"))
	k.Close()
	if _, err := k.Sign(nil, digest256("closed key"), nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Sign on a closed key: %v", err)
	}
	k, err := m.FindKey(tok.URI("ca key"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	if _, err := k.Sign(nil, digest256("closed module"), nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Sign after the module's Close: %v", err)
	}
	k.Close()
}
