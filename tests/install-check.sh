#!/bin/sh
# SPDX-License-Identifier: MIT
# install-check.sh BUILDDIR - install a build into a scratch DESTDIR and
# check what a distribution would ship: libdbshift exports only dbshift_*
# symbols, each driver only its entry point, dbshift.pc describes the
# driver directory and ABI, and both a host program and an out-of-tree
# driver build against the installed headers alone.
set -eu
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
fail() { echo "install-check: $*" >&2; exit 1; }

make -C "$build" install DESTDIR="$dest" >"$dest/install.log" 2>&1 || {
	cat "$dest/install.log"
	fail "make install failed"
}
prefix=/usr
lib=$dest$prefix/lib
pc=$lib/pkgconfig/dbshift.pc
[ -f "$pc" ] || fail "dbshift.pc not installed"
[ -f "$dest$prefix/include/dbshift/dbshift.h" ] || fail "dbshift.h not installed"
[ -f "$dest$prefix/include/dbshift/driver.h" ] || fail "driver.h not installed"
[ -x "$dest$prefix/bin/dbshift" ] || fail "dbshift not installed"
for doc in README.md COPYING ABI.md design.md; do
	[ -f "$dest$prefix/share/doc/dbshift/$doc" ] || fail "$doc not installed under docdir"
done

# Exported symbols.
bad=$(nm -D --defined-only "$lib/libdbshift.so" | awk '{print $3}' |
	grep -v '^dbshift_[a-z0-9]' || true)
[ -z "$bad" ] || fail "libdbshift exports non-API symbols: $bad"
nm -D --defined-only "$lib/libdbshift.so" | grep -q ' dbshift__' &&
	fail "libdbshift exports internal dbshift__ symbols"
drivers=0
for so in "$lib"/dbshift/drivers-1/driver_*.so; do
	[ -f "$so" ] || continue
	name=$(basename "$so" .so)
	name=${name#driver_}
	syms=$(nm -D --defined-only "$so" | awk '{print $3}')
	[ "$syms" = "dbshift_driver_${name}_init" ] ||
		fail "$so exports: $(echo $syms)"
	drivers=$((drivers + 1))
done
[ "$drivers" -gt 0 ] || fail "no driver installed in $lib/dbshift/drivers-1"
ls "$lib"/dbshift/drivers-1/*.la >/dev/null 2>&1 &&
	fail "libtool archives installed for driver modules"

# pkg-config metadata.
export PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
[ "$(pkg-config --variable=driverabi dbshift)" = 1 ] || fail "driverabi"
[ "$(pkg-config --variable=driverdir dbshift)" = "$dest$prefix/lib/dbshift/drivers-1" ] ||
	fail "driverdir is $(pkg-config --variable=driverdir dbshift)"

# A host program built against the installed library.
cat >"$dest/host.c" <<'C'
#include <dbshift/dbshift.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	printf("%s\n", dbshift_version());
	return strcmp(dbshift_version(), DBSHIFT_VERSION) != 0;
}
C
# shellcheck disable=SC2046
cc -Wall -Werror -o "$dest/host" "$dest/host.c" $(pkg-config --cflags --libs dbshift)
LD_LIBRARY_PATH="$lib" "$dest/host" >/dev/null || fail "host program failed"

# An out-of-tree driver built against the installed driver.h alone.
mkdir -p "$dest/ext"
cc -Wall -Wextra -Wno-unused-parameter -Werror -fPIC -shared \
	-fvisibility=hidden \
	-DFAKE_NAME=external \
	$(pkg-config --cflags dbshift) -o "$dest/ext/driver_external.so" \
	"$src/tests/drivers/fake.c"
out=$(LD_LIBRARY_PATH="$lib" "$dest$prefix/bin/dbshift" --driver-dir "$dest/ext" drivers)
echo "$out" | grep -q external || fail "external driver not listed: $out"
echo "install-check: ok ($drivers drivers)"
