package store_test

import (
	"fmt"
	"log"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/gostca/gostca/store"
)

// Issue a certificate in two steps, revoke it, and read the snapshot a CRL
// is made from.
func Example() {
	dir, err := os.MkdirTemp("", "ledger")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(filepath.Join(dir, "ca.ledger"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	issuer := []byte{0x0b, 0xad, 0xca}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	r := &store.Record{
		Serial:      big.NewInt(0x1001),
		IssuerKeyID: issuer,
		Subject:     "CN=www.example.ru",
		Profile:     "tls-server",
		NotBefore:   now,
		NotAfter:    now.AddDate(1, 0, 0),
	}
	// Before signing: the serial is spent from now on.
	if err := db.Reserve(r, now); err != nil {
		log.Fatal(err)
	}
	// ... sign the certificate ...
	if err := db.Complete(r.Serial, []byte("DER"), []byte{0x5c, 0x1d}, now); err != nil {
		log.Fatal(err)
	}
	if err := db.Revoke(store.Revocation{Serial: r.Serial, Time: now, Reason: 1}, now); err != nil {
		log.Fatal(err)
	}

	err = db.View(func(tx store.Tx) error {
		fmt.Println("change number:", tx.Seq())
		for rev, err := range tx.Revocations(issuer) {
			if err != nil {
				return err
			}
			fmt.Printf("serial 0x%x: reason %d at change %d\n", rev.Serial, rev.Reason, rev.Seq)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("audit:", db.VerifyAudit())
	// Output:
	// change number: 3
	// serial 0x1001: reason 1 at change 3
	// audit: <nil>
}
