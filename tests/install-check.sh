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
# Installation directories as the build's Makefile expands them, so that
# --libdir=/usr/lib/x86_64-linux-gnu (multiarch) and --with-driverdir work.
mkvar() {
	printf 'install-check-print:\n\t@echo $(%s)\n' "$1" >"$dest/print.mk"
	make -s --no-print-directory -C "$build" -f Makefile -f "$dest/print.mk" \
		install-check-print
}
prefix=$(mkvar prefix)
lib=$dest$(mkvar libdir)
driverdir=$dest$(mkvar driverdir)
pc=$lib/pkgconfig/dbshift.pc
[ -f "$pc" ] || fail "dbshift.pc not installed"
[ -f "$dest$prefix/include/dbshift/dbshift.h" ] || fail "dbshift.h not installed"
[ -f "$dest$prefix/include/dbshift/driver.h" ] || fail "driver.h not installed"
[ -f "$dest$prefix/include/dbshift/testing.h" ] || fail "testing.h not installed"
[ -x "$dest$prefix/bin/dbshift" ] || fail "dbshift not installed"
[ -f "$dest$prefix/share/bash-completion/completions/dbshift" ] ||
	fail "bash completion not installed"
for doc in README.md NEWS COPYING ABI.md design.md; do
	[ -f "$dest$prefix/share/doc/dbshift/$doc" ] || fail "$doc not installed under docdir"
done

# Exported symbols.
bad=$(nm -D --defined-only "$lib/libdbshift.so" | awk '{print $3}' |
	grep -v '^dbshift_[a-z0-9]' || true)
[ -z "$bad" ] || fail "libdbshift exports non-API symbols: $bad"
nm -D --defined-only "$lib/libdbshift.so" | grep -q ' dbshift__' &&
	fail "libdbshift exports internal dbshift__ symbols"
drivers=0
for so in "$driverdir"/driver_*.so; do
	[ -f "$so" ] || continue
	name=$(basename "$so" .so)
	name=${name#driver_}
	syms=$(nm -D --defined-only "$so" | awk '{print $3}')
	[ "$syms" = "dbshift_driver_${name}_init" ] ||
		fail "$so exports: $(echo $syms)"
	drivers=$((drivers + 1))
done
[ "$drivers" -gt 0 ] || fail "no driver installed in $driverdir"
ls "$driverdir"/*.la >/dev/null 2>&1 &&
	fail "libtool archives installed for driver modules"

# pkg-config metadata.
export PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
[ "$(pkg-config --variable=driverabi dbshift)" = 1 ] || fail "driverabi"
[ "$(pkg-config --variable=driverdir dbshift)" = "$driverdir" ] ||
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
# The template driver of examples/driver: built out of tree with its own
# Makefile against the installed package, installed into a driver
# directory of its own, and used for up, status, validate and down on
# migrations with a variant for its dialect (and one for a dialect no
# installed driver declares, which is ignored).
template="no template driver: no sqlite3.pc"
if pkg-config --exists sqlite3; then
	template="template driver tracelite"
	tpl=$dest/template
	mkdir "$tpl"
	cp "$src"/examples/driver/* "$tpl"/
	make -C "$tpl" >"$dest/template.log" 2>&1 &&
		make -C "$tpl" install DRIVERDIR="$dest/tdrivers" \
			>>"$dest/template.log" 2>&1 || {
		cat "$dest/template.log"
		fail "examples/driver does not build against the installation"
	}
	syms=$(nm -D --defined-only "$dest/tdrivers/driver_tracelite.so" | awk '{print $3}')
	[ "$syms" = dbshift_driver_tracelite_init ] ||
		fail "driver_tracelite.so exports: $(echo $syms)"
	mkdir "$dest/tmig"
	echo 'CREATE TABLE t (x INT);' >"$dest/tmig/001_t.up.sql"
	echo 'CREATE TABLE t (x INT, traced INT);' >"$dest/tmig/001_t.tracelite.up.sql"
	echo 'DROP TABLE t;' >"$dest/tmig/001_t.down.sql"
	echo 'NOT SQL AT ALL;' >"$dest/tmig/002_crdb.cockroach.up.sql"
	tl() {
		LD_LIBRARY_PATH="$lib" TRACELITE_LOG="$dest/trace.log" \
			"$dest$prefix/bin/dbshift" --driver-dir "$dest/tdrivers" \
			-u "tracelite:$dest/t.db" -s "app=$dest/tmig" "$@"
	}
	tl up >"$dest/tl.out" 2>&1 || { cat "$dest/tl.out"; fail "tracelite: up failed"; }
	grep -q 'CREATE TABLE t (x INT, traced INT)' "$dest/trace.log" ||
		fail "tracelite did not run its .tracelite. variant"
	tl status | grep -q '^app/001 .*applied' || fail "tracelite: status"
	tl validate >"$dest/tl.out" 2>&1 || { cat "$dest/tl.out"; fail "tracelite: validate"; }
	grep -q "ignored.*dialect 'cockroach'" "$dest/tl.out" ||
		fail "tracelite: validate does not list the cockroach file"
	tl down >"$dest/tl.out" 2>&1 || { cat "$dest/tl.out"; fail "tracelite: down failed"; }
	grep -q 'DROP TABLE t' "$dest/trace.log" || fail "tracelite: down ran nothing"
	tl status | grep -q '^app/001 .*pending' || fail "tracelite: not pending after down"
fi
echo "install-check: ok ($drivers drivers, $template)"
