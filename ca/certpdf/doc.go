// Package certpdf prints what a Russian CA hands over on paper, as A4 PDFs
// in Russian:
//
//   - [Copy], the printable copy of a certificate ("копия сертификата на
//     бумажном носителе"): every field of the certificate, the CA's
//     signature and the Streebog-256 fingerprint, lines for the signatures
//     of the owner and of the CA's officer with the seal's place, and a QR
//     code of the certificate's public check page, as the public-service
//     portals print on their documents;
//   - [ApplicationForm], the application for a certificate, pre-filled
//     from the registration authority's application (ca/ra), with the
//     consent to the processing of personal data, for the applicant to
//     print and sign.
//
// # Scope
//
// The package writes PDF; it reads none. It lays text out in one column of
// label and value rows, wrapping long values over lines and pages; it
// does not shape scripts that need shaping, which no field of a Russian
// certificate uses. The text is set in the Go fonts
// (golang.org/x/image/font/gofont), which have Latin and Cyrillic, embedded
// as subsets; nothing is fetched at run time. The QR code (ISO/IEC 18004,
// error correction level M, at least 38 mm wide) is drawn as vector
// squares, sharp at any printing resolution.
//
// # Security
//
// A certificate's fields are the applicant's text. They are printed as
// they are, never interpreted: a character that does not print (a control
// character, a bidi override, invalid UTF-8) or that the font cannot draw
// is shown as an escape such as \u202E or \xFF, so that the paper cannot
// show a value other than the certificate's. The QR code holds only the
// check page URL given, which must be an http or https URL of printable
// ASCII.
//
// # Determinism and concurrency
//
// The same input gives the same bytes: the PDF's dates are taken from the
// input (the printing date, or the certificate's notBefore; the
// application's date), and its catalogues are written in a fixed order, so
// that tests can compare against golden files. The functions keep no
// state and are safe for concurrent use.
package certpdf
