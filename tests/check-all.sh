#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/check-all.sh - what `make check` runs: the test program's suites
# in two processes at once, each inside its own tests/with-servers.sh
# (its own throwaway servers on its own ports), so that a run on two
# cores takes the time of its longer half rather than of the whole.
#
# The second half (the suites in $late, which need no Galera cluster,
# PgBouncer or hot standby) runs with DBSHIFT_TEST_CLUSTERS=no; the first
# runs every other suite with all the servers. Each half's output is
# printed whole once both have ended; the exit status is non-zero when
# either half failed. Arguments are not taken: to run some suites, call
# tests/with-servers.sh ./tests/check_dbshift SUITE... directly.
set -u
here=$(cd "$(dirname "$0")" && pwd)
prog=${DBSHIFT_TEST_PROGRAM:-./tests/check_dbshift}
late="clidata realworld faults"
out=$(mktemp -d "${TMPDIR:-/tmp}/dbshift-check-XXXXXX")
trap 'rm -rf "$out"' EXIT

exclude=
for s in $late; do
	exclude="$exclude -$s"
done
# shellcheck disable=SC2086 # lists of suite names
DBSHIFT_TEST_CLUSTERS=no "$here/with-servers.sh" "$prog" $late \
	>"$out/late" 2>&1 &
late_pid=$!
# shellcheck disable=SC2086
"$here/with-servers.sh" "$prog" $exclude >"$out/first" 2>&1
first=$?
wait "$late_pid"
second=$?
echo "== suites but $late"
cat "$out/first"
echo "== suites $late"
cat "$out/late"
[ "$first" = 0 ] && [ "$second" = 0 ]
