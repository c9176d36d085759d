#!/usr/bin/env bash
# make.sh writes the tool-made golden PFX files of golden_test.go with
# OpenSSL's GOST engine (Debian's libengine-gost-openssl) and GnuTLS
# certtool. Run it from this directory; the files are committed, so the
# tests need neither tool. Password: "пароль" (UTF-8).
set -euo pipefail
export OPENSSL_CONF=../../../testdata/openssl/gost.cnf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'пароль' >"$tmp/pass"

# OpenSSL: a CryptoPro-A key with a self-signed certificate, and a TC26
# 512-bit key, each as gost89 and as Kuznyechik CTR-ACPKM.
openssl genpkey -algorithm gost2012_256 -pkeyopt paramset:A -out "$tmp/k256.pem"
openssl req -new -x509 -key "$tmp/k256.pem" -subj /CN=openssl-256 -days 36500 -out "$tmp/c256.pem"
openssl genpkey -algorithm gost2012_512 -pkeyopt paramset:A -out "$tmp/k512.pem"
openssl req -new -x509 -key "$tmp/k512.pem" -subj /CN=openssl-512 -days 36500 -out "$tmp/c512.pem"
for bits in 256 512; do
	openssl pkey -in "$tmp/k$bits.pem" -pubout -out "openssl-$bits.pub.pem"
	openssl pkcs12 -export -inkey "$tmp/k$bits.pem" -in "$tmp/c$bits.pem" -name "openssl $bits" -iter 2048 \
		-keypbe gost89 -certpbe gost89 -macalg md_gost12_512 -passout "file:$tmp/pass" -out "openssl-$bits-gost89.p12"
	openssl pkcs12 -export -inkey "$tmp/k$bits.pem" -in "$tmp/c$bits.pem" -name "openssl $bits" -iter 2048 \
		-keypbe kuznyechik-ctr-acpkm -certpbe kuznyechik-ctr-acpkm -macalg md_gost12_256 -passout "file:$tmp/pass" \
		-out "openssl-$bits-kuznyechik.p12"
done

# GnuTLS: a TC26 512-bit key (certtool uses 600,000 iterations).
certtool --generate-privkey --key-type gost12-512 --curve TC26-512-A --outfile "$tmp/g.pem"
printf 'cn = certtool\nexpiration_days = 36500\n' >"$tmp/tmpl"
certtool --generate-self-signed --load-privkey "$tmp/g.pem" --template "$tmp/tmpl" --outfile "$tmp/gc.pem"
certtool --load-privkey "$tmp/g.pem" --pubkey-info --outfile "certtool-512.pub.pem"
certtool --to-p12 --load-privkey "$tmp/g.pem" --load-certificate "$tmp/gc.pem" --pkcs-cipher gost28147-tc26z \
	--hash STREEBOG-512 --password "$(cat "$tmp/pass")" --p12-name certtool --outder --outfile certtool-512.p12
