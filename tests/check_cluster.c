/* SPDX-License-Identifier: MIT */
/*
 * check_cluster.c - the run lock where session locks do not hold, and the
 * lease's safety: concurrent runners on the three nodes of a Galera
 * cluster and behind PgBouncer in transaction pooling (both servers from
 * tests/with-servers.sh), the lease heartbeat during a migration longer
 * than the lease, fencing when the lease is lost, takeover from a killed
 * holder, read-only servers, multi-host URLs, and --ddl-lock-timeout
 * against a transaction held open.
 */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dialects.h"
#include "fixture.h"
#include "suites.h"

#define N_RUNNERS 6
#define N_MIGRATIONS 8

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

/* Wait for the Galera cluster that with-servers.sh starts in the
 * background; 0 when it is deliberately absent (the test returns). */
static int galera_ready(void)
{
	const char *state = getenv("DBSHIFT_TEST_GALERA_STATE");
	double deadline = now_s() + 300;
	char *text, *log;

	if (getenv("DBSHIFT_TEST_SKIP_GALERA") != NULL)
		return 0;
	ck_assert_msg(getenv("DBSHIFT_TEST_GALERA_URLS") != NULL,
		      "DBSHIFT_TEST_GALERA_URLS not set: run the tests "
		      "under tests/with-servers.sh");
	if (state == NULL)
		return 1; /* given by the environment: running already */
	while (access(state, R_OK) != 0) {
		ck_assert_msg(now_s() < deadline,
			      "Galera cluster not ready after 300 s");
		sleep_s(0.5);
	}
	text = fx_read(state);
	if (strncmp(text, "ready", 5) != 0) {
		log = fx_read(getenv("DBSHIFT_TEST_GALERA_LOG"));
		ck_abort_msg("Galera cluster failed to start:\n%s", log);
	}
	free(text);
	return 1;
}

/* The three node URLs, each with database db. */
static void galera_urls(char urls[3][512], const char *db)
{
	const char *p = getenv("DBSHIFT_TEST_GALERA_URLS");
	size_t len;
	int n = 0;

	while (n < 3 && *p != '\0') {
		len = strcspn(p, " ");
		if (len > 0)
			snprintf(urls[n++], sizeof(urls[0]), "%.*s%s", (int)len,
				 p, db);
		p += len + (p[len] == ' ');
	}
	ck_assert_int_eq(n, 3);
}

/* Wait until every node shows database db (the other nodes apply the
 * CREATE DATABASE a moment after the first one returns). */
static void galera_wait_db(char urls[3][512], const char *db)
{
	char sql[256], *got;
	double deadline = now_s() + 30;
	int n;

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM information_schema.schemata WHERE "
		 "schema_name = '%s'",
		 db);
	for (n = 0; n < 3; n++) {
		for (;;) {
			got = fx_db_query(urls[n], sql);
			if (strcmp(got, "1") == 0)
				break;
			free(got);
			ck_assert_msg(now_s() < deadline,
				      "database %s not on node %d", db, n + 1);
			sleep_s(0.1);
		}
		free(got);
	}
}

/* N_MIGRATIONS migrations in dir "migrations": each creates its own
 * table and adds two rows to a shared one, so that a migration applied
 * twice either fails or shows in the row count. */
static void write_migrations(void)
{
	char name[64], sql[256];
	int i;

	fx_write("migrations/000_lots.up.sql",
		 "CREATE TABLE lots (id INT PRIMARY KEY, v INT);\n");
	for (i = 1; i <= N_MIGRATIONS; i++) {
		snprintf(name, sizeof(name), "migrations/%03d_t%d.up.sql", i,
			 i);
		snprintf(sql, sizeof(sql),
			 "CREATE TABLE t%d (id INT PRIMARY KEY);\n"
			 "INSERT INTO lots VALUES (%d, 1);\n"
			 "INSERT INTO lots VALUES (%d, 2);\n",
			 i, 2 * i, 2 * i + 1);
		fx_write(name, sql);
	}
}

