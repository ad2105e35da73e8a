/* SPDX-License-Identifier: MIT */
/*
 * dialects.c - fresh databases per test on every dialect, inspected
 * through the built drivers (loaded the way the core loads them), so that
 * one assertion reads the same on SQLite, PostgreSQL and MariaDB.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dbshift/driver.h"
#include "dialects.h"
#include "error.h"
#include "fixture.h"
#include "loader.h"

static const struct {
	const char *name;
	const char *driver;
	const char *url_env;
	const char *skip_env;
	int built; /* config.h: configure --without-DRIVER says 0 */
} dialects[FX_N_DIALECTS] = {
	{"sqlite", "sqlite", NULL, NULL, HAVE_DRIVER_SQLITE},
	{"postgres", "pg", "DBSHIFT_TEST_PG_URL", "DBSHIFT_TEST_SKIP_PG",
	 HAVE_DRIVER_PG},
	{"mysql", "mysql", "DBSHIFT_TEST_MYSQL_URL", "DBSHIFT_TEST_SKIP_MYSQL",
	 HAVE_DRIVER_MYSQL},
};

/* Every server the tests may be given, by the dialect whose driver its
 * tests need; each server test honours its skip variable. */
static const struct {
	int dialect;
	const char *url_env;
	const char *skip_env;
} servers[] = {
	{FX_POSTGRES, "DBSHIFT_TEST_PG_URL", "DBSHIFT_TEST_SKIP_PG"},
	{FX_POSTGRES, "DBSHIFT_TEST_PGBOUNCER_URL",
	 "DBSHIFT_TEST_SKIP_PGBOUNCER"},
	{FX_POSTGRES, "DBSHIFT_TEST_PG_STANDBY_URL",
	 "DBSHIFT_TEST_SKIP_PG_STANDBY"},
	{FX_MYSQL, "DBSHIFT_TEST_MYSQL_URL", "DBSHIFT_TEST_SKIP_MYSQL"},
	{FX_MYSQL, "DBSHIFT_TEST_GALERA_URLS", "DBSHIFT_TEST_SKIP_GALERA"},
};

/* Databases created by this test process, dropped at exit. A test that
 * fails may end without running atexit handlers; its databases then stay
 * on the server until the throwaway server itself is removed
 * (tests/with-servers.sh). */
static char created[16][128];
static int created_dialect[16];
static int n_created;
static unsigned fresh_counter;

const char *fx_dialect_name(int d)
{
	return dialects[d].name;
}

static const dbshift_driver *driver_of(int d)
{
	const dbshift_driver *drv = NULL;
	dbshift__err err;

	dbshift__err_init(&err);
	ck_assert_msg(dbshift__loader_load(&drv, dialects[d].driver,
					   fx_driver_dir(), &err) == 0,
		      "load driver %s: %s", dialects[d].driver, err.message);
	return drv;
}

static int dialect_of_url(const char *url)
{
	if (strncmp(url, "postgres", 8) == 0)
		return FX_POSTGRES;
	if (strncmp(url, "mysql", 5) == 0 || strncmp(url, "mariadb", 7) == 0)
		return FX_MYSQL;
	return FX_SQLITE;
}

static dbshift_driver_conn *connect_url(const dbshift_driver *drv,
					const char *url)
{
	dbshift_driver_conn *conn = NULL;
	dbshift_diag diag;

	dbshift__diag_init(&diag);
	ck_assert_msg(drv->open(&conn, url, &diag) == 0, "connect %s: %s", url,
		      diag.message);
	return conn;
}

