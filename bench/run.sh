#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/run.sh [BUILDDIR] [N...] - a measurement, not a test: for each N
# (default 500 2000 10000) generated migrations (a table, an index and two
# rows each), on SQLite and, when their servers can be started
# (tests/with-servers.sh), on PostgreSQL and MariaDB, time side by side in
# one run:
#   - the database's own command-line client running the same SQL, one
#     transaction per migration, in one process ("raw");
#   - dbshift applying them, then a no-op `up` over them;
#   - dbmate (https://github.com/amacneil/dbmate) doing the same, when it
#     can be had: $DBSHIFT_BENCH_DBMATE names its binary, else it is
#     installed with npm (package @dbmate/linux-x64) under BUILDDIR/bench/,
#     once; without npm its columns stay empty. CI never runs the timed
#     tables (make check runs the real-world one on a two-migration set).
# and print one table: seconds, the ratios dbshift/raw (apply) and
# dbshift/dbmate (no-op), and dbshift's peak RSS (GNU time, when present).
# A no-op is the median of $DBSHIFT_BENCH_REPEAT (default 5) runs; an
# apply is run once. Then, when the real-world sets are present
# ($DBSHIFT_REALWORLD, else ../shared/realworld beside the source tree),
# a second table: each set applied and rolled back on its dialect by the
# client and by dbshift (N "none" runs only that table). The uninstalled binary is run directly (not through
# libtool's wrapper script, which alone costs a shell start-up). Asserts
# nothing; wall-clock times depend on what else the machine is doing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-.}" && pwd)
[ $# -gt 0 ] && shift
sizes=${*:-500 2000 10000}
if [ -z "${DBSHIFT_BENCH_INNER:-}" ]; then
	# shellcheck disable=SC2086 # sizes is a list of numbers
	# PostgreSQL and MariaDB only: a Galera cluster starting in the
	# background would take the cores the timings need.
	DBSHIFT_BENCH_INNER=1 DBSHIFT_TEST_CLUSTERS=no \
		exec "$here/../tests/with-servers.sh" "$0" "$build" $sizes
fi
repeat=${DBSHIFT_BENCH_REPEAT:-5}
if [ -x "$build/.libs/dbshift" ]; then
	dbshift="$build/.libs/dbshift"
	LD_LIBRARY_PATH="$build/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export LD_LIBRARY_PATH
else
	dbshift="$build/dbshift"
fi
export DBSHIFT_DRIVER_PATH="$build/drivers/.libs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# dbmate: given, or installed once from the npm registry into the build
# tree (never into the source tree or a system directory).
dbmate=${DBSHIFT_BENCH_DBMATE:-}
if [ -z "$dbmate" ]; then
	prefix="$build/bench/dbmate"
	dbmate="$prefix/node_modules/@dbmate/linux-x64/bin/dbmate"
	if [ ! -x "$dbmate" ] && command -v npm >/dev/null 2>&1; then
		npm install --prefix "$prefix" --no-audit --no-fund \
			--loglevel=error @dbmate/linux-x64 >/dev/null 2>&1 ||
			echo "bench: npm could not install dbmate; its columns stay empty" >&2
	fi
	[ -x "$dbmate" ] || dbmate=
fi
timer=
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
	timer=/usr/bin/time
fi

now() { date +%s%N; }

# Run COMMAND... quietly; print its wall time in seconds. Exits the
# script when it fails.
timed() {
	t0=$(now)
	"$@" >"$work/out" 2>&1 || {
		cat "$work/out" >&2
		echo "bench: FAILED: $*" >&2
		exit 1
	}
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }'
}

# The median time of $repeat runs of COMMAND...
median() {
	k=0
	: >"$work/times"
	while [ "$k" -lt "$repeat" ]; do
		timed "$@" >>"$work/times"
		echo >>"$work/times"
		k=$((k + 1))
	done
	sort -n "$work/times" | awk '{ t[NR] = $1 } END { printf "%.4f", t[int((NR + 1) / 2)] }'
}

# Peak resident set size of COMMAND... in MiB, or "-".
peak_rss() {
	if [ -z "$timer" ]; then
		printf -- -
		return
	fi
	$timer -f %M -o "$work/rss" "$@" >/dev/null 2>&1
	awk '{ printf "%.1f", $1 / 1024 }' "$work/rss"
}

ratio() { # A B: A / B with two decimals, or "-"
	case "$1$2" in
	*-*) printf -- - ;;
	*) awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' ;;
	esac
}

