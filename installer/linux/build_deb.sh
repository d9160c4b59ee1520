#!/usr/bin/env bash
# Turn the PyInstaller one-folder build into a .deb for Debian-based 信创 desktops (统信 UOS, 麒麟 Kylin).
#
#   installer/linux/build_deb.sh [BUNDLE_DIR] [OUT_DIR]      (defaults: dist/towndesk and dist)
#
# Layout: /opt/towndesk/ (the bundle), /usr/bin/towndesk (launcher), a .desktop entry with the
# Chinese name, the icon in the hicolor theme. The version comes from the bundle itself
# (`towndesk --version`), the architecture from dpkg. Operator data lives in each user's
# ~/.local/share/towndesk and is never touched by install, upgrade, remove or purge.
# DEB_COMPRESS=xz|gzip|none and DEB_LEVEL=0-9 choose the compression (default xz -6; tests use gzip -1).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUNDLE="$(cd "${1:-$ROOT/dist/towndesk}" && pwd)"
OUT="${2:-$ROOT/dist}"
COMPRESS="${DEB_COMPRESS:-xz}"
LEVEL="${DEB_LEVEL:-6}"

[ -x "$BUNDLE/towndesk" ] || { echo "no one-folder build at $BUNDLE (run: make installer)" >&2; exit 1; }
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

# Version from the frozen program (PEP 440 pre/dev releases sort before the release in Debian: ~).
PYVER="$("$BUNDLE/towndesk" --version | awk '{print $2}')"
VERSION="$(printf '%s' "$PYVER" | sed -E 's/\.?(a|b|rc|dev)([0-9]*)/~\1\2/; s/\.post([0-9]+)/+post\1/')"
ARCH="$(dpkg --print-architecture)"

# The newest glibc symbol any bundled binary needs: the package refuses older systems cleanly
# instead of failing at start (build on the oldest target you support, see installer/README.md).
# glibc_needs.py reads each ELF file's version-needs section (not strings that merely look alike).
GLIBC="$(python3 "$HERE/glibc_needs.py" "$BUNDLE" --json \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["max_glibc"] or "")')"
GLIBC="${GLIBC:-2.28}"

# What the bundle loads from the system (PyInstaller bundles the rest): OpenGL/EGL and the X11
# client library; the xcb helpers, xkbcommon-x11, fontconfig and D-Bus are listed too so that a
# bundle built elsewhere still finds them (all have these names on UOS, Kylin and Debian >= 10).
DEPENDS="libc6 (>= $GLIBC), libgl1, libegl1, libxcb1, libx11-6, libx11-xcb1, libxcb-cursor0, libxcb-icccm4, \
libxcb-keysyms1, libxkbcommon-x11-0, libfontconfig1, libfreetype6, libdbus-1-3"
RECOMMENDS="cups-client, fonts-wqy-microhei, libwayland-client0, libwayland-cursor0, libwayland-egl1"

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
PKG="$STAGE/towndesk"
mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" \
         "$PKG/usr/share/icons/hicolor/256x256/apps" "$PKG/usr/share/icons/hicolor/scalable/apps" \
         "$PKG/usr/share/doc/towndesk"
cp -a "$BUNDLE" "$PKG/opt/towndesk"
install -m 0755 "$HERE/towndesk.sh" "$PKG/usr/bin/towndesk"
install -m 0644 "$HERE/towndesk.desktop" "$PKG/usr/share/applications/towndesk.desktop"
install -m 0644 "$ROOT/resources/icons/towndesk.png" "$PKG/usr/share/icons/hicolor/256x256/apps/towndesk.png"
install -m 0644 "$ROOT/resources/icons/towndesk.svg" "$PKG/usr/share/icons/hicolor/scalable/apps/towndesk.svg"
install -m 0644 "$ROOT/resources/fonts/LICENSE-wqy-microhei.txt" "$PKG/usr/share/doc/towndesk/"
# Files root-owned (--root-owner-group), readable by all, writable by root only.
chmod -R u+rwX,go+rX,go-w "$PKG"

SIZE_KB="$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)"
cat > "$PKG/DEBIAN/control" <<CONTROL
Package: towndesk
Version: $VERSION
Architecture: $ARCH
Maintainer: towndesk <towndesk@localhost>
Installed-Size: $SIZE_KB
Depends: $DEPENDS
Recommends: $RECOMMENDS
Section: misc
Priority: optional
Description: 镇街指挥台 — town command-center desktop client
 towndesk (镇街指挥台) is the desktop client of a town's comprehensive
 information command center: one-window intake of petitions and events,
 dispatch by the responsibility list, deadline supervision on China's
 working-day calendar, case dossiers, and offline work with district sync.
CONTROL

DEB="$OUT/towndesk_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Z"$COMPRESS" -z"$LEVEL" --build "$PKG" "$DEB" >/dev/null
echo "$DEB"