int fx_dialects_init(void)
{
	const char *require = getenv("DBSHIFT_TEST_REQUIRE_SERVERS");
	size_t i;
	int d;

	for (d = 0; d < FX_N_DIALECTS; d++) {
		if (dialects[d].built)
			continue;
		fprintf(stderr,
			"*** the %s driver is not built (configure "
			"--without-%s): its tests are SKIPPED ***\n",
			dialects[d].driver, dialects[d].driver);
		if (require != NULL && strcmp(require, "1") == 0) {
			fprintf(stderr,
				"the %s driver is not built, and "
				"DBSHIFT_TEST_REQUIRE_SERVERS=1\n",
				dialects[d].driver);
			return -1;
		}
	}
	for (i = 0; i < sizeof(servers) / sizeof(servers[0]); i++) {
		if (dialects[servers[i].dialect].built)
			continue;
		unsetenv(servers[i].url_env);
		setenv(servers[i].skip_env, "1", 1);
	}
	return 0;
}

/* Suites whose tests nearly all run on SQLite (the default dialect of
 * the CLI and of most scenarios, and the base of the fault-injecting test
 * drivers): without the SQLite driver they are skipped as a whole. */
static const char *const sqlite_suites[] = {
	"loader",  "conformance", "driver_sqlite", "runner",	"realworld",
	"admin",   "adopt",	  "badinput",	   "oom",	"faults",
	"cli",	   "cli_admin",	  "cli_tty",	   "embedded",	"code",
	"runcost", "verify",	  "testing",	   "directory",
};

int fx_suite_skipped(const char *suite)
{
	size_t i;

	if (dialects[FX_SQLITE].built)
		return 0;
	for (i = 0; i < sizeof(sqlite_suites) / sizeof(sqlite_suites[0]); i++)
		if (strcmp(sqlite_suites[i], suite) == 0) {
			fprintf(stderr,
				"*** suite %s needs the sqlite driver, not "
				"built: SKIPPED ***\n",
				suite);
			return 1;
		}
	return 0;
}

int fx_dialect_built(int d)
{
	if (!dialects[d].built)
		fprintf(stderr, "SKIPPED: needs the %s driver, not built\n",
			dialects[d].driver);
	return dialects[d].built;
}

int fx_dialect_ready(int d)
{
	const char *skip;

	if (!fx_dialect_built(d))
		return 0;
	if (dialects[d].url_env == NULL)
		return 1;
	if (getenv(dialects[d].url_env) != NULL)
		return 1;
	skip = getenv(dialects[d].skip_env);
	ck_assert_msg(skip != NULL && strcmp(skip, "1") == 0,
		      "%s is not set: run the tests through "
		      "tests/with-servers.sh (make check does), or set %s=1",
		      dialects[d].url_env, dialects[d].skip_env);
	return 0;
}

uint64_t fx_dialect_caps(int d)
{
	return driver_of(d)->capabilities;
}

/* The admin URL with its database part replaced by name; a query string
 * (?host=/socket/dir, ...) is kept. */
static void url_with_db(char *out, size_t size, const char *admin,
			const char *name)
{
	const char *scheme_end = strstr(admin, "://");
	const char *slash = strchr(scheme_end ? scheme_end + 3 : admin, '/');
	const char *query = strchr(admin, '?');
	int prefix = slash ? (int)(slash - admin) : (int)strlen(admin);

	if (query != NULL && (slash == NULL || query < slash))
		prefix = (int)(query - admin);
	snprintf(out, size, "%.*s/%s%s", prefix, admin, name,
		 query != NULL ? query : "");
}

static void drop_created(void)
{
	char sql[4096];
	int i;

	for (i = 0; i < n_created; i++) {
		int d = created_dialect[i];
		const dbshift_driver *drv = driver_of(d);
		dbshift_driver_conn *conn =
			connect_url(drv, getenv(dialects[d].url_env));
		dbshift_diag diag;

		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s%s",
			 created[i], d == FX_POSTGRES ? " WITH (FORCE)" : "");
		dbshift__diag_init(&diag);
		drv->exec(conn, sql, strlen(sql), &diag);
		drv->close(conn);
	}
	n_created = 0;
}

