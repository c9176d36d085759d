#!/usr/bin/env bash
# gen.sh — regenerate the golden GOST X.509 interop corpus in this folder.
#
# Needs only: openssl 3 with the gost engine (Debian libengine-gost-openssl)
# and GnuTLS certtool (gnutls-bin). Runs from any cwd, writes only into the
# folder it lives in, and first removes everything it made before.
#
# Everything the Go tests may assert field by field (subject values, serials,
# dates, revocation entries) is a variable in the VALUES block below; the
# manifest is printed from these variables, and verify.sh reads the same block
# and checks the generated objects against it.
#
# Keys and signatures are random, so every run changes the key/cert/CSR/CRL
# bytes (and the SKI/AKI values), but never the values below.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$HERE"
export TZ=UTC LC_ALL=C.UTF-8

# BEGIN VALUES ---------------------------------------------------------------
OPENSSL_SETS="cryptopro-a tc26-256-a tc26-512-a tc26-512-c"
GNUTLS_SETS="cryptopro-a tc26-512-a"

ORG="gostca tests"

# Validity of every certificate (UTCTime before 2050, GeneralizedTime after).
NOT_BEFORE=20250101000000Z
NOT_AFTER=21250101000000Z

# Serial numbers (hex, as written to OpenSSL's serial file). The leaf serial has
# its top bit set, so its DER INTEGER carries a leading 00 octet.
ROOT_SERIAL=01
INT_SERIAL=1000
LEAF_SERIAL=C0FFEE0123456789ABCDEF
HOLD_SERIAL=3002
PLAIN_SERIAL=3003

# Qualified-individual subject of the leaf and its CSR, in DER order.
LEAF_CN="Иванов Иван Иванович"
LEAF_SN="Иванов"
LEAF_GN="Иван Иванович"
LEAF_C="RU"
LEAF_ST="77 г. Москва"
LEAF_L="Москва"
LEAF_STREET="ул. Тверская, д. 1"
LEAF_O="ООО «Тест»"
LEAF_TITLE="Инженер"
LEAF_SNILS="11223344595"    # 1.2.643.100.3     NumericString(11), valid check digits
LEAF_INN="500100732259"     # 1.2.643.3.131.1.1 NumericString(12), valid check digits
LEAF_OGRN="1177746123455"   # 1.2.643.100.1     NumericString(13), valid check digit
LEAF_EMAIL="ivanov@example.test"
LEAF_DNS="ivanov.example.test"

# Leaf extensions.
SUBJECT_SIGN_TOOL="СКЗИ «Тест-CSP» (версия 1.0)"
ISSUER_SIGN_TOOL_1="СКЗИ «Тест-CSP» (версия 1.0)"
ISSUER_SIGN_TOOL_2="ПАК «gostca УЦ» версии 0.1"
ISSUER_SIGN_TOOL_3="Сертификат соответствия № СФ/000-0001 от 01.01.2025"
ISSUER_SIGN_TOOL_4="Сертификат соответствия № СФ/000-0002 от 01.01.2025"
PKUP_NOT_BEFORE=20250101000000Z   # privateKeyUsagePeriod (2.5.29.16)
PKUP_NOT_AFTER=20260401000000Z
POLICY_1=1.2.643.100.113.1   # KC1
POLICY_2=1.2.643.100.113.2   # KC2
# URIs; SETNAME is replaced by the set name.
CRL_URI="http://ca.gostca.test/SETNAME/intermediate.crl"
OCSP_URI="http://ocsp.gostca.test/SETNAME"
CAISSUERS_URI="http://ca.gostca.test/SETNAME/intermediate.crt"

# CRL of the intermediate.
CRL_NUMBER=2A                  # hex
CRL_THIS_UPDATE=20250601000000Z
CRL_NEXT_UPDATE=21250101000000Z
LEAF_REVOKED=20250301120000Z       # reason keyCompromise (1)
LEAF_INVALIDITY=20250215000000Z    # invalidityDate (GeneralizedTime)
HOLD_REVOKED=20250302120000Z       # reason certificateHold (6)
HOLD_INSTRUCTION=holdInstructionReject   # 1.2.840.10040.2.3
PLAIN_REVOKED=20250303120000Z      # no reasonCode entry extension

# GnuTLS-made sets (certtool templates).
GT_CA_SERIAL=4754
GT_LEAF_SERIAL=47540001
GT_ACTIVATION="2025-01-01 00:00:00"
GT_EXPIRATION="2125-01-01 00:00:00"
GT_CRL_NUMBER=7
GT_CRL_THIS_UPDATE="2025-06-01 00:00:00"
GT_CRL_NEXT_UPDATE="2125-01-01 00:00:00"
GT_CRL_REVOKED="2025-03-01 12:00:00"
# END VALUES -----------------------------------------------------------------

