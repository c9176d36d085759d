package cert

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"github.com/gostca/gostca/internal/testkit"
	"iter"
	"math/big"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/gostca/gostca/crypto/gost3410"
)

func mustCreateCRL(t *testing.T, tmpl *RevocationList, entries iter.Seq[RevocationEntry], issuer *Certificate, key *gost3410.PrivateKey) *RevocationList {
	t.Helper()
	der, err := CreateRevocationList(rand.Reader, tmpl, entries, issuer, key)
	if err != nil {
		t.Fatalf("CreateRevocationList: %v", err)
	}
	rl, err := ParseRevocationList(der)
	if err != nil {
		t.Fatalf("ParseRevocationList: %v", err)
	}
	if !bytes.Equal(rl.Raw, der) {
		t.Fatal("Raw differs from the input")
	}
	if err := rl.CheckSignatureFrom(issuer); err != nil {
		t.Fatalf("CheckSignatureFrom: %v", err)
	}
	return rl
}

func TestRevocationList(t *testing.T) {
	testkit.ForEachParams(t, testParamSets(), func(t *testing.T, params *gost3410.Params) {
		ca, caKey := newTestCA(t, params)
		thisUpdate := refNow
		entries := []RevocationEntry{
			{SerialNumber: big.NewInt(101), RevocationTime: refNow.Add(-time.Hour), ReasonCode: ReasonKeyCompromise, InvalidityDate: refNow.Add(-48 * time.Hour)},
			{SerialNumber: big.NewInt(102), RevocationTime: refNow.Add(-time.Hour), ReasonCode: ReasonCertificateHold},
			{SerialNumber: newTestSerial(t), RevocationTime: time.Date(2051, 1, 1, 0, 0, 0, 0, time.UTC)},
		}
		rl := mustCreateCRL(t, &RevocationList{Number: big.NewInt(42), ThisUpdate: thisUpdate, NextUpdate: thisUpdate.Add(24 * time.Hour)},
			slices.Values(entries), ca, caKey)
		if rl.Number.Int64() != 42 || rl.BaseCRLNumber != nil || !bytes.Equal(rl.AuthorityKeyId, ca.SubjectKeyId) ||
			!rl.ThisUpdate.Equal(thisUpdate) || !rl.NextUpdate.Equal(thisUpdate.Add(24*time.Hour)) ||
			!bytes.Equal(rl.RawIssuer, ca.RawSubject) || rl.Issuer.CommonName != ca.Subject.CommonName {
			t.Errorf("CRL fields: %+v", rl)
		}
		if len(rl.Entries) != len(entries) {
			t.Fatalf("%d entries, want %d", len(rl.Entries), len(entries))
		}
		for i, want := range entries {
			got := rl.Entries[i]
			if got.SerialNumber.Cmp(want.SerialNumber) != 0 || !got.RevocationTime.Equal(want.RevocationTime) ||
				got.ReasonCode != want.ReasonCode || !got.InvalidityDate.Equal(want.InvalidityDate) {
				t.Errorf("entry %d = %+v, want %+v", i, got, want)
			}
		}
		if n := len(rl.Entries[2].Extensions); n != 0 {
			t.Errorf("unspecified entry has %d extensions, want none", n)
		}
		if n := len(rl.Entries[0].Extensions); n != 2 {
			t.Errorf("keyCompromise entry has %d extensions, want 2", n)
		}
		// crypto/x509 agrees.
		xl, err := x509.ParseRevocationList(rl.Raw)
		if err != nil || xl.RevokedCertificateEntries[0].ReasonCode != 1 {
			t.Errorf("crypto/x509: %v", err)
		}

		t.Run("delta", func(t *testing.T) {
			delta := mustCreateCRL(t, &RevocationList{Number: big.NewInt(43), BaseCRLNumber: big.NewInt(42), ThisUpdate: thisUpdate, NextUpdate: thisUpdate.Add(time.Hour)},
				slices.Values([]RevocationEntry{{SerialNumber: big.NewInt(102), RevocationTime: refNow, ReasonCode: ReasonRemoveFromCRL}}), ca, caKey)
			if delta.BaseCRLNumber == nil || delta.BaseCRLNumber.Int64() != 42 || delta.Entries[0].ReasonCode != ReasonRemoveFromCRL {
				t.Errorf("delta CRL: %+v", delta)
			}
			if e := findExtension(delta.Extensions, oidExtDeltaCRLIndicator); e == nil || !e.Critical {
				t.Errorf("deltaCRLIndicator = %+v, want critical", e)
			}
		})

		t.Run("no entries", func(t *testing.T) {
			empty := mustCreateCRL(t, &RevocationList{Number: big.NewInt(0), ThisUpdate: thisUpdate, NextUpdate: thisUpdate.Add(time.Hour)},
				slices.Values([]RevocationEntry(nil)), ca, caKey)
			// version, signature, issuer, thisUpdate, nextUpdate, [0] extensions.
			s := cryptobyte.String(empty.RawTBSRevocationList)
			var tbs cryptobyte.String
			s.ReadASN1(&tbs, cbasn1.SEQUENCE)
			var tags []cbasn1.Tag
			for !tbs.Empty() {
				var tag cbasn1.Tag
				var e cryptobyte.String
				if !tbs.ReadAnyASN1(&e, &tag) {
					t.Fatal("bad TBS")
				}
				tags = append(tags, tag)
			}
			want := []cbasn1.Tag{cbasn1.INTEGER, cbasn1.SEQUENCE, cbasn1.SEQUENCE, cbasn1.UTCTime, cbasn1.UTCTime, cbasn1.Tag(0).ContextSpecific().Constructed()}
			if !slices.Equal(tags, want) {
				t.Errorf("TBS tags %v, want %v (no revokedCertificates)", tags, want)
			}
			if len(empty.Entries) != 0 || empty.Number.Sign() != 0 {
				t.Errorf("entries %d, number %v", len(empty.Entries), empty.Number)
			}
			nilSeq := mustCreateCRL(t, &RevocationList{Number: big.NewInt(1), ThisUpdate: thisUpdate, NextUpdate: thisUpdate.Add(time.Hour)}, nil, ca, caKey)
			if len(nilSeq.Entries) != 0 {
				t.Error("nil sequence gave entries")
			}
		})

		t.Run("ExtraExtensions override", func(t *testing.T) {
			number := pkix.Extension{Id: oidExtCRLNumber, Value: []byte{0x02, 0x01, 0x09}}
			rl := mustCreateCRL(t, &RevocationList{Number: big.NewInt(1), ThisUpdate: thisUpdate, NextUpdate: thisUpdate.Add(time.Hour),
				ExtraExtensions: []pkix.Extension{number}}, nil, ca, caKey)
			if rl.Number.Int64() != 9 || len(rl.Extensions) != 2 {
				t.Errorf("number %v, %d extensions", rl.Number, len(rl.Extensions))
			}
		})
	})
}

