#!/usr/bin/env bash
# build-softhsm.sh builds SoftHSM2 2.6.1 with GOST support, the PKCS#11 token
# that crypto/pkcs11's tests run against. Debian's softhsm2 package is built
# without GOST; this rebuilds its source with --enable-gost.
#
# The result is cached outside the repository, in
#   ${XDG_CACHE_HOME:-~/.cache}/gostca/softhsm-2.6.1-gost
# and the module is lib/softhsm/libsofthsm2.so under it. The script is
# idempotent: when the module is there it does nothing. It builds in a
# temporary directory and moves the finished install into place, so an
# interrupted build leaves no half cache. As root it installs the build
# dependencies and adds a deb-src entry mirroring the system's deb entries;
# otherwise it says what is missing. Run by 'make softhsm'.
set -euo pipefail

VERSION=2.6.1
ORIG=softhsm2_${VERSION}.orig.tar.gz
ORIG_SHA256=ac9ac1e3f4402f88bf3e626a18f070f8031c031947ed469c6e17482495ec72b6
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/gostca
DEST=$CACHE/softhsm-$VERSION-gost
MODULE=$DEST/lib/softhsm/libsofthsm2.so
BUILD_DEPS="libssl-dev libsqlite3-dev autoconf automake libtool pkg-config g++ libengine-gost-openssl"

say() { echo "build-softhsm: $*"; }

if [ -f "$MODULE" ]; then
	say "$MODULE exists, nothing to do"
	exit 0
fi

root=false
[ "$(id -u)" = 0 ] && root=true

missing=""
for p in $BUILD_DEPS dpkg-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if ! $root; then
		say "missing build dependencies:$missing; install them (as root: apt-get install$missing) and rerun"
		exit 1
	fi
	say "installing build dependencies:$missing"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi

mkdir -p "$CACHE"
work=$(mktemp -d "$CACHE/.softhsm-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

# The source: apt-get source needs a deb-src entry. The Debian patch
# tarball may be unavailable; the upstream tarball is all the build needs.
fetch() { apt-get source --download-only softhsm2 >apt-source.log 2>&1 || true; [ -f "$ORIG" ]; }
if ! fetch; then
	src=/etc/apt/sources.list.d/gostca-deb-src.sources
	if ! $root; then
		say "apt-get source softhsm2 failed (no deb-src entry?); as root this script adds one:"
		cat apt-source.log
		exit 1
	fi
	if [ ! -f "$src" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
		say "adding $src (deb-src mirroring /etc/apt/sources.list.d/debian.sources)"
		sed -e 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$src"
	elif [ ! -f "$src" ] && [ -f /etc/apt/sources.list ]; then
		src=/etc/apt/sources.list.d/gostca-deb-src.list
		say "adding $src (deb-src mirroring /etc/apt/sources.list)"
		sed -n -e 's/^deb /deb-src /p' /etc/apt/sources.list >"$src"
	fi
	apt-get update -q
	if ! fetch; then
		say "could not fetch $ORIG:"
		cat apt-source.log
		exit 1
	fi
fi
got=$(sha256sum "$ORIG" | cut -d' ' -f1)
if [ "$got" != "$ORIG_SHA256" ]; then
	say "$ORIG: sha256 $got, want $ORIG_SHA256"
	exit 1
fi
for dsc in softhsm2_*.dsc; do
	[ -f "$dsc" ] || continue
	grep -q "$ORIG_SHA256" "$dsc" || { say "$ORIG: sha256 not listed in $dsc"; exit 1; }
done
say "fetched $ORIG (sha256 ok)"

tar xzf "$ORIG"
cd softhsm2-$VERSION
say "configuring (--enable-gost, prefix $DEST)"
./configure --prefix="$DEST" --enable-gost --with-crypto-backend=openssl \
	--disable-p11-kit >"$work/configure.log" 2>&1 || { tail -50 "$work/configure.log"; exit 1; }
say "building (make -j$(nproc)); takes a few minutes"
start=$(date +%s)
make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -50 "$work/make.log"; exit 1; }
make install DESTDIR="$work/stage" >"$work/install.log" 2>&1 || { tail -50 "$work/install.log"; exit 1; }
say "built in $(( $(date +%s) - start ))s"
rm -rf "$DEST"
mv "$work/stage$DEST" "$DEST"
say "installed $MODULE"
