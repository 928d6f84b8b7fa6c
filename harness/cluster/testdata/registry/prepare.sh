#!/bin/sh
# Stages Debian's registry binary and the libraries it links into $1/rootfs (never committed).
set -eu
context="$1"
bin="${KPC_REGISTRY_BINARY:-/usr/bin/docker-registry}"
if [ ! -x "$bin" ]; then
  echo "prepare.sh: no registry binary at $bin: apt-get install -y docker-registry" >&2
  exit 1
fi
root="$context/rootfs"
mkdir -p "$root/bin" "$root/var/lib/registry" "$root/tmp"
cp "$bin" "$root/bin/registry"
for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