const char *fx_fresh_url(int d)
{
	static char url[1024];
	char name[128], sql[4096];
	const dbshift_driver *drv;
	dbshift_driver_conn *conn;
	dbshift_diag diag;
	const char *admin;

	snprintf(name, sizeof(name), "dbshift_t_%ld_%u", (long)getpid(),
		 fresh_counter++);
	if (d == FX_SQLITE) {
		snprintf(url, sizeof(url), "sqlite:%s/%s.db", fx_tmpdir(),
			 name);
		return url;
	}
	admin = getenv(dialects[d].url_env);
	ck_assert_msg(admin != NULL, "%s not set", dialects[d].url_env);
	ck_assert(n_created < 16);
	drv = driver_of(d);
	conn = connect_url(drv, admin);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	dbshift__diag_init(&diag);
	ck_assert_msg(drv->exec(conn, sql, strlen(sql), &diag) == 0, "%s: %s",
		      sql, diag.message);
	drv->close(conn);
	if (n_created == 0)
		atexit(drop_created);
	snprintf(created[n_created], sizeof(created[0]), "%s", name);
	created_dialect[n_created++] = d;
	url_with_db(url, sizeof(url), admin, name);
	return url;
}

struct joined {
	char *buf;
	size_t len;
};

static int join_row(int32_t ncols, const dbshift_value *cols, void *payload)
{
	struct joined *j = payload;
	char num[32];
	const char *text = "NULL";
	size_t len = 4;

	if (ncols > 0 && cols[0].type == DBSHIFT_VALUE_TEXT) {
		text = cols[0].text;
		len = (size_t)cols[0].len;
	} else if (ncols > 0 && cols[0].type == DBSHIFT_VALUE_INT64) {
		snprintf(num, sizeof(num), "%lld", (long long)cols[0].i64);
		text = num;
		len = strlen(num);
	}
	j->buf = realloc(j->buf, j->len + len + 2);
	ck_assert(j->buf != NULL);
	if (j->len > 0)
		j->buf[j->len++] = ',';
	memcpy(j->buf + j->len, text, len);
	j->len += len;
	j->buf[j->len] = '\0';
	return 0;
}

char *fx_db_query(const char *url, const char *sql)
{
	const dbshift_driver *drv = driver_of(dialect_of_url(url));
	dbshift_driver_conn *conn = connect_url(drv, url);
	struct joined j = {NULL, 0};
	dbshift_diag diag;

	dbshift__diag_init(&diag);
	ck_assert_msg(drv->query(conn, sql, NULL, 0, join_row, &j, &diag) == 0,
		      "query '%s': %s", sql, diag.message);
	drv->close(conn);
	if (j.buf == NULL)
		j.buf = calloc(1, 1);
	return j.buf;
}

void fx_db_exec(const char *url, const char *sql)
{
	const dbshift_driver *drv = driver_of(dialect_of_url(url));
	dbshift_driver_conn *conn = connect_url(drv, url);
	dbshift_diag diag;

	dbshift__diag_init(&diag);
	ck_assert_msg(drv->exec(conn, sql, strlen(sql), &diag) == 0,
		      "exec '%s': %s", sql, diag.message);
	drv->close(conn);
}

int fx_db_has_table(const char *url, const char *table)
{
	const dbshift_driver *drv = driver_of(dialect_of_url(url));
	dbshift_driver_conn *conn = connect_url(drv, url);
	dbshift_diag diag;
	int32_t exists = 0;

	dbshift__diag_init(&diag);
	ck_assert_msg(drv->table_exists(conn, table, &exists, &diag) == 0,
		      "table_exists %s: %s", table, diag.message);
	drv->close(conn);
	return exists != 0;
}

struct held_lock {
	const dbshift_driver *drv;
	dbshift_driver_conn *conn;
	char key[256];
};

void *fx_db_hold_lock(const char *url, const char *key)
{
	struct held_lock *h = calloc(1, sizeof(*h));
	dbshift_diag diag;

	ck_assert(h != NULL);
	h->drv = driver_of(dialect_of_url(url));
	h->conn = connect_url(h->drv, url);
	snprintf(h->key, sizeof(h->key), "%s", key);
	dbshift__diag_init(&diag);
	ck_assert_msg(h->drv->lock(h->conn, key, 0, &diag) == 0, "lock %s: %s",
		      key, diag.message);
	return h;
}

