package pgstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

// revList is an issuer's revocations, in serial order, as a Tx reads them
// for Revocations and ScanRevocations: with one query, streamed, decoded
// without an allocation per row (the rows come in the server's binary
// form, asked for with QueryResultFormats, and are decoded by hand) into
// a compact encoding kept in chunks. A CRL ranges over the entries twice
// (to size it, then to write it): both passes read the list, and the
// server sends the rows once, without pausing between pages. As the rows
// are all read before the first is yielded, the loop body may call the
// Tx. A query of the simple protocol (default_query_exec_mode=
// simple_protocol), which returns text, is scanned by pgx instead,
// allocating.
//
// Per entry the encoding holds the serial's length (a uvarint) and
// octets, the reason (with 0x80 set if an invalidity date follows), the
// revocation time and the invalidity date as varints of Unix
// microseconds (what the server keeps), and the change number as a
// uvarint: about 15 bytes and the serial's octets, 35 for the 20-octet
// serials the CA draws, about as much as the entry takes in the CRL's
// DER.
type revList struct {
	issuer []byte
	chunks [][]byte
}

// revChunk is the size of a chunk of a revList: appending never copies
// what is kept.
const revChunk = 256 << 10

// readRevocations reads the issuer's revocations.
func readRevocations(ctx context.Context, q querier, issuerKeyID []byte) (*revList, error) {
	rows, err := q.Query(ctx, `SELECT serial, revoked_at, reason, invalidity, seq FROM revocations
		WHERE issuer_key_id = $1 ORDER BY revocations.serial`,
		pgx.QueryResultFormats{pgx.BinaryFormatCode}, issuerKeyID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	l := &revList{issuer: append([]byte(nil), issuerKeyID...)}
	var (
		dec   revDecoder
		rev   = store.Revocation{Serial: new(big.Int)}
		ready bool // the row formats are known
		bin   bool // every column is binary
	)
	for rows.Next() {
		if !ready {
			ready, bin = true, true
			for _, f := range rows.FieldDescriptions() {
				bin = bin && f.Format == pgx.BinaryFormatCode
			}
		}
		if bin {
			err = dec.decode(&rev, rows.RawValues())
		} else {
			err = scanRevocation(&rev, rows)
		}
		if err != nil {
			return nil, err
		}
		if err := l.add(&rev); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return l, nil
}

// revDecoder decodes rows in the binary form; its scratch numbers make
// setNumeric allocation-free.
type revDecoder struct{ t, c big.Int }

var errMalformed = errors.New("malformed revocation row")

// decode reads a row in the binary form (numeric, timestamptz, int2,
// timestamptz or NULL, int8) into r.
func (d *revDecoder) decode(r *store.Revocation, vals [][]byte) error {
	if len(vals) != 5 || len(vals[2]) != 2 || len(vals[4]) != 8 {
		return errMalformed
	}
	if err := setNumeric(r.Serial, &d.t, &d.c, vals[0]); err != nil {
		return err
	}
	var err error
	if r.Time, err = timestamptz(vals[1]); err != nil {
		return err
	}
	r.InvalidityDate = time.Time{}
	if vals[3] != nil {
		if r.InvalidityDate, err = timestamptz(vals[3]); err != nil {
			return err
		}
	}
	r.Reason = cert.ReasonCode(int16(binary.BigEndian.Uint16(vals[2])))
	r.Seq = uint64(int64(binary.BigEndian.Uint64(vals[4])))
	return nil
}

// scanRevocation reads a row (serial, revoked_at, reason, invalidity,
// seq; the serial as text or numeric in text form) through pgx into r.
func scanRevocation(r *store.Revocation, rows pgx.Row) error {
	var (
		s      string
		at     time.Time
		reason int16
		inv    *time.Time
		seq    int64
	)
	if err := rows.Scan(&s, &at, &reason, &inv, &seq); err != nil {
		return err
	}
	if _, ok := r.Serial.SetString(s, 10); !ok || r.Serial.Sign() <= 0 {
		return fmt.Errorf("malformed serial %q", s)
	}
	r.Time, r.InvalidityDate, r.Reason, r.Seq = at.UTC(), utc(inv), cert.ReasonCode(reason), uint64(seq)
	return nil
}

// add appends r.
func (l *revList) add(r *store.Revocation) error {
	n := (r.Serial.BitLen() + 7) / 8
	if r.Reason < 0 || r.Reason > 0x7f {
		return fmt.Errorf("serial 0x%x: reason %d: %w", r.Serial, r.Reason, errMalformed)
	}
	need := binary.MaxVarintLen64 + n + 1 + 3*binary.MaxVarintLen64
	last := len(l.chunks) - 1
	if last < 0 || cap(l.chunks[last])-len(l.chunks[last]) < need {
		l.chunks = append(l.chunks, make([]byte, 0, max(revChunk, need)))
		last++
	}
	b := binary.AppendUvarint(l.chunks[last], uint64(n))
	b = append(b, make([]byte, n)...)
	r.Serial.FillBytes(b[len(b)-n:])
	reason := byte(r.Reason)
	if !r.InvalidityDate.IsZero() {
		reason |= 0x80
	}
	b = append(b, reason)
	b = binary.AppendVarint(b, r.Time.UnixMicro())
	if !r.InvalidityDate.IsZero() {
		b = binary.AppendVarint(b, r.InvalidityDate.UnixMicro())
	}
	l.chunks[last] = binary.AppendUvarint(b, r.Seq)
	return nil
}

// replay calls yield with each entry in turn, decoded into r, until it
// returns false.
func (l *revList) replay(r *store.Revocation, yield func(*store.Revocation) bool) {
	for _, b := range l.chunks {
		for len(b) > 0 {
			n, k := binary.Uvarint(b)
			b = b[k:]
			r.Serial.SetBytes(b[:n])
			reason := b[n]
			b = b[n+1:]
			at, k := binary.Varint(b)
			b = b[k:]
			r.Time, r.InvalidityDate = time.UnixMicro(at).UTC(), time.Time{}
			if reason&0x80 != 0 {
				inv, k := binary.Varint(b)
				b = b[k:]
				r.InvalidityDate = time.UnixMicro(inv).UTC()
			}
			r.Reason = cert.ReasonCode(reason & 0x7f)
			seq, k := binary.Uvarint(b)
			b = b[k:]
			r.Seq = seq
			if !yield(r) {
				return
			}
		}
	}
}

// pow10000 are the powers of 10,000 that setNumeric multiplies by.
var pow10000 = [...]*big.Int{1: big.NewInt(1e4), 2: big.NewInt(1e8), 3: big.NewInt(1e12), 4: big.NewInt(1e16)}

// setNumeric sets z to the positive integer b holds in numeric's binary
// form (int16 ndigits, int16 weight, uint16 sign, int16 dscale, then
// ndigits base-10,000 digits, the most significant first: the value is
// the sum of digit[i]·10,000^(weight−i)), with t and c as scratch. It
// allocates nothing once z, t and c have grown to the size of the
// serials. Zero, negative, fractional and special values are errors.
func setNumeric(z, t, c *big.Int, b []byte) error {
	if len(b) < 8 {
		return fmt.Errorf("malformed numeric of %d bytes", len(b))
	}
	n := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	if sign != 0 || n == 0 || len(b) != 8+2*n || weight < n-1 {
		return fmt.Errorf("numeric %x is not a positive integer", b)
	}
	z.SetUint64(0)
	var chunk uint64 // up to four digits, below 10^16
	k := 0
	for i := 0; i <= weight; i++ {
		var d uint64
		if i < n {
			if d = uint64(binary.BigEndian.Uint16(b[8+2*i:])); d >= 10000 {
				return fmt.Errorf("malformed numeric %x", b)
			}
		}
		chunk, k = chunk*10000+d, k+1
		if k == 4 || i == weight {
			t.Mul(z, pow10000[k])
			z.Add(t, c.SetUint64(chunk))
			chunk, k = 0, 0
		}
	}
	if z.Sign() == 0 {
		return fmt.Errorf("numeric %x is zero", b)
	}
	return nil
}

// pgEpoch is the zero of PostgreSQL's binary timestamps (2000-01-01 UTC),
// in Unix seconds.
const pgEpoch = 946684800

// timestamptz decodes a timestamptz in binary form: microseconds since
// pgEpoch. The infinities are errors.
func timestamptz(b []byte) (time.Time, error) {
	if len(b) != 8 {
		return time.Time{}, fmt.Errorf("malformed timestamptz of %d bytes", len(b))
	}
	us := int64(binary.BigEndian.Uint64(b))
	if us == math.MaxInt64 || us == math.MinInt64 {
		return time.Time{}, errors.New("infinite timestamptz")
	}
	sec, frac := us/1e6, us%1e6
	if frac < 0 {
		sec, frac = sec-1, frac+1e6
	}
	return time.Unix(pgEpoch+sec, frac*1000).UTC(), nil
}
