#!/bin/sh
# Regenerates the OpenSSL-made golden signatures of crypto/cms's tests with
# OpenSSL 3 and the GOST engine (Debian: openssl, libengine-gost-openssl).
# Every run makes new keys, certificates and signatures; the tests depend
# only on what this script fixes (file names, content, signers, forms).
#
#   root.pem                      self-signed CA, TC26 256 paramSetA, 100 years
#   signer-cryptopro-a.pem        end entity, CryptoPro-A (256)
#   signer-tc26-256-a.pem         end entity, TC26 256 paramSetA
#   signer-tc26-512-a.pem         end entity, TC26 512 paramSetA
#   content.txt, content-long.txt the signed documents (the long one spans
#                                 several 4096-byte chunks when streamed)
#   detached-256.der              cms -sign (detached, DER), CryptoPro-A
#   attached-512.der              cms -sign -nodetach, TC26 512
#   attached-stream-256.ber       cms -sign -nodetach -stream (BER, indefinite
#                                 lengths, chunked eContent), TC26 256, long
#   attached-noattr-512.der       cms -sign -nodetach -noattr, TC26 512
#   detached-cades-512.der        cms -sign -cades (ESS signingCertificateV2)
#   attached-keyid-256.pem        cms -sign -nodetach -keyid -outform PEM
#                                 (subjectKeyIdentifier signer), CryptoPro-A
#   resigned-256.der              detached-256.der co-signed by cms -resign
#                                 with the TC26 256 signer
set -eu
cd "$(dirname "$0")"
conf=$(mktemp)
work=$(mktemp -d)
trap 'rm -rf "$conf" "$work"' EXIT
cat >"$conf" <<'CONF'
openssl_conf = openssl_init
[openssl_init]
engines = engines
[engines]
gost = gost
[gost]
engine_id = gost
default_algorithms = ALL
[ca_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ee_ext]
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CONF
export OPENSSL_CONF="$conf"

openssl genpkey -algorithm gost2012_256 -pkeyopt paramset:TCA -out "$work/root.key"
openssl req -new -x509 -key "$work/root.key" -md_gost12_256 -days 36500 -set_serial 1 \
	-subj "/C=RU/O=gostca cms tests/CN=gostca cms golden root" -extensions ca_ext -config "$conf" -out root.pem

signer() { # name algorithm paramset digest serial
	openssl genpkey -algorithm "$2" -pkeyopt "paramset:$3" -out "$work/$1.key"
	openssl req -new -key "$work/$1.key" -"$4" -subj "/C=RU/O=gostca cms tests/CN=gostca cms golden $1" \
		-config "$conf" -out "$work/$1.csr"
	openssl x509 -req -in "$work/$1.csr" -CA root.pem -CAkey "$work/root.key" -md_gost12_256 -days 36500 \
		-set_serial "$5" -extfile "$conf" -extensions ee_ext -out "$1.pem"
}
signer signer-cryptopro-a gost2012_256 A md_gost12_256 16
signer signer-tc26-256-a gost2012_256 TCA md_gost12_256 17
signer signer-tc26-512-a gost2012_512 A md_gost12_512 18

printf 'Контрольный пример: документ для подписи.\n' >content.txt
seq 1 2500 >content-long.txt

sign() { # signer content out args...
	s=$1 in=$2 out=$3
	shift 3
	openssl cms -sign -binary -in "$in" -signer "$s.pem" -inkey "$work/$s.key" -out "$out" "$@"
}
sign signer-cryptopro-a content.txt detached-256.der -outform DER
sign signer-tc26-512-a content.txt attached-512.der -outform DER -nodetach
sign signer-tc26-256-a content-long.txt attached-stream-256.ber -outform DER -nodetach -stream
sign signer-tc26-512-a content.txt attached-noattr-512.der -outform DER -nodetach -noattr
sign signer-tc26-512-a content.txt detached-cades-512.der -outform DER -cades
sign signer-cryptopro-a content.txt attached-keyid-256.pem -outform PEM -nodetach -keyid
openssl cms -resign -binary -inform DER -in detached-256.der -content content.txt \
	-signer signer-tc26-256-a.pem -inkey "$work/signer-tc26-256-a.key" -outform DER -out resigned-256.der

for f in detached-256.der detached-cades-512.der resigned-256.der; do
	openssl cms -verify -binary -inform DER -in "$f" -content content.txt -CAfile root.pem -out /dev/null
done
for f in attached-512.der attached-stream-256.ber attached-noattr-512.der; do
	openssl cms -verify -binary -inform DER -in "$f" -CAfile root.pem -out /dev/null
done
openssl cms -verify -binary -inform PEM -in attached-keyid-256.pem -CAfile root.pem -out /dev/null