/* The kind of lock a runner on url takes by default, and why. */
static dbshift_lock_kind lock_info(const char *url, char *why, size_t size)
{
	dbshift_runner *r = fx_open_runner(url);
	dbshift_lock_kind kind = DBSHIFT_LOCK_DEFAULT;
	const char *reason = NULL;

	ck_assert_msg(dbshift_runner_lock_info(r, &kind, &reason) == 0, "%s",
		      dbshift_runner_error(r)->message);
	snprintf(why, size, "%s", reason);
	dbshift_runner_free(r);
	return kind;
}

/* N_RUNNERS processes run up at once with default options, runner i on
 * urls[i % n_urls]; every one must succeed. */
static void concurrent_up(char urls[][512], int n_urls)
{
	char dir[1024];

	snprintf(dir, sizeof(dir), "%s", fx_path("migrations"));
	fx_concurrent_up(urls, n_urls, N_RUNNERS, dir, DBSHIFT_LOCK_AUTO);
}

static void check_applied_once(const char *url)
{
	char *got;

	got = fx_db_query(url, "SELECT count(*) FROM dbshift_migrations "
			       "WHERE state = 'applied'");
	ck_assert_str_eq(got, "9");
	free(got);
	got = fx_db_query(url, "SELECT count(*) FROM dbshift_migrations");
	ck_assert_str_eq(got, "9");
	free(got);
	got = fx_db_query(url, "SELECT count(*) FROM lots");
	ck_assert_str_eq(got, "16");
	free(got);
	got = fx_db_query(url, "SELECT count(*) FROM dbshift_locks");
	ck_assert_str_eq(got, "0");
	free(got);
}

/* Runners on all three nodes of a Galera cluster, default options: the
 * driver finds wsrep_on, the lease is used, each migration runs once. */
START_TEST(test_cluster_galera_concurrent_up)
{
	char urls[3][512], why[320], db[64];

	if (!galera_ready())
		return;
	snprintf(db, sizeof(db), "dbshift_g_%ld", (long)getpid());
	galera_urls(urls, "");
	{
		char sql[128];

		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
		fx_db_exec(urls[0], sql);
		galera_wait_db(urls, db);
	}
	galera_urls(urls, db);
	ck_assert_int_eq(lock_info(urls[1], why, sizeof(why)),
			 DBSHIFT_LOCK_TABLE);
	ck_assert_has(why, "Galera");
	write_migrations();
	concurrent_up(urls, 3);
	check_applied_once(urls[2]);
	{
		char sql[128];

		galera_urls(urls, "");
		snprintf(sql, sizeof(sql), "DROP DATABASE %s", db);
		fx_db_exec(urls[0], sql);
	}
}
END_TEST

/* The fresh PostgreSQL database url, reached through PgBouncer. */
static void through_bouncer(char *out, size_t size, const char *url)
{
	const char *bouncer = getenv("DBSHIFT_TEST_PGBOUNCER_URL");
	const char *db = strrchr(url, '/');
	const char *base_end = strrchr(bouncer, '/');

	snprintf(out, size, "%.*s%s", (int)(base_end - bouncer), bouncer, db);
}

/* Runners behind PgBouncer in transaction pooling, default options: the
 * driver sees the pooler, the lease is used, each migration runs once.
 * Straight to the server, the session lock stays the choice. */
START_TEST(test_cluster_pgbouncer_concurrent_up)
{
	char direct[1024], urls[1][512], why[320];

	if (!fx_dialect_ready(FX_POSTGRES))
		return;
	if (getenv("DBSHIFT_TEST_SKIP_PGBOUNCER") != NULL)
		return;
	ck_assert_msg(getenv("DBSHIFT_TEST_PGBOUNCER_URL") != NULL,
		      "DBSHIFT_TEST_PGBOUNCER_URL not set");
	snprintf(direct, sizeof(direct), "%s", fx_fresh_url(FX_POSTGRES));
	through_bouncer(urls[0], sizeof(urls[0]), direct);
	ck_assert_int_eq(lock_info(direct, why, sizeof(why)),
			 DBSHIFT_LOCK_ADVISORY);
	ck_assert_int_eq(lock_info(urls[0], why, sizeof(why)),
			 DBSHIFT_LOCK_TABLE);
	ck_assert_has(why, "pooler");
	write_migrations();
	concurrent_up(urls, 1);
	check_applied_once(direct);
}
END_TEST

/* Run the CLI in a child process; returns its pid. The child exits 0
 * when the CLI's exit status is want and its stderr holds needle (when
 * not NULL), else 1, showing what it got. */
