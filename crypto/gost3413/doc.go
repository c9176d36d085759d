// Package gost3413 implements the modes of operation of GOST R 34.13-2015
// for the block ciphers of GOST R 34.12-2015 (Kuznyechik, Magma) or any
// [cipher.Block]: counter mode (CTR, §5.2), cipher feedback (CFB, §5.5) and
// the OMAC message authentication code (§5.6, the CMAC construction), and
// the ACPKM re-keying of R 1323565.1.017-2018: of counter mode (RFC 8645
// §6.2.2, CTR-ACPKM) and of OMAC (OMAC-ACPKM, named OMAC-ACPKM-Master in
// RFC 8645, whose section keys come from the master key by ACPKM-Master).
//
// The modes take a [cipher.Block] and return the standard library's mode
// interfaces: [cipher.Stream] for CTR, CTR-ACPKM and CFB, [hash.Hash] for
// OMAC and OMAC-ACPKM. CTR-ACPKM and OMAC-ACPKM change the key as they run
// and so take a constructor (kuznyechik.NewCipher, magma.NewCipher) and
// the key instead of a Block.
//
// # Scope
//
// CFB is the full-block variant (s = n) with a register of one or more
// blocks (m = len(iv)); OMAC and OMAC-ACPKM can be truncated to s bits.
// The padded modes (ECB, CBC, OFB) and the other ACPKM-Master modes of RFC
// 8645 (CTR-, GCM-, CBC-, CFB-ACPKM-Master) are not implemented: nothing in
// gostca uses them.
//
// OMAC-ACPKM is checked against the examples of R 1323565.1.017-2018
// (A.3 Magma, A.4 Kuznyechik) and, for Kuznyechik, against the GOST engine
// of OpenSSL (its kuznyechik-ctr-acpkm-omac, with 4096-byte sections and
// master sections). The engine has no Magma OMAC-ACPKM digest, so the
// Magma variant is checked against the standard's examples only.
//
// # Security
//
// None of these modes authenticates on its own except OMAC and OMAC-ACPKM. A counter mode
// key stream must never repeat: never reuse an IV with a key. GOST R
// 34.13-2015 and RFC 8645 limit how much data one key may encrypt in CTR
// mode (especially with the 64-bit Magma); CTR-ACPKM changes the key every
// section to lift that limit; OMAC-ACPKM does the same for OMAC. Tags
// must be compared with [crypto/subtle.ConstantTimeCompare] (or
// [crypto/hmac.Equal]).
//
// # Concurrency
//
// A Stream or Hash is not safe for concurrent use.
package gost3413
