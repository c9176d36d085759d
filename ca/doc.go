// Package ca is a GOST certificate authority: it issues, renews and
// revokes X.509 certificates signed with GOST R 34.10-2012 (through the
// crypto/cert package) and keeps every serial number, certificate,
// revocation and CRL in an issuance ledger.
//
// # Making a CA
//
// New takes the ledger, any implementation of the small interface
// [Ledger] (the bbolt *store.DB is the first), and a Config: the clock,
// the CA's key as a crypto.Signer (a software key or a token key) and,
// once it exists, the CA's certificate. A new CA makes its certificate with exactly one of
// InitRoot (self-signed), InitIntermediate (signed by a parent CA) or
// InitRequest followed by Import (signed by an offline root). Several CAs
// may share one ledger; each sees only what it issued (the ledger records
// the issuer's key identifier with every certificate).
//
// # Issuing
//
// Issuing is in two phases. Prepare checks a Request against its Profile
// and the CA without touching the ledger: the CSR's proof of possession,
// the key size, the validity, the subject and names, and for the qualified
// profile the requirements of FSB Order 795 with the check digits of SNILS,
// INN, INNLE, OGRN and OGRNIP. It returns a single-use Prepared. Issue then
// reserves a random serial number in the ledger (durably, before anything
// is signed), signs once, and records the certificate; a signature that
// fails abandons the serial. A refused request leaves no trace in the
// ledger. Renew issues a successor with the same or a new key and links the
// two in the ledger.
//
// # Revocation
//
// Revoke, Hold and Release change a certificate's state in the ledger,
// atomically: an error changes nothing. Status reports good, revoked, held,
// expired or unknown: [StatusOf] is the one mapping from a ledger record to
// a [State], which ca/status, ca/responder and the command line use too. CRL makes the next full or delta CRL from one
// snapshot of the ledger, streaming the entries from the ledger into the
// signature (a CRL of a million entries is never a slice of a million
// entries); full and delta CRLs share one sequence of numbers, recorded in
// the ledger with a compare-and-set. A ledger that several processes
// share may offer a lock ([CRLLocker]), which CRL holds from the snapshot
// to the record, so that CRLs are made one at a time across processes.
//
// # Failures
//
// A CA process that dies, or a ledger that fails, between the reservation
// of a serial and the record of its certificate leaves the serial
// reserved: used for good, never on a CRL, unknown to Status, and no
// certificate was handed out. The CA does not go back to such serials
// (ca/ra abandons the reservation of an application whose issuance was
// interrupted, once it is older than ra.Config.StaleIssuance). Every other
// write happens whole or not at all, with its audit entry. This holds
// for both ledgers, the bbolt file and PostgreSQL (store/pgstore), and is
// tested on both by killing CA processes at random moments; on
// PostgreSQL also with the server stopped under a running CA: every call
// fails with an error within its ledger calls' timeout (pgstore's
// Options.Timeout) while the server is down, and the same CA and ledger
// work again once it is back. One case is PostgreSQL's alone: a commit
// whose answer the network lost may have happened, so a certificate, a
// revocation or a CRL number can be in the ledger although the call
// reported an error; trying the revocation again then fails with
// store.ErrState, and the certificate is recorded but never handed out.
//
// # Errors
//
// Messages start with "ca: ". Callers branch with errors.Is on the
// sentinels of this package (ErrProfileNotAllowed, ErrCheckDigit, ...) and
// of the store package (store.ErrNotFound for an unknown serial,
// store.ErrState for a transition the certificate's state forbids), and
// with errors.As on *RequestError, which names the field of a refused
// request.
//
// # Concurrency
//
// A CA is safe for concurrent use. Issue is meant to be called from many
// goroutines at once: it holds no lock of its own while signing, and the
// ledger batches concurrent writes into shared commits. The Signer must be
// safe for concurrent use; Config.Rand need not be (the CA serialises its
// reads). The CA starts no goroutines.
//
// # Scope
//
// The package does not publish CRLs or answer OCSP (see ca/responder), and
// does not identify subscribers: the Request is what an operator approved.
// The qualified profile checks the form of the subject and the check digits,
// not that the numbers belong to the subject.
package ca
