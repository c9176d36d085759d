#!/usr/bin/env bash
# demo.sh — the main job of gostca, end to end, on the embedded defaults:
# build gostca, create a root CA and an intermediate in a temporary
# directory, make a subscriber key and request, issue, show, revoke, make
# the CRL, then let OpenSSL's GOST engine verify the chain and the CRL.
# Run it with 'make demo' (which installs OpenSSL's GOST engine first).
# It exits non-zero on any failure and removes its temporary directory.
set -euo pipefail

GO=${GO:-go}
cd "$(dirname "$0")/../.."
repo=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/gostca-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT

step() { printf '\n== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "build gostca"
run "$GO" build -o "$work/gostca" ./cmd/gostca
gostca() { "$work/gostca" "$@"; }
cd "$work"

# The demo's passphrases; a real CA reads them from --pass-file or a prompt.
export GOSTCA_PASSPHRASE=demo-ca-passphrase GOSTCA_PARENT_PASSPHRASE=demo-ca-passphrase

step "create a root CA (TC26 512-bit key) and an intermediate (CryptoPro-A)"
run gostca init --dir root --key gost2012-512:A --subject "CN=Demo Root CA,O=Demo,C=RU"
run gostca init --dir sub --parent root --subject "CN=Demo Issuing CA,O=Demo,C=RU" \
	--crl-url http://ca.demo.example/sub.crl --ocsp-url http://ocsp.demo.example
export GOSTCA_DIR=sub

step "the subscriber makes a key and a request"
run gostca key new --out alice.key --no-passphrase
run gostca csr --key alice.key --subject "CN=Иванов Иван Иванович,SN=Иванов,GN=Иван Иванович,C=RU" \
	--snils 11223344595 --email ivanov@demo.example --out alice.csr

step "issue"
serial=$(gostca issue --csr alice.csr --profile signature --out alice.pem)
echo "serial $serial"

step "show"
run gostca show "$serial"

step "verify, while valid"
run gostca verify alice.pem

step "revoke"
run gostca revoke "$serial" --reason keyCompromise
run gostca list

step "CRL"
run gostca crl --out sub.crl
run gostca audit verify

step "OpenSSL with the GOST engine"
export OPENSSL_CONF=$repo/testdata/openssl/gost.cnf
openssl engine gost -c | grep -q gost2012_256 || { echo "demo: openssl has no GOST engine (libengine-gost-openssl)" >&2; exit 1; }
cat root/ca.pem > trust.pem
cat sub/ca.pem > untrusted.pem

# openssl verify exits non-zero on failure; crl prints its verdict on
# standard error and exits 0 either way, so its text is checked.
chain=$(openssl verify -CAfile trust.pem -untrusted untrusted.pem alice.pem)
crl=$(openssl crl -in sub.crl -CAfile sub/ca.pem -noout 2>&1)
[ "$crl" = "verify OK" ] || { echo "demo: openssl crl: $crl" >&2; exit 1; }
revoked=$(openssl verify -crl_check -CRLfile sub.crl -CAfile trust.pem -untrusted untrusted.pem alice.pem 2>&1 || true)
case $revoked in
*"certificate revoked"*) ;;
*) echo "demo: OpenSSL did not see the revocation: $revoked" >&2; exit 1 ;;
esac
openssl crl -in sub.crl -noout -text | grep -A1 "Serial Number: $serial" | sed 's/^ */  /'

step "OpenSSL's verdicts"
echo "chain (before revocation): $chain"
echo "CRL signature:             $crl"
echo "with the CRL:              $(printf '%s\n' "$revoked" | grep -o 'certificate revoked' | head -1) (as it should be)"