# Generate N migrations: dbshift's flat files, dbmate's single files and
# the raw SQL, one transaction per migration. The SQL is one that all
# three dialects accept.
generate() { # N
	rm -rf "$work/m" "$work/dm"
	mkdir -p "$work/m" "$work/dm"
	awk -v n="$1" -v m="$work/m" -v dm="$work/dm" -v all="$work/all.sql" '
	BEGIN {
		for (i = 1; i <= n; i++) {
			v = sprintf("%06d", i)
			up = sprintf("CREATE TABLE t_%d (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, created_at VARCHAR(32));\nCREATE INDEX t_%d_name ON t_%d (name);\nINSERT INTO t_%d (id, name, created_at) VALUES (1, '\''a'\'', '\''2024-01-01'\''), (2, '\''b'\'', '\''2024-01-02'\'');\n", i, i, i, i)
			down = sprintf("DROP TABLE t_%d;\n", i)
			f = m "/" v "_table_" i ".up.sql"; printf "%s", up > f; close(f)
			f = m "/" v "_table_" i ".down.sql"; printf "%s", down > f; close(f)
			f = dm "/" v "_table_" i ".sql"
			printf "-- migrate:up\n%s\n-- migrate:down\n%s", up, down > f
			close(f)
			printf "BEGIN;\n%sCOMMIT;\n", up > all
		}
	}'
}

# One row of the table.
row() { # DIALECT N RAW SHIFT_APPLY MATE_APPLY SHIFT_NOOP MATE_NOOP RSS
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
		"$1" "$2" "$3" "$4" "$(ratio "$4" "$3")" "$5" "$6" "$7" \
		"$(ratio "$6" "$7")" "$(ratio "$4" "$5")" "$8"
}

# Apply and no-op with each tool on fresh databases made by the
# dialect's functions: <d>_fresh NAME (makes an empty database, prints
# dbshift's URL for it), <d>_raw NAME (the client applies all.sql to
# it) and <d>_mate_url NAME (dbmate's URL for it).
bench_dialect() { # DIALECT LABEL N
	d=$1
	"${d}_fresh" raw >/dev/null
	raw=$(timed "${d}_raw" raw)
	url=$("${d}_fresh" shift)
	apply=$(timed "$dbshift" -q -u "$url" -s "app=$work/m" up)
	noop=$(median "$dbshift" -q -u "$url" -s "app=$work/m" up)
	rss=$(peak_rss "$dbshift" -q -u "$url" -s "app=$work/m" up)
	mate_apply=- mate_noop=-
	if [ -n "$dbmate" ]; then
		"${d}_fresh" mate >/dev/null
		murl=$("${d}_mate_url" mate)
		mate_apply=$(timed "$dbmate" --no-dump-schema -u "$murl" -d "$work/dm" up)
		mate_noop=$(median "$dbmate" --no-dump-schema -u "$murl" -d "$work/dm" up)
	fi
	row "$2" "$3" "$raw" "$apply" "$mate_apply" "$noop" "$mate_noop" "$rss"
}

sqlite_fresh() {
	rm -f "$work/$1.sqlite"
	echo "sqlite:$work/$1.sqlite"
}
sqlite_raw() { sqlite3 "$work/$1.sqlite" ".read $work/all.sql"; }
sqlite_mate_url() { echo "sqlite:$work/$1.sqlite"; }

