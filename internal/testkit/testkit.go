// Package testkit holds the small helpers gostca's tests share: whether the
// race detector is on, subtests per GOST parameter set, and files.
// It is for tests only.
package testkit

import (
	"bytes"
	"crypto/cipher"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// ForEachParams runs f as a parallel subtest, named after the set, for
// each of sets (GOST parameter sets, *gost3410.Params).
func ForEachParams[P interface{ Name() string }](t *testing.T, sets []P, f func(t *testing.T, params P)) {
	t.Helper()
	for _, params := range sets {
		t.Run(params.Name(), func(t *testing.T) {
			t.Parallel()
			f(t, params)
		})
	}
}

// ReadPEM returns the DER of the first PEM block of the file at path,
// which must be of type typ.
func ReadPEM(t testing.TB, path, typ string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != typ {
		t.Fatalf("%s: no %s PEM block", path, typ)
	}
	return block.Bytes
}

// WritePEM writes each of ders as a PEM block of type typ to the file at
// path (mode 0600) and returns path.
func WritePEM(t testing.TB, path, typ string, ders ...[]byte) string {
	t.Helper()
	var out []byte
	for _, der := range ders {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})...)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// WriteFile writes data to dir/name (mode 0600) and returns the path.
func WriteFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// ReadFile returns the contents of the file at path.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// CheckEncryptBlocks checks that b's EncryptBlocks(dst, src), the
// interleaved many-block encryption a cipher offers counter mode, equals
// Encrypt block by block, for even and odd counts, in place.
func CheckEncryptBlocks(t *testing.T, b cipher.Block) {
	t.Helper()
	be, ok := b.(interface{ EncryptBlocks(dst, src []byte) })
	if !ok {
		t.Fatalf("%T has no EncryptBlocks", b)
	}
	bs := b.BlockSize()
	for n := 0; n <= 5; n++ {
		src := make([]byte, n*bs)
		for i := range src {
			src[i] = byte(i * 13)
		}
		want := make([]byte, len(src))
		for i := 0; i < len(src); i += bs {
			b.Encrypt(want[i:], src[i:])
		}
		be.EncryptBlocks(src, src)
		if !bytes.Equal(src, want) {
			t.Errorf("%d blocks: EncryptBlocks differs from Encrypt", n)
		}
	}
}

// Response is an HTTP answer as a test reads it.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// HTTP sends one request with the default client: its Content-Type ctype
// and, unless empty, the bearer token bearer. It fails the test if no
// answer comes.
func HTTP(t testing.TB, method, url, ctype, bearer string, body []byte) *Response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{resp.StatusCode, resp.Header, b}
}
