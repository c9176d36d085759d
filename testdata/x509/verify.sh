#!/usr/bin/env bash
# verify.sh — check every object made by gen.sh with openssl (+gost engine) and
# GnuTLS certtool, and check the fixed values (serials, dates, subject strings
# and types, extension values, CRL entries) against gen.sh's VALUES block.
# Exits non-zero if any check fails.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
export TZ=UTC LC_ALL=C.UTF-8
unset OPENSSL_CONF
# shellcheck source=gen.sh
source ./gen.sh   # values and helpers only (gen.sh returns early when sourced)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
pass=0 fail=0

# `openssl crl` (OpenSSL 3.0) has no -engine option: load the gost engine
# through a config file for it instead.
cat >"$WORK/engine.cnf" <<'EOF'
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
gost = gost_section
[gost_section]
default_algorithms = ALL
EOF
crl_verify() { OPENSSL_CONF=$WORK/engine.cnf openssl crl -in "$1" -CAfile "$2" -noout; }

ok()  { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; sed 's/^/     | /' "$WORK/out" | head -20; }

# check NAME REGEX CMD...: CMD must exit 0 and print (stdout+stderr) a line matching REGEX.
check() {
  local name=$1 re=$2; shift 2
  if "$@" >"$WORK/out" 2>&1 && grep -Eq -- "$re" "$WORK/out"; then ok "$name"; else bad "$name"; fi
}
# check_fails NAME REGEX CMD...: CMD must exit non-zero and print a line matching REGEX.
check_fails() {
  local name=$1 re=$2; shift 2
  if ! "$@" >"$WORK/out" 2>&1 && grep -Eq -- "$re" "$WORK/out"; then ok "$name"; else bad "$name"; fi
}
# has NAME HAYSTACK-FILE NEEDLE: fixed-string containment (for DER hex and text).
has() {
  if grep -Fq -- "$3" "$2"; then ok "$1"; else { echo "missing: $3"; head -c 2000 "$2"; } >"$WORK/out"; bad "$1"; fi
}

