package pkcs11

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseURI(t *testing.T) {
	slot := uint(7)
	for _, tc := range []struct {
		name, in string
		want     *URI
	}{
		{"empty", "pkcs11:", &URI{}},
		{"token and object", "pkcs11:token=gostca;object=root", &URI{Token: "gostca", Object: "root"}},
		{"upper-case scheme", "PKCS11:token=a", &URI{Token: "a"}},
		{"percent-encoded", "pkcs11:token=gostca%20root;object=%D0%BA%D0%BB%D1%8E%D1%87;id=%01%ff", &URI{Token: "gostca root", Object: "ключ", ID: []byte{1, 0xff}}},
		{"raw id", "pkcs11:id=ab", &URI{ID: []byte("ab")}},
		{"slot", "pkcs11:slot-id=7;serial=0001;manufacturer=SoftHSM%20project;model=SoftHSM%20v2;slot-description=s;slot-manufacturer=m;type=private",
			&URI{SlotID: &slot, Serial: "0001", Manufacturer: "SoftHSM project", Model: "SoftHSM v2", SlotDescription: "s", SlotManufacturer: "m", Type: "private"}},
		{"query", "pkcs11:token=a?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/gostca/pin",
			&URI{Token: "a", ModulePath: "/usr/lib/softhsm/libsofthsm2.so", PINSource: "file:/etc/gostca/pin"}},
		{"query only", "pkcs11:?pin-source=env:GOSTCA_PIN", &URI{PINSource: "env:GOSTCA_PIN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseURI(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want.String() || !bytes.Equal(got.ID, tc.want.ID) {
				t.Fatalf("ParseURI = %s, want %s", got, tc.want)
			}
			again, err := ParseURI(got.String())
			if err != nil || again.String() != got.String() {
				t.Errorf("round trip of %s: %v, %v", got, again, err)
			}
		})
	}
}

func TestParseURIMalformed(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"no scheme", "token=a", "does not start"},
		{"other scheme", "pkcs12:token=a", "does not start"},
		{"no equals", "pkcs11:token", `has no "="`},
		{"empty attribute", "pkcs11:token=a;", `has no "="`},
		{"empty name", "pkcs11:=a", "no name"},
		{"empty value", "pkcs11:token=", "is empty"},
		{"duplicate", "pkcs11:token=a;token=b", "given twice"},
		{"unknown", "pkcs11:tokn=a", `unknown or unsupported attribute "tokn"`},
		{"library attribute", "pkcs11:library-version=1", "unsupported"},
		{"truncated escape", "pkcs11:token=a%2", "truncated escape"},
		{"bad escape", "pkcs11:token=a%zz", "malformed escape"},
		{"raw space", "pkcs11:token=a b", "must be percent-encoded"},
		{"raw hash", "pkcs11:token=a#b", "must be percent-encoded"},
		{"slot-id not a number", "pkcs11:slot-id=x", "not a decimal number"},
		{"slot-id negative", "pkcs11:slot-id=-1", "not a decimal number"},
		{"bad type", "pkcs11:type=secret", "type"},
		{"pin-value", "pkcs11:token=a?pin-value=1234", "pin-value is refused"},
		{"pin-source in path", "pkcs11:token=a;pin-source=env:PIN", "query attribute"},
		{"object in query", "pkcs11:token=a?object=b", "path attribute"},
		{"module-name", "pkcs11:?module-name=softhsm2", "module-path"},
		{"pin-source scheme", "pkcs11:?pin-source=/etc/pin", "want file:PATH or env:NAME"},
		{"pin-source env name", "pkcs11:?pin-source=env:1X", "not an environment variable name"},
		{"pin-source empty file", "pkcs11:?pin-source=file:", "names no file"},
		{"empty query", "pkcs11:token=a?", "empty query"},
		{"query no equals", "pkcs11:?module-path", `has no "="`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := ParseURI(tc.in)
			if err == nil {
				t.Fatalf("ParseURI(%q) = %s, want an error", tc.in, u)
			}
			if !strings.HasPrefix(err.Error(), "pkcs11: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseURI(%q) = %v; want an error containing %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestURIPIN(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pin")
	os.WriteFile(file, []byte("1234\r\n"), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	t.Setenv("GOSTCA_TEST_PIN_X", "5678")
	for _, tc := range []struct {
		src, want string
		ok        bool
	}{
		{"file:" + file, "1234", true},
		{"file://" + file, "1234", true},
		{"env:GOSTCA_TEST_PIN_X", "5678", true},
		{"", "", true},
		{"file:" + empty, "", false},
		{"file:" + filepath.Join(dir, "missing"), "", false},
		{"env:GOSTCA_TEST_PIN_UNSET", "", false},
	} {
		pin, err := (&URI{PINSource: tc.src}).PIN()
		if (err == nil) != tc.ok || string(pin) != tc.want {
			t.Errorf("PIN(%q) = %q, %v; want %q, ok=%v", tc.src, pin, err, tc.want, tc.ok)
		}
	}
}

// FuzzParseURI: whatever parses re-marshals to a URI that parses to the
// same value.
func FuzzParseURI(f *testing.F) {
	f.Add("pkcs11:token=gostca%20root;object=root;id=%01%02?module-path=/x.so&pin-source=env:PIN")
	f.Add("pkcs11:slot-id=3;type=private")
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURI(s)
		if err != nil {
			return
		}
		v, err := ParseURI(u.String())
		if err != nil {
			t.Fatalf("%q → %s: %v", s, u, err)
		}
		if v.String() != u.String() || !bytes.Equal(u.ID, v.ID) {
			t.Fatalf("%q → %s → %s", s, u, v)
		}
	})
}