void *fx_db_hold_tx(const char *url, const char *sql)
{
	struct held_lock *h = calloc(1, sizeof(*h));
	dbshift_diag diag;

	ck_assert(h != NULL);
	h->drv = driver_of(dialect_of_url(url));
	h->conn = connect_url(h->drv, url);
	dbshift__diag_init(&diag);
	ck_assert_msg(h->drv->begin(h->conn, &diag) == 0, "begin: %s",
		      diag.message);
	ck_assert_msg(h->drv->exec(h->conn, sql, strlen(sql), &diag) == 0,
		      "%s: %s", sql, diag.message);
	return h;
}

void fx_db_release(void *held)
{
	struct held_lock *h = held;
	dbshift_diag diag;

	dbshift__diag_init(&diag);
	if (h->key[0] != '\0')
		h->drv->unlock(h->conn, h->key, &diag);
	h->drv->close(h->conn);
	free(h);
}

dbshift_runner *fx_open_runner(const char *url)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r = NULL;

	opts.url = url;
	opts.driver_dir = fx_driver_dir();
	ck_assert_msg(dbshift_runner_new(&r, &opts) == 0, "runner: %s",
		      dbshift_runner_error(r)->message);
	return r;
}

void fx_add_source(dbshift_runner *r, dbshift_source *src)
{
	ck_assert_msg(dbshift_runner_add_source(r, src) == 0, "add: %s",
		      dbshift_runner_error(r)->message);
}

int fx_up(dbshift_runner *r)
{
	int n = -1;

	ck_assert_msg(dbshift_runner_up(r, NULL, &n) == 0, "up: %s",
		      dbshift_runner_error(r)->message);
	return n;
}

void fx_record_change(const char *id, const char *what, void *payload)
{
	struct fx_changes *c = payload;
	size_t len = strlen(c->log);

	snprintf(c->log + len, sizeof(c->log) - len, "%s%s: %s",
		 len ? "; " : "", id, what);
}

void fx_concurrent_up(char urls[][512], int n_urls, int n_runners,
		      const char *dir, dbshift_lock_kind kind)
{
	pid_t pids[16];
	int i, status, barrier[2];

	ck_assert(n_runners <= 16);
	ck_assert(pipe(barrier) == 0);
	for (i = 0; i < n_runners; i++) {
		pids[i] = fork();
		ck_assert(pids[i] >= 0);
		if (pids[i] == 0) {
			dbshift_runner_options opts =
				DBSHIFT_RUNNER_OPTIONS_INIT;
			dbshift_runner *r = NULL;
			dbshift_source *src = NULL;
			char go;
			int rc, n;

			/* Start together: wait until the parent closes. */
			close(barrier[1]);
			while (read(barrier[0], &go, 1) > 0)
				;
			opts.url = urls[i % n_urls];
			opts.driver_dir = fx_driver_dir();
			opts.lock_kind = kind;
			rc = dbshift_runner_new(&r, &opts);
			if (rc == 0)
				rc = dbshift_source_dir_new(&src, "app", dir);
			if (rc == 0)
				rc = dbshift_runner_add_source(r, src);
			if (rc == 0)
				rc = dbshift_runner_up(r, NULL, &n);
			if (rc != 0)
				fprintf(stderr, "runner %d on %s: %s\n", i,
					opts.url,
					dbshift_runner_error(r)->message);
			dbshift_runner_free(r);
			_exit(rc == 0 ? 0 : 1);
		}
	}
	close(barrier[0]);
	close(barrier[1]);
	for (i = 0; i < n_runners; i++) {
		ck_assert(waitpid(pids[i], &status, 0) == pids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			      "runner %d failed", i);
	}
}
