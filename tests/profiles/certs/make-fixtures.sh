#!/bin/sh
# Regenerates the throwaway certificates behind the certificate fixtures
# (tests/profiles/certs-*.mobileconfig). For maintainers only: the tests
# read the files this writes and never run it. Needs OpenSSL 3.
#
# Every certificate is valid from 2025-01-01 to 2125-01-01, except
# expired.der and not-yet-valid.der, so the fixtures stay valid.
# Private keys are written to a temporary folder and thrown away; only
# client.p12 and client-legacy.p12 carry one (the client identity).
#
# After a run, the fixtures' <data> blocks must be replaced by the new
# files, wrapped with `base64 -w 52 FILE`:
#   certs-root-pkcs1-pem.mobileconfig  root-ca.der (root), device-ca.der
#                                      (pkcs1), server-ca.pem (pem: the bytes
#                                      of the text file)
#   certs-pkcs12.mobileconfig          client.p12, root-ca.der
#   certs-pkcs12-legacy.mobileconfig   client-legacy.p12, root-ca.der
#   certs-scep.mobileconfig            root-ca.der, and CAFingerprint: the
#                                      SHA-1 of device-ca.der (`openssl x509
#                                      -inform DER -fingerprint -sha1`)
#   certs-acme.mobileconfig            root-ca.der
set -eu

out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# The PKCS#12 password of the fixtures; a fixed throwaway value, so that the
# Password keys of the fixtures stay right after a new run.
printf '%s' 'fixture-only-7Qm2xV' > "$out/client.p12.password"

mkdir newcerts
: > index.txt
echo 01 > serial
cat > ca.cnf <<'CNF'
[ ca ]
default_ca = throwaway

[ throwaway ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = none
email_in_dn = no

[ any_name ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied

[ root_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ issuing_ca ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ client ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:device-0001.example.com, email:it-devices@example.com

[ server ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:intranet.example.com
CNF

FROM=20250101000000Z
UNTIL=21250101000000Z

# request NAME SUBJECT: a fresh key NAME.key and its request NAME.csr.
request() {
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null
    openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
}

# sign NAME ISSUER EXTENSIONS START END: NAME.pem, signed by ISSUER.
sign() {
    openssl ca -batch -notext -rand_serial -config ca.cnf \
        -cert "$2.pem" -keyfile "$2.key" -in "$1.csr" -out "$1.pem" \
        -extensions "$3" -startdate "$4" -enddate "$5" 2>/dev/null
}

request root-ca '/C=US/O=Example Corp/CN=Example Root CA'
openssl ca -batch -notext -rand_serial -config ca.cnf -selfsign \
    -keyfile root-ca.key -in root-ca.csr -out root-ca.pem \
    -extensions root_ca -startdate "$FROM" -enddate "$UNTIL" 2>/dev/null

request device-ca '/C=US/O=Example Corp/CN=Example Device Issuing CA'
sign device-ca root-ca issuing_ca "$FROM" "$UNTIL"
request server-ca '/C=US/O=Example Corp/CN=Example Server Issuing CA'
sign server-ca root-ca issuing_ca "$FROM" "$UNTIL"

request client '/O=Example Corp/OU=Devices/CN=device-0001.example.com'
sign client device-ca client "$FROM" "$UNTIL"

# For the certificate-contents tests: one that has expired, one that is
# not valid yet, and DER cut off in the middle.
request expired '/O=Example Corp/CN=expired.example.com'
sign expired server-ca server 20200101000000Z 20210101000000Z
request not-yet-valid '/O=Example Corp/CN=not-yet-valid.example.com'
sign not-yet-valid server-ca server 21000101000000Z "$UNTIL"

for name in root-ca device-ca client expired not-yet-valid; do
    openssl x509 -in "$name.pem" -outform DER -out "$out/$name.der"
done
openssl x509 -in server-ca.pem -out "$out/server-ca.pem"
head -c 300 "$out/root-ca.der" > "$out/corrupt.der"

# The client identity (its key and certificate only), once as OpenSSL 3
# writes PKCS#12 by default (AES-256-CBC, PBKDF2, SHA-256 MAC) and once the
# legacy way (RC2 and 3DES, SHA-1 MAC) that older systems expect.
openssl pkcs12 -export -inkey client.key -in client.pem \
    -name 'device-0001.example.com' \
    -passout "file:$out/client.p12.password" -out "$out/client.p12"
openssl pkcs12 -export -legacy -inkey client.key -in client.pem \
    -name 'device-0001.example.com' \
    -passout "file:$out/client.p12.password" -out "$out/client-legacy.p12"

echo "wrote the certificates to $out"
