#!/bin/sh
# SPDX-License-Identifier: MIT
# with-servers.sh COMMAND... - run COMMAND with throwaway PostgreSQL and
# MariaDB servers on 127.0.0.1, data in temporary directories, stopped and
# removed afterwards. The servers' admin URLs reach the tests through
#   DBSHIFT_TEST_PG_URL     postgres://postgres@127.0.0.1:PORT/postgres
#   DBSHIFT_TEST_MYSQL_URL  mysql://dbshift:dbshift@127.0.0.1:PORT/
# and DBSHIFT_TEST_PG_PASSWORD_USER names a PostgreSQL role that must log in
# with its password (the role's name), for wrong-password tests.
# Beside them, for the cluster and pooler tests:
#   DBSHIFT_TEST_GALERA_URLS  three mysql:// URLs, one per node of a
#                             3-node MariaDB Galera cluster (rsync SST),
#                             separated by spaces
#   DBSHIFT_TEST_PGBOUNCER_URL  postgres://postgres@127.0.0.1:PORT/postgres
#                             through PgBouncer in transaction pooling in
#                             front of the PostgreSQL server
#   DBSHIFT_TEST_PG_STANDBY_URL  postgres://postgres@127.0.0.1:PORT/postgres
#                             a hot standby of the PostgreSQL server
#                             (pg_basebackup -R, streaming replication)
# The Galera nodes start in the background (see start_galera).
# A URL already set in the environment is used as it is (no server is
# started for it). When a server's programs are missing, the tests of that
# dialect are skipped with a loud note, unless DBSHIFT_TEST_REQUIRE_SERVERS=1
# (CI), where a missing server is a failure. A server that fails to start
# is skipped the same way. DBSHIFT_TEST_SERVERS=no starts none and skips
# every server test, loudly; DBSHIFT_TEST_CLUSTERS=no starts PostgreSQL and
# MariaDB only (see the end of this file).
#
# PostgreSQL refuses to run as root: as root the cluster is created and run
# as the `postgres` system user with runuser; MariaDB runs as `mysql`.
set -u
# In a sanitizer build, the runtime of GCC up to 13 (LLVM up to 16) can
# take a dynamic TLS block of a dlopen()ed library (libpq's) for an old
# glibc's, and LeakSanitizer's tracer then crashes at a process's exit now
# and then, after its test passed ("Tracer caught signal 11",
# "LeakSanitizer has encountered a fatal error", exit 1). Leaving
# __tls_get_addr alone avoids it; the caller's ASAN_OPTIONS come after and
# win. Other builds ignore the variable.
ASAN_OPTIONS="intercept_tls_get_addr=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export ASAN_OPTIONS
base=$(mktemp -d "${TMPDIR:-/tmp}/dbshift-servers-XXXXXX")
chmod 755 "$base"
pg_pid_dir=
standby_pid_dir=
my_pid_file=
galera_pid=
bouncer_pid_file=
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