# set_params SET -> ALG PARAMSET MD PARAM_OID SIG_OID (for OpenSSL-made sets)
set_params() {
  case "$1" in
    cryptopro-a) echo "gost2012_256 A md_gost12_256 1.2.643.2.2.35.1 1.2.643.7.1.1.3.2" ;;
    tc26-256-a)  echo "gost2012_256 TCA md_gost12_256 1.2.643.7.1.2.1.1.1 1.2.643.7.1.1.3.2" ;;
    tc26-512-a)  echo "gost2012_512 A md_gost12_512 1.2.643.7.1.2.1.2.1 1.2.643.7.1.1.3.3" ;;
    tc26-512-c)  echo "gost2012_512 C md_gost12_512 1.2.643.7.1.2.1.2.3 1.2.643.7.1.1.3.3" ;;
    *) echo "unknown set $1" >&2; return 1 ;;
  esac
}
# gt_params SET -> KEYTYPE CURVE HASH PARAM_OID SIG_OID (for GnuTLS-made sets)
gt_params() {
  case "$1" in
    cryptopro-a) echo "gost12-256 CryptoPro-A streebog-256 1.2.643.2.2.35.1 1.2.643.7.1.1.3.2" ;;
    tc26-512-a)  echo "gost12-512 TC26-512-A streebog-512 1.2.643.7.1.2.1.2.1 1.2.643.7.1.1.3.3" ;;
    *) echo "unknown set $1" >&2; return 1 ;;
  esac
}

