#!/bin/sh
# SPDX-License-Identifier: MIT
# with-servers.sh COMMAND... - run COMMAND with throwaway PostgreSQL and
# MariaDB servers on 127.0.0.1, data in temporary directories, stopped and
# removed afterwards. The servers' admin URLs reach the tests through
#   DBSHIFT_TEST_PG_URL     postgres://postgres@127.0.0.1:PORT/postgres
#   DBSHIFT_TEST_MYSQL_URL  mysql://dbshift:dbshift@127.0.0.1:PORT/
# and DBSHIFT_TEST_PG_PASSWORD_USER names a PostgreSQL role that must log in
# with its password (the role's name), for wrong-password tests.
# A URL already set in the environment is used as it is (no server is
# started for it). When a server's programs are missing, the tests of that
# dialect are skipped with a loud note, unless DBSHIFT_TEST_REQUIRE_SERVERS=1
# (CI), where a missing server is a failure.
#
# PostgreSQL refuses to run as root: as root the cluster is created and run
# as the `postgres` system user with runuser; MariaDB runs as `mysql`.
set -u
base=$(mktemp -d "${TMPDIR:-/tmp}/dbshift-servers-XXXXXX")
chmod 755 "$base"
pg_pid_dir=
my_pid_file=
require=${DBSHIFT_TEST_REQUIRE_SERVERS:-0}

note() { echo "with-servers: $*" >&2; }

as_user() { # USER COMMAND... - run as USER when we are root
	user=$1
	shift
	if [ "$(id -u)" = 0 ]; then
		runuser -u "$user" -- "$@"
	else
		"$@"
	fi
}

cleanup() {
	if [ -n "$pg_pid_dir" ]; then
		as_user postgres "$pg_bin/pg_ctl" -D "$pg_pid_dir" -m immediate \
			stop >/dev/null 2>&1
	fi
	if [ -n "$my_pid_file" ] && [ -f "$my_pid_file" ]; then
		kill "$(cat "$my_pid_file")" 2>/dev/null
		i=0
		while [ -f "$my_pid_file" ] && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	fi
	rm -rf "$base"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Pick a port in a range derived from our pid, so that parallel runs and
# servers already running on the default ports do not collide.
port_base=$((20000 + ($$ % 2000) * 10))

start_pg() {
	pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
		return 1
	fi
	dir=$base/pg
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	as_user postgres "$pg_bin/initdb" -D "$dir/data" -A trust -U postgres \
		--no-sync >"$base/pg-initdb.log" 2>&1 || {
		cat "$base/pg-initdb.log" >&2
		return 2
	}
	# Everyone is trusted but one role, which must give its password, so
	# that a wrong password can be tested (pg_hba.conf: first match wins).
	hba=$dir/data/pg_hba.conf
	{ echo "host all dbshift_pw 127.0.0.1/32 scram-sha-256"; cat "$hba"; } \
		>"$hba.new" && cat "$hba.new" >"$hba" && rm -f "$hba.new"
	for port in $port_base $((port_base + 1)) $((port_base + 2)); do
		if as_user postgres "$pg_bin/pg_ctl" -D "$dir/data" -w -t 30 \
			-l "$dir/log" -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
			start >/dev/null 2>&1; then
			pg_pid_dir=$dir/data
			DBSHIFT_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
			export DBSHIFT_TEST_PG_URL
			"$pg_bin/psql" -q "$DBSHIFT_TEST_PG_URL" -c \
				"CREATE ROLE dbshift_pw LOGIN PASSWORD 'dbshift_pw'" ||
				return 2
			DBSHIFT_TEST_PG_PASSWORD_USER=dbshift_pw
			export DBSHIFT_TEST_PG_PASSWORD_USER
			return 0
		fi
	done
	cat "$dir/log" >&2
	return 2
}

start_mysql() {
	server=$(command -v mariadbd || command -v mysqld || ls /usr/sbin/mariadbd 2>/dev/null)
	if [ -z "$server" ] || ! command -v mariadb-install-db >/dev/null; then
		return 1
	fi
	dir=$base/my
	mkdir -p "$dir"
	user_opt=
	if [ "$(id -u)" = 0 ]; then
		chown mysql "$dir"
		user_opt=--user=mysql
	fi
	mariadb-install-db --no-defaults $user_opt --datadir="$dir/data" \
		--auth-root-authentication-method=socket --skip-test-db \
		>"$base/my-install.log" 2>&1 || {
		cat "$base/my-install.log" >&2
		return 2
	}
	sock=$dir/sock
	for port in $((port_base + 5)) $((port_base + 6)) $((port_base + 7)); do
		"$server" --no-defaults $user_opt --datadir="$dir/data" \
			--port=$port --bind-address=127.0.0.1 --socket="$sock" \
			--pid-file="$dir/pid" --log-error="$dir/log" \
			--innodb-flush-log-at-trx-commit=0 --skip-log-bin \
			--max-connections=300 >>"$dir/stderr" 2>&1 &
		i=0
		while [ $i -lt 150 ]; do
			if mariadb-admin --no-defaults --socket="$sock" -uroot ping \
				>/dev/null 2>&1; then
				my_pid_file=$dir/pid
				mariadb --no-defaults --socket="$sock" -uroot -e "
CREATE USER 'dbshift'@'127.0.0.1' IDENTIFIED BY 'dbshift';
GRANT ALL ON *.* TO 'dbshift'@'127.0.0.1' WITH GRANT OPTION;" || return 2
				DBSHIFT_TEST_MYSQL_URL="mysql://dbshift:dbshift@127.0.0.1:$port/"
				export DBSHIFT_TEST_MYSQL_URL
				return 0
			fi
			kill -0 $! 2>/dev/null || break
			sleep 0.2
			i=$((i + 1))
		done
		kill $! 2>/dev/null
		wait $! 2>/dev/null
	done
	cat "$dir/log" >&2
	return 2
}

server() { # NAME VAR START-FUNCTION SKIP-VAR
	name=$1 var=$2 start=$3 skip=$4
	eval "have=\${$var:-}"
	[ -n "$have" ] && return 0
	$start
	case $? in
	0) note "$name running: $(eval echo \$$var)" ;;
	1)
		if [ "$require" = 1 ]; then
			note "$name server programs not found, and DBSHIFT_TEST_REQUIRE_SERVERS=1"
			exit 1
		fi
		note "*** $name server programs not found: its tests are SKIPPED ***"
		eval "$skip=1; export $skip"
		;;
	*)
		note "$name server failed to start"
		exit 1
		;;
	esac
}

server PostgreSQL DBSHIFT_TEST_PG_URL start_pg DBSHIFT_TEST_SKIP_PG
server MariaDB DBSHIFT_TEST_MYSQL_URL start_mysql DBSHIFT_TEST_SKIP_MYSQL
"$@"