static pid_t cli_async(const char *const *env, const char *const *argv,
		       int want, const char *needle)
{
	pid_t pid = fork();

	ck_assert(pid >= 0);
	if (pid == 0) {
		fx_run run;
		int ok;

		/* A group of its own, so that it can be killed with the CLI
		 * it runs. */
		setpgid(0, 0);
		run = fx_cli_env(env, argv);
		ok = run.status == want &&
		     (needle == NULL || strstr(run.err, needle) != NULL);

		if (!ok)
			fprintf(stderr, "%s: exit %d (wanted %d)\n%s%s\n",
				argv[0], run.status, want, run.out, run.err);
		_exit(ok ? 0 : 1);
	}
	setpgid(pid, pid);
	return pid;
}

/* The test's migrations directory, for CLI runs in other processes. */
static const char *migrations_dir(void)
{
	static char dir[1024];

	snprintf(dir, sizeof(dir), "app=%s", fx_path("migrations"));
	return dir;
}

/* argv (8 entries) of "up -u url --lock=table -s DIR [extra]". */
static void table_up_argv(const char **argv, const char *url, const char *extra)
{
	argv[0] = "up";
	argv[1] = "-u";
	argv[2] = url;
	argv[3] = "--lock=table";
	argv[4] = "-s";
	argv[5] = migrations_dir();
	argv[6] = extra;
	argv[7] = NULL;
}

static void check_child(pid_t pid, const char *what)
{
	int status;

	ck_assert(waitpid(pid, &status, 0) == pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "%s did not go as expected", what);
}

/* A migration that runs longer than the lease: the heartbeat keeps the
 * lease, so a second run started meanwhile times out instead of taking
 * the lease over and running the migration a second time. */
START_TEST(test_cluster_lease_heartbeat)
{
	static const char *const env[] = {"DBSHIFT_LOCK_LEASE_SECONDS=3", NULL};
	char url[1024];
	const char *argv_a[8], *argv_b[8];
	pid_t a, b;
	char *got;

	if (!fx_dialect_ready(FX_POSTGRES))
		return;
	snprintf(url, sizeof(url), "%s", fx_fresh_url(FX_POSTGRES));
	fx_write("migrations/001_slow.up.sql",
		 "SELECT pg_sleep(7);\nCREATE TABLE slow (a INT);\n");
	table_up_argv(argv_a, url, NULL);
	a = cli_async(env, argv_a, 0, NULL);
	sleep_s(1.5);
	table_up_argv(argv_b, url, "--lock-timeout=4");
	b = cli_async(env, argv_b, 1, "timed out after 4 s waiting for lock");
	check_child(b, "the second run");
	check_child(a, "the long run");
	got = fx_db_query(url, "SELECT count(*) FROM dbshift_migrations");
	ck_assert_str_eq(got, "1");
	free(got);
}
END_TEST

/* An operator removes the lease while a migration runs: the run finds
 * out before it writes the history and stops; the migration's
 * transaction is rolled back. */
START_TEST(test_cluster_lease_fencing)
{
	char url[1024];
	const char *argv_a[8];
	pid_t a;

	if (!fx_dialect_ready(FX_POSTGRES))
		return;
	snprintf(url, sizeof(url), "%s", fx_fresh_url(FX_POSTGRES));
	fx_write("migrations/001_slow.up.sql",
		 "SELECT pg_sleep(4);\nCREATE TABLE fenced (a INT);\n");
	table_up_argv(argv_a, url, NULL);
	a = cli_async(NULL, argv_a, 1,
		      "lost the run lock before recording app/001");
	sleep_s(2);
	fx_expect_err(2, "refusing to unlock without --yes", "unlock", "-u",
		      url, NULL);
	fx_expect_out(0, "removed lease 'dbshift:dbshift_migrations' held by",
		      "unlock", "--yes", "-u", url, NULL);
	check_child(a, "the fenced run");
	ck_assert(!fx_db_has_table(url, "fenced"));
	if (fx_db_has_table(url, "dbshift_migrations")) {
		char *got = fx_db_query(url, "SELECT count(*) FROM "
					     "dbshift_migrations");

		ck_assert_str_eq(got, "0");
		free(got);
	}
	fx_expect_out(0, "no lease to remove", "unlock", "--yes", "-u", url,
		      NULL);
}
END_TEST

