package pkcs11

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// URI is a PKCS#11 URI (RFC 7512) naming a token, a key in it, the module
// that drives it and where its PIN comes from:
//
//	pkcs11:token=gostca%20root;object=root-2025;id=%01%02?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/gostca/pin
//
// Path attributes (separated by ";") select the token and the object:
// token (the token label), manufacturer, model, serial, slot-id (decimal),
// slot-description, slot-manufacturer; object (the key's CKA_LABEL), id
// (its CKA_ID, raw bytes, normally every byte percent-encoded) and type
// (only "private" is meaningful here). Query attributes (after "?",
// separated by "&") are module-path, the PKCS#11 library, and
// pin-source, where the PIN is read from: "file:PATH" (the whole file,
// less one trailing newline) or "env:NAME" (an environment variable).
//
// Values are percent-encoded (RFC 3986); a space must be written %20.
// Each attribute may appear once. Other RFC 7512 attributes are refused
// with an error naming them, pin-value in particular: a PIN written in a
// URI ends up in argv, shell history and logs. The scheme name is case
// insensitive, attribute names are not.
type URI struct {
	Token            string
	Manufacturer     string
	Model            string
	Serial           string
	SlotID           *uint
	SlotDescription  string
	SlotManufacturer string
	Object           string
	ID               []byte
	Type             string
	ModulePath       string
	PINSource        string
}

var pinEnvName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseURI parses s, a PKCS#11 URI. Errors say which attribute is wrong.
func ParseURI(s string) (*URI, error) {
	const scheme = "pkcs11:"
	if len(s) < len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme) {
		return nil, fmt.Errorf("pkcs11: URI %q does not start with %q", s, scheme)
	}
	rest := s[len(scheme):]
	path, query, hasQuery := strings.Cut(rest, "?")
	u := &URI{}
	seen := map[string]bool{}
	set := func(name, raw string, inQuery bool) error {
		if name == "" {
			return fmt.Errorf("pkcs11: URI %q: attribute with no name", s)
		}
		if seen[name] {
			return fmt.Errorf("pkcs11: URI %q: attribute %s given twice", s, name)
		}
		seen[name] = true
		v, err := unescape(raw)
		if err != nil {
			return fmt.Errorf("pkcs11: URI %q: attribute %s: %w", s, name, err)
		}
		if v == "" {
			return fmt.Errorf("pkcs11: URI %q: attribute %s is empty", s, name)
		}
		isQuery := name == "module-path" || name == "pin-source" || name == "pin-value" || name == "module-name"
		if isQuery && !inQuery {
			return fmt.Errorf("pkcs11: URI %q: %s is a query attribute: write it after \"?\"", s, name)
		}
		if !isQuery && inQuery {
			return fmt.Errorf("pkcs11: URI %q: %s is a path attribute: write it before \"?\"", s, name)
		}
		switch name {
		case "token":
			u.Token = v
		case "manufacturer":
			u.Manufacturer = v
		case "model":
			u.Model = v
		case "serial":
			u.Serial = v
		case "slot-description":
			u.SlotDescription = v
		case "slot-manufacturer":
			u.SlotManufacturer = v
		case "slot-id":
			n, err := strconv.ParseUint(v, 10, 0)
			if err != nil {
				return fmt.Errorf("pkcs11: URI %q: slot-id %q is not a decimal number", s, v)
			}
			id := uint(n)
			u.SlotID = &id
		case "object":
			u.Object = v
		case "id":
			u.ID = []byte(v)
		case "type":
			switch v {
			case "private", "public", "cert", "secret-key", "data":
			default:
				return fmt.Errorf("pkcs11: URI %q: type %q is not one of private, public, cert, secret-key, data", s, v)
			}
			u.Type = v
		case "module-path":
			u.ModulePath = v
		case "pin-source":
			if err := checkPINSource(v); err != nil {
				return fmt.Errorf("pkcs11: URI %q: %w", s, err)
			}
			u.PINSource = v
		case "pin-value":
			return fmt.Errorf("pkcs11: URI %q: pin-value is refused: a PIN in a URI leaks through argv and logs; use pin-source=file:PATH or env:NAME", s)
		case "module-name":
			return fmt.Errorf("pkcs11: URI %q: module-name is not supported; give the library with module-path", s)
		default:
			return fmt.Errorf("pkcs11: URI %q: unknown or unsupported attribute %q", s, name)
		}
		return nil
	}
	if path != "" {
		for _, attr := range strings.Split(path, ";") {
			name, value, ok := strings.Cut(attr, "=")
			if !ok {
				return nil, fmt.Errorf("pkcs11: URI %q: path attribute %q has no \"=\"", s, attr)
			}
			if err := set(name, value, false); err != nil {
				return nil, err
			}
		}
	}
	if hasQuery {
		if query == "" {
			return nil, fmt.Errorf("pkcs11: URI %q: empty query after \"?\"", s)
		}
		for _, attr := range strings.Split(query, "&") {
			name, value, ok := strings.Cut(attr, "=")
			if !ok {
				return nil, fmt.Errorf("pkcs11: URI %q: query attribute %q has no \"=\"", s, attr)
			}
			if err := set(name, value, true); err != nil {
				return nil, err
			}
		}
	}
	return u, nil
}

