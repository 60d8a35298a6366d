#!/bin/sh
# Makes the throwaway material for the tests of runtime/src/signed with the
# openssl CLI (3.x). Run from anywhere; the outputs are committed, so this
# only needs running again to change them. Nothing here protects anything:
# the keys and the password are for tests.
#
# A chain of three: a P-384 root, a P-256 intermediate CA under it, and
# signers: ec (P-256, under the intermediate), rsa (2048 bits, under the
# root) and p384 (under the root); another, unrelated root to be the wrong
# anchor. Everything is valid from 2025 to 2125. Then envelopes signed by
# openssl in each way the reader must handle or refuse.
set -eu
cd "$(dirname "$0")"
PASS=throwaway-signing-secret
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/ca.cnf" <<CNF
[ca]
default_ca = local
[local]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
organizationName = optional
commonName = supplied
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
: >"$work/index.txt"
echo 01 >"$work/serial"

# issue NAME KEYSPEC SUBJECT EXTENSIONS ISSUER ("self" for a root)
issue() {
    openssl req -new -newkey "$2" -nodes -keyout "$work/$1.key" \
        -subj "$3" -out "$work/$1.csr" 2>/dev/null
    if [ "$5" = self ]; then
        issuer="-selfsign -keyfile $work/$1.key"
    else
        issuer="-cert $5.pem -keyfile $work/$5.key"
    fi
    # shellcheck disable=SC2086
    openssl ca -batch -config "$work/ca.cnf" -notext -startdate 20250101000000Z \
        -enddate 21250101000000Z -extensions "$4" -in "$work/$1.csr" \
        -out "$work/$1.pem" $issuer 2>"$work/$1.log" || { cat "$work/$1.log"; exit 1; }
    openssl x509 -in "$work/$1.pem" -out "$1.pem"
}

openssl ecparam -name prime256v1 -out "$work/p256.param"
openssl ecparam -name secp384r1 -out "$work/p384.param"
issue root "ec:$work/p384.param" "/O=Example/CN=Example Profile Root" ca_ext self
issue other-root "ec:$work/p256.param" "/O=Elsewhere/CN=Unrelated Root" ca_ext self
issue intermediate "ec:$work/p256.param" "/O=Example/CN=Example Profile Intermediate" ca_ext root
issue ec "ec:$work/p256.param" "/O=Example/CN=Example EC Signer" leaf_ext intermediate
issue rsa rsa:2048 "/O=Example/CN=Example RSA Signer" leaf_ext root
issue p384 "ec:$work/p384.param" "/O=Example/CN=Example P-384 Signer" leaf_ext root

# The keys in each PEM form the signer reads.
openssl ec -in "$work/ec.key" -out ec-sec1.key 2>/dev/null
openssl rsa -in "$work/rsa.key" -traditional -out rsa-pkcs1.key 2>/dev/null
openssl pkey -in "$work/p384.key" -out p384-pkcs8.key
openssl pkcs8 -topk8 -in "$work/ec.key" -passout "pass:$PASS" -out ec-encrypted.key
openssl pkcs12 -export -name "Example EC Signer" -inkey "$work/ec.key" -in ec.pem \
    -certfile intermediate.pem -passout "pass:$PASS" -out ec.p12

# The profile: a small one, with a long description so that a streamed
# envelope cuts it into pieces.
{
    printf '<?xml version="1.0" encoding="UTF-8"?>\n'
    printf '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
    printf '<plist version="1.0">\n<dict>\n'
    printf '\t<key>PayloadContent</key>\n\t<array/>\n'
    printf '\t<key>PayloadDescription</key>\n\t<string>'
    i=0; while [ $i -lt 120 ]; do printf 'A profile signed for the tests. '; i=$((i + 1)); done
    printf '</string>\n'
    printf '\t<key>PayloadIdentifier</key>\n\t<string>com.example.signed</string>\n'
    printf '\t<key>PayloadType</key>\n\t<string>Configuration</string>\n'
    printf '\t<key>PayloadUUID</key>\n\t<string>6E0F5C1A-6A53-4F4B-9C0B-2F6B1E0C9A11</string>\n'
    printf '\t<key>PayloadVersion</key>\n\t<integer>1</integer>\n'
    printf '</dict>\n</plist>\n'
} >profile.xml

sign() {
    out=$1; shift
    openssl cms -sign -binary -in profile.xml -outform DER -out "$out" "$@"
}
sign ec-chain.der -nodetach -signer ec.pem -inkey "$work/ec.key" -certfile intermediate.pem
sign ec-chain-stream.ber -nodetach -stream -signer ec.pem -inkey "$work/ec.key" \
    -certfile intermediate.pem
sign ec-keyid.der -nodetach -keyid -signer ec.pem -inkey "$work/ec.key" -certfile intermediate.pem
sign rsa-pss-sha384.der -nodetach -md sha384 -signer rsa.pem -inkey "$work/rsa.key" \
    -keyopt rsa_padding_mode:pss -keyopt rsa_pss_saltlen:32
sign rsa-sha1-noattr.der -nodetach -md sha1 -noattr -signer rsa.pem -inkey "$work/rsa.key"
sign p384-sha512.der -nodetach -md sha512 -signer p384.pem -inkey "$work/p384.key"
sign detached.der -signer ec.pem -inkey "$work/ec.key"
sign two-signers.der -nodetach -signer ec.pem -inkey "$work/ec.key" \
    -signer rsa.pem -inkey "$work/rsa.key"
sign no-certs.der -nodetach -nocerts -signer ec.pem -inkey "$work/ec.key"
sign other-type.der -nodetach -econtent_type 1.2.840.113549.1.9.16.1.4 \
    -signer ec.pem -inkey "$work/ec.key"
openssl cms -encrypt -binary -in profile.xml -outform DER -out encrypted.der rsa.pem
