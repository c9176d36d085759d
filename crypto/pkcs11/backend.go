//go:build cgo

package pkcs11

/*
#cgo linux LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

// gostca_probe loads path as dlopen would for the module and reports why it
// is unusable: 1 if it cannot be loaded (the loader's message in buf), 2 if
// it has no C_GetFunctionList, 0 if it looks like a PKCS#11 module.
static int gostca_probe(const char *path, char *buf, size_t n) {
	void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(buf, n, "%s", e ? e : "dlopen failed");
		return 1;
	}
	void *f = dlsym(h, "C_GetFunctionList");
	dlclose(h);
	return f == NULL ? 2 : 0;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unsafe"

	"github.com/miekg/pkcs11"
)

// backend is the seam between this package and a PKCS#11 module: exactly
// the calls the package makes. *pkcs11.Ctx implements it; tests wrap it to
// inject the faults of a real token (dead sessions, device errors).
type backend interface {
	GetSlotList(tokenPresent bool) ([]uint, error)
	GetSlotInfo(slotID uint) (pkcs11.SlotInfo, error)
	GetTokenInfo(slotID uint) (pkcs11.TokenInfo, error)
	GetMechanismList(slotID uint) ([]*pkcs11.Mechanism, error)
	GetMechanismInfo(slotID uint, m []*pkcs11.Mechanism) (pkcs11.MechanismInfo, error)
	OpenSession(slotID uint, flags uint) (pkcs11.SessionHandle, error)
	CloseSession(sh pkcs11.SessionHandle) error
	GetSessionInfo(sh pkcs11.SessionHandle) (pkcs11.SessionInfo, error)
	Login(sh pkcs11.SessionHandle, userType uint, pin string) error
	FindObjectsInit(sh pkcs11.SessionHandle, temp []*pkcs11.Attribute) error
	FindObjects(sh pkcs11.SessionHandle, max int) ([]pkcs11.ObjectHandle, bool, error)
	FindObjectsFinal(sh pkcs11.SessionHandle) error
	GetAttributeValue(sh pkcs11.SessionHandle, o pkcs11.ObjectHandle, a []*pkcs11.Attribute) ([]*pkcs11.Attribute, error)
	GenerateKeyPair(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, public, private []*pkcs11.Attribute) (pkcs11.ObjectHandle, pkcs11.ObjectHandle, error)
	DestroyObject(sh pkcs11.SessionHandle, oh pkcs11.ObjectHandle) error
	SignInit(sh pkcs11.SessionHandle, m []*pkcs11.Mechanism, o pkcs11.ObjectHandle) error
	Sign(sh pkcs11.SessionHandle, message []byte) ([]byte, error)
}

var _ backend = (*pkcs11.Ctx)(nil)

// library is a loaded, initialised module. C_Initialize and C_Finalize
// act on the whole process, so every Module of one library shares one
// library value, counted by refs; the last Close finalises it.
type library struct {
	key  string // resolved path
	ctx  *pkcs11.Ctx
	refs int
	// owned is false when the module was already initialised in the
	// process by someone else (CKR_CRYPTOKI_ALREADY_INITIALIZED): then
	// this package never finalises it.
	owned bool
}

var libraries = struct {
	sync.Mutex
	m map[string]*library
}{m: map[string]*library{}}

// loadLibrary loads and initialises the module at path, or returns the
// already loaded one.
func loadLibrary(path string) (*library, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: no module path given (module-path in the URI, or the path itself)", ErrModule)
	}
	key := path
	if strings.ContainsRune(path, '/') {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrModule, path, err)
		}
		if p, err := filepath.EvalSymlinks(path); err == nil {
			key = p
		}
		if p, err := filepath.Abs(key); err == nil {
			key = p
		}
	}
	libraries.Lock()
	defer libraries.Unlock()
	if lib := libraries.m[key]; lib != nil {
		lib.refs++
		return lib, nil
	}
	if err := probe(path); err != nil {
		return nil, err
	}
	ctx := pkcs11.New(path)
	if ctx == nil {
		return nil, fmt.Errorf("%w: %s: cannot be loaded", ErrModule, path)
	}
	lib := &library{key: key, ctx: ctx, refs: 1, owned: true}
	if err := ctx.Initialize(); err != nil {
		if !errors.Is(err, pkcs11.Error(pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
			ctx.Destroy()
			return nil, fmt.Errorf("%w: %s: C_Initialize: %w", ErrModule, path, rv(err))
		}
		lib.owned = false
	}
	libraries.m[key] = lib
	return lib, nil
}

// release drops one reference, finalising and unloading the module with
// the last.
func (lib *library) release() error {
	libraries.Lock()
	defer libraries.Unlock()
	lib.refs--
	if lib.refs > 0 {
		return nil
	}
	delete(libraries.m, lib.key)
	var err error
	if lib.owned {
		if e := lib.ctx.Finalize(); e != nil {
			err = fmt.Errorf("pkcs11: C_Finalize: %w", rv(e))
		}
	}
	lib.ctx.Destroy()
	return err
}

// probe tells a file that cannot be loaded from one that is not a PKCS#11
// module, which pkcs11.New does not.
func probe(path string) error {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var buf [512]C.char
	switch C.gostca_probe(cpath, &buf[0], C.size_t(len(buf))) {
	case 1:
		return fmt.Errorf("%w: %s: cannot be loaded: %s", ErrModule, path, C.GoString(&buf[0]))
	case 2:
		return fmt.Errorf("%w: %s is not a PKCS#11 module (no C_GetFunctionList)", ErrModule, path)
	}
	return nil
}

// rvError is a module's CK_RV, printed without miekg/pkcs11's "pkcs11: "
// prefix (ours is already there). It unwraps to the pkcs11.Error.
type rvError struct{ code pkcs11.Error }

func (e rvError) Error() string { return strings.TrimPrefix(e.code.Error(), "pkcs11: ") }
func (e rvError) Unwrap() error { return e.code }

// rv wraps a module's error as an rvError; other errors pass unchanged.
func rv(err error) error {
	var code pkcs11.Error
	if errors.As(err, &code) {
		return rvError{code}
	}
	return err
}

// isCode reports whether err carries the return value code.
func isCode(err error, codes ...uint) bool {
	var code pkcs11.Error
	if !errors.As(err, &code) {
		return false
	}
	for _, c := range codes {
		if uint(code) == c {
			return true
		}
	}
	return false
}

// sessionLost reports whether err means the session, the key handle or
// the login behind it is gone, so that a fresh session may succeed.
func sessionLost(err error) bool {
	return isCode(err, pkcs11.CKR_SESSION_HANDLE_INVALID, pkcs11.CKR_SESSION_CLOSED,
		pkcs11.CKR_DEVICE_ERROR, pkcs11.CKR_DEVICE_REMOVED, pkcs11.CKR_TOKEN_NOT_PRESENT,
		pkcs11.CKR_KEY_HANDLE_INVALID, pkcs11.CKR_OBJECT_HANDLE_INVALID, pkcs11.CKR_USER_NOT_LOGGED_IN)
}