stop_pid_file() { # FILE - stop the process named in FILE and wait for it
	[ -f "$1" ] || return 0
	kill "$(cat "$1")" 2>/dev/null
	i=0
	while [ -f "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

cleanup() {
	if [ -n "$galera_pid" ]; then
		kill "$galera_pid" 2>/dev/null
		wait "$galera_pid" 2>/dev/null
	fi
	# Nodes that lost the quorum may not stop on their own in time.
	[ -d "$base/galera" ] && stop_galera_nodes
	if [ -n "$bouncer_pid_file" ]; then
		stop_pid_file "$bouncer_pid_file"
	fi
	if [ -n "$standby_pid_dir" ]; then
		as_user postgres "$pg_bin/pg_ctl" -D "$standby_pid_dir" \
			-m immediate stop >/dev/null 2>&1
	fi
	if [ -n "$pg_pid_dir" ]; then
		as_user postgres "$pg_bin/pg_ctl" -D "$pg_pid_dir" -m immediate \
			stop >/dev/null 2>&1
	fi
	if [ -n "$my_pid_file" ]; then
		stop_pid_file "$my_pid_file"
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
	pg_start "$dir" $port_base $((port_base + 1)) $((port_base + 2)) ||
		return 2
	pg_pid_dir=$dir/data
	DBSHIFT_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
	export DBSHIFT_TEST_PG_URL
	"$pg_bin/psql" -q "$DBSHIFT_TEST_PG_URL" -c \
		"CREATE ROLE dbshift_pw LOGIN PASSWORD 'dbshift_pw'" || return 2
	DBSHIFT_TEST_PG_PASSWORD_USER=dbshift_pw
	export DBSHIFT_TEST_PG_PASSWORD_USER
	return 0
}

# Start the cluster in DIR/data on the first PORT where it starts (left in
# $port), logging to DIR/log; 2 when none.
pg_start() { # DIR PORT...
	d=$1
	shift
	for port in "$@"; do
		as_user postgres "$pg_bin/pg_ctl" -D "$d/data" -w -t 30 \
			-l "$d/log" -o "-p $port -k $d -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
			start >/dev/null 2>&1 && return 0
	done
	cat "$d/log" >&2
	return 2
}

start_mysql() {
	server=$(mysql_server)
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

mysql_server() {
	command -v mariadbd || command -v mysqld || ls /usr/sbin/mariadbd 2>/dev/null
}

# For a server that works with the PostgreSQL server just started:
# pg_bin, the server's port in pg_port, and dir=$base/NAME owned by the
# postgres user. Fails when no PostgreSQL server runs.
beside_pg() { # NAME
	[ -n "${DBSHIFT_TEST_PG_URL:-}" ] || return 1
	[ -n "${pg_bin:-}" ] || pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	pg_port=${DBSHIFT_TEST_PG_URL##*:}
	pg_port=${pg_port%%/*}
	dir=$base/$1
	mkdir -p "$dir"
	[ "$(id -u)" = 0 ] && chown postgres "$dir"
	return 0
}

# PgBouncer in transaction pooling in front of the PostgreSQL server just
# started, everyone trusted, as the postgres user (it refuses root).
start_pgbouncer() {
	bouncer=$(command -v pgbouncer || ls /usr/sbin/pgbouncer 2>/dev/null)
	[ -n "$bouncer" ] || return 1
	beside_pg bouncer || return 1
	echo '"postgres" ""' >"$dir/users.txt"
	for port in $((port_base + 3)) $((port_base + 4)) $((port_base + 8)); do
		printf '%s\n' "[databases]" "* = host=127.0.0.1 port=$pg_port" \
			"[pgbouncer]" "listen_addr = 127.0.0.1" \
			"listen_port = $port" "unix_socket_dir =" \
			"auth_type = trust" "auth_file = $dir/users.txt" \
			"pool_mode = transaction" "default_pool_size = 4" \
			"max_client_conn = 200" "pidfile = $dir/pid" \
			"logfile = $dir/log" >"$dir/bouncer.ini"
		as_user postgres "$bouncer" -d -q "$dir/bouncer.ini" \
			>>"$dir/stderr" 2>&1 || continue
		i=0
		while [ $i -lt 50 ]; do
			if "$pg_bin/psql" -qAt -c "SELECT 1" \
				"postgres://postgres@127.0.0.1:$port/postgres" \
				>/dev/null 2>&1; then
				bouncer_pid_file=$dir/pid
				DBSHIFT_TEST_PGBOUNCER_URL="postgres://postgres@127.0.0.1:$port/postgres"
				export DBSHIFT_TEST_PGBOUNCER_URL
				return 0
			fi
			sleep 0.1
			i=$((i + 1))
		done
		stop_pid_file "$dir/pid"
	done
	cat "$dir/log" "$dir/stderr" >&2 2>/dev/null
	return 2
}

# A hot standby of the PostgreSQL server just started: a base backup
# with -R (standby.signal and primary_conninfo), started read-only.
start_pg_standby() {
	beside_pg pgstandby || return 1
	[ -x "$pg_bin/pg_basebackup" ] || return 1
	as_user postgres "$pg_bin/pg_basebackup" -h 127.0.0.1 -p "$pg_port" \
		-U postgres -D "$dir/data" -R -X stream --no-sync \
		>"$dir/basebackup.log" 2>&1 || {
		cat "$dir/basebackup.log" >&2
		return 2
	}
	# max_connections as on the primary (a standby needs at least as
	# many); hot_standby is on by default: read-only queries are served.
	pg_start "$dir" $((port_base + 5)) $((port_base + 6)) \
		$((port_base + 9)) || return 2
	standby_pid_dir=$dir/data
	DBSHIFT_TEST_PG_STANDBY_URL="postgres://postgres@127.0.0.1:$port/postgres"
	export DBSHIFT_TEST_PG_STANDBY_URL
	return 0
}

# One Galera node: N (1-3) of the cluster in $base/galera, joining the
# first node unless it is the first. Waits until it is synced.
galera_node() {
	n=$1
	d=$base/galera/n$n
	gport=$((galera_base + n))
	if [ "$n" = 1 ]; then
		address=gcomm://
	else
		address=gcomm://127.0.0.1:$((galera_base + 1))
	fi
	"$server" --no-defaults $user_opt --datadir="$d/data" \
		--port=$((galera_base + 10 + n)) --bind-address=127.0.0.1 \
		--socket="$d/sock" --pid-file="$d/pid" --log-error="$d/log.err" \
		--tmpdir="$d" \
		--skip-log-bin --innodb-flush-log-at-trx-commit=0 \
		--innodb-buffer-pool-size=32M --max-connections=100 \
		--wsrep-on=ON --wsrep-provider="$galera_lib" \
		--wsrep-cluster-address="$address" --wsrep-cluster-name=dbshift \
		--wsrep-node-name="n$n" --wsrep-node-address="127.0.0.1:$gport" \
		--wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:$gport;ist.recv_addr=127.0.0.1:$((galera_base + 3 + n));gcache.size=16M" \
		--wsrep-sst-method=rsync \
		--wsrep-sst-receive-address="127.0.0.1:$((galera_base + 6 + n))" \
		--binlog-format=ROW --default-storage-engine=InnoDB \
		--innodb-autoinc-lock-mode=2 >>"$d/stderr" 2>&1 &
	i=0
	while [ $i -lt 600 ]; do
		state=$(mariadb --no-defaults --socket="$d/sock" -uroot -N -e \
			"SHOW STATUS LIKE 'wsrep_local_state_comment'" \
			2>/dev/null | cut -f2)
		[ "$state" = Synced ] && return 0
		kill -0 $! 2>/dev/null || break
		sleep 0.2
		i=$((i + 1))
	done
	cat "$d/log.err" >&2
	return 2
}

# Stop every node of the Galera cluster, also one that wrote no pid file.
stop_galera_nodes() {
	for f in "$base"/galera/n*/pid; do
		stop_pid_file "$f"
	done
	# Anything still running on the cluster's files: a node (its
	# --datadir), and the rsync daemon and SST script of a node that was
	# joining (their --config and --datadir are under it too).
	command -v pkill >/dev/null &&
		pkill -KILL -f -- "$base/galera/" 2>/dev/null
	sleep 1
}

# A 3-node Galera cluster on loopback, run in the background. A full state transfer
# (rsync SST) costs some 20 s a node, one donor at a time; so the first
# node starts once alone to create its cluster state, stops, and the
# other nodes start from copies of its data directory: they then join
# the restarted first node with nothing to transfer.
start_galera_cluster() {
	mkdir -p "$base/galera/n1"
	[ "$(id -u)" = 0 ] && chown mysql "$base/galera/n1"
	mariadb-install-db --no-defaults $user_opt \
		--datadir="$base/galera/n1/data" \
		--auth-root-authentication-method=socket \
		--skip-test-db >"$base/galera/install.log" 2>&1 || return 2
	galera_node 1 || return 2
	mariadb --no-defaults --socket="$base/galera/n1/sock" -uroot -e "
CREATE USER 'dbshift'@'127.0.0.1' IDENTIFIED BY 'dbshift';
GRANT ALL ON *.* TO 'dbshift'@'127.0.0.1';" || return 2
	stop_pid_file "$base/galera/n1/pid"
	rm -f "$base/galera/n1/log.err"
	for n in 2 3; do
		cp -a "$base/galera/n1" "$base/galera/n$n"
		sed -i 's/^safe_to_bootstrap: 1/safe_to_bootstrap: 0/' \
			"$base/galera/n$n/data/grastate.dat"
	done
	galera_node 1 || return 2
	galera_node 2 &
	n2=$!
	galera_node 3 || return 2
	wait $n2 || return 2
}

# Start the Galera cluster in the background: the tests that need it
# wait for $DBSHIFT_TEST_GALERA_STATE to say "ready" (or "failed"; the
# log is $DBSHIFT_TEST_GALERA_LOG), so that the joiners' state transfers
# overlap the other tests.
start_galera() {
	[ -n "${DBSHIFT_TEST_GALERA_URLS:-}" ] && return 0
	server=$(mysql_server)
	galera_lib=$(ls /usr/lib/galera/libgalera_smm.so \
		/usr/lib/*/galera/libgalera_smm.so 2>/dev/null | head -n 1)
	if [ -z "$server" ] || [ -z "$galera_lib" ] ||
		! command -v rsync >/dev/null ||
		! command -v mariadb-install-db >/dev/null; then
		if [ "$require" = 1 ]; then
			note "Galera (galera-4, rsync, mariadbd) not found, and DBSHIFT_TEST_REQUIRE_SERVERS=1"
			exit 1
		fi
		note "*** Galera (galera-4, rsync) not found: cluster tests are SKIPPED ***"
		DBSHIFT_TEST_SKIP_GALERA=1
		export DBSHIFT_TEST_SKIP_GALERA
		return 0
	fi
	user_opt=
	[ "$(id -u)" = 0 ] && user_opt=--user=mysql
	galera_base=$((port_base + 12000))
	DBSHIFT_TEST_GALERA_STATE=$base/galera-state
	DBSHIFT_TEST_GALERA_LOG=$base/galera-start.log
	DBSHIFT_TEST_GALERA_URLS=
	for n in 1 2 3; do
		DBSHIFT_TEST_GALERA_URLS="$DBSHIFT_TEST_GALERA_URLS${DBSHIFT_TEST_GALERA_URLS:+ }mysql://dbshift:dbshift@127.0.0.1:$((galera_base + 10 + n))/"
	done
	export DBSHIFT_TEST_GALERA_STATE DBSHIFT_TEST_GALERA_LOG \
		DBSHIFT_TEST_GALERA_URLS
	# A node that does not get Synced (seen once on a loaded machine)
	# costs one more try from scratch before the cluster tests fail; the
	# first try's logs stay in $DBSHIFT_TEST_GALERA_LOG.
	(
		if start_galera_cluster || {
			echo "with-servers: Galera cluster failed to start; trying once more"
			stop_galera_nodes
			rm -rf "$base/galera"
			start_galera_cluster
		}; then
			echo ready >"$DBSHIFT_TEST_GALERA_STATE.new"
		else
			echo failed >"$DBSHIFT_TEST_GALERA_STATE.new"
		fi
		mv "$DBSHIFT_TEST_GALERA_STATE.new" "$DBSHIFT_TEST_GALERA_STATE"
	) >"$DBSHIFT_TEST_GALERA_LOG" 2>&1 &
	galera_pid=$!
	note "Galera cluster starting in the background: $DBSHIFT_TEST_GALERA_URLS"
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
		if [ "$require" = 1 ]; then
			note "$name server failed to start, and DBSHIFT_TEST_REQUIRE_SERVERS=1"
			exit 1
		fi
		note "*** $name server failed to start: its tests are SKIPPED ***"
		eval "$skip=1; export $skip"
		;;
	esac
}

# Packagers: DBSHIFT_TEST_SERVERS=no starts no server and skips the tests
# that need one, saying so.
if [ "${DBSHIFT_TEST_SERVERS:-yes}" = no ]; then
	if [ "$require" = 1 ]; then
		note "DBSHIFT_TEST_SERVERS=no, but DBSHIFT_TEST_REQUIRE_SERVERS=1"
		exit 1
	fi
	note "*** DBSHIFT_TEST_SERVERS=no: PostgreSQL, MariaDB, Galera and PgBouncer tests are SKIPPED ***"
	unset DBSHIFT_TEST_PG_URL DBSHIFT_TEST_MYSQL_URL \
		DBSHIFT_TEST_GALERA_URLS DBSHIFT_TEST_PGBOUNCER_URL \
		DBSHIFT_TEST_PG_STANDBY_URL
	DBSHIFT_TEST_SKIP_PG=1 DBSHIFT_TEST_SKIP_MYSQL=1
	DBSHIFT_TEST_SKIP_GALERA=1 DBSHIFT_TEST_SKIP_PGBOUNCER=1
	DBSHIFT_TEST_SKIP_PG_STANDBY=1
	export DBSHIFT_TEST_SKIP_PG DBSHIFT_TEST_SKIP_MYSQL \
		DBSHIFT_TEST_SKIP_GALERA DBSHIFT_TEST_SKIP_PGBOUNCER \
		DBSHIFT_TEST_SKIP_PG_STANDBY
	rm -rf "$base"
	exec "$@"
fi

# DBSHIFT_TEST_CLUSTERS=no starts PostgreSQL and MariaDB only: no Galera
# cluster, PgBouncer or hot standby, whose tests are then skipped, saying
# so. bench/run.sh sets it (a Galera start in the background would skew
# its timings), and so does tests/check-all.sh for the share of the suites
# that needs no cluster. It is a request, so it holds under
# DBSHIFT_TEST_REQUIRE_SERVERS=1, which still requires the two servers.
clusters=${DBSHIFT_TEST_CLUSTERS:-yes}
if [ "$clusters" = no ]; then
	note "*** DBSHIFT_TEST_CLUSTERS=no: Galera, PgBouncer and hot standby tests are SKIPPED ***"
	unset DBSHIFT_TEST_GALERA_URLS DBSHIFT_TEST_PGBOUNCER_URL \
		DBSHIFT_TEST_PG_STANDBY_URL
	DBSHIFT_TEST_SKIP_GALERA=1 DBSHIFT_TEST_SKIP_PGBOUNCER=1
	DBSHIFT_TEST_SKIP_PG_STANDBY=1
	export DBSHIFT_TEST_SKIP_GALERA DBSHIFT_TEST_SKIP_PGBOUNCER \
		DBSHIFT_TEST_SKIP_PG_STANDBY
else
	start_galera
fi
server PostgreSQL DBSHIFT_TEST_PG_URL start_pg DBSHIFT_TEST_SKIP_PG
server MariaDB DBSHIFT_TEST_MYSQL_URL start_mysql DBSHIFT_TEST_SKIP_MYSQL
if [ "$clusters" != no ]; then
	server PgBouncer DBSHIFT_TEST_PGBOUNCER_URL start_pgbouncer \
		DBSHIFT_TEST_SKIP_PGBOUNCER
	server "PostgreSQL hot standby" DBSHIFT_TEST_PG_STANDBY_URL \
		start_pg_standby DBSHIFT_TEST_SKIP_PG_STANDBY
fi
"$@"
