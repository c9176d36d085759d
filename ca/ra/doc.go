// Package ra is the registration authority: people apply for a
// certificate with their personal data and a PKCS#10 request, operators
// decide, and the certificate is issued through the CA, linked to its
// application both ways.
//
// An Authority checks a Submission field by field (every wrong field at
// once, as FieldErrors, with nothing recorded): the applicant's data and
// the check digits of SNILS, INN, OGRN/OGRNIP, the request's signature
// (proof of possession) and key as the CA's profile allows, a key
// certified already or in another open application, and the scans by
// content. The approved subject is built from the applicant's data, never
// taken from the request.
//
// Applications move only along the table of State.Check: submitted →
// in_review → approved → issued; submitted or in_review → rejected (with a
// reason), cancelled (by the applicant) or expired (no decision in
// Config.DecisionTime); approved → failed (issuance error, retried by
// approving again). Each move is one ledger transaction with its audit
// entry (who, when, from, to, why); the ledger refuses a second
// certificate for one application, so approving twice never issues twice.
// The profiles of Config.TwoApprovals need two operators.
//
// The applicant holds an access code (80 bits, shown once, kept as a
// keyed hash: HashCode) to follow the application and download the
// certificate, and may choose a code word to report a lost key
// (ReportLost: the certificate is put on hold at once). Whoever holds the
// key may revoke it as compromised with a signed request (RevokeSigned)
// and renew it (Renew) with a new request signed by the current key.
//
// The HTTP API over it is package ca/raapi; the e-mails to the applicant,
// package ca/notify, fed by the ledger's outbox.
package ra
