package store

import (
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// CRLInfo describes a signed CRL, for RecordCRL.
type CRLInfo struct {
	Number     *big.Int
	ThisUpdate time.Time
	Seq        uint64 // the ledger change number of the snapshot the CRL was made from
	Delta      bool
	BaseNumber *big.Int // for a delta CRL, the full CRL it is based on
}

// CRLState is what the ledger knows of an issuer's CRLs.
type CRLState struct {
	LastNumber          *big.Int // nil if none: CRL numbers are shared by full and delta CRLs and only increase
	LastFull, LastDelta *CRLInfo // nil if none
}

func (info CRLInfo) clone() CRLInfo {
	if info.Number != nil {
		info.Number = new(big.Int).Set(info.Number)
	}
	if info.BaseNumber != nil {
		info.BaseNumber = new(big.Int).Set(info.BaseNumber)
	}
	return info
}

// The CRL state is stored as
//
//	version ‖ opt LastNumber ‖ bool ‖ [info] ‖ bool ‖ [info]
//	info = opt Number ‖ thisUpdate(12) ‖ seq(8) ‖ bool delta ‖ opt BaseNumber

func encodeCRLState(st *CRLState) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint8(crlStateVersion)
	addOptInt(&b, st.LastNumber)
	for _, info := range []*CRLInfo{st.LastFull, st.LastDelta} {
		addBool(&b, info != nil)
		if info != nil {
			addOptInt(&b, info.Number)
			addTime(&b, info.ThisUpdate)
			b.AddUint64(info.Seq)
			addBool(&b, info.Delta)
			addOptInt(&b, info.BaseNumber)
		}
	}
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("store: encoding CRL state: %w", ErrInvalid)
	}
	return out, nil
}

// decodeCRLState parses a stored CRL state; no value is the zero state.
func decodeCRLState(v []byte) (CRLState, error) {
	var st CRLState
	if v == nil {
		return st, nil
	}
	s := cryptobyte.String(v)
	var version uint8
	if !s.ReadUint8(&version) || version != crlStateVersion || !readOptInt(&s, &st.LastNumber) {
		return st, fmt.Errorf("decoding CRL state: %w", errMalformed)
	}
	for _, dst := range []**CRLInfo{&st.LastFull, &st.LastDelta} {
		var present bool
		if !readBool(&s, &present) {
			return st, fmt.Errorf("decoding CRL state: %w", errMalformed)
		}
		if !present {
			continue
		}
		info := new(CRLInfo)
		if !readOptInt(&s, &info.Number) || !readTime(&s, &info.ThisUpdate) ||
			!s.ReadUint64(&info.Seq) || !readBool(&s, &info.Delta) || !readOptInt(&s, &info.BaseNumber) {
			return st, fmt.Errorf("decoding CRL state: %w", errMalformed)
		}
		*dst = info
	}
	if !s.Empty() {
		return st, fmt.Errorf("decoding CRL state: %w", errMalformed)
	}
	return st, nil
}
