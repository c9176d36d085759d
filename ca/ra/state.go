package ra

import (
	"errors"
	"fmt"
)

// State is where an application is in its life.
type State string

// The states of an application.
const (
	Submitted State = "submitted" // received, checked, waiting for an operator
	InReview  State = "in_review" // an operator took it up
	Approved  State = "approved"  // approved (by two operators where the profile asks)
	Issued    State = "issued"    // the certificate is issued and linked
	Rejected  State = "rejected"  // refused by an operator, with a reason
	Cancelled State = "cancelled" // withdrawn by the applicant
	Expired   State = "expired"   // no decision within the configured time
	Failed    State = "failed"    // approved, but issuance failed; may be retried
)

// transitions are the only moves an application makes.
var transitions = map[State][]State{
	Submitted: {InReview, Rejected, Cancelled, Expired},
	InReview:  {Approved, Rejected, Cancelled, Expired},
	Approved:  {Issued, Failed},
	Failed:    {Issued, Failed},
}

// ErrTransition is wrapped when a move is not in the table: approving a
// rejected application, cancelling an issued one, ...
var ErrTransition = errors.New("ra: transition not allowed")

// ErrReasonRequired is returned for a rejection without a reason.
var ErrReasonRequired = errors.New("ra: a rejection needs a reason")

// Final reports whether s is an end: nothing moves an application on.
func (s State) Final() bool { return len(transitions[s]) == 0 }

// Check returns nil if an application may move from s to to with the
// reason why (a rejection needs one), else an error wrapping ErrTransition
// or ErrReasonRequired.
func (s State) Check(to State, why string) error {
	allowed := false
	for _, t := range transitions[s] {
		allowed = allowed || t == to
	}
	switch {
	case !allowed:
		return fmt.Errorf("%w: %s → %s", ErrTransition, s, to)
	case to == Rejected && why == "":
		return ErrReasonRequired
	}
	return nil
}
