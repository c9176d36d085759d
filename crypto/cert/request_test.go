package cert

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"github.com/gostca/gostca/internal/testkit"
	"net"
	"net/url"
	"reflect"
	"testing"

	"github.com/gostca/gostca/crypto/gost3410"
)

func TestCertificateRequest(t *testing.T) {
	testkit.ForEachParams(t, testParamSets(), func(t *testing.T, params *gost3410.Params) {
		key := newTestKey(t, params)
		u, _ := url.Parse("urn:example:ivanov")
		tmpl := &CertificateRequest{
			Subject:         qualifiedName,
			KeyUsage:        x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
			ExtKeyUsage:     []asn1.ObjectIdentifier{OIDExtKeyUsageClientAuth(), {1, 2, 643, 2, 2, 34, 6}},
			DNSNames:        []string{"ivanov.example.ru"},
			EmailAddresses:  []string{"ivanov@example.ru"},
			IPAddresses:     []net.IP{net.IPv4(192, 0, 2, 7).To4()},
			URIs:            []*url.URL{u},
			SubjectSignTool: "СКЗИ «Рутокен ЭЦП 3.0»",
			ExtraExtensions: []pkix.Extension{{Id: oidExtIdentificationKind, Value: []byte{0x02, 0x01, 0x00}}},
		}
		der, err := CreateCertificateRequest(rand.Reader, tmpl, key)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseCertificateRequest(der)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.CheckSignature(); err != nil {
			t.Fatalf("CheckSignature: %v", err)
		}
		if !bytes.Equal(r.Raw, der) || r.Version != 0 || !r.PublicKey.Equal(key.PublicKey()) {
			t.Error("Raw, Version or PublicKey wrong")
		}
		if want := map[int]SignatureAlgorithm{32: GOST256, 64: GOST512}[params.Size()]; r.SignatureAlgorithm != want {
			t.Errorf("algorithm %v, want %v", r.SignatureAlgorithm, want)
		}
		if !reflect.DeepEqual(&r.Subject, &tmpl.Subject) {
			t.Errorf("subject %+v", r.Subject)
		}
		if r.KeyUsage != tmpl.KeyUsage || r.SubjectSignTool != tmpl.SubjectSignTool ||
			!reflect.DeepEqual(r.DNSNames, tmpl.DNSNames) || !reflect.DeepEqual(r.EmailAddresses, tmpl.EmailAddresses) ||
			len(r.IPAddresses) != 1 || !r.IPAddresses[0].Equal(tmpl.IPAddresses[0]) ||
			len(r.URIs) != 1 || r.URIs[0].String() != u.String() {
			t.Errorf("requested extensions differ: %+v", r)
		}
		checkOIDs(t, "ExtKeyUsage", r.ExtKeyUsage, tmpl.ExtKeyUsage)
		if len(r.Extensions) != 5 || findExtension(r.Extensions, oidExtIdentificationKind) == nil {
			t.Errorf("extensions %+v", r.Extensions)
		}

		t.Run("tampered", func(t *testing.T) {
			// Change one letter of the subject inside the TBS.
			i := bytes.Index(der, []byte("ivanov@example.ru"))
			bad := bytes.Clone(der)
			bad[i] = 'I'
			r, err := ParseCertificateRequest(bad)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.CheckSignature(); err == nil {
				t.Error("CheckSignature of a tampered request succeeded")
			}
			bad = bytes.Clone(der)
			bad[len(bad)-1] ^= 0x40
			if r, err = ParseCertificateRequest(bad); err != nil {
				t.Fatal(err)
			}
			if err := r.CheckSignature(); err == nil {
				t.Error("CheckSignature of a tampered signature succeeded")
			}
		})
	})

	t.Run("no extensions", func(t *testing.T) {
		key := newTestKey(t, gost3410.ParamsTC26256A())
		der, err := CreateCertificateRequest(rand.Reader, &CertificateRequest{Subject: Name{CommonName: "x"}}, key)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ParseCertificateRequest(der)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix(r.RawTBSCertificateRequest, []byte{0xa0, 0x00}) || !bytes.Equal(r.RawTBSCertificateRequest[2:5], []byte{0x02, 0x01, 0x00}) {
			t.Errorf("TBS %x: want version 0 encoded and empty attributes", r.RawTBSCertificateRequest)
		}
	})

	t.Run("rejects", func(t *testing.T) {
		key := newTestKey(t, gost3410.ParamsTC26256A())
		for name, tmpl := range map[string]*CertificateRequest{
			"bad SNILS":             {Subject: Name{SNILS: "abc"}},
			"non-ASCII email":       {EmailAddresses: []string{"я@x"}},
			"too long sign tool":    {SubjectSignTool: string(make([]rune, 201))},
			"extension without OID": {ExtraExtensions: []pkix.Extension{{}}},
		} {
			if _, err := CreateCertificateRequest(rand.Reader, tmpl, key); err == nil {
				t.Errorf("%s: no error", name)
			}
		}
		if _, err := CreateCertificateRequest(rand.Reader, &CertificateRequest{}, faultySigner{key}); err == nil {
			t.Error("faulty signer: no error")
		}
	})
}

