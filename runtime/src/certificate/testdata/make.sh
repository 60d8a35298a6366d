#!/bin/sh
# Makes the throwaway test material for runtime/src/certificate.rs with the
# openssl CLI (3.x, legacy provider available). Run from this folder; the
# outputs are committed, so this only needs running again to change them.
# Nothing here protects anything: the keys and the password are for tests.
set -eu
cd "$(dirname "$0")"
PASS=throwaway-p12-secret
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
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
: >"$work/index.txt"
echo 01 >"$work/serial"

# sign NAME SUBJECT START END EXTENSIONS ISSUER: ISSUER "self" signs with the
# new key itself, anything else names the CA whose key signs.
sign() {
    openssl req -new -newkey rsa:2048 -nodes -keyout "$work/$1.key" \
        -subj "$2" -out "$work/$1.csr" 2>/dev/null
    if [ "$6" = self ]; then
        issuer="-selfsign -keyfile $work/$1.key"
    else
        issuer="-cert $6.pem -keyfile $work/$6.key"
    fi
    # $issuer is split into words on purpose.
    # shellcheck disable=SC2086
    openssl ca -batch -config "$work/ca.cnf" -notext -startdate "$3" \
        -enddate "$4" -extensions "$5" -in "$work/$1.csr" \
        -out "$work/$1.pem" $issuer 2>"$work/$1.log" || { cat "$work/$1.log"; exit 1; }
    openssl x509 -in "$work/$1.pem" -out "$1.pem"
}

sign ca "/O=Example/CN=Example Root CA" 20250101000000Z 21250101000000Z ca_ext self
sign client "/O=Example/CN=Example Client" 20250101000000Z 21250101000000Z leaf_ext ca
sign expired "/O=Example/CN=Expired Client" 20000101000000Z 20010101000000Z leaf_ext ca
sign future "/O=Example/CN=Future Client" 21200101000000Z 21250101000000Z leaf_ext ca

openssl x509 -in ca.pem -outform DER -out ca.der
openssl x509 -in client.pem -outform DER -out client.der
cat client.pem ca.pem >chain.pem
rm client.pem

openssl pkcs12 -export -name "Example Client" -inkey "$work/client.key" \
    -in "$work/client.pem" -certfile ca.pem -passout "pass:$PASS" -out modern.p12
openssl pkcs12 -export -legacy -name "Example Client" -inkey "$work/client.key" \
    -in "$work/client.pem" -certfile ca.pem -passout "pass:$PASS" -out legacy.p12
openssl pkcs12 -export -legacy -nomac -inkey "$work/client.key" \
    -in "$work/client.pem" -passout "pass:$PASS" -out legacy-nomac.p12
openssl pkcs12 -export -nokeys -in ca.pem -passout "pass:$PASS" -out certs-only.p12

# An empty password, and RC4, which this reader does not decrypt.
openssl pkcs12 -export -inkey "$work/client.key" -in "$work/client.pem" \
    -passout pass: -out empty-password.p12
openssl pkcs12 -export -legacy -keypbe PBE-SHA1-RC4-128 -certpbe PBE-SHA1-RC4-128 \
    -inkey "$work/client.key" -in "$work/client.pem" -passout "pass:$PASS" -out rc4.p12

# A PKCS#12 cut short, and bytes that are no structure at all.
head -c 700 modern.p12 >truncated.p12
printf 'this is not a certificate, nor a PKCS#12 file\n' >garbage.bin