func TestRevocationListIssuerChecks(t *testing.T) {
	params := gost3410.ParamsTC26256A()
	ca, caKey := newTestCA(t, params)
	noCRLSign, noCRLSignKey := newTestIntermediate(t, ca, caKey, params, "no cRLSign", func(c *Certificate) {
		c.KeyUsage = x509.KeyUsageCertSign
	})
	tmpl := &RevocationList{Number: big.NewInt(1), ThisUpdate: refNow, NextUpdate: refNow.Add(time.Hour)}
	if _, err := CreateRevocationList(rand.Reader, tmpl, nil, noCRLSign, noCRLSignKey); err == nil {
		t.Error("an issuer without cRLSign made a CRL")
	}
	rl := mustCreateCRL(t, tmpl, nil, ca, caKey)

	var invalid *CertificateInvalidError
	stripped := *ca
	stripped.KeyUsage = x509.KeyUsageCertSign
	if err := rl.CheckSignatureFrom(&stripped); !errors.As(err, &invalid) || invalid.Reason != NotAuthorizedToSign {
		t.Errorf("issuer without cRLSign: %v", err)
	}
	other, _ := newTestIntermediate(t, ca, caKey, params, "Other CA", nil)
	if err := rl.CheckSignatureFrom(other); !errors.As(err, &invalid) || invalid.Reason != NameMismatch {
		t.Errorf("other issuer name: %v", err)
	}
	sameName := *other
	sameName.RawSubject = ca.RawSubject
	if err := rl.CheckSignatureFrom(&sameName); !errors.As(err, &invalid) || invalid.Reason != BadSignature {
		t.Errorf("same name, other key: %v", err)
	}
	bad := bytes.Clone(rl.Raw)
	bad[len(bad)-5] ^= 1
	tampered, err := ParseRevocationList(bad)
	if err != nil {
		t.Fatal(err)
	}
	if err := tampered.CheckSignatureFrom(ca); !errors.As(err, &invalid) || invalid.Reason != BadSignature {
		t.Errorf("tampered CRL: %v", err)
	}
}