if [ -n "${DBSHIFT_TEST_PG_URL:-}" ]; then
	pg_admin=$DBSHIFT_TEST_PG_URL
	PGOPTIONS='-c client_min_messages=warning'
	export PGOPTIONS
	pg_base=${pg_admin%/*}
	# Both tools connect without TLS: dbmate's driver needs
	# sslmode=disable for a server without TLS, and libpq's default
	# (prefer) would cost dbshift one more round trip per connection.
	pg_fresh() {
		psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS bench_$1" -c "CREATE DATABASE bench_$1" >/dev/null
		echo "$pg_base/bench_$1?sslmode=disable"
	}
	pg_raw() { psql -q -v ON_ERROR_STOP=1 "$pg_base/bench_$1" -f "$work/all.sql"; }
	pg_mate_url() { echo "$pg_base/bench_$1?sslmode=disable"; }
fi

if [ -n "${DBSHIFT_TEST_MYSQL_URL:-}" ]; then
	# mysql://USER:PASS@HOST:PORT/
	rest=${DBSHIFT_TEST_MYSQL_URL#*://}
	my_user=${rest%%:*}
	rest=${rest#*:}
	my_pass=${rest%%@*}
	rest=${rest#*@}
	my_host=${rest%%:*}
	my_port=${rest#*:}
	my_port=${my_port%%/*}
	my() { mariadb --no-defaults -h "$my_host" -P "$my_port" -u "$my_user" -p"$my_pass" "$@"; }
	my_fresh() {
		my -e "DROP DATABASE IF EXISTS bench_$1; CREATE DATABASE bench_$1"
		echo "mysql://$my_user:$my_pass@$my_host:$my_port/bench_$1"
	}
	my_raw() { my "bench_$1" <"$work/all.sql"; }
	my_mate_url() { echo "mysql://$my_user:$my_pass@$my_host:$my_port/bench_$1"; }
fi

echo "dbshift bench on $(nproc) cores, $(uname -sr); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "SQLite $(sqlite3 --version | cut -d' ' -f1)${DBSHIFT_TEST_PG_URL:+, PostgreSQL $(psql -tA "$DBSHIFT_TEST_PG_URL" -c 'SHOW server_version')}${DBSHIFT_TEST_MYSQL_URL:+, MariaDB $(my -N -e 'SELECT VERSION()')}${dbmate:+, dbmate $("$dbmate" --version 2>/dev/null | cut -d' ' -f3)}"
echo "no-op: median of $repeat runs; seconds of wall-clock time"
echo
if [ "$sizes" != none ]; then
	echo "| | N | raw client | dbshift up | vs raw | dbmate up | dbshift no-op | dbmate no-op | vs dbmate | apply vs dbmate | peak RSS MiB |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
fi
for n in $sizes; do
	[ "$n" != none ] || continue
	generate "$n"
	bench_dialect sqlite SQLite "$n"
	if [ -n "${DBSHIFT_TEST_PG_URL:-}" ]; then
		bench_dialect pg PostgreSQL "$n"
	fi
	if [ -n "${DBSHIFT_TEST_MYSQL_URL:-}" ]; then
		bench_dialect my MariaDB "$n"
	fi
done

# The real-world sets (../shared/realworld, see its SOURCES.md; passed in
# $DBSHIFT_REALWORLD by make bench, which finds them as configure does):
# each applied and then rolled back on its dialect by the database's
# client and by dbshift. The client runs the same files in dbshift's order
# in one process (sqlite3 .read, psql \i; psql stops at the first error),
# each statement in autocommit mode except where a file has its own
# BEGIN/COMMIT; dbshift runs each migration in a transaction with its
# history row. Without the sets, or without a dialect's server, their rows
# are left out.
rw=${DBSHIFT_REALWORLD:-}
if [ -z "$rw" ]; then
	for d in "$here/../../shared/realworld" "$here/../../../shared/realworld"; do
		if [ -d "$d" ]; then
			rw=$(cd "$d" && pwd)
			break
		fi
	done
fi

# The up (or down) scripts of the set in DIR, one path a line, in the
# order dbshift runs them: versions ascending for up, descending for
# down (both layouts of these sets sort by name as dbshift sorts them).
rw_scripts() { # DIR up|down
	if [ "$2" = up ]; then order=; else order=-r; fi
	{
		find "$1" -maxdepth 1 -type f -name "*.$2.sql"
		find "$1" -mindepth 2 -maxdepth 2 -type f -name "$2.sql"
	} | sort $order
}

# A client script running the set's up or down scripts, on DIALECT.
rw_client_script() { # DIALECT DIR up|down
	case $1 in
	sqlite) echo ".bail on" ;;
	pg) echo '\set ON_ERROR_STOP 1' ;;
	esac
	rw_scripts "$2" "$3" | while IFS= read -r f; do
		case $1 in
		sqlite) printf '.read "%s"\n' "$f" ;;
		pg) printf "\\\\i '%s'\\n" "$f" ;;
		esac
	done
}

sqlite_run() { sqlite3 "$work/$1.sqlite" ".read $2"; }
pg_run() { psql -q -v ON_ERROR_STOP=1 "$pg_base/bench_$1" -f "$2"; }
pg_prepare() { psql -q "$pg_base/bench_$1" -c "$2"; }

# One set: SET DIALECT LABEL [PREPARE-SQL]
bench_set() {
	dir="$rw/$1"
	d=$2
	n_up=$(rw_scripts "$dir" up | wc -l | tr -d " ")
	rw_client_script "$d" "$dir" up >"$work/rw_up.sql"
	rw_client_script "$d" "$dir" down >"$work/rw_down.sql"
	"${d}_fresh" raw >/dev/null
	[ -z "${4:-}" ] || "${d}_prepare" raw "$4"
	raw_up=$(timed "${d}_run" raw "$work/rw_up.sql")
	raw_down=$(timed "${d}_run" raw "$work/rw_down.sql")
	url=$("${d}_fresh" shift)
	[ -z "${4:-}" ] || "${d}_prepare" shift "$4"
	up=$(timed "$dbshift" -q -u "$url" -s "app=$dir" up)
	down=$(timed "$dbshift" -q -y -u "$url" -s "app=$dir" down --all)
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
		"$1" "$3" "$n_up" "$raw_up" "$up" "$(ratio "$up" "$raw_up")" \
		"$raw_down" "$down" "$(ratio "$down" "$raw_down")"
}

if [ -n "$rw" ] && [ -d "$rw" ]; then
	echo
	echo "real-world sets ($rw): up, then down --all; seconds"
	echo
	echo "| set | dialect | migrations | raw client up | dbshift up | vs raw | raw client down | dbshift down --all | vs raw |"
	echo "|---|---|---|---|---|---|---|---|---|"
	if [ -d "$rw/chirpstack-sqlite" ]; then
		bench_set chirpstack-sqlite sqlite SQLite
	fi
	if [ -n "${DBSHIFT_TEST_PG_URL:-}" ]; then
		if [ -d "$rw/chirpstack-postgres" ]; then
			bench_set chirpstack-postgres pg PostgreSQL \
				"CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS hstore;"
		fi
		if [ -d "$rw/openmeter-postgres" ]; then
			bench_set openmeter-postgres pg PostgreSQL
		fi
	fi
fi