/* A run holding the lease is killed: the next run finds the holder's
 * session gone and takes over at once, not when the (here 10-minute)
 * lease expires. */
START_TEST(test_cluster_lease_holder_killed)
{
	static const char *const env[] = {"DBSHIFT_LOCK_LEASE_SECONDS=600",
					  NULL};
	char url[1024];
	const char *argv_a[8];
	double start;
	pid_t a;
	int status;
	fx_run run;
	const char *const argv_b[] = {
		"up", "-u", url, "--lock=table", "--lock-timeout=60", NULL};

	if (!fx_dialect_ready(FX_POSTGRES))
		return;
	snprintf(url, sizeof(url), "%s", fx_fresh_url(FX_POSTGRES));
	fx_write("migrations/001_slow.up.sql",
		 "SELECT pg_sleep(2);\nCREATE TABLE once (a INT);\n");
	table_up_argv(argv_a, url, NULL);
	a = cli_async(env, argv_a, 0, NULL);
	sleep_s(1);
	/* The child and the CLI it runs are one process group. */
	ck_assert(kill(-a, SIGKILL) == 0 || kill(a, SIGKILL) == 0);
	waitpid(a, &status, 0);
	start = now_s();
	run = fx_cli_env(env, argv_b);
	ck_assert_exit(run, 0);
	ck_assert_msg(now_s() - start < 30,
		      "took %.1f s to take over the lease", now_s() - start);
	fx_run_free(&run);
	ck_assert(fx_db_has_table(url, "once"));
}
END_TEST

/* Read-only servers are refused before anything is written. */
START_TEST(test_cluster_read_only_pg)
{
	char url[1024], sql[1200], *db;

	if (!fx_dialect_ready(FX_POSTGRES))
		return;
	snprintf(url, sizeof(url), "%s", fx_fresh_url(FX_POSTGRES));
	db = strrchr(url, '/') + 1;
	snprintf(sql, sizeof(sql),
		 "ALTER DATABASE %s SET default_transaction_read_only = on",
		 db);
	fx_db_exec(getenv("DBSHIFT_TEST_PG_URL"), sql);
	fx_write("migrations/001_a.up.sql", "CREATE TABLE a (x INT);\n");
	fx_expect_err(1, "accepts no writes (default_transaction_read_only",
		      "up", "-u", url, NULL);
	snprintf(sql, sizeof(sql),
		 "ALTER DATABASE %s SET default_transaction_read_only = off",
		 db);
	fx_db_exec(getenv("DBSHIFT_TEST_PG_URL"), sql);
	ck_assert(!fx_db_has_table(url, "dbshift_migrations"));
	ck_assert(!fx_db_has_table(url, "a"));
}
END_TEST

START_TEST(test_cluster_read_only_mysql)
{
	char url[1024], user_url[1200], sql[1200], *db, *at;
	const char *admin;

	if (!fx_dialect_ready(FX_MYSQL))
		return;
	admin = getenv("DBSHIFT_TEST_MYSQL_URL");
	snprintf(url, sizeof(url), "%s", fx_fresh_url(FX_MYSQL));
	db = strrchr(url, '/') + 1;
	snprintf(sql, sizeof(sql),
		 "CREATE USER IF NOT EXISTS 'dbshift_ro'@'127.0.0.1' "
		 "IDENTIFIED BY 'ro'; GRANT ALL ON %s.* TO "
		 "'dbshift_ro'@'127.0.0.1'",
		 db);
	fx_db_exec(admin, sql);
	at = strchr(url, '@');
	snprintf(user_url, sizeof(user_url), "mysql://dbshift_ro:ro%s", at);
	fx_write("migrations/001_a.up.sql", "CREATE TABLE a (x INT);\n");
	fx_db_exec(admin, "SET GLOBAL read_only = 1");
	{
		const char *const argv[] = {"up", "-u", user_url, NULL};
		fx_run run = fx_cli_env(NULL, argv);

		fx_db_exec(admin, "SET GLOBAL read_only = 0");
		ck_assert_exit(run, 1);
		ck_assert_has(run.err, "accepts no writes (read_only is ON");
		fx_run_free(&run);
	}
	fx_db_exec(admin, "DROP USER 'dbshift_ro'@'127.0.0.1'");
	ck_assert(!fx_db_has_table(url, "dbshift_migrations"));
}
END_TEST

