#!/bin/sh
# Stages the static busybox binary into the build context given as $1 (kpc images load does this in a
# temporary copy of this folder). Debian: apt-get install -y busybox-static. KPC_BUSYBOX overrides the path.
set -eu
context="$1"
busybox="${KPC_BUSYBOX:-/bin/busybox}"
if [ ! -x "$busybox" ]; then
  echo "prepare.sh: no busybox at $busybox: apt-get install -y busybox-static (or set KPC_BUSYBOX)" >&2
  exit 1
fi
# A dynamically linked busybox cannot run in a scratch image.
if ldd "$busybox" >/dev/null 2>&1; then
  echo "prepare.sh: $busybox is dynamically linked: install busybox-static, not busybox" >&2
  exit 1
fi
cp "$busybox" "$context/busybox"
