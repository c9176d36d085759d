// Package ra is the registration authority's vocabulary: an applicant and
// the checks of the application form (field by field, every wrong field at
// once), the states of an application and the only transitions between
// them, the access codes shown once and kept as keyed hashes, the
// human-friendly application numbers, and the scans recognised by content.
//
// The applications' storage, the operators' commands and the HTTP API are
// built on it (issue 13); this package keeps no state and does no I/O, and
// is safe for concurrent use.
package ra
