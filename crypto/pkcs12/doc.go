// Package pkcs12 reads and writes GOST PFX files: PKCS#12 (RFC 7292) key
// containers with the GOST algorithms as R 50.1.112-2016 (RFC 9548)
// specifies them, the files Russian software (CryptoPro CSP, ViPNet,
// browsers with GOST support) imports a key and its certificates from.
//
// # Format
//
// [Encode] writes one PFX (version 3) whose AuthenticatedSafe holds
//
//   - an EncryptedData with the certificate bags (the subscriber's
//     certificate, with the friendly name and local key ID, then its chain),
//   - a Data with one pkcs8ShroudedKeyBag: the GOST R 34.10-2012 key as a
//     PKCS#8 PrivateKeyInfo (github.com/gostca/gostca/crypto/gost3410),
//     encrypted, with the same attributes,
//
// both encrypted with PBES2: PBKDF2 with HMAC-Streebog-512 and GOST
// 28147-89 in CFB mode with CryptoPro key meshing and the TC26-Z S-box
// (id-Gost28147-89 with id-tc26-gost-28147-param-Z; OpenSSL's gost89,
// GnuTLS's gost28147-tc26z). The integrity MAC is HMAC-Streebog-512 over
// the AuthenticatedSafe, keyed as RFC 9548 says with the last 32 bytes of a
// 96-byte PBKDF2-HMAC-Streebog-512 output over the password and the MAC
// salt. Passwords are used as UTF-8 bytes, as RFC 9548 requires.
//
// [Decode] reads that form and what OpenSSL ("openssl pkcs12 -export
// -keypbe gost89 -certpbe gost89 -macalg md_gost12_512") and GnuTLS
// ("certtool --to-p12 --pkcs-cipher gost28147-tc26z") write: PBES2 with GOST
// 28147-89 and any of the S-boxes of github.com/gostca/gostca/crypto/gost28147,
// HMAC-Streebog-256 or -512 as the PRF, key bags shrouded or not,
// certificate bags encrypted or not, and a MAC with Streebog-256 or -512
// keyed either as RFC 9548 says or the RFC 7292 way (the PKCS#12 key
// derivation, ID 3, over the password as a BMPString), which older
// software writes.
//
// [Options] can choose instead the other PBES2 schemes of RFC 9548
// (defined in RFC 9337):
//
//   - Kuznyechik or Magma CTR-ACPKM with an OMAC
//     (id-gostr3412-2015-kuznyechik-ctracpkm-omac, 1.2.643.7.1.1.5.2.2;
//     id-gostr3412-2015-magma-ctracpkm-omac, 1.2.643.7.1.1.5.1.2):
//     KDF_TREE_GOSTR3411_2012_256 splits the PBKDF2 key into an
//     encryption key and a MAC key, the OMAC of each bag's plaintext is
//     appended to it, and both are encrypted; the ukm (16 or 12 bytes) is
//     the IV and the KDF seed. Decode checks that MAC, in constant time,
//     before it uses anything it decrypted. These are the schemes of the
//     examples of RFC 9548 Appendix A, which Decode opens; OpenSSL 3.0's
//     GOST engine cannot read or write them in a PFX, and GnuTLS does not
//     know them: a PFX made with them is for software that implements
//     these schemes of RFC 9548, not for those tools.
//   - Kuznyechik or Magma CTR-ACPKM without a MAC
//     (id-gostr3412-2015-kuznyechik-ctracpkm and -magma-ctracpkm) in the
//     form OpenSSL's GOST engine writes and reads ("-keypbe
//     kuznyechik-ctr-acpkm -certpbe kuznyechik-ctr-acpkm"; the PBKDF2
//     output is the key, the ukm's first half-block the IV, sections of
//     4096 and 1024 bytes); Decode reads those too, with the
//     hmacWithSHA256 PRF OpenSSL uses for them. GnuTLS reads neither.
//
// Not supported: public-key privacy and integrity modes, PBES1 and the
// RFC 7292 password-based ciphers, BER (indefinite-length) encodings, and
// more than one private key per file.
//
// # Security
//
// The container's strength is its password's, stretched by PBKDF2
// ([DefaultIterations] by default). A wrong password is reported as
// [ErrIncorrectPassword]; a file whose MAC fails although the password
// decrypts its contents, or whose bag fails its own OMAC, is reported as
// [ErrIntegrity]. Iteration counts
// above [MaxIterations] are refused before any key is derived, so a hostile
// file cannot keep a CPU busy for long; parsing never panics on malformed
// input. GOST 28147-89 and Kuznyechik are table-driven and leak through
// cache timing to code sharing the CPU (see their packages).
//
// The package only encodes: it does not check certificates' validity or
// chains. Decode pairs the key with the certificate carrying the same
// public key.
//
// # Concurrency
//
// The functions keep no state and are safe for concurrent use.
package pkcs12
