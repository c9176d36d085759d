package pgstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"math"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gostca/gostca/crypto/cert"
	"github.com/gostca/gostca/store"
)

// revPageLen is how many revocations a scan reads per query: a CRL of a
// million entries reads 62 pages of about a megabyte. A variable for the
// tests, which page smaller.
var revPageLen = 16384

// revScanner reads an issuer's revocations a page per query, keyset-paged
// on the primary key (issuer_key_id, serial) in one snapshot, and decodes
// them without an allocation per row: the rows come in the server's binary
// form (asked for with QueryResultFormats) and are decoded by hand into a
// reused slice, their serials kept as the server's bytes in a reused
// arena and made big.Int only as they are yielded. A query of the simple
// protocol (default_query_exec_mode=simple_protocol), which returns text,
// is scanned by pgx instead, allocating.
type revScanner struct {
	rows  []revRow
	arena []byte  // the serials of rows
	after big.Int // the serial the next page starts after
	t, c  big.Int // setNumeric's scratch
}

// revRow is a revocation of a page.
type revRow struct {
	off, end int  // the serial's bytes in the arena
	text     bool // the serial is decimal text, else binary numeric
	at, inv  time.Time
	reason   cert.ReasonCode
	seq      uint64
}

// scan yields the issuer's revocations in serial order, each decoded into
// shared (lent: valid until the next step) or, if shared is nil, into a
// new Revocation. Each page is read whole before its rows are yielded, so
// the loop body may call the Tx.
func (sc *revScanner) scan(tx *readTx, issuerKeyID []byte, shared *store.Revocation) iter.Seq2[*store.Revocation, error] {
	return func(yield func(*store.Revocation, error) bool) {
		after := "0"
		for {
			if err := sc.page(tx, issuerKeyID, after); err != nil {
				yield(nil, txErr("reading revocations", err))
				return
			}
			for i := range sc.rows {
				row := &sc.rows[i]
				r := shared
				if r == nil {
					r = &store.Revocation{Serial: new(big.Int)}
				}
				if err := sc.serial(r.Serial, row); err != nil {
					yield(nil, fmt.Errorf("pgstore: reading revocations: %w", err))
					return
				}
				r.Time, r.Reason, r.InvalidityDate, r.Seq = row.at, row.reason, row.inv, row.seq
				if !yield(r, nil) {
					return
				}
			}
			if len(sc.rows) < revPageLen {
				return
			}
			if err := sc.serial(&sc.after, &sc.rows[len(sc.rows)-1]); err != nil {
				yield(nil, fmt.Errorf("pgstore: reading revocations: %w", err))
				return
			}
			after = sc.after.String()
		}
	}
}

// page reads the page of at most revPageLen revocations after the serial
// after (decimal).
func (sc *revScanner) page(tx *readTx, issuerKeyID []byte, after string) error {
	rows, err := tx.q.Query(tx.ctx, `SELECT serial, revoked_at, reason, invalidity, seq FROM revocations
		WHERE issuer_key_id = $1 AND serial > $2::numeric ORDER BY revocations.serial LIMIT $3`,
		pgx.QueryResultFormats{pgx.BinaryFormatCode}, issuerKeyID, after, revPageLen)
	if err != nil {
		return err
	}
	defer rows.Close()
	sc.rows, sc.arena = sc.rows[:0], sc.arena[:0]
	inBinary := false
	for first := true; rows.Next(); first = false {
		if first {
			inBinary = true
			for _, f := range rows.FieldDescriptions() {
				inBinary = inBinary && f.Format == pgx.BinaryFormatCode
			}
		}
		var row revRow
		if inBinary {
			err = sc.decode(&row, rows.RawValues())
		} else {
			err = sc.scanRow(&row, rows)
		}
		if err != nil {
			return err
		}
		sc.rows = append(sc.rows, row)
	}
	return rows.Err()
}

var errMalformed = errors.New("malformed row")

