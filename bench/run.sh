#!/bin/sh
# bench/run.sh [BUILDDIR] [N] - apply N (default 1000) generated migrations
# to a fresh SQLite file with dbshift, run a no-op `up` over them, roll
# them all back, and time the sqlite3 command-line tool running the same
# SQL, one transaction per migration, in one process. Prints a table;
# nothing is asserted (this is a measurement, not a test).
set -eu
build=$(cd "${1:-.}" && pwd)
n=${2:-1000}
dbshift="$build/dbshift"
export DBSHIFT_DRIVER_PATH="$build/drivers/.libs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Generate the migrations: a table, an index and a few rows each.
mkdir -p "$work/m"
i=1
while [ "$i" -le "$n" ]; do
	v=$(printf '%06d' "$i")
	cat >"$work/m/${v}_table_$i.up.sql" <<SQL
CREATE TABLE t_$i (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT);
CREATE INDEX t_${i}_name ON t_$i (name);
INSERT INTO t_$i (name, created_at) VALUES ('a', '2024-01-01'), ('b', '2024-01-02');
SQL
	echo "DROP TABLE t_$i;" >"$work/m/${v}_table_$i.down.sql"
	i=$((i + 1))
done
# The same SQL for the sqlite3 tool, one transaction per migration.
for f in "$work"/m/*.up.sql; do
	echo "BEGIN;"
	cat "$f"
	echo "COMMIT;"
done >"$work/all.sql"

run() { # LABEL COMMAND...
	label=$1
	shift
	t0=$(now)
	"$@" >/dev/null 2>&1
	t1=$(now)
	printf '%-44s %8.3f s\n' "$label" "$(elapsed "$t0" "$t1")"
}

echo "dbshift bench: $n migrations, SQLite $(sqlite3 --version | cut -d' ' -f1)"
run "sqlite3 CLI, same SQL, one tx per migration" sqlite3 "$work/raw.db" ".read $work/all.sql"
run "dbshift up (apply all)" "$dbshift" -q -u "sqlite:$work/db.sqlite" -s "app=$work/m" up
run "dbshift up (no-op, all applied)" "$dbshift" -q -u "sqlite:$work/db.sqlite" -s "app=$work/m" up
run "dbshift status" "$dbshift" -q -u "sqlite:$work/db.sqlite" -s "app=$work/m" status
run "dbshift down --all" "$dbshift" -q -y -u "sqlite:$work/db.sqlite" -s "app=$work/m" down --all

rw=${DBSHIFT_REALWORLD:-$(cd "$(dirname "$0")/.." && pwd)/../shared/realworld}
if [ -d "$rw/chirpstack-sqlite" ]; then
	url="sqlite:$work/chirpstack.db"
	run "chirpstack-sqlite up (14 migrations)" "$dbshift" -q -u "$url" -s "cs=$rw/chirpstack-sqlite" up
	run "chirpstack-sqlite down --all" "$dbshift" -q -y -u "$url" -s "cs=$rw/chirpstack-sqlite" down --all
fi