func checkPINSource(v string) error {
	switch {
	case strings.HasPrefix(v, "file:"):
		if strings.TrimPrefix(v, "file:") == "" {
			return fmt.Errorf("pin-source %q names no file", v)
		}
	case strings.HasPrefix(v, "env:"):
		if !pinEnvName.MatchString(strings.TrimPrefix(v, "env:")) {
			return fmt.Errorf("pin-source %q: not an environment variable name", v)
		}
	default:
		return fmt.Errorf("pin-source %q: want file:PATH or env:NAME", v)
	}
	return nil
}

// unescape decodes percent-encoding. It refuses malformed escapes and raw
// characters that RFC 3986 never allows raw (space, controls, non-ASCII,
// "#", "%" outside an escape, and the unsafe characters " < > \ ^ ` { } |),
// so that a typo does not pass as a label.
func unescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) {
				return "", fmt.Errorf("truncated escape %q", s[i:])
			}
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if !ok1 || !ok2 {
				return "", fmt.Errorf("malformed escape %q", s[i:i+3])
			}
			b.WriteByte(hi<<4 | lo)
			i += 2
		case c <= ' ' || c >= 0x7f || strings.IndexByte("#\"<>\\^`{}|", c) >= 0:
			return "", fmt.Errorf("character %q must be percent-encoded", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// String returns the URI in the canonical form ParseURI reads: path
// attributes in the order of the URI type's fields, id entirely
// percent-encoded.
func (u *URI) String() string {
	var path, query []string
	add := func(list *[]string, name, v string, all bool) {
		if v != "" {
			*list = append(*list, name+"="+escape(v, all))
		}
	}
	add(&path, "token", u.Token, false)
	add(&path, "manufacturer", u.Manufacturer, false)
	add(&path, "model", u.Model, false)
	add(&path, "serial", u.Serial, false)
	if u.SlotID != nil {
		path = append(path, "slot-id="+strconv.FormatUint(uint64(*u.SlotID), 10))
	}
	add(&path, "slot-description", u.SlotDescription, false)
	add(&path, "slot-manufacturer", u.SlotManufacturer, false)
	add(&path, "object", u.Object, false)
	add(&path, "id", string(u.ID), true)
	add(&path, "type", u.Type, false)
	add(&query, "module-path", u.ModulePath, false)
	add(&query, "pin-source", u.PINSource, false)
	s := "pkcs11:" + strings.Join(path, ";")
	if len(query) > 0 {
		s += "?" + strings.Join(query, "&")
	}
	return s
}

// escape percent-encodes v: every byte when all is set, otherwise all but
// the unreserved characters and "/" ":" "@" "!" "$" "'" "(" ")" "*" "+"
// "," (none of them a delimiter of RFC 7512).
func escape(v string, all bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !all && ('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("-._~/:@!$'()*+,", c) >= 0) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// PIN reads the PIN from PINSource: the file's content less one trailing
// newline ("\n" or "\r\n"), or the environment variable's value. It
// returns nil and no error when the URI has no pin-source. The caller
// should clear the returned slice when done.
func (u *URI) PIN() ([]byte, error) {
	switch {
	case u.PINSource == "":
		return nil, nil
	case strings.HasPrefix(u.PINSource, "file:"):
		name := strings.TrimPrefix(u.PINSource, "file:")
		if strings.HasPrefix(name, "///") { // file:///abs/path
			name = name[2:]
		}
		pin, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("pkcs11: reading the PIN: %w", err)
		}
		pin = bytes.TrimSuffix(pin, []byte("\n"))
		pin = bytes.TrimSuffix(pin, []byte("\r"))
		if len(pin) == 0 {
			return nil, fmt.Errorf("pkcs11: reading the PIN: %s is empty", name)
		}
		return pin, nil
	case strings.HasPrefix(u.PINSource, "env:"):
		name := strings.TrimPrefix(u.PINSource, "env:")
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			return nil, fmt.Errorf("pkcs11: reading the PIN: environment variable %s is not set", name)
		}
		return []byte(v), nil
	}
	return nil, fmt.Errorf("pkcs11: %w", checkPINSource(u.PINSource))
}

// clone returns a deep copy of u.
func (u *URI) clone() *URI {
	c := *u
	c.ID = append([]byte(nil), u.ID...)
	if u.SlotID != nil {
		id := *u.SlotID
		c.SlotID = &id
	}
	return &c
}
