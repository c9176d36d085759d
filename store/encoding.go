package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// Value encodings. Every value starts with a version byte; every key is
// fixed-width or length-prefixed, so that bbolt's byte order is the order
// the methods promise (serials in numeric order, times ascending).

const (
	recordVersion = 1
	// recordVersionApplication is a record with an Application: version 1
	// followed by the application's number.
	recordVersionApplication = 2
	revocationVersion        = 1
	auditVersion             = 1
	crlStateVersion          = 1

	// maxSerialLen is the longest serial the ledger keys: its key has a
	// one-byte length prefix. RFC 5280 allows 20 octets.
	maxSerialLen = 255
	// maxKeyIDLen bounds key identifiers, which are length-prefixed with one
	// byte in the subject key index.
	maxKeyIDLen = 255
)

var errMalformed = errors.New("store: malformed value")

// serialKey returns the key of a serial: its length, then its big-endian
// magnitude without leading zeros. Keys of positive serials sort as the
// serials do.
func serialKey(serial *big.Int) ([]byte, error) {
	if serial == nil || serial.Sign() <= 0 {
		return nil, fmt.Errorf("store: serial must be positive: %w", ErrInvalid)
	}
	n := (serial.BitLen() + 7) / 8
	if n > maxSerialLen {
		return nil, fmt.Errorf("store: serial of %d octets, at most %d allowed: %w", n, maxSerialLen, ErrInvalid)
	}
	k := make([]byte, 1+n)
	k[0] = byte(n)
	serial.FillBytes(k[1:])
	return k, nil
}

// parseSerialKey returns the serial of a key made by serialKey, or false if
// k is not such a key.
func parseSerialKey(k []byte) (*big.Int, bool) {
	if !validSerialKey(k) {
		return nil, false
	}
	return new(big.Int).SetBytes(k[1:]), true
}

func validSerialKey(k []byte) bool {
	return len(k) >= 2 && int(k[0]) == len(k)-1 && k[1] != 0
}

// seqKey is the key of a change number: big-endian, so keys sort by number.
func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(make([]byte, 0, 8), seq)
}

// Times are stored as seconds since the Unix epoch (two's complement, 8
// bytes) and nanoseconds (4 bytes), and come back in UTC. The zero time
// round-trips to the zero time.

const timeLen = 12

var zeroUnix = time.Time{}.Unix()

func appendTime(b []byte, t time.Time) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix()))
	return binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
}

func makeTime(sec uint64, nsec uint32) (time.Time, bool) {
	if nsec >= 1e9 {
		return time.Time{}, false
	}
	if int64(sec) == zeroUnix && nsec == 0 {
		return time.Time{}, true
	}
	return time.Unix(int64(sec), int64(nsec)).UTC(), true
}

func readTime(s *cryptobyte.String, t *time.Time) bool {
	var sec uint64
	var nsec uint32
	if !s.ReadUint64(&sec) || !s.ReadUint32(&nsec) {
		return false
	}
	var ok bool
	*t, ok = makeTime(sec, nsec)
	return ok
}

func addTime(b *cryptobyte.Builder, t time.Time) {
	b.AddUint64(uint64(t.Unix()))
	b.AddUint32(uint32(t.Nanosecond()))
}

// sortableTime is the index form of a time: the seconds with the sign bit
// flipped, so that unsigned byte order is chronological, then nanoseconds.
func sortableTime(b []byte, t time.Time) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix())^(1<<63))
	return binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
}

// An optional non-negative integer is a presence byte (0 or 1), then, if
// present, its magnitude with a one-byte length prefix (empty for zero).

func addOptInt(b *cryptobyte.Builder, n *big.Int) {
	if n == nil {
		b.AddUint8(0)
		return
	}
	b.AddUint8(1)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(n.Bytes()) })
}

func readOptInt(s *cryptobyte.String, out **big.Int) bool {
	var present uint8
	if !s.ReadUint8(&present) {
		return false
	}
	switch present {
	case 0:
		*out = nil
		return true
	case 1:
		var mag cryptobyte.String
		if !s.ReadUint8LengthPrefixed(&mag) || (len(mag) > 0 && mag[0] == 0) {
			return false
		}
		*out = new(big.Int).SetBytes(mag)
		return true
	}
	return false
}

func checkOptInt(what string, n *big.Int) error {
	if n == nil {
		return nil
	}
	if n.Sign() < 0 || (n.BitLen()+7)/8 > 255 {
		return fmt.Errorf("store: %s must be non-negative and at most 255 octets: %w", what, ErrInvalid)
	}
	return nil
}

// readBool reads a byte that must be 0 or 1.
func readBool(s *cryptobyte.String, out *bool) bool {
	var v uint8
	if !s.ReadUint8(&v) || v > 1 {
		return false
	}
	*out = v == 1
	return true
}

func addBool(b *cryptobyte.Builder, v bool) {
	if v {
		b.AddUint8(1)
	} else {
		b.AddUint8(0)
	}
}

// cloneBytes returns a copy of b that outlives the transaction, nil for empty.
func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
