#!/usr/bin/env bash
# Build the one-folder bundle and the .deb for glibc 2.28 targets (统信 UOS 20, 麒麟 Kylin V10 x86_64)
# inside a Debian 10 "buster" chroot (glibc 2.28) made with debootstrap: no Docker needed.
#
#   sudo installer/linux/build_glibc228.sh [OUT_DIR]            (default OUT_DIR: dist/glibc228)
#
# What it does (each stage is skipped when its result is already there, so a re-run is quick):
#   1. debootstrap buster into $CHROOT (default /var/tmp/towndesk-buster; ~1.2 GB with the build tools);
#   2. apt-get the compiler, the headers Python needs and the X11/OpenGL/fontconfig/CUPS libraries the
#      Qt wheels link against (PyInstaller copies what the bundle needs from here);
#   3. builds SQLite 3.40.1 (FTS5; buster's own is 3.27) and CPython 3.11 (shared libpython, for
#      PyInstaller) from Debian's source tarballs, checked against their SHA-256;
#   4. copies this checkout (git archive of HEAD, or the working tree without .venv/dist/build when
#      it is not a git checkout) into the chroot, makes a venv and pip-installs '.[installer]' — pip,
#      running on glibc 2.28, picks only wheels that run there (PySide6 6.8.x: manylinux_2_28);
#   5. runs PyInstaller (installer/towndesk.spec), then installer/linux/glibc_needs.py --max $MAX_GLIBC
#      (the build fails if any ELF file needs a newer glibc), installer/smoke.py on the bundle
#      (offscreen), and installer/linux/build_deb.sh;
#   6. copies the .deb and glibc-needs.json to OUT_DIR.
#
# Environment: SUITE (buster), MIRROR (http://archive.debian.org/debian: buster left the main mirrors
# in 2024), KEYRING (for buster: debian-archive-removed-keys.gpg, which holds its keys on Debian 12),
# CHROOT, MAX_GLIBC (2.28), JOBS (nproc). A trial of the same steps on bullseye (glibc 2.31), which
# the main mirror still has:  SUITE=bullseye MIRROR=http://deb.debian.org/debian MAX_GLIBC=2.31 ...
# Needs: root, debootstrap (installed with apt-get when missing), curl, ~3 GB free, network access to
# the Debian mirror and to PyPI (the host's /etc/pip.conf is copied into the chroot).
# installer/README.md says what was and was not run on the project's build machine.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${1:-$ROOT/dist/glibc228}"
SUITE="${SUITE:-buster}"
MIRROR="${MIRROR:-http://archive.debian.org/debian}"
CHROOT="${CHROOT:-/var/tmp/towndesk-$SUITE}"
MAX_GLIBC="${MAX_GLIBC:-2.28}"
JOBS="${JOBS:-$(nproc)}"
if [ -z "${KEYRING:-}" ]; then
  case "$SUITE" in
    buster|stretch) KEYRING=/usr/share/keyrings/debian-archive-removed-keys.gpg ;;
    *) KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg ;;
  esac
fi

PY_URL=http://deb.debian.org/debian/pool/main/p/python3.11/python3.11_3.11.2.orig.tar.gz
PY_SHA256=2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849
SQLITE_URL=http://deb.debian.org/debian/pool/main/s/sqlite3/sqlite3_3.40.1.orig.tar.xz
SQLITE_SHA256=aaa776260ab4dc976db34aa7891819484c8676b5b2783123ebc6301e2ca5d655
PREFIX=/opt/towndesk-build   # inside the chroot: python/ and sqlite/

log() { printf '\n== %s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }
[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap and chroot need it)" >&2; exit 1; }
command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }

# A clean environment inside, plus the host's proxy settings and (for pip) its CA bundle, which may
# hold a site proxy's certificate the chroot's own ca-certificates lacks.
PASS_ENV=()
for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  [ -n "${!v:-}" ] && PASS_ENV+=("$v=${!v}")
done
HOST_CA=/etc/ssl/certs/ca-certificates.crt
in_chroot() {
  local ca=()
  [ -f "$CHROOT/etc/towndesk-host-ca.crt" ] && ca=(PIP_CERT=/etc/towndesk-host-ca.crt SSL_CERT_FILE=/etc/towndesk-host-ca.crt)
  chroot "$CHROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 "${PASS_ENV[@]}" "${ca[@]}" "$@"
}

