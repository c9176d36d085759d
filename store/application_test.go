package store

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"
)

// testApp builds an application numbered from seq for the key keyID.
func testApp(keyID string, attachments ...Attachment) func(seq uint64) (*Application, error) {
	return testAppYear(2026, keyID, attachments...)
}

func testAppYear(year int, keyID string, attachments ...Attachment) func(seq uint64) (*Application, error) {
	return func(seq uint64) (*Application, error) {
		return &Application{
			Number: fmt.Sprintf("%d-%06d", year, seq), State: "submitted", Open: true,
			KeyID: []byte(keyID), Data: []byte(`{"applicant":"x"}`), Attachments: attachments,
		}, nil
	}
}

func FuzzDecodeApplication(f *testing.F) {
	a := &Application{Number: "2026-000001", State: "submitted", Open: true, KeyID: []byte("k"), Data: []byte("{}"),
		Attachments: []Attachment{{Name: "a.pdf", Type: "application/pdf", Size: 3}}}
	v, err := encodeApplication(a)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(v)
	m, _ := encodeMail(&Mail{ID: 1, To: "a@b", Subject: "s", Body: "b"})
	f.Add(m)
	f.Fuzz(func(t *testing.T, v []byte) {
		if a, err := decodeApplication(v); err == nil {
			w, err := encodeApplication(a)
			if err != nil || string(w) != string(v) {
				t.Fatalf("application does not re-encode: %v", err)
			}
		}
		if m, err := decodeMail(v); err == nil {
			w, err := encodeMail(m)
			if err != nil || string(w) != string(v) {
				t.Fatalf("mail does not re-encode: %v", err)
			}
		}
	})
}

// TestBackupCarriesApplications: a backup restored holds the applications
// and their attachments, checked against their hashes.
func TestBackupCarriesApplications(t *testing.T) {
	db := openTest(t)
	scan := []byte("%PDF-1.4 a scan")
	a, err := db.SubmitApplication(t0, [][]byte{scan}, testApp("key", Attachment{Name: "scan.pdf", Type: "application/pdf"}))
	if err != nil {
		t.Fatal(err)
	}
	var backup bytes.Buffer
	if _, err := db.WriteTo(&backup); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "restored.db")
	if err := Restore(path, &backup); err != nil {
		t.Fatal(err)
	}
	restored, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	got, err := restored.Application(a.Number)
	if err != nil || got.Attachments[0].Hash != a.Attachments[0].Hash {
		t.Fatalf("restored application: %+v, %v", got, err)
	}
	if data, err := restored.Attachment(got.Attachments[0].Hash); err != nil || !bytes.Equal(data, scan) {
		t.Fatalf("restored attachment: %q, %v", data, err)
	}
}
