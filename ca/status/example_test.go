package status_test

import (
	"fmt"
	"github.com/gostca/gostca/ca"
	"time"

	"github.com/gostca/gostca/ca/status"
	"github.com/gostca/gostca/crypto/cert"
)

// A certificate put on hold at noon: a signature made in the morning was
// valid when made, one made in the afternoon is not, and one made in the
// very second of the hold counts as made under it.
func ExampleResult_Assess() {
	noon := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	res := &status.Result{State: ca.StateHeld, RevokedAt: noon.Add(400 * time.Millisecond), Reason: cert.ReasonCertificateHold}
	for _, signed := range []time.Time{noon.Add(-3 * time.Hour), noon, noon.Add(3 * time.Hour)} {
		fmt.Printf("signed %s: %v (held: %v)\n", signed.Format("15:04:05"), res.Assess(signed), res.Held())
	}
	// Output:
	// signed 09:00:00: revoked after signing (held: true)
	// signed 12:00:00: revoked at signing (held: true)
	// signed 15:00:00: revoked at signing (held: true)
}
