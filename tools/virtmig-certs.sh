#!/bin/bash
# Makes a test/demo PKI with certtool (gnutls-bin), in libvirt's layout.
#
#   virtmig-certs.sh ca CADIR [CN]
#       a CA: CADIR/cacert.pem, CADIR/cakey.pem
#   virtmig-certs.sh host CADIR ROOT NAME [IP ...]
#       what a daemon with --root ROOT needs, signed by CADIR's CA:
#         ROOT/etc/pki/CA/cacert.pem
#         ROOT/etc/pki/libvirt/servercert.pem, private/serverkey.pem
#         ROOT/etc/pki/libvirt/clientcert.pem, private/clientkey.pem
#             (the daemon's identity when it connects to a peer: P2P)
#         ROOT/etc/pki/qemu/ca-cert.pem, server-cert.pem, server-key.pem,
#             client-cert.pem, client-key.pem (the migration stream)
#       NAME goes into the certificates' CN and DNS name, each IP into
#       an IP address; NAME is also the CN of the client certificates.
#   virtmig-certs.sh client CADIR PKIDIR CN
#       a client's pkipath directory (virsh -c 'qemu+tls://…?pkipath=DIR'):
#         PKIDIR/cacert.pem, clientcert.pem, clientkey.pem
#
# Every certificate has O=virtmig, so its DN reads "O=virtmig,CN=NAME"
# (gnutls' order, as tls_allowed_dn_list matches it).  For production,
# follow docs/security.md with your own CA.
set -euo pipefail

die() { echo "virtmig-certs: $*" >&2; exit 1; }
command -v certtool >/dev/null || die "certtool not found (apt-get install gnutls-bin)"

# key FILE: a private key readable by its owner only (RSA: libvirt
# checks that certificates allow key encipherment, which ECDSA cannot)
key() {
    (umask 077; certtool --generate-privkey --key-type=rsa --bits=2048 \
        --outfile "$1" 2>/dev/null)
}

# sign CADIR KEY CERT TEMPLATE
sign() {
    certtool --generate-certificate --load-privkey "$2" \
        --load-ca-certificate "$1/cacert.pem" --load-ca-privkey "$1/cakey.pem" \
        --template "$4" --outfile "$3" 2>/dev/null
}

# template FILE CN ROLE [IP ...]: ROLE is tls_www_server or tls_www_client
template() {
    local file=$1 cn=$2 role=$3 ip
    shift 3
    {
        echo "organization = virtmig"
        echo "cn = $cn"
        echo "$role"
        echo "signing_key"
        echo "encryption_key"
        echo "expiration_days = 3650"
        if [ "$role" = tls_www_server ]; then
            echo "dns_name = $cn"
            for ip in "$@"; do echo "ip_address = $ip"; done
        fi
    } >"$file"
}

make_ca() {
    local dir=$1 cn=${2:-virtmig test CA}
    mkdir -p "$dir"
    key "$dir/cakey.pem"
    printf 'cn = %s\norganization = virtmig\nca\ncert_signing_key\nexpiration_days = 3650\n' \
        "$cn" >"$dir/ca.info"
    certtool --generate-self-signed --load-privkey "$dir/cakey.pem" \
        --template "$dir/ca.info" --outfile "$dir/cacert.pem" 2>/dev/null
    rm -f "$dir/ca.info"
}

# pair CADIR CERT KEY CN ROLE [IP ...]
pair() {
    local ca=$1 cert=$2 keyf=$3 cn=$4 role=$5 tmpl
    shift 5
    tmpl=$(mktemp)
    template "$tmpl" "$cn" "$role" "$@"
    key "$keyf"
    sign "$ca" "$keyf" "$cert" "$tmpl"
    rm -f "$tmpl"
}

make_host() {
    local ca=$1 root=$2 name=$3
    shift 3
    local pki=$root/etc/pki
    [ -f "$ca/cacert.pem" ] || die "no CA in $ca (run: $0 ca $ca)"
    mkdir -p "$pki/CA" "$pki/libvirt/private" "$pki/qemu"
    chmod 700 "$pki/libvirt/private"
    cp "$ca/cacert.pem" "$pki/CA/cacert.pem"
    pair "$ca" "$pki/libvirt/servercert.pem" "$pki/libvirt/private/serverkey.pem" \
        "$name" tls_www_server "$@"
    pair "$ca" "$pki/libvirt/clientcert.pem" "$pki/libvirt/private/clientkey.pem" \
        "$name" tls_www_client
    cp "$ca/cacert.pem" "$pki/qemu/ca-cert.pem"
    pair "$ca" "$pki/qemu/server-cert.pem" "$pki/qemu/server-key.pem" \
        "$name" tls_www_server "$@"
    pair "$ca" "$pki/qemu/client-cert.pem" "$pki/qemu/client-key.pem" \
        "$name" tls_www_client
}

make_client() {
    local ca=$1 dir=$2 cn=$3
    [ -f "$ca/cacert.pem" ] || die "no CA in $ca (run: $0 ca $ca)"
    mkdir -p "$dir"
    cp "$ca/cacert.pem" "$dir/cacert.pem"
    pair "$ca" "$dir/clientcert.pem" "$dir/clientkey.pem" "$cn" tls_www_client
}

case "${1:-}" in
ca)     [ $# -ge 2 ] || die "usage: $0 ca CADIR [CN]"; shift; make_ca "$@" ;;
host)   [ $# -ge 4 ] || die "usage: $0 host CADIR ROOT NAME [IP ...]"; shift; make_host "$@" ;;
client) [ $# -eq 4 ] || die "usage: $0 client CADIR PKIDIR CN"; shift; make_client "$@" ;;
*)      sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
