#!/usr/bin/env bash
# Makes the OpenSSL-generated GOST keys in this folder: for every parameter set
# the GOST engine offers, a PKCS#8 private key (KEY-<set>.pem) and its
# SubjectPublicKeyInfo (PUB-<set>.pem), as the engine writes them.
# Needs openssl with libengine-gost-openssl. Run from anywhere:
#   bash testdata/openssl/keys/gen.sh
set -euo pipefail
cd "$(dirname "$0")"
gen() { # algorithm paramset name
  openssl genpkey -engine gost -algorithm "$1" -pkeyopt "paramset:$2" -out "KEY-$3.pem" 2>/dev/null
  openssl pkey -engine gost -in "KEY-$3.pem" -pubout -out "PUB-$3.pem" 2>/dev/null
}
gen gost2012_256 0   test-256
gen gost2012_256 A   cryptopro-a
gen gost2012_256 B   cryptopro-b
gen gost2012_256 C   cryptopro-c
gen gost2012_256 XA  cryptopro-xcha
gen gost2012_256 XB  cryptopro-xchb
gen gost2012_256 TCA tc26-256-a
gen gost2012_256 TCB tc26-256-b
gen gost2012_256 TCC tc26-256-c
gen gost2012_256 TCD tc26-256-d
gen gost2012_512 A   tc26-512-a
gen gost2012_512 B   tc26-512-b
gen gost2012_512 C   tc26-512-c