func TestCreateRevocationListRejects(t *testing.T) {
	params := gost3410.ParamsTC26256A()
	ca, caKey := newTestCA(t, params)
	otherKey := newTestKey(t, params)
	good := func() *RevocationList {
		return &RevocationList{Number: big.NewInt(5), ThisUpdate: refNow, NextUpdate: refNow.Add(time.Hour)}
	}
	entry := func(edit func(*RevocationEntry)) []RevocationEntry {
		e := RevocationEntry{SerialNumber: big.NewInt(1), RevocationTime: refNow}
		edit(&e)
		return []RevocationEntry{e}
	}
	tests := []struct {
		name    string
		edit    func(*RevocationList)
		entries []RevocationEntry
		signer  *gost3410.PrivateKey
	}{
		{name: "missing Number", edit: func(rl *RevocationList) { rl.Number = nil }},
		{name: "negative Number", edit: func(rl *RevocationList) { rl.Number = big.NewInt(-1) }},
		{name: "21-octet Number", edit: func(rl *RevocationList) { rl.Number = new(big.Int).Lsh(big.NewInt(1), 160) }},
		{name: "BaseCRLNumber not below Number", edit: func(rl *RevocationList) { rl.BaseCRLNumber = big.NewInt(5) }},
		{name: "missing NextUpdate", edit: func(rl *RevocationList) { rl.NextUpdate = time.Time{} }},
		{name: "missing ThisUpdate", edit: func(rl *RevocationList) { rl.ThisUpdate = time.Time{} }},
		{name: "NextUpdate equal to ThisUpdate", edit: func(rl *RevocationList) { rl.NextUpdate = rl.ThisUpdate }},
		{name: "NextUpdate before ThisUpdate", edit: func(rl *RevocationList) { rl.NextUpdate = rl.ThisUpdate.Add(-time.Hour) }},
		{name: "nil entry serial", entries: entry(func(e *RevocationEntry) { e.SerialNumber = nil })},
		{name: "zero entry serial", entries: entry(func(e *RevocationEntry) { e.SerialNumber = big.NewInt(0) })},
		{name: "negative entry serial", entries: entry(func(e *RevocationEntry) { e.SerialNumber = big.NewInt(-3) })},
		{name: "zero revocation time", entries: entry(func(e *RevocationEntry) { e.RevocationTime = time.Time{} })},
		{name: "reason code 7", entries: entry(func(e *RevocationEntry) { e.ReasonCode = 7 })},
		{name: "reason code 11", entries: entry(func(e *RevocationEntry) { e.ReasonCode = 11 })},
		{name: "removeFromCRL in a full CRL", entries: entry(func(e *RevocationEntry) { e.ReasonCode = ReasonRemoveFromCRL })},
		{name: "signer not the issuer", signer: otherKey},
		{name: "extra extension without OID", edit: func(rl *RevocationList) { rl.ExtraExtensions = []pkix.Extension{{}} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := good()
			if tt.edit != nil {
				tt.edit(tmpl)
			}
			signer := caKey
			if tt.signer != nil {
				signer = tt.signer
			}
			if _, err := CreateRevocationList(rand.Reader, tmpl, slices.Values(tt.entries), ca, signer); err == nil {
				t.Error("CreateRevocationList succeeded, want an error")
			}
		})
	}
	t.Run("the sequence stops at the first bad entry", func(t *testing.T) {
		n := 0
		seq := func(yield func(RevocationEntry) bool) {
			for i := range 10 {
				n++
				e := RevocationEntry{SerialNumber: big.NewInt(int64(i)), RevocationTime: refNow}
				if !yield(e) {
					return
				}
			}
		}
		if _, err := CreateRevocationList(rand.Reader, good(), seq, ca, caKey); err == nil || n != 1 {
			t.Errorf("err %v after %d entries, want an error after 1", err, n)
		}
	})
}