// RFC 9215 Appendix D objects (gost.md §7.1): 256-bit paramSetA (D.2) and
// 512-bit test set (D.3), signed by a foreign implementation.
const rfc9215D2 = `-----BEGIN CERTIFICATE REQUEST-----
MIHKMHkCAQAwEjEQMA4GA1UEAxMHRXhhbXBsZTBeMBcGCCqFAwcBAQEBMAsGCSqF
AwcBAgEBAQNDAARAdCeV1L7ohN3yhQ/sA+o/rxhE4B2dpgtkUJOlXibfw5l49ZbP
TU0MbPHRiUPZRJPRa57AoW1RLS4SfMRpGmMY4qAAMAoGCCqFAwcBAQMCA0EAG9wq
Exdnm2YjL2PqFv98ZMyqua2FX8bhgJFmHbedSBIdDh2lvjR8bxtSVseurCAK1krH
em9bOg4Jcxjnrm7naQ==
-----END CERTIFICATE REQUEST-----
-----BEGIN CERTIFICATE-----
MIIBJTCB06ADAgECAgEKMAoGCCqFAwcBAQMCMBIxEDAOBgNVBAMTB0V4YW1wbGUw
IBcNMDEwMTAxMDAwMDAwWhgPMjA1MDEyMzEwMDAwMDBaMBIxEDAOBgNVBAMTB0V4
YW1wbGUwXjAXBggqhQMHAQEBATALBgkqhQMHAQIBAQEDQwAEQHQnldS+6ITd8oUP
7APqP68YROAdnaYLZFCTpV4m38OZePWWz01NDGzx0YlD2UST0WuewKFtUS0uEnzE
aRpjGOKjEzARMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoUDBwEBAwIDQQAUC02pEksJ
yw1c6Sjuh0JzoxASlJLsDik2njt5EkhXjB0OHaW+NHxvG1JWx66sIArWSsd6b1s6
DglzGOeubudp
-----END CERTIFICATE-----
-----BEGIN X509 CRL-----
MIGSMEECAQEwCgYIKoUDBwEBAwIwEjEQMA4GA1UEAxMHRXhhbXBsZRcNMTQwMTAx
MDAwMDAwWhcNMTQwMTAyMDAwMDAwWjAKBggqhQMHAQEDAgNBABS9aAh8O5A8eqKL
B/6y571v4JY/VjJnNZ9c2Oq0UFmtHQ4dpb40fG8bUlbHrqwgCtZKx3pvWzoOCXMY
565u52k=
-----END X509 CRL-----
`

const rfc9215D3 = `-----BEGIN CERTIFICATE REQUEST-----
MIIBTzCBvAIBADASMRAwDgYDVQQDEwdFeGFtcGxlMIGgMBcGCCqFAwcBAQECMAsG
CSqFAwcBAgECAAOBhAAEgYDh7zDVLGEz3dmdHVxBRVz3302LTJJbvGmvFDPRVlhR
Wt0hRoUMMlxbgcEzvmVaqMTUQOe5io1ZSHsMdpa8xV0R7L53NqnsNX/y/TmTH04R
TLjNo1knCsfw5/9D2UGUGeph/Sq3f12fY1I9O1CgT2PioM9Rt8E63CFWDwvUDMnH
N6AAMAoGCCqFAwcBAQMDA4GBAEM7HWzkClHx5XN+sWqixoOCmkBbnZEn4hJg/J1q
wF2HvyTibEUnilwhkqdbqUmTq9YHTn/xvwP9L1OXr6HZRVgvhvpgoIEJGiPdeV4e
PGie5RKjyC7g3MJkPHjuqPys01SSVYSGsg8cnsGXyQaZhQJgyTvLzZxcMxfhk0Th
c642
-----END CERTIFICATE REQUEST-----
`

func TestRFC9215Examples(t *testing.T) {
	blocks := map[string][][]byte{}
	for _, text := range []string{rfc9215D2, rfc9215D3} {
		rest := []byte(text)
		for {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			blocks[b.Type] = append(blocks[b.Type], b.Bytes)
		}
	}
	for i, der := range blocks["CERTIFICATE REQUEST"] {
		r, err := ParseCertificateRequest(der)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if err := r.CheckSignature(); err != nil || r.Subject.CommonName != "Example" {
			t.Errorf("request %d: %v, subject %+v", i, err, r.Subject)
		}
	}
	c, err := ParseCertificate(blocks["CERTIFICATE"][0])
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Errorf("self-signed certificate: %v", err)
	}
	if c.SerialNumber.Int64() != 10 || c.NotAfter.Year() != 2050 || !c.IsCA || c.SignatureAlgorithm != GOST256 {
		t.Errorf("certificate fields: %v %v %v %v", c.SerialNumber, c.NotAfter, c.IsCA, c.SignatureAlgorithm)
	}
	rl, err := ParseRevocationList(blocks["X509 CRL"][0])
	if err != nil {
		t.Fatal(err)
	}
	if err := rl.CheckSignatureFrom(c); err != nil {
		t.Errorf("CRL: %v", err)
	}
	if len(rl.Entries) != 0 || rl.Number != nil || rl.ThisUpdate.Year() != 2014 {
		t.Errorf("CRL fields: %+v", rl)
	}
}