MOUNTED=()
cleanup() {
  for ((i=${#MOUNTED[@]}-1; i>=0; i--)); do umount -l "${MOUNTED[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
mount_once() {  # mount_once SOURCE TARGET [options...]
  local src="$1" dst="$2"; shift 2
  mountpoint -q "$dst" || { mkdir -p "$dst"; mount "$@" "$src" "$dst"; MOUNTED+=("$dst"); }
}

# 1. the base system
if [ ! -f "$CHROOT/.towndesk-base" ]; then
  log "debootstrap $SUITE from $MIRROR into $CHROOT"
  rm -rf "$CHROOT"
  debootstrap --variant=minbase --keyring="$KEYRING" "$SUITE" "$CHROOT" "$MIRROR"
  echo "deb $MIRROR $SUITE main" > "$CHROOT/etc/apt/sources.list"
  if [ "$SUITE" = buster ]; then  # archived suites have expired Release files
    echo 'Acquire::Check-Valid-Until "false";' > "$CHROOT/etc/apt/apt.conf.d/99archive"
  fi
  touch "$CHROOT/.towndesk-base"
fi
mount_once proc "$CHROOT/proc" -t proc
mount_once /dev "$CHROOT/dev" --bind
mount_once /dev/pts "$CHROOT/dev/pts" --bind
cp -L /etc/resolv.conf "$CHROOT/etc/resolv.conf"
if [ -f /etc/pip.conf ]; then cp /etc/pip.conf "$CHROOT/etc/pip.conf"; fi
if [ -f "$HOST_CA" ]; then cp "$HOST_CA" "$CHROOT/etc/towndesk-host-ca.crt"; fi

# 2. compiler, headers and the libraries Qt links against
if [ ! -f "$CHROOT/.towndesk-packages" ]; then
  log "apt-get build tools and libraries"
  in_chroot apt-get update -qq
  in_chroot apt-get install -y -qq --no-install-recommends \
    build-essential ca-certificates curl xz-utils tcl pkg-config binutils file \
    libssl-dev zlib1g-dev libbz2-dev libffi-dev liblzma-dev uuid-dev libreadline-dev \
    libgl1 libegl1 libopengl0 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3 libcups2 libgssapi-krb5-2 \
    libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 \
    libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 libxcb-sync1 libxcb-shm0 \
    libxkbcommon0 libxkbcommon-x11-0 libxrender1 poppler-utils >/dev/null
  touch "$CHROOT/.towndesk-packages"
fi

# 3. SQLite and CPython from source
fetch() {  # fetch URL SHA256 -> path inside the chroot's /build/src
  local name; name="$(basename "$1")"
  mkdir -p "$CHROOT/build/src"
  if [ ! -f "$CHROOT/build/src/$name" ]; then curl -fsSL -o "$CHROOT/build/src/$name.part" "$1" && mv "$CHROOT/build/src/$name.part" "$CHROOT/build/src/$name"; fi
  echo "$2  $CHROOT/build/src/$name" | sha256sum -c --quiet -
  echo "/build/src/$name"
}
if [ ! -x "$CHROOT$PREFIX/sqlite/bin/sqlite3" ]; then
  log "build SQLite 3.40.1"
  src="$(fetch "$SQLITE_URL" "$SQLITE_SHA256")"
  in_chroot bash -euc "cd /build && rm -rf sqlite3-3.40.1 && tar -xJf $src && cd sqlite3-3.40.1 \
    && CFLAGS='-O2 -DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_RTREE -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_SECURE_DELETE -DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_ENABLE_DBSTAT_VTAB' \
       ./configure --prefix=$PREFIX/sqlite --enable-fts5 --disable-tcl >/dev/null && make -j$JOBS >/dev/null && make install >/dev/null"
fi
if [ ! -x "$CHROOT$PREFIX/python/bin/python3.11" ]; then
  log "build CPython 3.11.2 (shared libpython)"
  src="$(fetch "$PY_URL" "$PY_SHA256")"
  in_chroot bash -euc "cd /build && rm -rf Python-3.11.2 && tar -xzf $src && cd Python-3.11.2 \
    && ./configure --prefix=$PREFIX/python --enable-shared --with-ensurepip=install \
         CPPFLAGS='-I$PREFIX/sqlite/include' \
         LDFLAGS='-L$PREFIX/sqlite/lib -Wl,-rpath,$PREFIX/sqlite/lib -Wl,-rpath,$PREFIX/python/lib' >/dev/null \
    && make -j$JOBS >/dev/null && make install >/dev/null"
fi
in_chroot "$PREFIX/python/bin/python3.11" -c "import sqlite3, ssl, ctypes, lzma, bz2, uuid; print('python', sqlite3.sqlite_version)"

# 4. this checkout into the chroot, its venv
log "copy the source tree"
rm -rf "$CHROOT/build/towndesk"
mkdir -p "$CHROOT/build/towndesk"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
  git -C "$ROOT" archive HEAD | tar -x -C "$CHROOT/build/towndesk"
else
  tar -C "$ROOT" --exclude=./.venv --exclude=./dist --exclude=./build --exclude=.git -cf - . | tar -x -C "$CHROOT/build/towndesk"
fi
log "venv and pip install '.[installer]'"
[ -x "$CHROOT/build/venv/bin/python" ] || in_chroot "$PREFIX/python/bin/python3.11" -m venv /build/venv
in_chroot /build/venv/bin/pip install -q --upgrade pip
in_chroot /build/venv/bin/pip install -q "/build/towndesk[installer]"
in_chroot /build/venv/bin/python -c "import PySide6, sqlite3; print('PySide6', PySide6.__version__, 'SQLite', sqlite3.sqlite_version)"

# 5. bundle, glibc check, smoke test, .deb
log "PyInstaller"
in_chroot bash -euc "cd /build/towndesk && /build/venv/bin/python -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/towndesk.spec"
log "highest GLIBC need (limit $MAX_GLIBC)"
in_chroot /build/venv/bin/python /build/towndesk/installer/linux/glibc_needs.py /build/towndesk/dist/towndesk --top 8
in_chroot /build/venv/bin/python /build/towndesk/installer/linux/glibc_needs.py /build/towndesk/dist/towndesk \
  --json --max "$MAX_GLIBC" > "$CHROOT/build/glibc-needs.json" \
  || { echo "some files need a glibc newer than $MAX_GLIBC: see $CHROOT/build/glibc-needs.json" >&2; exit 1; }
log "smoke test (offscreen)"
in_chroot bash -euc "cd /build/towndesk && QT_QPA_PLATFORM=offscreen /build/venv/bin/python installer/smoke.py dist/towndesk/towndesk"
log ".deb"
DEB="$(in_chroot bash -euc "cd /build/towndesk && PATH=/build/venv/bin:\$PATH installer/linux/build_deb.sh dist/towndesk dist" | tail -1)"

# 6. results
mkdir -p "$OUT"
cp "$CHROOT$DEB" "$CHROOT/build/glibc-needs.json" "$OUT/"
log "done: $OUT/$(basename "$DEB") (highest GLIBC need: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["max_glibc"])' "$OUT/glibc-needs.json"))"
