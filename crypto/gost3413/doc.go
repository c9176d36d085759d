// Package gost3413 implements the modes of operation of GOST R 34.13-2015
// for the block ciphers of GOST R 34.12-2015 (Kuznyechik, Magma) or any
// [cipher.Block]: counter mode (CTR, §5.2), cipher feedback (CFB, §5.5) and
// the OMAC message authentication code (§5.6, the CMAC construction), and
// the ACPKM re-keying of counter mode of R 1323565.1.017-2018 (RFC 8645
// §6.2.2, CTR-ACPKM).
//
// The modes take a [cipher.Block] and return the standard library's mode
// interfaces: [cipher.Stream] for CTR, CTR-ACPKM and CFB, [hash.Hash] for
// OMAC. CTR-ACPKM changes the key as it runs and so takes a constructor
// (kuznyechik.NewCipher, magma.NewCipher) and the key instead of a Block.
//
// # Scope
//
// CFB is the full-block variant (s = n) with a register of one or more
// blocks (m = len(iv)); OMAC can be truncated to s bits. The padded modes
// (ECB, CBC, OFB) and OMAC-ACPKM are not implemented: nothing in gostca
// uses them.
//
// # Security
//
// None of these modes authenticates on its own except OMAC. A counter mode
// key stream must never repeat: never reuse an IV with a key. GOST R
// 34.13-2015 and RFC 8645 limit how much data one key may encrypt in CTR
// mode (especially with the 64-bit Magma); CTR-ACPKM changes the key every
// section to lift that limit.
//
// # Concurrency
//
// A Stream or Hash is not safe for concurrent use.
package gost3413