/* A multi-host URL whose first host is down: libpq goes on to the next,
 * the one that accepts writes with target_session_attrs=read-write. */
START_TEST(test_cluster_pg_multi_host)
{
	char url[1024], multi[1200];
	const char *host;

	if (!fx_dialect_ready(FX_POSTGRES))
		return;
	snprintf(url, sizeof(url), "%s", fx_fresh_url(FX_POSTGRES));
	host = strstr(url, "@") + 1;
	/* Port 1 on loopback: nothing listens there. */
	snprintf(multi, sizeof(multi),
		 "postgres://postgres@127.0.0.1:1,%s?target_session_attrs="
		 "read-write",
		 host);
	fx_write("migrations/001_a.up.sql", "CREATE TABLE a (x INT);\n");
	fx_expect_out(0, "applied 1 migration", "up", "-u", multi, NULL);
	ck_assert(fx_db_has_table(url, "a"));
}
END_TEST

/* The fresh PostgreSQL database url, on the hot standby. */
static void on_standby(char *out, size_t size, const char *url)
{
	const char *standby = getenv("DBSHIFT_TEST_PG_STANDBY_URL");
	const char *db = strrchr(url, '/');
	const char *base_end = strrchr(standby, '/');

	snprintf(out, size, "%.*s%s", (int)(base_end - standby), standby, db);
}

/* The host:port part of a postgres://user@host:port/db URL. */
static void host_port(char *out, size_t size, const char *url)
{
	const char *at = strchr(url, '@') + 1;

	snprintf(out, size, "%.*s", (int)strcspn(at, "/"), at);
}

/* Wait until the standby has replayed everything the primary wrote. */
static void standby_catch_up(void)
{
	char *lsn = fx_db_query(getenv("DBSHIFT_TEST_PG_URL"),
				"SELECT pg_current_wal_lsn()");
	char sql[200], *done = NULL;
	double deadline = now_s() + 60;

	snprintf(sql, sizeof(sql),
		 "SELECT pg_last_wal_replay_lsn() >= '%s'::pg_lsn", lsn);
	free(lsn);
	for (;;) {
		done = fx_db_query(getenv("DBSHIFT_TEST_PG_STANDBY_URL"), sql);
		if (strcmp(done, "t") == 0)
			break;
		free(done);
		ck_assert_msg(now_s() < deadline,
			      "the standby did not catch up in 60 s");
		sleep_s(0.1);
	}
	free(done);
}

/* A real hot standby (streaming replication from the test server): up and
 * down straight to it are refused before anything is written; a multi-host
 * URL naming the standby first goes to the primary with
 * target_session_attrs=read-write; status reads the replicated history on
 * the standby. */
START_TEST(test_cluster_pg_hot_standby)
{
	char url[1024], standby[1200], multi[1400], s_host[256], p_host[256];

	if (!fx_dialect_ready(FX_POSTGRES))
		return;
	if (getenv("DBSHIFT_TEST_SKIP_PG_STANDBY") != NULL)
		return;
	ck_assert_msg(getenv("DBSHIFT_TEST_PG_STANDBY_URL") != NULL,
		      "DBSHIFT_TEST_PG_STANDBY_URL not set: run the tests "
		      "under tests/with-servers.sh");
	snprintf(url, sizeof(url), "%s", fx_fresh_url(FX_POSTGRES));
	on_standby(standby, sizeof(standby), url);
	standby_catch_up(); /* the fresh database exists there too */
	fx_write("migrations/001_a.up.sql", "CREATE TABLE a (x INT);\n");
	fx_write("migrations/001_a.down.sql", "DROP TABLE a;\n");
	fx_expect_err(1,
		      "accepts no writes (hot standby: the server is in "
		      "recovery); nothing was changed",
		      "up", "-u", standby, NULL);
	ck_assert(!fx_db_has_table(url, "dbshift_migrations"));

	host_port(s_host, sizeof(s_host), standby);
	host_port(p_host, sizeof(p_host), url);
	snprintf(multi, sizeof(multi),
		 "postgres://postgres@%s,%s%s?target_session_attrs=read-write",
		 s_host, p_host, strrchr(url, '/'));
	fx_expect_out(0, "applied 1 migration", "up", "-u", multi, NULL);
	ck_assert(fx_db_has_table(url, "a"));

	standby_catch_up();
	fx_expect_out(0, "1 applied", "status", "-u", standby, NULL);
	fx_expect_err(1, "accepts no writes (hot standby", "down", "-u",
		      standby, NULL);
	ck_assert(fx_db_has_table(url, "a"));
}
END_TEST