// decode reads a row in the binary form: numeric, timestamptz, int2,
// timestamptz or NULL, int8.
func (sc *revScanner) decode(row *revRow, vals [][]byte) error {
	if len(vals) != 5 || vals[0] == nil || len(vals[2]) != 2 || len(vals[4]) != 8 {
		return errMalformed
	}
	row.off = len(sc.arena)
	sc.arena = append(sc.arena, vals[0]...)
	row.end = len(sc.arena)
	var err error
	if row.at, err = timestamptz(vals[1]); err != nil {
		return err
	}
	row.inv = time.Time{}
	if vals[3] != nil {
		if row.inv, err = timestamptz(vals[3]); err != nil {
			return err
		}
	}
	row.reason = cert.ReasonCode(int16(binary.BigEndian.Uint16(vals[2])))
	row.seq = uint64(int64(binary.BigEndian.Uint64(vals[4])))
	return nil
}

// scanRow reads a row in text form, through pgx.
func (sc *revScanner) scanRow(row *revRow, rows pgx.Rows) error {
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
	row.off = len(sc.arena)
	sc.arena = append(sc.arena, s...)
	row.end, row.text = len(sc.arena), true
	row.at, row.inv, row.reason, row.seq = at.UTC(), utc(inv), cert.ReasonCode(reason), uint64(seq)
	return nil
}

// serial sets z to the serial of row.
func (sc *revScanner) serial(z *big.Int, row *revRow) error {
	b := sc.arena[row.off:row.end]
	if !row.text {
		return setNumeric(z, &sc.t, &sc.c, b)
	}
	if _, ok := z.SetString(string(b), 10); !ok || z.Sign() <= 0 {
		return fmt.Errorf("malformed serial %q", b)
	}
	return nil
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

// revMemo is a full scan of an issuer's revocations, kept by
// ScanRevocations in its Tx for the next scan of the issuer, encoded
// compactly in chunks (appended to without copying what is kept): per
// entry the serial's length and octets, then the reason (with 0x80 set
// if an invalidity date follows), the revocation time and the invalidity
// date as varints of Unix microseconds (what the server keeps), and the
// change number as a uvarint. That is about 15 bytes and the serial's
// octets an entry, 35 for the 20-octet serials the CA draws: about as
// much as the CRL's DER, for the rest of the View.
type revMemo struct {
	issuer []byte
	chunks [][]byte
	bad    bool // an entry the encoding cannot hold: no memo
}

// memoChunk is the size of a chunk of a revMemo.
const memoChunk = 256 << 10

// memoEntryMax bounds the encoding of an entry: a serial of 255 octets,
// two varints and a uvarint.
const memoEntryMax = 1 + 255 + 1 + 3*binary.MaxVarintLen64

func (m *revMemo) ok() bool { return !m.bad }

// add appends r.
func (m *revMemo) add(r *store.Revocation) {
	n := (r.Serial.BitLen() + 7) / 8
	if m.bad || n > 255 || r.Reason < 0 || r.Reason > 0x7f {
		m.bad = true
		return
	}
	last := len(m.chunks) - 1
	if last < 0 || cap(m.chunks[last])-len(m.chunks[last]) < memoEntryMax {
		m.chunks = append(m.chunks, make([]byte, 0, memoChunk))
		last++
	}
	b := m.chunks[last]
	b = append(b, byte(n))
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
	m.chunks[last] = binary.AppendUvarint(b, r.Seq)
}

// replay yields the entries kept, each decoded into r.
func (m *revMemo) replay(r *store.Revocation, yield func(*store.Revocation, error) bool) {
	for _, b := range m.chunks {
		for len(b) > 0 {
			n := int(b[0])
			r.Serial.SetBytes(b[1 : 1+n])
			reason := b[1+n]
			b = b[2+n:]
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
			if !yield(r, nil) {
				return
			}
		}
	}
}
