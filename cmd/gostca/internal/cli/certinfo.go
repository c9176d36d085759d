package cli

import (
	"encoding/hex"
	"strings"
	"time"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/crypto/streebog"
	"github.com/gostca/gostca/store"
)

// Statuses as the commands show them.
const (
	statusValid     = "valid"
	statusExpired   = "expired"
	statusRevoked   = "revoked"
	statusHeld      = "held"
	statusReserved  = "reserved"
	statusAbandoned = "abandoned"
)

// dateLayout is how dates are shown: DD.MM.YYYY, UTC.
const dateLayout = "02.01.2006"

func formatDate(t time.Time) string { return t.UTC().Format(dateLayout) }

// statusOf is the status of a ledger record at now (ca.StatusOf), in the
// commands' words; a serial with no certificate is "reserved" or
// "abandoned".
func statusOf(r *store.Record, now time.Time) string {
	switch st := ca.StatusOf(r, now).State; {
	case st != ca.StateUnknown:
		return stateWord(st)
	case r.Status == store.StatusReserved:
		return statusReserved
	}
	return statusAbandoned
}

// stateWord is a certificate state in the commands' words.
func stateWord(s ca.State) string {
	switch s {
	case ca.StateGood:
		return statusValid
	case ca.StateExpired:
		return statusExpired
	case ca.StateHeld:
		return statusHeld
	case ca.StateRevoked:
		return statusRevoked
	}
	return s.String()
}

// fingerprint is the Streebog-256 hash of der, in hex with colons.
func fingerprint(der []byte) string {
	sum := streebog.Sum256(der)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var sb strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(h[i : i+2])
	}
	return sb.String()
}

// owner describes the holder of a certificate: the name, the
// organisation and the registration numbers.
func owner(n *cert.Name) string {
	parts := []string{}
	if n.CommonName != "" {
		parts = append(parts, n.CommonName)
	}
	if n.Organization != "" && n.Organization != n.CommonName {
		parts = append(parts, n.Organization)
	}
	for _, f := range []struct{ label, value string }{
		{"SNILS", formatSNILS(n.SNILS)}, {"INN", n.INN}, {"INNLE", n.INNLE}, {"OGRN", n.OGRN}, {"OGRNIP", n.OGRNIP},
	} {
		if f.value != "" {
			parts = append(parts, f.label+" "+f.value)
		}
	}
	return strings.Join(parts, ", ")
}

// formatSNILS writes a SNILS as on the card: 112-233-445 95.
func formatSNILS(s string) string {
	if len(s) != 11 {
		return s
	}
	return s[0:3] + "-" + s[3:6] + "-" + s[6:9] + " " + s[9:11]
}

// commonName returns the CN of a DN string, or the DN.
func commonName(dn string) string {
	if n, err := cert.ParseDN(dn); err == nil && n.CommonName != "" {
		return n.CommonName
	}
	return dn
}