/* Statements of each dialect: one that holds a lock on table t in an
 * open transaction, and a migration that needs that lock. */
static const char *const blockers[FX_N_DIALECTS] = {"INSERT INTO t VALUES (1)",
						    "SELECT * FROM t",
						    "INSERT INTO t VALUES (1)"};

/* A child holds the blocking transaction for hold_s seconds. */
static pid_t hold_blocker(const char *url, int dialect, double hold_s)
{
	int ready[2];
	char go;
	pid_t pid;

	ck_assert(pipe(ready) == 0);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		void *held = fx_db_hold_tx(url, blockers[dialect]);

		close(ready[0]);
		ck_assert(write(ready[1], "x", 1) == 1);
		sleep_s(hold_s);
		fx_db_release(held);
		_exit(0);
	}
	close(ready[1]);
	ck_assert(read(ready[0], &go, 1) == 1);
	close(ready[0]);
	return pid;
}

/* A migration waiting behind a long transaction gives up after
 * --ddl-lock-timeout, is rolled back and tried again, each attempt
 * reported; while the transaction stays open, it fails after the last
 * attempt with nothing recorded; once it ends, it goes through. */
START_TEST(test_cluster_ddl_lock_timeout)
{
	char url[1024], *got;
	pid_t blocker;

	FX_USE_DIALECT(url);
	/* The history table exists before anything waits. */
	fx_write("migrations/000_t.up.sql", "CREATE TABLE t (a INT);\n");
	fx_expect_out(0, "applied 1 migration", "up", "-u", url, NULL);
	fx_write("migrations/001_alter.up.sql",
		 "ALTER TABLE t ADD COLUMN b INT;\n");
	blocker = hold_blocker(url, _i, 4);
	fx_expect_err(1, "gave up after 2 attempts", "up", "-u", url,
		      "--ddl-lock-timeout=500ms", "--ddl-lock-retries=1", NULL);
	got = fx_db_query(url, "SELECT count(*) FROM dbshift_migrations");
	ck_assert_str_eq(got, "1");
	free(got);
	check_child(blocker, "the blocking transaction");
	blocker = hold_blocker(url, _i, 2);
	fx_expect_err(0, "lock wait timed out (attempt 1 of 4", "up", "-u", url,
		      "--ddl-lock-timeout=1s", NULL);
	check_child(blocker, "the blocking transaction");
	got = fx_db_query(url, "SELECT count(*) FROM dbshift_migrations");
	ck_assert_str_eq(got, "2");
	free(got);
	fx_expect_err(2, "invalid value '5x' for '--ddl-lock-timeout'", "up",
		      "-u", url, "--ddl-lock-timeout=5x", NULL);
}
END_TEST

Suite *cluster_suite(void)
{
	Suite *s = suite_create("cluster");
	TCase *tc = tcase_create("cluster");

	tcase_set_timeout(tc, 400);
	tcase_add_test(tc, test_cluster_pgbouncer_concurrent_up);
	tcase_add_test(tc, test_cluster_lease_heartbeat);
	tcase_add_test(tc, test_cluster_lease_fencing);
	tcase_add_test(tc, test_cluster_lease_holder_killed);
	tcase_add_test(tc, test_cluster_read_only_pg);
	tcase_add_test(tc, test_cluster_read_only_mysql);
	tcase_add_test(tc, test_cluster_pg_multi_host);
	tcase_add_test(tc, test_cluster_pg_hot_standby);
	tcase_add_loop_test(tc, test_cluster_ddl_lock_timeout, 0,
			    FX_N_DIALECTS);
	/* Last: the cluster starts in the background meanwhile. */
	tcase_add_test(tc, test_cluster_galera_concurrent_up);
	suite_add_tcase(s, tc);
	return s;
}
