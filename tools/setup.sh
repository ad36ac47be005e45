#!/bin/bash
# Installs what virtmig needs from Debian 12 (when missing), then
# configures and builds into build/ (and build-asan/ with --asan).
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS="meson ninja-build pkg-config gcc binutils libc6-dev
      libglib2.0-dev libxml2-dev libgnutls28-dev libtirpc-dev rpcsvc-proto
      libjson-c-dev gettext qemu-system-x86 qemu-utils libvirt-clients
      python3 python3-libvirt iproute2 gnutls-bin libsasl2-dev
      libsasl2-modules sasl2-bin libvirt-daemon-system libvirt-dev libcairo2-dev
      virt-manager xvfb xauth dbus-daemon libglib2.0-bin at-spi2-core
      python3-dogtail python3-docutils tmux python3-cairo"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
if [ -n "$missing" ]; then
    echo "== installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

configure() {
    local dir=$1; shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@" >/dev/null
    fi
    ninja -C "$dir" -j2 >/dev/null || ninja -C "$dir" -j1
}

configure build
if [ "${1:-}" = "--asan" ]; then
    configure build-asan -Db_sanitize=address,undefined -Db_lundef=false \
        -Dbuildtype=debug
fi