// TestRevocationListStreamed makes a CRL of 100 000 entries from a sequence
// that never holds them in a slice.
func TestRevocationListStreamed(t *testing.T) {
	const count = 100_000
	ca, caKey := newTestCA(t, gost3410.ParamsTC26256A())
	ranged := 0
	seq := func(yield func(RevocationEntry) bool) {
		ranged++
		base := new(big.Int).Lsh(big.NewInt(1), 120)
		for i := range count {
			e := RevocationEntry{
				SerialNumber:   new(big.Int).Add(base, big.NewInt(int64(i))),
				RevocationTime: refNow.Add(-time.Duration(i) * time.Second),
			}
			if i%3 == 0 {
				e.ReasonCode = ReasonSuperseded
			}
			if !yield(e) {
				return
			}
		}
	}
	rl := mustCreateCRL(t, &RevocationList{Number: big.NewInt(1000), ThisUpdate: refNow, NextUpdate: refNow.Add(time.Hour)}, seq, ca, caKey)
	if ranged != 2 {
		t.Errorf("sequence ranged %d times, want twice (check and size, then write)", ranged)
	}
	if len(rl.Entries) != count {
		t.Fatalf("%d entries, want %d", len(rl.Entries), count)
	}
	last := rl.Entries[count-1]
	if last.SerialNumber.Bit(120) != 1 || last.ReasonCode != ReasonSuperseded ||
		!last.RevocationTime.Equal(refNow.Add(-(count-1)*time.Second)) {
		t.Errorf("last entry %+v", last)
	}
}

func TestReasonCodeString(t *testing.T) {
	for r, want := range map[ReasonCode]string{
		ReasonUnspecified: "unspecified", ReasonKeyCompromise: "keyCompromise", ReasonCACompromise: "cACompromise",
		ReasonAffiliationChanged: "affiliationChanged", ReasonSuperseded: "superseded",
		ReasonCessationOfOperation: "cessationOfOperation", ReasonCertificateHold: "certificateHold",
		ReasonRemoveFromCRL: "removeFromCRL", ReasonPrivilegeWithdrawn: "privilegeWithdrawn", ReasonAACompromise: "aACompromise",
		7: "reason(7)",
	} {
		if got := r.String(); got != want {
			t.Errorf("%d: %q, want %q", int(r), got, want)
		}
	}
}

// TestRevocationListEntriesChanged: a sequence that gives other entries on
// its second pass is refused, never encoded with a wrong length.
func TestRevocationListEntriesChanged(t *testing.T) {
	ca, caKey := newTestCA(t, gost3410.ParamsTC26256A())
	for _, tt := range []struct {
		name          string
		first, second int // entries on each pass
		invalidity    bool
	}{
		{"one more", 3, 4, false},
		{"one fewer", 3, 2, false},
		{"same count, longer entry", 3, 3, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pass := 0
			seq := func(yield func(RevocationEntry) bool) {
				pass++
				n := tt.first
				if pass == 2 {
					n = tt.second
				}
				for i := range n {
					e := RevocationEntry{SerialNumber: big.NewInt(int64(i + 1)), RevocationTime: refNow}
					if pass == 2 && tt.invalidity {
						e.InvalidityDate = refNow
					}
					if !yield(e) {
						return
					}
				}
			}
			_, err := CreateRevocationList(rand.Reader, &RevocationList{Number: big.NewInt(1), ThisUpdate: refNow, NextUpdate: refNow.Add(time.Hour)}, seq, ca, caKey)
			if !errors.Is(err, errEntriesChanged) {
				t.Errorf("CreateRevocationList = %v, want errEntriesChanged", err)
			}
		})
	}
}
