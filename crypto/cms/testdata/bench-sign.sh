#!/usr/bin/env bash
# bench-sign.sh — CAdES-BES signing through the command line, gostca sign
# beside OpenSSL's cms -sign with the GOST engine, same key, certificate and
# files, in the same run: a large file (MB/s, detached) and many small ones
# (documents a second, one command each, so process start-up counts for
# both). Run by `make bench`; figures go to docs/benchmarks.md.
set -euo pipefail

GO=${GO:-go}
LARGE_MIB=${LARGE_MIB:-256}
SMALL=${SMALL:-100}

cd "$(dirname "$0")/../../.."
export OPENSSL_CONF=$PWD/testdata/openssl/gost.cnf
work=$(mktemp -d "${TMPDIR:-/tmp}/gostca-bench-sign.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$GO" build -o "$work/gostca" ./cmd/gostca
cd "$work"
export GOSTCA_PASSPHRASE=bench-sign GOSTCA_DIR=$work/ca

./gostca init --subject "CN=bench CA,C=RU" >/dev/null 2>&1
./gostca key new --out signer.key --no-passphrase 2>/dev/null
./gostca csr --key signer.key --subject "CN=bench signer,C=RU" --out signer.csr 2>/dev/null
./gostca issue --csr signer.csr --profile signature --out signer.pem >/dev/null 2>&1
head -c $((LARGE_MIB << 20)) /dev/urandom > large.bin
for i in $(seq "$SMALL"); do head -c 1024 /dev/urandom > "small$i.bin"; done

# seconds CMD...: wall-clock seconds of CMD.
seconds() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
ours_large() { ./gostca sign --key signer.key --cert signer.pem --out large.sig --force large.bin 2>/dev/null; }
ref_large() { openssl cms -sign -binary -md md_gost12_256 -signer signer.pem -inkey signer.key -in large.bin -outform DER -out large.ref.sig; }
ours_small() { for i in $(seq "$SMALL"); do ./gostca sign --key signer.key --cert signer.pem --out "small$i.sig" --force "small$i.bin" 2>/dev/null; done; }
ref_small() { for i in $(seq "$SMALL"); do openssl cms -sign -binary -md md_gost12_256 -signer signer.pem -inkey signer.key -in "small$i.bin" -outform DER -out "small$i.ref.sig"; done; }

echo "# bench-sign — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(openssl version | cut -d' ' -f1-2), a 256-bit CryptoPro-A key"
for run in 1 2; do
	ol=$(seconds ours_large); rl=$(seconds ref_large)
	os=$(seconds ours_small); rs=$(seconds ref_small)
	awk -v n="$LARGE_MIB" -v ol="$ol" -v rl="$rl" -v k="$SMALL" -v os="$os" -v rs="$rs" -v run="$run" 'BEGIN {
		printf "run %d: %d MiB detached: gostca sign %.0f MB/s, openssl cms -sign %.0f MB/s (%.2fx)\n", run, n, n*1.048576/ol, n*1.048576/rl, rl/ol
		printf "run %d: %d x 1 KiB, a command each: gostca sign %.0f docs/s, openssl cms -sign %.0f docs/s (%.2fx)\n", run, k, k/os, k/rs, rs/os
	}'
done
# Both signatures of the large file verify in OpenSSL.
for s in large.sig large.ref.sig; do
	openssl cms -verify -binary -inform DER -in "$s" -content large.bin -CAfile ca/ca.pem -out /dev/null 2>&1 | grep -q "Verification successful" ||
		{ echo "bench-sign: $s does not verify" >&2; exit 1; }
done
echo "both large-file signatures verify in openssl cms -verify"