der_hex() { # der_hex KIND FILE -> DER as one line of lower-case hex
  case "$1" in
    x509) openssl x509 -in "$2" -outform DER ;;
    req)  openssl req -in "$2" -outform DER ;;
    crl)  openssl crl -in "$2" -outform DER ;;
    key)  openssl pkey -engine gost -in "$2" -outform DER 2>/dev/null ;;
  esac | xxd -p | tr -d '\n'
}
tlv() { # tlv TAGHEX ASCII -> DER hex of a short primitive (length < 128)
  local v; v=$(printf '%s' "$2" | xxd -p | tr -d '\n')
  printf '%s%02x%s' "$1" $((${#v} / 2)) "$v"
}
utc() { [[ ${#1} == 15 ]] && [[ $1 < 2050 ]] && echo "${1:2}" || echo "$1"; }
time_der() { local t; t=$(utc "$1"); if [[ ${#t} == 13 ]]; then tlv 17 "$t"; else tlv 18 "$t"; fi; }
int_der() { local s=${1,,}; [[ $(( 16#${s:0:1} )) -ge 8 ]] && s=00$s; [[ $(( ${#s} % 2 )) == 1 ]] && s=0$s; printf '02%02x%s' $((${#s} / 2)) "$s"; }
# Observed SubjectPublicKeyInfo AlgorithmIdentifier per set (both tools agree):
# digestParamSet present for CryptoPro-A (Streebog-256) and 512 paramSetA
# (Streebog-512), absent for the twisted-Edwards sets.
spki_alg() { case "$1" in
  cryptopro-a) echo 301f06082a85030701010101301306072a85030202230106082a85030701010202 ;;
  tc26-256-a)  echo 301706082a85030701010101300b06092a8503070102010101 ;;
  tc26-512-a)  echo 302106082a85030701010102301506092a850307010201020106082a85030701010203 ;;
  tc26-512-c)  echo 301706082a85030701010102300b06092a8503070102010203 ;;
esac; }
esc4514() { local v=${1//,/\\,}; echo "$v"; }

LEAF_SUBJECT="emailAddress=$LEAF_EMAIL,OGRN=$LEAF_OGRN,INN=$LEAF_INN,SNILS=$LEAF_SNILS,title=$LEAF_TITLE,O=$(esc4514 "$LEAF_O"),street=$(esc4514 "$LEAF_STREET"),L=$LEAF_L,ST=$LEAF_ST,C=$LEAF_C,GN=$LEAF_GN,SN=$LEAF_SN,CN=$LEAF_CN"
subject_of() { openssl "$1" -in "$2" -noout -subject -nameopt RFC2253,-esc_msb | sed 's/^subject=//'; }

check_numeric_dn() { # check_numeric_dn KIND FILE: SNILS/INN/OGRN are NumericString with the right digits
  local f=$WORK/dn.hex
  der_hex "$1" "$2" >"$f"
  has "$2: SNILS NumericString" "$f" "06052a85036403$(tlv 12 "$LEAF_SNILS")"
  has "$2: INN NumericString"   "$f" "06082a85030381030101$(tlv 12 "$LEAF_INN")"
  has "$2: OGRN NumericString"  "$f" "06052a85036401$(tlv 12 "$LEAF_OGRN")"
}

echo "== tools: $(openssl version), $(certtool --version | head -1)"

for set in $OPENSSL_SETS; do
  read -r _ _ _ poid soid < <(set_params "$set")
  echo "== OpenSSL set $set (paramset $poid, signature $soid)"
  p=$set
  poid_der=$(hexder "OID:$poid") soid_der=$(hexder "OID:$soid")

  # Signatures and chains (OpenSSL).
  check "$p: openssl verify root" "root.pem: OK" \
    openssl verify -engine gost -CAfile "$p/root.pem" "$p/root.pem"
  check "$p: openssl verify intermediate" "intermediate.pem: OK" \
    openssl verify -engine gost -CAfile "$p/root.pem" "$p/intermediate.pem"
  for c in leaf revoked-hold revoked-plain; do
    check "$p: openssl verify $c (chain)" "$c.pem: OK" \
      openssl verify -engine gost -CAfile "$p/root.pem" -untrusted "$p/intermediate.pem" "$p/$c.pem"
  done
  check "$p: openssl req -verify leaf.csr" "verify OK" \
    openssl req -engine gost -verify -noout -in "$p/leaf.csr"
  check "$p: openssl crl verify" "^verify OK" \
    crl_verify "$p/crl.pem" "$p/intermediate.pem"
  check_fails "$p: leaf is revoked per crl.pem (verify -crl_check)" "certificate revoked" \
    openssl verify -engine gost -crl_check -CAfile "$p/root.pem" -untrusted "$p/intermediate.pem" \
      -CRLfile "$p/crl.pem" "$p/leaf.pem"

  # GnuTLS on the OpenSSL-made objects.
  cat "$p/leaf.pem" "$p/intermediate.pem" >"$WORK/chain.pem"
  case "$set" in
    cryptopro-a|tc26-512-a)
      check "$p: certtool --verify leaf+intermediate" "^Chain verification output: Verified" \
        certtool --verify --load-ca-certificate "$p/root.pem" --infile "$WORK/chain.pem"
      check "$p: certtool --verify-crl" "^Verification output: Verified" \
        certtool --verify-crl --load-ca-certificate "$p/intermediate.pem" --infile "$p/crl.pem"
      check "$p: certtool --crq-info self signature" "^Self signature: verified" \
        certtool --crq-info --infile "$p/leaf.csr"
      ;;
    *)
      if certtool --verify --load-ca-certificate "$p/root.pem" --infile "$WORK/chain.pem" >"$WORK/out" 2>&1; then
        echo "info $p: certtool now verifies this curve"
      else
        echo "info $p: certtool cannot verify (twisted-Edwards curve unsupported by this GnuTLS): $(grep -m1 -o 'Not verified.*' "$WORK/out")"
      fi
      ;;
  esac

  # Fixed values.
  for k in root intermediate leaf; do
    der_hex key "$p/$k.key" >"$WORK/k.hex"
    has "$p: $k.key paramset $poid" "$WORK/k.hex" "$poid_der"
  done
  for c in root:$ROOT_SERIAL intermediate:$INT_SERIAL leaf:$LEAF_SERIAL revoked-hold:$HOLD_SERIAL revoked-plain:$PLAIN_SERIAL; do
    f=$p/${c%%:*}.pem s=${c#*:}
    der_hex x509 "$f" >"$WORK/c.hex"
    has "$f: serial $s" "$WORK/c.hex" "a003020102$(int_der "$s")"
    has "$f: validity" "$WORK/c.hex" "$(time_der "$NOT_BEFORE")$(time_der "$NOT_AFTER")"
    has "$f: paramset $poid" "$WORK/c.hex" "$poid_der"
    has "$f: signature algorithm $soid (gost engine: explicit NULL parameters)" "$WORK/c.hex" "300c${soid_der}0500"
    has "$f: SPKI algorithm identifier" "$WORK/c.hex" "$(spki_alg "$set")"
  done
  if [[ "$(subject_of x509 "$p/leaf.pem")" == "$LEAF_SUBJECT" ]]; then ok "$p/leaf.pem: subject strings"; else subject_of x509 "$p/leaf.pem" >"$WORK/out"; bad "$p/leaf.pem: subject strings"; fi
  if [[ "$(subject_of req "$p/leaf.csr")" == "$LEAF_SUBJECT" ]]; then ok "$p/leaf.csr: subject strings"; else subject_of req "$p/leaf.csr" >"$WORK/out"; bad "$p/leaf.csr: subject strings"; fi
  check_numeric_dn x509 "$p/leaf.pem"
  check_numeric_dn req "$p/leaf.csr"
  der_hex req "$p/leaf.csr" >"$WORK/r.hex"
  has "$p/leaf.csr: extensionRequest attribute" "$WORK/r.hex" "06092a864886f70d01090e"
  has "$p/leaf.csr: requested SAN email" "$WORK/r.hex" "$(tlv 81 "$LEAF_EMAIL")"
  has "$p/leaf.csr: requested keyUsage critical" "$WORK/r.hex" "0603551d0f0101ff0404030206c0"

  der_hex x509 "$p/leaf.pem" >"$WORK/c.hex"
  has "$p/leaf.pem: subjectSignTool" "$WORK/c.hex" "06052a8503646f04$(printf '%02x' $(( $(hexder "FORMAT:UTF8,UTF8String:$SUBJECT_SIGN_TOOL" | wc -c) / 2 )))$(hexder "FORMAT:UTF8,UTF8String:$SUBJECT_SIGN_TOOL")"
  for v in "$ISSUER_SIGN_TOOL_1" "$ISSUER_SIGN_TOOL_2" "$ISSUER_SIGN_TOOL_3" "$ISSUER_SIGN_TOOL_4"; do
    has "$p/leaf.pem: issuerSignTool \"$v\"" "$WORK/c.hex" "$(hexder "FORMAT:UTF8,UTF8String:$v")"
  done
  has "$p/leaf.pem: issuerSignTool OID" "$WORK/c.hex" "06052a85036470"
  has "$p/leaf.pem: privateKeyUsagePeriod" "$WORK/c.hex" "0603551d1004243022$(tlv 80 "$PKUP_NOT_BEFORE")$(tlv 81 "$PKUP_NOT_AFTER")"
  has "$p/leaf.pem: certificatePolicies KC1+KC2" "$WORK/c.hex" "3014300806062a8503647101300806062a8503647102"
  has "$p/leaf.pem: CRL DP URI" "$WORK/c.hex" "$(tlv 86 "${CRL_URI//SETNAME/$set}")"
  has "$p/leaf.pem: AIA OCSP URI" "$WORK/c.hex" "$(tlv 86 "${OCSP_URI//SETNAME/$set}")"
  has "$p/leaf.pem: AIA caIssuers URI" "$WORK/c.hex" "$(tlv 86 "${CAISSUERS_URI//SETNAME/$set}")"
  has "$p/leaf.pem: keyUsage critical digitalSignature,nonRepudiation" "$WORK/c.hex" "0603551d0f0101ff0404030206c0"
  has "$p/leaf.pem: EKU clientAuth,emailProtection" "$WORK/c.hex" "0603551d250416301406082b0601050507030206082b06010505070304"

  der_hex crl "$p/crl.pem" >"$WORK/crl.hex"
  has "$p/crl.pem: v2, signature algorithm" "$WORK/crl.hex" "020101300c$soid_der"
  has "$p/crl.pem: thisUpdate/nextUpdate" "$WORK/crl.hex" "$(time_der "$CRL_THIS_UPDATE")$(time_der "$CRL_NEXT_UPDATE")"
  n=$(int_der "$CRL_NUMBER")
  has "$p/crl.pem: crlNumber" "$WORK/crl.hex" "0603551d1404$(printf '%02x' $(( ${#n} / 2 )))$n"
  has "$p/crl.pem: authorityKeyIdentifier" "$WORK/crl.hex" "0603551d2304"
  has "$p/crl.pem: leaf revoked, keyCompromise, invalidityDate" "$WORK/crl.hex" \
    "$(int_der "$LEAF_SERIAL")$(time_der "$LEAF_REVOKED")3026300a0603551d1504030a01013018"'0603551d18'"0411$(tlv 18 "$LEAF_INVALIDITY")"
  has "$p/crl.pem: $HOLD_SERIAL revoked, certificateHold, holdInstructionReject" "$WORK/crl.hex" \
    "$(int_der "$HOLD_SERIAL")$(time_der "$HOLD_REVOKED")301e300a0603551d1504030a01063010""0603551d170409""06072a8648ce380203"
  has "$p/crl.pem: $PLAIN_SERIAL revoked, no entry extensions" "$WORK/crl.hex" \
    "3013$(int_der "$PLAIN_SERIAL")$(time_der "$PLAIN_REVOKED")"
done

for set in $GNUTLS_SETS; do
  read -r _ _ _ poid soid < <(gt_params "$set")
  p=gnutls/$set
  echo "== GnuTLS set $p (paramset $poid, signature $soid)"
  check "$p: certtool --verify leaf" "^Chain verification output: Verified" \
    certtool --verify --load-ca-certificate "$p/ca.pem" --infile "$p/leaf.pem"
  check "$p: certtool --verify-crl" "^Verification output: Verified" \
    certtool --verify-crl --load-ca-certificate "$p/ca.pem" --infile "$p/crl.pem"
  check "$p: certtool --crq-info self signature" "^Self signature: verified" \
    certtool --crq-info --infile "$p/leaf.csr"
  check "$p: openssl verify ca" "ca.pem: OK" openssl verify -engine gost -CAfile "$p/ca.pem" "$p/ca.pem"
  check "$p: openssl verify leaf" "leaf.pem: OK" openssl verify -engine gost -CAfile "$p/ca.pem" "$p/leaf.pem"
  check "$p: openssl req -verify leaf.csr" "verify OK" openssl req -engine gost -verify -noout -in "$p/leaf.csr"
  check "$p: openssl crl verify" "^verify OK" crl_verify "$p/crl.pem" "$p/ca.pem"
  check_fails "$p: leaf is revoked per crl.pem (openssl verify -crl_check)" "certificate revoked" \
    openssl verify -engine gost -crl_check -CAfile "$p/ca.pem" -CRLfile "$p/crl.pem" "$p/leaf.pem"
  poid_der=$(hexder "OID:$poid")
  for k in ca leaf; do
    der_hex key "$p/$k.key" >"$WORK/k.hex"
    has "$p/$k.key paramset $poid" "$WORK/k.hex" "$poid_der"
  done
  soid_der=$(hexder "OID:$soid")
  for c in ca:$GT_CA_SERIAL leaf:$GT_LEAF_SERIAL; do
    f=$p/${c%%:*}.pem
    der_hex x509 "$f" >"$WORK/c.hex"
    has "$f: serial" "$WORK/c.hex" "a003020102$(int_der "${c#*:}")"
    has "$f: signature algorithm $soid (certtool: parameters absent)" "$WORK/c.hex" "a003020102$(int_der "${c#*:}")300a${soid_der}"
    has "$f: SPKI algorithm identifier" "$WORK/c.hex" "$(spki_alg "$set")"
  done
  if [[ "$(subject_of x509 "$p/leaf.pem")" == "$LEAF_SUBJECT" ]]; then ok "$p/leaf.pem: subject strings"; else subject_of x509 "$p/leaf.pem" >"$WORK/out"; bad "$p/leaf.pem: subject strings"; fi
  if [[ "$(subject_of req "$p/leaf.csr")" == "$LEAF_SUBJECT" ]]; then ok "$p/leaf.csr: subject strings"; else subject_of req "$p/leaf.csr" >"$WORK/out"; bad "$p/leaf.csr: subject strings"; fi
  check_numeric_dn x509 "$p/leaf.pem"
  check_numeric_dn req "$p/leaf.csr"
  der_hex crl "$p/crl.pem" >"$WORK/crl.hex"
  has "$p/crl.pem: leaf entry" "$WORK/crl.hex" "$(int_der "$GT_LEAF_SERIAL")$(time_der "$(date -u -d "$GT_CRL_REVOKED" +%Y%m%d%H%M%SZ)")"
  has "$p/crl.pem: crlNumber" "$WORK/crl.hex" "0603551d1404030201$(printf '%02x' "$GT_CRL_NUMBER")"
done

echo "== $pass passed, $fail failed"
[[ $fail == 0 ]]
