package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"strings"

	"github.com/gostca/gostca/ca"
	"github.com/gostca/gostca/store"
)

// Serial numbers are shown in upper-case hexadecimal, an even number of
// digits, as OpenSSL shows them; they are read in hexadecimal, with or
// without 0x and colons.

func formatSerial(n *big.Int) string {
	s := fmt.Sprintf("%X", n)
	if len(s)%2 == 1 {
		s = "0" + s
	}
	return s
}

func parseSerial(s string) (*big.Int, error) {
	t := strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"), ":", "")
	n, ok := new(big.Int).SetString(t, 16)
	if !ok || n.Sign() <= 0 {
		return nil, usagef("%q is not a serial number", s).withHint("serial numbers are hexadecimal, as 'gostca list' shows them")
	}
	return n, nil
}

// fileError explains a failure to read or write a file named by the user.
func fileError(path string, err error) error {
	var ce *cliError
	switch {
	case errors.As(err, &ce):
		return err
	case errors.Is(err, fs.ErrNotExist):
		return failf("%s not found", path).because(err)
	case errors.Is(err, fs.ErrExist):
		return failf("%s exists", path).withHint("choose another file name; gostca never replaces a key").because(err)
	}
	return failf("%s", trimPrefix(err)).because(err)
}

// refused explains why the ledger refused doing (revoke, hold, release,
// renew) to the certificate serial.
func refused(au *authority, serial *big.Int, doing string, err error) error {
	s := formatSerial(serial)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return failf("no certificate with serial %s in the ledger", s).
			withHint("'gostca list' shows the serial numbers of this CA").because(err)
	case errors.Is(err, store.ErrState):
		state := "in a state that does not allow it"
		if st, serr := au.Status(serial); serr == nil {
			switch st.State {
			case ca.StateRevoked:
				state = fmt.Sprintf("revoked since %s (%s)", formatDate(st.RevokedAt), st.Reason)
			case ca.StateHeld:
				state = "on hold since " + formatDate(st.RevokedAt)
			case ca.StateGood:
				state = "valid, not on hold"
			default:
				state = st.State.String()
			}
		}
		return failf("cannot %s %s: the certificate is %s", doing, s, state).because(err)
	}
	return err
}
