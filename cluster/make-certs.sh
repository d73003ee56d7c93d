#!/usr/bin/env bash
# Certificates for TLS between akkakd nodes: a private certificate authority (CA) and one certificate per node,
# signed by it, each exported as a password-protected PKCS#12 file (.pfx) that a node loads.
#
#     cluster/make-certs.sh OUTDIR [NODE_NAME...]
#     cluster/make-certs.sh certs coordinator worker1 worker2
#
# In OUTDIR:
#     ca.crt          the CA certificate: give it to every node (akkakd.tls.ca / AKKAKD_TLS_CA). Not secret.
#     ca.key          the CA's private key: whoever holds it can make certificates that join the cluster. Keep it
#                     off the nodes (this script is the only thing that needs it).
#     NAME.pfx        a node's certificate and private key (akkakd.tls.certificate / AKKAKD_TLS_CERT). Secret.
#     NAME.crt        the same certificate, PEM (for reading: openssl x509 -in NAME.crt -noout -text).
#     pfx-password    the password of every NAME.pfx (akkakd.tls.password / AKKAKD_TLS_PASSWORD). Secret.
#
# Each node certificate names NAME (a DNS name, or an IP address), localhost and 127.0.0.1 (subjectAltName), and is
# valid for both TLS server and client authentication (every node is both). Without NODE_NAME: one certificate,
# node.pfx, which every node may share.
#
# Idempotent: an existing CA, password or node certificate is kept (run it again to add nodes); delete a file to make
# it again. Deleting ca.key or ca.crt means a new CA: make every node certificate again (delete OUTDIR).
#
# Environment: AKKAKD_TLS_PASSWORD (the .pfx password; default: the one in OUTDIR/pfx-password, or a new random one),
# AKKAKD_CERT_DAYS (node certificate validity, default 825), AKKAKD_CA_DAYS (CA validity, default 3650),
# AKKAKD_CA_NAME (the CA's common name, default "akkakd cluster CA").
#
# Trust: akkakd nodes trust exactly the CA named by akkakd.tls.ca (AKKAKD_TLS_CA); nothing is installed in the
# system's trust store, and no root access is needed.
set -euo pipefail

usage() {
  echo "usage: cluster/make-certs.sh OUTDIR [NODE_NAME...]   (a CA and one PKCS#12 certificate per node in OUTDIR)" >&2
  exit 2
}

[ $# -ge 1 ] || usage
case $1 in -h | --help) usage ;; esac
out=$1
shift
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(node)

command -v openssl >/dev/null 2>&1 || { echo "make-certs: openssl is not installed (apt-get install openssl)" >&2; exit 2; }
cert_days=${AKKAKD_CERT_DAYS:-825}
ca_days=${AKKAKD_CA_DAYS:-3650}
ca_name=${AKKAKD_CA_NAME:-akkakd cluster CA}
[[ $cert_days =~ ^[1-9][0-9]*$ ]] || { echo "make-certs: AKKAKD_CERT_DAYS: '$cert_days' is not a number of days" >&2; exit 2; }
[[ $ca_days =~ ^[1-9][0-9]*$ ]] || { echo "make-certs: AKKAKD_CA_DAYS: '$ca_days' is not a number of days" >&2; exit 2; }
for name in "${names[@]}"; do
  [[ $name =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] ||
    { echo "make-certs: '$name' is not a node name (letters, digits, '.' and '-': a host name or an IPv4 address)" >&2; exit 2; }
  [ "$name" != ca ] || { echo "make-certs: 'ca' is the CA's file name; call the node something else" >&2; exit 2; }
done

umask 077
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The password of every .pfx.
if [ -n "${AKKAKD_TLS_PASSWORD:-}" ]; then
  password=$AKKAKD_TLS_PASSWORD
  if [ -f "$out/pfx-password" ] && [ "$(cat "$out/pfx-password")" != "$password" ]; then
    echo "make-certs: AKKAKD_TLS_PASSWORD differs from $out/pfx-password (the password of the .pfx files there)" >&2
    exit 2
  fi
  [ -f "$out/pfx-password" ] || printf '%s\n' "$password" >"$out/pfx-password"
elif [ -f "$out/pfx-password" ]; then
  password=$(head -n 1 "$out/pfx-password")
else
  password=$(openssl rand -hex 16)
  printf '%s\n' "$password" >"$out/pfx-password"
  echo "made $out/pfx-password"
fi

printf '%s\n' "$password" >"$tmp/password" # for openssl's -passout file: (not on its command line)

# The CA.
if [ -f "$out/ca.key" ] && [ -f "$out/ca.crt" ]; then
  echo "kept $out/ca.crt ($(openssl x509 -in "$out/ca.crt" -noout -subject))"
else
  [ ! -f "$out/ca.key" ] && [ ! -f "$out/ca.crt" ] ||
    { echo "make-certs: $out has only one of ca.key and ca.crt; delete it, or restore the other" >&2; exit 2; }
  openssl req -x509 -new -newkey rsa:3072 -nodes -sha256 -days "$ca_days" \
    -keyout "$tmp/ca.key" -out "$tmp/ca.crt" -subj "/CN=$ca_name" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  mv "$tmp/ca.key" "$out/ca.key"
  chmod 644 "$tmp/ca.crt"
  mv "$tmp/ca.crt" "$out/ca.crt"
  echo "made $out/ca.crt and $out/ca.key (CN=$ca_name, $ca_days days)"
fi

# One certificate per node.
for name in "${names[@]}"; do
  if [ -f "$out/$name.pfx" ]; then
    echo "kept $out/$name.pfx"
    continue
  fi
  if [[ $name =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then own="IP:$name"; else own="DNS:$name"; fi
  san="$own"
  [ "$name" = localhost ] || san="$san,DNS:localhost"
  [ "$name" = 127.0.0.1 ] || san="$san,IP:127.0.0.1"
  cat >"$tmp/ext.cnf" <<EOF
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = $san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
EOF
  {
    openssl req -new -newkey rsa:2048 -nodes -sha256 -keyout "$tmp/node.key" -out "$tmp/node.csr" -subj "/CN=$name" &&
      openssl x509 -req -in "$tmp/node.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial -CAserial "$tmp/ca.srl" \
        -sha256 -days "$cert_days" -extfile "$tmp/ext.cnf" -out "$tmp/node.crt" &&
      openssl pkcs12 -export -inkey "$tmp/node.key" -in "$tmp/node.crt" -name "$name" \
        -passout "file:$tmp/password" -out "$tmp/node.pfx"
  } 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  chmod 644 "$tmp/node.crt"
  mv "$tmp/node.crt" "$out/$name.crt"
  mv "$tmp/node.pfx" "$out/$name.pfx"
  rm -f "$tmp/node.key"
  echo "made $out/$name.pfx ($san; $cert_days days)"
done
