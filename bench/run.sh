#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/run.sh [BUILDDIR] [N] - a measurement, not a test: apply N (default
# 1000) generated migrations with dbshift, run a no-op `up` over them and
# roll them all back, on SQLite and, when their servers can be started
# (tests/with-servers.sh), on PostgreSQL and MariaDB; next to each, the
# database's own command-line client running the same SQL, one transaction
# per migration, in one process. Prints a table; asserts nothing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-.}" && pwd)
n=${2:-1000}
if [ -z "${DBSHIFT_BENCH_INNER:-}" ]; then
	DBSHIFT_BENCH_INNER=1 exec "$here/../tests/with-servers.sh" "$0" "$build" "$n"
fi
dbshift="$build/dbshift"
export DBSHIFT_DRIVER_PATH="$build/drivers/.libs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Generate the migrations: a table, an index and two rows each, in SQL
# that all three dialects accept.
mkdir -p "$work/m"
i=1
while [ "$i" -le "$n" ]; do
	v=$(printf '%06d' "$i")
	cat >"$work/m/${v}_table_$i.up.sql" <<SQL
CREATE TABLE t_$i (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL, created_at VARCHAR(32));
CREATE INDEX t_${i}_name ON t_$i (name);
INSERT INTO t_$i (id, name, created_at) VALUES (1, 'a', '2024-01-01'), (2, 'b', '2024-01-02');
SQL
	echo "DROP TABLE t_$i;" >"$work/m/${v}_table_$i.down.sql"
	i=$((i + 1))
done
# The same SQL for the clients, one transaction per migration.
for f in "$work"/m/*.up.sql; do
	echo "BEGIN;"
	cat "$f"
	echo "COMMIT;"
done >"$work/all.sql"

run() { # LABEL COMMAND...
	label=$1
	shift
	t0=$(now)
	"$@" >"$work/out" 2>&1 || { cat "$work/out"; echo "FAILED: $label"; exit 1; }
	t1=$(now)
	printf '  %-46s %8s s\n' "$label" "$(elapsed "$t0" "$t1")"
}

dbshift_runs() { # URL
	run "dbshift up (apply $n)" "$dbshift" -q -u "$1" -s "app=$work/m" up
	run "dbshift up (no-op, all applied)" "$dbshift" -q -u "$1" -s "app=$work/m" up
	run "dbshift status" "$dbshift" -q -u "$1" -s "app=$work/m" status
	run "dbshift down --all" "$dbshift" -q -y -u "$1" -s "app=$work/m" down --all
}

echo "dbshift bench: $n migrations"
echo "SQLite $(sqlite3 --version | cut -d' ' -f1)"
run "sqlite3 CLI, same SQL, one tx per migration" sqlite3 "$work/raw.db" ".read $work/all.sql"
dbshift_runs "sqlite:$work/db.sqlite"

if [ -n "${DBSHIFT_TEST_PG_URL:-}" ]; then
	admin=$DBSHIFT_TEST_PG_URL
	base=${admin%/*}
	psql -q "$admin" -c "CREATE DATABASE bench_raw" -c "CREATE DATABASE bench_dbshift"
	echo "PostgreSQL $(psql -tA "$admin" -c 'SHOW server_version')"
	run "psql, same SQL, one tx per migration" psql -q -v ON_ERROR_STOP=1 "$base/bench_raw" -f "$work/all.sql"
	dbshift_runs "$base/bench_dbshift"
fi

if [ -n "${DBSHIFT_TEST_MYSQL_URL:-}" ]; then
	# mysql://USER:PASS@HOST:PORT/
	rest=${DBSHIFT_TEST_MYSQL_URL#*://}
	user=${rest%%:*}
	rest=${rest#*:}
	pass=${rest%%@*}
	rest=${rest#*@}
	host=${rest%%:*}
	port=${rest#*:}
	port=${port%%/*}
	my() { mariadb --no-defaults -h "$host" -P "$port" -u "$user" -p"$pass" "$@"; }
	my -e "CREATE DATABASE bench_raw; CREATE DATABASE bench_dbshift"
	echo "MariaDB $(my -N -e 'SELECT VERSION()')"
	run "mariadb client, same SQL, one tx per migration" sh -c "mariadb --no-defaults -h $host -P $port -u $user -p$pass bench_raw < $work/all.sql"
	dbshift_runs "mysql://$user:$pass@$host:$port/bench_dbshift"
fi

rw=${DBSHIFT_REALWORLD:-$here/../../shared/realworld}
if [ -d "$rw/chirpstack-sqlite" ]; then
	echo "real-world sets"
	url="sqlite:$work/chirpstack.db"
	run "chirpstack-sqlite up (14)" "$dbshift" -q -u "$url" -s "cs=$rw/chirpstack-sqlite" up
	run "chirpstack-sqlite down --all" "$dbshift" -q -y -u "$url" -s "cs=$rw/chirpstack-sqlite" down --all
	if [ -n "${DBSHIFT_TEST_PG_URL:-}" ]; then
		base=${DBSHIFT_TEST_PG_URL%/*}
		psql -q "$DBSHIFT_TEST_PG_URL" -c "CREATE DATABASE bench_om"
		run "openmeter-postgres up (269)" "$dbshift" -q -u "$base/bench_om" -s "om=$rw/openmeter-postgres" up
		run "openmeter-postgres down --all" "$dbshift" -q -y -u "$base/bench_om" -s "om=$rw/openmeter-postgres" down --all
	fi
fi