# gt_uri URI SET: URI for a GnuTLS set (its CA is "ca", not "intermediate").
gt_uri() { local u=${1//SETNAME/gnutls-$2}; echo "${u//intermediate/ca}"; }

# hexder ASN1-SPEC: DER of an openssl -genstr spec as lower-case hex (for
# certtool's add_extension and "#hex" DN values, and for verify.sh).
hexder() { openssl asn1parse -genstr "$1" -noout -out /dev/stdout | xxd -p | tr -d '\n'; }

# When sourced (by verify.sh) only the values and helpers are wanted.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then return 0; fi

command -v openssl >/dev/null || { echo "gen.sh: openssl not found" >&2; exit 1; }
command -v certtool >/dev/null || { echo "gen.sh: certtool not found" >&2; exit 1; }
openssl engine gost >/dev/null 2>&1 || { echo "gen.sh: openssl gost engine not available" >&2; exit 1; }

# Idempotence: remove everything a previous run made.
rm -rf $OPENSSL_SETS gnutls openssl.cnf MANIFEST.md

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# quiet runs openssl/certtool, showing output only on failure.
quiet() {
  local log="$WORK/log"
  if ! "$@" >"$log" 2>&1; then cat "$log" >&2; echo "gen.sh: failed: $*" >&2; exit 1; fi
}

# ---------------------------------------------------------------------------
# OpenSSL configuration (one file, set-specific values via $ENV::).
# ---------------------------------------------------------------------------
cat >openssl.cnf <<EOF
# Generated by gen.sh — do not edit; edit the VALUES block in gen.sh.
# Set-specific values come from the environment: CA_DB, SET_CRL_URI,
# SET_OCSP_URI, SET_CAISSUERS_URI.
# The gost engine is loaded with -engine gost on each command line.

[req]
prompt             = no
utf8               = yes
string_mask        = utf8only
distinguished_name = leaf_dn
req_extensions     = leaf_req_ext

# Subject of a qualified individual. SNILS, INN and OGRN are NumericString
# because OpenSSL's built-in ASN1_STRING_TABLE (crypto/asn1/tbl_standard.h)
# fixes that type for those NIDs, whatever string_mask says.
[leaf_dn]
CN           = ${LEAF_CN}
SN           = ${LEAF_SN}
GN           = ${LEAF_GN}
C            = ${LEAF_C}
ST           = ${LEAF_ST}
L            = ${LEAF_L}
street       = ${LEAF_STREET}
O            = ${LEAF_O}
title        = ${LEAF_TITLE}
SNILS        = ${LEAF_SNILS}
INN          = ${LEAF_INN}
OGRN         = ${LEAF_OGRN}
emailAddress = ${LEAF_EMAIL}

# Requested extensions (PKCS#9 extensionRequest attribute of leaf.csr).
[leaf_req_ext]
keyUsage         = critical,digitalSignature,nonRepudiation
extendedKeyUsage = clientAuth,emailProtection
subjectAltName   = email:${LEAF_EMAIL},DNS:${LEAF_DNS}

[ca]
default_ca = CA_default

[CA_default]
dir             = \$ENV::CA_DB
database        = \$dir/index.txt
serial          = \$dir/serial
crlnumber       = \$dir/crlnumber
new_certs_dir   = \$dir/new
unique_subject  = no
email_in_dn     = yes
copy_extensions = none
policy          = policy_any
default_md      = default
default_days    = 36500
default_crl_days = 36500
crl_extensions  = crl_ext
string_mask     = utf8only
utf8            = yes

# Every attribute that may appear must be listed, or openssl ca drops it.
# gen.sh passes -preserveDN so the request's RDN order is kept (without it the
# order of this section is used).
[policy_any]
commonName             = optional
surname                = optional
givenName              = optional
countryName            = optional
stateOrProvinceName    = optional
localityName           = optional
streetAddress          = optional
organizationName       = optional
organizationalUnitName = optional
title                  = optional
SNILS                  = optional
INN                    = optional
OGRN                   = optional
emailAddress           = optional

[crl_ext]
authorityKeyIdentifier = keyid:always

[v3_root]
basicConstraints     = critical,CA:TRUE
keyUsage             = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[v3_intermediate]
basicConstraints       = critical,CA:TRUE,pathlen:0
keyUsage               = keyCertSign,cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[v3_leaf]
keyUsage               = critical,digitalSignature,nonRepudiation
extendedKeyUsage       = clientAuth,emailProtection
subjectAltName         = email:${LEAF_EMAIL},DNS:${LEAF_DNS}
crlDistributionPoints  = URI:\$ENV::SET_CRL_URI
authorityInfoAccess    = OCSP;URI:\$ENV::SET_OCSP_URI,caIssuers;URI:\$ENV::SET_CAISSUERS_URI
certificatePolicies    = ${POLICY_1},${POLICY_2}
# subjectSignTool (1.2.643.100.111): UTF8String
1.2.643.100.111        = ASN1:FORMAT:UTF8,UTF8String:${SUBJECT_SIGN_TOOL}
# issuerSignTool (1.2.643.100.112): SEQUENCE OF 4 UTF8String
1.2.643.100.112        = ASN1:SEQUENCE:issuer_sign_tool
# privateKeyUsagePeriod (2.5.29.16): OpenSSL only prints it, so it is written
# with the generic ASN1: syntax.
2.5.29.16              = ASN1:SEQUENCE:private_key_usage_period
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[issuer_sign_tool]
signTool     = FORMAT:UTF8,UTF8String:${ISSUER_SIGN_TOOL_1}
cATool       = FORMAT:UTF8,UTF8String:${ISSUER_SIGN_TOOL_2}
signToolCert = FORMAT:UTF8,UTF8String:${ISSUER_SIGN_TOOL_3}
cAToolCert   = FORMAT:UTF8,UTF8String:${ISSUER_SIGN_TOOL_4}

[private_key_usage_period]
notBefore = IMPLICIT:0,GENTIME:${PKUP_NOT_BEFORE}
notAfter  = IMPLICIT:1,GENTIME:${PKUP_NOT_AFTER}

# The two extra revoked certificates (same key and subject as the leaf).
[v3_revoked]
keyUsage               = critical,digitalSignature
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF
export OPENSSL_CONF="$HERE/openssl.cnf"
# The config expands these when it is parsed, so they must always be set.
export CA_DB=$WORK SET_CRL_URI=unset SET_OCSP_URI=unset SET_CAISSUERS_URI=unset

new_db() { # new_db DIR FIRST_SERIAL
  mkdir -p "$1/new"
  : >"$1/index.txt"
  echo "$2" >"$1/serial"
  echo "$CRL_NUMBER" >"$1/crlnumber"
}

# pin_revocation DB SERIAL TIME: replace the revocation time that
# `openssl ca -revoke` wrote (always "now") by a fixed one, keeping the reason.
pin_revocation() {
  local db=$1 serial=$2 t=$3
  [[ ${#t} == 15 ]] && t=${t:2}   # index.txt stores UTCTime
  awk -F'\t' -v OFS='\t' -v s="$serial" -v t="$t" \
    '$4 == s { n = index($3, ","); $3 = (n ? t substr($3, n) : t) } { print }' \
    "$db/index.txt" >"$db/index.tmp"
  mv "$db/index.tmp" "$db/index.txt"
}

for set in $OPENSSL_SETS; do
  read -r alg pset md _ _ < <(set_params "$set")
  mkdir -p "$set"
  export SET_CRL_URI=${CRL_URI//SETNAME/$set}
  export SET_OCSP_URI=${OCSP_URI//SETNAME/$set}
  export SET_CAISSUERS_URI=${CAISSUERS_URI//SETNAME/$set}
  rootdb=$WORK/$set/rootdb intdb=$WORK/$set/intdb
  new_db "$rootdb" "$ROOT_SERIAL"
  new_db "$intdb" "$LEAF_SERIAL"
  # x.509 dates
  dates=(-startdate "$NOT_BEFORE" -enddate "$NOT_AFTER")

  for k in root intermediate leaf; do
    quiet openssl genpkey -engine gost -algorithm "$alg" -pkeyopt "paramset:$pset" -out "$set/$k.key"
  done

  # Root: self-signed through `openssl ca -selfsign` (fixed serial and dates).
  quiet openssl req -engine gost -new -key "$set/root.key" -"$md" \
    -subj "/C=RU/O=$ORG/CN=gostca test root $set" -out "$WORK/$set/root.csr"
  CA_DB=$rootdb quiet openssl ca -engine gost -batch -notext -preserveDN -selfsign -md "$md" \
    -keyfile "$set/root.key" -in "$WORK/$set/root.csr" -extensions v3_root \
    "${dates[@]}" -out "$set/root.pem"

  # Intermediate, signed by the root.
  echo "$INT_SERIAL" >"$rootdb/serial"
  quiet openssl req -engine gost -new -key "$set/intermediate.key" -"$md" \
    -subj "/C=RU/O=$ORG/CN=gostca test intermediate $set" -out "$WORK/$set/intermediate.csr"
  CA_DB=$rootdb quiet openssl ca -engine gost -batch -notext -preserveDN -md "$md" \
    -cert "$set/root.pem" -keyfile "$set/root.key" -in "$WORK/$set/intermediate.csr" \
    -extensions v3_intermediate "${dates[@]}" -out "$set/intermediate.pem"

  # Leaf CSR (kept) and leaf certificate, signed by the intermediate.
  quiet openssl req -engine gost -new -key "$set/leaf.key" -"$md" -out "$set/leaf.csr"
  CA_DB=$intdb quiet openssl ca -engine gost -batch -notext -preserveDN -md "$md" \
    -cert "$set/intermediate.pem" -keyfile "$set/intermediate.key" -in "$set/leaf.csr" \
    -extensions v3_leaf "${dates[@]}" -out "$set/leaf.pem"

  # Two more certificates to revoke (same CSR), so the CRL has three entries.
  echo "$HOLD_SERIAL" >"$intdb/serial"
  CA_DB=$intdb quiet openssl ca -engine gost -batch -notext -preserveDN -md "$md" \
    -cert "$set/intermediate.pem" -keyfile "$set/intermediate.key" -in "$set/leaf.csr" \
    -extensions v3_revoked "${dates[@]}" -out "$set/revoked-hold.pem"
  echo "$PLAIN_SERIAL" >"$intdb/serial"
  CA_DB=$intdb quiet openssl ca -engine gost -batch -notext -preserveDN -md "$md" \
    -cert "$set/intermediate.pem" -keyfile "$set/intermediate.key" -in "$set/leaf.csr" \
    -extensions v3_revoked "${dates[@]}" -out "$set/revoked-plain.pem"

  # Revocations and the CRL.
  caargs=(-engine gost -batch -cert "$set/intermediate.pem" -keyfile "$set/intermediate.key")
  CA_DB=$intdb quiet openssl ca "${caargs[@]}" -revoke "$set/leaf.pem" -crl_compromise "$LEAF_INVALIDITY"
  CA_DB=$intdb quiet openssl ca "${caargs[@]}" -revoke "$set/revoked-hold.pem" -crl_hold "$HOLD_INSTRUCTION"
  CA_DB=$intdb quiet openssl ca "${caargs[@]}" -revoke "$set/revoked-plain.pem"
  pin_revocation "$intdb" "$LEAF_SERIAL" "$LEAF_REVOKED"
  pin_revocation "$intdb" "$HOLD_SERIAL" "$HOLD_REVOKED"
  pin_revocation "$intdb" "$PLAIN_SERIAL" "$PLAIN_REVOKED"
  CA_DB=$intdb quiet openssl ca "${caargs[@]}" -gencrl -md "$md" \
    -crl_lastupdate "$CRL_THIS_UPDATE" -crl_nextupdate "$CRL_NEXT_UPDATE" -out "$set/crl.pem"
done

# ---------------------------------------------------------------------------
# GnuTLS certtool objects.
# ---------------------------------------------------------------------------
for set in $GNUTLS_SETS; do
  read -r ktype curve hash _ _ < <(gt_params "$set")
  d=gnutls/$set
  mkdir -p "$d"
  snils_der=$(hexder "NUMERICSTRING:$LEAF_SNILS")
  inn_der=$(hexder "NUMERICSTRING:$LEAF_INN")
  ogrn_der=$(hexder "NUMERICSTRING:$LEAF_OGRN")
  street_der=$(hexder "FORMAT:UTF8,UTF8String:$LEAF_STREET")
  sst_der=$(hexder "FORMAT:UTF8,UTF8String:$SUBJECT_SIGN_TOOL")

  cat >"$d/ca.tmpl" <<EOF
# certtool template: self-signed GnuTLS CA ($set). Generated by gen.sh.
dn = "CN=gostca gnutls ca $set,O=$ORG,C=RU"
serial = 0x$GT_CA_SERIAL
activation_date = "$GT_ACTIVATION"
expiration_date = "$GT_EXPIRATION"
ca
path_len = 0
cert_signing_key
crl_signing_key
EOF

  # Request: the qualified subject. certtool's dn parser has no names for
  # SNILS/INN/OGRN; "#hex" gives the raw DER value (NumericString here).
  # street is also given as DER: certtool drops an escaped "\," from values.
  cat >"$d/req.tmpl" <<EOF
# certtool template: leaf certificate request ($set). Generated by gen.sh.
dn = "EMAIL=$LEAF_EMAIL,1.2.643.100.1=#$ogrn_der,1.2.643.3.131.1.1=#$inn_der,1.2.643.100.3=#$snils_der,title=$LEAF_TITLE,O=${LEAF_O},2.5.4.9=#$street_der,L=$LEAF_L,ST=$LEAF_ST,C=$LEAF_C,givenName=$LEAF_GN,surName=$LEAF_SN,CN=$LEAF_CN"
email = "$LEAF_EMAIL"
dns_name = "$LEAF_DNS"
signing_key
non_repudiation
tls_www_client
email_protection_key
EOF

  cat >"$d/leaf.tmpl" <<EOF
# certtool template: leaf certificate issued from leaf.csr ($set). Generated by gen.sh.
serial = 0x$GT_LEAF_SERIAL
activation_date = "$GT_ACTIVATION"
expiration_date = "$GT_EXPIRATION"
email = "$LEAF_EMAIL"
dns_name = "$LEAF_DNS"
signing_key
non_repudiation
tls_www_client
email_protection_key
crl_dist_points = "$(gt_uri "$CRL_URI" "$set")"
ocsp_uri = "$(gt_uri "$OCSP_URI" "$set")"
ca_issuers_uri = "$(gt_uri "$CAISSUERS_URI" "$set")"
policy1 = $POLICY_1
policy2 = $POLICY_2
# subjectSignTool (1.2.643.100.111), DER UTF8String
add_extension = "1.2.643.100.111 0x$sst_der"
EOF

  cat >"$d/crl.tmpl" <<EOF
# certtool template: CRL of the GnuTLS CA revoking leaf.pem ($set). Generated by gen.sh.
crl_number = $GT_CRL_NUMBER
crl_this_update_date = "$GT_CRL_THIS_UPDATE"
crl_next_update_date = "$GT_CRL_NEXT_UPDATE"
crl_revocation_date = "$GT_CRL_REVOKED"
EOF

  ct=(certtool --no-text)
  quiet "${ct[@]}" --generate-privkey --key-type "$ktype" --curve "$curve" --outfile "$d/ca.key"
  quiet "${ct[@]}" --generate-privkey --key-type "$ktype" --curve "$curve" --outfile "$d/leaf.key"
  quiet "${ct[@]}" --generate-self-signed --hash "$hash" --load-privkey "$d/ca.key" \
    --template "$d/ca.tmpl" --outfile "$d/ca.pem"
  quiet "${ct[@]}" --generate-request --hash "$hash" --load-privkey "$d/leaf.key" \
    --template "$d/req.tmpl" --outfile "$d/leaf.csr"
  quiet "${ct[@]}" --generate-certificate --hash "$hash" --load-request "$d/leaf.csr" \
    --load-ca-certificate "$d/ca.pem" --load-ca-privkey "$d/ca.key" \
    --template "$d/leaf.tmpl" --outfile "$d/leaf.pem"
  quiet "${ct[@]}" --generate-crl --hash "$hash" --load-ca-certificate "$d/ca.pem" \
    --load-ca-privkey "$d/ca.key" --load-certificate "$d/leaf.pem" \
    --template "$d/crl.tmpl" --outfile "$d/crl.pem"
done

# ---------------------------------------------------------------------------
# MANIFEST.md
# ---------------------------------------------------------------------------
signame() { case "$1" in
  1.2.643.7.1.1.3.2) echo "$1 (id-tc26-signwithdigest-gost3410-12-256)" ;;
  1.2.643.7.1.1.3.3) echo "$1 (id-tc26-signwithdigest-gost3410-12-512)" ;;
esac; }
pname() { case "$1" in
  1.2.643.2.2.35.1) echo "$1 (CryptoPro-A)" ;;
  1.2.643.7.1.2.1.1.1) echo "$1 (tc26 256 paramSetA)" ;;
  1.2.643.7.1.2.1.2.1) echo "$1 (tc26 512 paramSetA)" ;;
  1.2.643.7.1.2.1.2.3) echo "$1 (tc26 512 paramSetC)" ;;
esac; }
# serial as the tools print it (hex, upper case, even length)
certserial() { openssl x509 -in "$1" -noout -serial | sed 's/^serial=//'; }
certsubj() { openssl x509 -in "$1" -noout -subject -nameopt RFC2253,-esc_msb | sed 's/^subject=//'; }
reqsubj() { openssl req -in "$1" -noout -subject -nameopt RFC2253,-esc_msb | sed 's/^subject=//'; }
crlissuer() { openssl crl -in "$1" -noout -issuer -nameopt RFC2253,-esc_msb | sed 's/^issuer=//'; }
md_escape() { sed 's/|/\\|/g'; }

{
  cat <<EOF
# GOST X.509 golden interop corpus

Generated by \`gen.sh\` (checked by \`verify.sh\`) with $(openssl version | cut -d' ' -f1-2) + gost engine
and GnuTLS certtool $(certtool --version | head -1 | awk '{print $NF}'). Do not edit: rerun \`./gen.sh\`.
Every regeneration makes new keys, so key, certificate, CSR and CRL bytes, SKI/AKI values and
signatures change; everything listed below (serials, dates, subjects, extension values) does not.

Private keys (\`*.key\`) are unencrypted PKCS#8 PEM test keys, exactly as the tools write them
(gost engine: privateKey OCTET STRING holds the raw little-endian scalar; certtool: it holds a
DER OCTET STRING wrapping the little-endian scalar).

Serials are hex as \`openssl x509 -serial\` prints them (DER INTEGER content without a leading 00).
Subjects are RFC 4514 (last RDN first) as \`openssl -nameopt RFC2253,-esc_msb\` prints them.

## Key profiles

| set | made by | key algorithm | publicKeyParamSet | signature algorithm |
|---|---|---|---|---|
EOF
  for set in $OPENSSL_SETS; do
    read -r alg pset md poid soid < <(set_params "$set")
    echo "| \`$set/\` | OpenSSL (\`genpkey -algorithm $alg -pkeyopt paramset:$pset\`, \`-$md\`) | $alg | $(pname "$poid") | $(signame "$soid") |"
  done
  for set in $GNUTLS_SETS; do
    read -r ktype curve hash poid soid < <(gt_params "$set")
    echo "| \`gnutls/$set/\` | certtool (\`--key-type $ktype --curve $curve --hash $hash\`) | $ktype | $(pname "$poid") | $(signame "$soid") |"
  done

  cat <<EOF

## Files

| file | what | key paramset | signature algorithm | serial (hex) | subject (RFC 4514) |
|---|---|---|---|---|---|
| \`gen.sh\` | generator (values block = source of truth) | | | | |
| \`verify.sh\` | checks every object with openssl and certtool | | | | |
| \`openssl.cnf\` | OpenSSL config used by gen.sh (req DN, extension sections, ca) | | | | |
| \`MANIFEST.md\` | this file | | | | |
EOF
  for set in $OPENSSL_SETS; do
    read -r _ _ _ poid soid < <(set_params "$set")
    for k in root intermediate leaf; do
      echo "| \`$set/$k.key\` | $k private key, PKCS#8 PEM (gost engine) | $poid | | | |"
    done
    row() { echo "| \`$set/$1\` | $2 | $poid | $soid | $(certserial "$set/$1") | $(certsubj "$set/$1" | md_escape) |"; }
    row root.pem "self-signed root CA certificate"
    row intermediate.pem "intermediate CA certificate, issued by root"
    row leaf.pem "qualified end-entity certificate, issued by intermediate (revoked: keyCompromise)"
    row revoked-hold.pem "end-entity certificate (leaf key, minimal extensions), revoked: certificateHold"
    row revoked-plain.pem "end-entity certificate (leaf key, minimal extensions), revoked without reason"
    echo "| \`$set/leaf.csr\` | PKCS#10 request of the leaf (extensionRequest: keyUsage, extendedKeyUsage, subjectAltName) | $poid | $soid | | $(reqsubj "$set/leaf.csr" | md_escape) |"
    echo "| \`$set/crl.pem\` | v2 CRL issued by intermediate, crlNumber 0x$CRL_NUMBER | | $soid | | issuer: $(crlissuer "$set/crl.pem" | md_escape) |"
  done
  for set in $GNUTLS_SETS; do
    read -r _ _ _ poid soid < <(gt_params "$set")
    d=gnutls/$set
    echo "| \`$d/ca.key\` | CA private key, PKCS#8 PEM (certtool) | $poid | | | |"
    echo "| \`$d/leaf.key\` | leaf private key, PKCS#8 PEM (certtool) | $poid | | | |"
    echo "| \`$d/ca.pem\` | self-signed CA certificate (template \`ca.tmpl\`) | $poid | $soid | $(certserial "$d/ca.pem") | $(certsubj "$d/ca.pem" | md_escape) |"
    echo "| \`$d/leaf.pem\` | end-entity certificate issued by ca.pem from leaf.csr (template \`leaf.tmpl\`) | $poid | $soid | $(certserial "$d/leaf.pem") | $(certsubj "$d/leaf.pem" | md_escape) |"
    echo "| \`$d/leaf.csr\` | PKCS#10 request (template \`req.tmpl\`) | $poid | $soid | | $(reqsubj "$d/leaf.csr" | md_escape) |"
    echo "| \`$d/crl.pem\` | CRL issued by ca.pem, revoking leaf.pem (template \`crl.tmpl\`) | | $soid | | issuer: $(crlissuer "$d/crl.pem" | md_escape) |"
    for t in ca req leaf crl; do echo "| \`$d/$t.tmpl\` | certtool template | | | | |"; done
  done

  cat <<EOF

## OpenSSL sets: common values (identical in all four sets)

Validity of every certificate: notBefore \`$NOT_BEFORE\` (UTCTime), notAfter \`$NOT_AFTER\` (GeneralizedTime).

| object | serial (hex) | extensions |
|---|---|---|
| root.pem | $ROOT_SERIAL | basicConstraints critical CA:TRUE; keyUsage critical keyCertSign,cRLSign; subjectKeyIdentifier |
| intermediate.pem | $INT_SERIAL | basicConstraints critical CA:TRUE,pathlen:0; keyUsage (non-critical) keyCertSign,cRLSign; SKI; AKI keyid |
| leaf.pem | $LEAF_SERIAL | see below |
| revoked-hold.pem | $HOLD_SERIAL | keyUsage critical digitalSignature; SKI; AKI |
| revoked-plain.pem | $PLAIN_SERIAL | keyUsage critical digitalSignature; SKI; AKI |

### Leaf subject (leaf.pem and leaf.csr), in DER order

Strings are UTF-8; \`string_mask = utf8only\`. C is PrintableString and emailAddress IA5String
(OpenSSL's string table forces those); SNILS/INN/OGRN are NumericString.

| # | attribute | OID | ASN.1 type | value |
|---|---|---|---|---|
| 1 | CN | 2.5.4.3 | UTF8String | $LEAF_CN |
| 2 | SN (surname) | 2.5.4.4 | UTF8String | $LEAF_SN |
| 3 | GN (givenName) | 2.5.4.42 | UTF8String | $LEAF_GN |
| 4 | C | 2.5.4.6 | PrintableString | $LEAF_C |
| 5 | ST | 2.5.4.8 | UTF8String | $LEAF_ST |
| 6 | L | 2.5.4.7 | UTF8String | $LEAF_L |
| 7 | street | 2.5.4.9 | UTF8String | $LEAF_STREET |
| 8 | O | 2.5.4.10 | UTF8String | $LEAF_O |
| 9 | title | 2.5.4.12 | UTF8String | $LEAF_TITLE |
| 10 | SNILS | 1.2.643.100.3 | NumericString | $LEAF_SNILS |
| 11 | INN | 1.2.643.3.131.1.1 | NumericString | $LEAF_INN |
| 12 | OGRN | 1.2.643.100.1 | NumericString | $LEAF_OGRN |
| 13 | emailAddress | 1.2.840.113549.1.9.1 | IA5String | $LEAF_EMAIL |

### Leaf certificate extensions

| extension | OID | critical | value |
|---|---|---|---|
| keyUsage | 2.5.29.15 | yes | digitalSignature, nonRepudiation |
| extendedKeyUsage | 2.5.29.37 | no | clientAuth (1.3.6.1.5.5.7.3.2), emailProtection (1.3.6.1.5.5.7.3.4) |
| subjectAltName | 2.5.29.17 | no | rfc822Name $LEAF_EMAIL, dNSName $LEAF_DNS |
| cRLDistributionPoints | 2.5.29.31 | no | URI ${CRL_URI//SETNAME/<set>} |
| authorityInfoAccess | 1.3.6.1.5.5.7.1.1 | no | OCSP ${OCSP_URI//SETNAME/<set>}; caIssuers ${CAISSUERS_URI//SETNAME/<set>} |
| certificatePolicies | 2.5.29.32 | no | $POLICY_1 (KC1), $POLICY_2 (KC2), no qualifiers |
| subjectSignTool | 1.2.643.100.111 | no | UTF8String "$SUBJECT_SIGN_TOOL" |
| issuerSignTool | 1.2.643.100.112 | no | SEQUENCE { "$ISSUER_SIGN_TOOL_1", "$ISSUER_SIGN_TOOL_2", "$ISSUER_SIGN_TOOL_3", "$ISSUER_SIGN_TOOL_4" } (all UTF8String) |
| privateKeyUsagePeriod | 2.5.29.16 | no | notBefore [0] $PKUP_NOT_BEFORE, notAfter [1] $PKUP_NOT_AFTER |
| subjectKeyIdentifier | 2.5.29.14 | no | SHA-1 of the public key BIT STRING (OpenSSL "hash") |
| authorityKeyIdentifier | 2.5.29.35 | no | keyIdentifier = intermediate's SKI |

The CSR's extensionRequest holds keyUsage (critical, digitalSignature+nonRepudiation),
extendedKeyUsage (clientAuth, emailProtection) and subjectAltName (email + DNS) as above.

### CRL (\`<set>/crl.pem\`, issued by the intermediate)

v2; crlNumber 0x$CRL_NUMBER ($((16#$CRL_NUMBER))); authorityKeyIdentifier = intermediate's SKI;
thisUpdate \`$CRL_THIS_UPDATE\`; nextUpdate \`$CRL_NEXT_UPDATE\` (GeneralizedTime).

| serial (hex) | certificate | revocationDate | reasonCode | other entry extensions |
|---|---|---|---|---|
| $LEAF_SERIAL | leaf.pem | $LEAF_REVOKED | 1 keyCompromise | invalidityDate $LEAF_INVALIDITY |
| $HOLD_SERIAL | revoked-hold.pem | $HOLD_REVOKED | 6 certificateHold | holdInstructionCode $HOLD_INSTRUCTION (1.2.840.10040.2.3) |
| $PLAIN_SERIAL | revoked-plain.pem | $PLAIN_REVOKED | (none) | (none) |

## GnuTLS sets (\`gnutls/cryptopro-a/\`, \`gnutls/tc26-512-a/\`)

- ca.pem: serial 0x$GT_CA_SERIAL, self-signed, validity $GT_ACTIVATION .. $GT_EXPIRATION UTC,
  basicConstraints critical CA:TRUE,pathlen:0, keyUsage critical keyCertSign,cRLSign, SKI (certtool defaults).
- leaf.csr: the same qualified subject as the OpenSSL leaf, written with certtool's \`dn\` option
  (SNILS/INN/OGRN given as \`#hex\` DER NumericString); requested extensions from req.tmpl.
- leaf.pem: serial 0x$GT_LEAF_SERIAL, issued from leaf.csr (subject copied from the request),
  SAN/keyUsage/EKU/CRL DP/AIA/certificatePolicies $POLICY_1,$POLICY_2/subjectSignTool from leaf.tmpl.
- crl.pem: crlNumber $GT_CRL_NUMBER, thisUpdate $GT_CRL_THIS_UPDATE, nextUpdate $GT_CRL_NEXT_UPDATE (UTC);
  one entry: serial $GT_LEAF_SERIAL revoked $GT_CRL_REVOKED UTC, no reason code (certtool cannot write
  entry extensions).

What certtool did on its own (observed with 3.7.9; items marked [checked] are asserted by verify.sh):
- leaf.csr PEM label is \`NEW CERTIFICATE REQUEST\` (not \`CERTIFICATE REQUEST\`).
- leaf.csr extensionRequest: subjectAltName (DNS, email), basicConstraints critical CA:FALSE,
  extendedKeyUsage **critical** (emailProtection, clientAuth), keyUsage critical digitalSignature only
  (\`non_repudiation\` in req.tmpl is not carried into the request).
- leaf.pem adds basicConstraints critical CA:FALSE; its keyUsage (critical) is digitalSignature,nonRepudiation;
  extendedKeyUsage non-critical.
- ASCII DN strings (e.g. the CA's CN, O, C) are PrintableString; Cyrillic ones UTF8String;
  EMAIL is IA5String; SNILS/INN/OGRN NumericString (given as DER in the template).
- [checked] signatureAlgorithm parameters are absent (RFC 9215 form, \`300a06082a8503070101030[23]\`).

## Encoding notes (OpenSSL gost engine, observed; [checked] = asserted by verify.sh)

- [checked] signatureAlgorithm carries an explicit NULL parameter (\`300c06082a85030701010302 0500\`, resp. ...0303 0500)
  in certificates, CSRs and CRLs; RFC 9215 says absent (what certtool writes). A parser must accept both.
- [checked] SPKI AlgorithmIdentifier parameters (same for both tools):
  cryptopro-a: publicKeyParamSet 1.2.643.2.2.35.1 + digestParamSet 1.2.643.7.1.1.2.2;
  tc26-256-a: 1.2.643.7.1.2.1.1.1 only; tc26-512-a: 1.2.643.7.1.2.1.2.1 + digestParamSet 1.2.643.7.1.1.2.3;
  tc26-512-c: 1.2.643.7.1.2.1.2.3 only.
- CRL entries are sorted by serial (3002, 3003, C0FFEE…), not in revocation order.
- The leaf serial C0FFEE0123456789ABCDEF is DER \`020c00c0ffee0123456789abcdef\` (leading 00).
- certificatePolicies entries have no qualifiers; invalidityDate is GeneralizedTime; revocationDate UTCTime.
EOF
} >MANIFEST.md

echo "gen.sh: done"
