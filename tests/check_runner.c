/*
 * check_runner.c - the runner through the public API against real SQLite
 * files: up, down, redo, status, failures and refusals.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbshift/dbshift.h"
#include "fixture.h"
#include "suites.h"

static dbshift_runner *open_runner_opts(dbshift_runner_options *opts)
{
	dbshift_runner *r = NULL;
	int rc;

	if (opts->url == NULL)
		opts->url = fx_sqlite_url("test.db");
	opts->driver_dir = fx_driver_dir();
	rc = dbshift_runner_new(&r, opts);
	ck_assert_msg(rc == 0, "runner_new: %s",
		      dbshift_runner_error(r)->message);
	return r;
}

/* A runner on test.db with the directory source "app" at migrations/. */
static dbshift_runner *open_runner(unsigned int flags)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r;
	dbshift_source *src = NULL;

	opts.flags = flags;
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&src, "app",
					 fx_path("migrations")) == 0);
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	return r;
}

static char *query(const char *sql)
{
	return fx_sqlite_query(fx_path("test.db"), sql);
}

#define ck_query(sql, expected)                                              \
	do {                                                                 \
		char *got_ = query(sql);                                     \
		ck_assert_str_eq(got_, expected);                            \
		free(got_);                                                  \
	} while (0)

static void three_migrations(void)
{
	fx_write("migrations/001_users.up.sql",
		 "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n");
	fx_write("migrations/001_users.down.sql", "DROP TABLE users;\n");
	fx_write("migrations/002_posts.up.sql",
		 "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT);\n"
		 "CREATE INDEX posts_user ON posts (user_id);\n");
	fx_write("migrations/002_posts.down.sql", "DROP TABLE posts;\n");
	fx_write("migrations/010_tags/up.sql", "CREATE TABLE tags (t TEXT);");
	fx_write("migrations/010_tags/down.sql", "DROP TABLE tags;");
}

static int up(dbshift_runner *r, const char *target)
{
	int n = -1, rc = dbshift_runner_up(r, target, &n);

	ck_assert_msg(rc == 0, "up: %s", dbshift_runner_error(r)->message);
	return n;
}

START_TEST(test_runner_up_applies_all_in_order)
{
	dbshift_runner *r;

	three_migrations();
	r = open_runner(0);
	ck_assert_int_eq(up(r, NULL), 3);
	ck_query("SELECT id FROM dbshift_migrations ORDER BY seq",
		 "app/001,app/002,app/010");
	ck_query("SELECT group_concat(state) FROM dbshift_migrations",
		 "applied,applied,applied");
	ck_query("SELECT count(*) FROM sqlite_master WHERE name IN "
		 "('users','posts','tags','posts_user')",
		 "4");
	ck_query("SELECT length(checksum) FROM dbshift_migrations LIMIT 1",
		 "64");
	ck_query("SELECT source || ':' || version || ':' || name FROM "
		 "dbshift_migrations WHERE seq = 2",
		 "app:002:posts");
	ck_assert_int_eq(up(r, NULL), 0);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_up_target_applies_only_dependencies)
{
	dbshift_runner *r;

	three_migrations();
	r = open_runner(0);
	ck_assert_int_eq(up(r, "002"), 2);
	ck_query("SELECT group_concat(id) FROM dbshift_migrations",
		 "app/001,app/002");
	ck_assert_int_eq(up(r, "app/010"), 1);
	ck_assert_int_eq(dbshift_runner_up(r, "app/999", NULL),
			 DBSHIFT_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(dbshift_runner_error(r)->message,
				     "app/999"));
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_down_count_target_and_all)
{
	dbshift_runner *r;
	int n = -1;

	three_migrations();
	r = open_runner(0);
	up(r, NULL);
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_query("SELECT count(*) FROM sqlite_master WHERE name = 'tags'", "0");
	up(r, NULL);
	/* Rolling back 001 takes everything after it in the source. */
	ck_assert_int_eq(dbshift_runner_down(r, 0, "app/002", &n), 0);
	ck_assert_int_eq(n, 2);
	ck_query("SELECT group_concat(id) FROM dbshift_migrations", "app/001");
	up(r, NULL);
	ck_assert_int_eq(dbshift_runner_down(r, -1, NULL, &n), 0);
	ck_assert_int_eq(n, 3);
	ck_query("SELECT count(*) FROM dbshift_migrations", "0");
	ck_query("SELECT count(*) FROM sqlite_master WHERE name IN "
		 "('users','posts','tags')",
		 "0");
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, &n), 0);
	ck_assert_int_eq(n, 0);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_down_needs_every_down_first)
{
	dbshift_runner *r;
	int n = -1;

	three_migrations();
	fx_write("migrations/003_nodown.up.sql", "CREATE TABLE x (a INT);");
	r = open_runner(0);
	up(r, NULL);
	/* 010 has a down, 003 has none: nothing may change. */
	ck_assert_int_eq(dbshift_runner_down(r, 2, NULL, &n), DBSHIFT_ENODOWN);
	ck_assert_int_eq(n, 0);
	ck_assert_str_eq(dbshift_runner_error(r)->migration, "app/003");
	ck_query("SELECT count(*) FROM dbshift_migrations", "4");
	ck_query("SELECT count(*) FROM sqlite_master WHERE name = 'tags'", "1");
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_redo)
{
	dbshift_runner *r;

	three_migrations();
	r = open_runner(0);
	up(r, NULL);
	ck_assert_int_eq(dbshift_runner_redo(r), 0);
	ck_query("SELECT id FROM dbshift_migrations ORDER BY seq",
		 "app/001,app/002,app/010");
	ck_query("SELECT seq FROM dbshift_migrations WHERE id = 'app/010'",
		 "4");
	dbshift_runner_down(r, -1, NULL, NULL);
	ck_assert_int_eq(dbshift_runner_redo(r), DBSHIFT_ESTATE);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_failing_migration_is_rolled_back)
{
	dbshift_runner *r;
	const dbshift_error *e;
	int n = -1;

	three_migrations();
	fx_write("migrations/005_bad.up.sql",
		 "CREATE TABLE bad1 (a INT);\n"
		 "INSERT INTO bad1 VALUES (1);\n"
		 "INSERT INTO nosuch VALUES (1);\n");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), DBSHIFT_EMIGRATION);
	ck_assert_int_eq(n, 2);
	e = dbshift_runner_error(r);
	ck_assert_str_eq(e->migration, "app/005");
	ck_assert_ptr_nonnull(strstr(e->message, "app/005"));
	ck_assert_ptr_nonnull(strstr(e->message, "005_bad.up.sql"));
	ck_assert_ptr_nonnull(strstr(e->message, "nosuch"));
	ck_assert_ptr_nonnull(strstr(e->file, "005_bad.up.sql"));
	ck_assert_int_eq(e->statement_index, 2);
	ck_assert_str_eq(e->statement, "INSERT INTO nosuch VALUES (1);");
	ck_query("SELECT group_concat(id) FROM dbshift_migrations",
		 "app/001,app/002");
	ck_query("SELECT count(*) FROM sqlite_master WHERE name IN "
		 "('bad1','tags')",
		 "0");
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_no_transaction_failure_leaves_dirty_row)
{
	dbshift_runner *r;
	dbshift_status *st = NULL;
	const dbshift_error *e;

	fx_write("migrations/001_a.up.sql",
		 "-- dbshift:no-transaction\n"
		 "CREATE TABLE a (x INT);\n"
		 "CREATE TABLE a (x INT);\n");
	fx_write("migrations/001_a.down.sql", "DROP TABLE a;");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EMIGRATION);
	ck_query("SELECT state || '|' || failed_statement_index || '|' || "
		 "failed_statement FROM dbshift_migrations",
		 "dirty|1|CREATE TABLE a (x INT);");
	ck_query("SELECT count(*) FROM sqlite_master WHERE name = 'a'", "1");
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EDIRTY);
	e = dbshift_runner_error(r);
	ck_assert_str_eq(e->migration, "app/001");
	ck_assert_ptr_nonnull(strstr(e->message, "force"));
	ck_assert_ptr_nonnull(strstr(e->message, "repair"));
	ck_assert_ptr_nonnull(strstr(e->message, "CREATE TABLE a"));
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, NULL), DBSHIFT_EDIRTY);
	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	ck_assert_int_eq(dbshift_status_get(st, 0)->state, DBSHIFT_STATE_DIRTY);
	ck_assert_ptr_nonnull(strstr(dbshift_status_get(st, 0)->error,
				     "already exists"));
	dbshift_status_free(st);
	dbshift_runner_free(r);
}
END_TEST

static const dbshift_migration_info *status_of(dbshift_status *st,
					       const char *id)
{
	size_t i;

	for (i = 0; i < dbshift_status_count(st); i++)
		if (strcmp(dbshift_status_get(st, i)->id, id) == 0)
			return dbshift_status_get(st, i);
	ck_abort_msg("no %s in status", id);
	return NULL;
}

START_TEST(test_runner_status_states)
{
	dbshift_runner *r;
	dbshift_status *st = NULL;
	const dbshift_migration_info *info;

	three_migrations();
	fx_write("migrations/020_pg.up.sql",
		 "-- dbshift:dialects postgres\nSELECT 1;");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	ck_assert_int_eq(dbshift_status_count(st), 4);
	ck_assert_int_eq(status_of(st, "app/001")->state,
			 DBSHIFT_STATE_PENDING);
	dbshift_status_free(st);
	/* status creates nothing */
	ck_assert(!fx_sqlite_has_table(fx_path("test.db"),
				       "dbshift_migrations"));
	up(r, "001");
	up(r, "010");
	dbshift_runner_free(r);

	/* 002 now sorts before applied 010; 001's script changes; a row
	 * for a migration no source has. */
	unlink(fx_path("migrations/002_posts.up.sql"));
	unlink(fx_path("migrations/002_posts.down.sql"));
	fx_write("migrations/003_late.up.sql", "SELECT 1;");
	fx_write("migrations/001_users.up.sql",
		 "CREATE TABLE users (id INTEGER PRIMARY KEY, nm TEXT);\n");
	free(query("INSERT INTO dbshift_migrations (id, source, version, name, "
		   "checksum, applied_at, execution_ms, seq, state) VALUES "
		   "('lib/1', 'lib', '1', 'gone', 'x', '2020-01-01T00:00:00Z', "
		   "5, 99, 'applied')"));
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	ck_assert_int_eq(status_of(st, "app/001")->state,
			 DBSHIFT_STATE_CHANGED);
	ck_assert_int_eq(status_of(st, "app/003")->state,
			 DBSHIFT_STATE_OUT_OF_ORDER);
	ck_assert_int_eq(status_of(st, "app/020")->state,
			 DBSHIFT_STATE_SKIPPED);
	info = status_of(st, "app/010");
	ck_assert_int_eq(info->state, DBSHIFT_STATE_APPLIED);
	ck_assert_int_eq(strlen(info->applied_at), 20);
	ck_assert_int_eq(info->applied_seq, 3);
	ck_assert(info->has_down);
	info = status_of(st, "lib/1");
	ck_assert_int_eq(info->state, DBSHIFT_STATE_MISSING);
	ck_assert_int_eq(info->execution_ms, 5);
	ck_assert_str_eq(dbshift_state_name(info->state), "missing");
	/* The last entry is the missing one, after the sources. */
	ck_assert_str_eq(dbshift_status_get(st, dbshift_status_count(st) - 1)->id,
			 "lib/1");
	dbshift_status_free(st);

	/* A changed script blocks up, unless checksums are ignored. */
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_ECHECKSUM);
	ck_assert_str_eq(dbshift_runner_error(r)->migration, "app/001");
	ck_assert_ptr_nonnull(strstr(dbshift_runner_error(r)->message,
				     "repair"));
	dbshift_runner_free(r);
	r = open_runner(DBSHIFT_OPT_IGNORE_CHECKSUMS | DBSHIFT_OPT_STRICT_ORDER);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_ESTATE);
	ck_assert_str_eq(dbshift_runner_error(r)->migration, "app/003");
	dbshift_runner_free(r);
	r = open_runner(DBSHIFT_OPT_IGNORE_CHECKSUMS);
	ck_assert_int_eq(up(r, NULL), 1);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_graph_errors_touch_no_database)
{
	dbshift_runner *r;

	fx_write("migrations/001_a.up.sql", "-- dbshift:depends-on app/002\n");
	fx_write("migrations/002_b.up.sql", "SELECT 1;");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EGRAPH);
	ck_assert_ptr_nonnull(strstr(dbshift_runner_error(r)->message,
				     "app/001 -> app/002 -> app/001"));
	dbshift_runner_free(r);
	ck_assert_int_ne(access(fx_path("test.db"), F_OK), 0);

	fx_write("migrations/001_a.up.sql", "-- dbshift:depends-on lib/7\n");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EGRAPH);
	ck_assert_ptr_nonnull(strstr(dbshift_runner_error(r)->message,
				     "lib/7"));
	dbshift_runner_free(r);

	fx_write("migrations/001_a.up.sql", "SELECT 1;");
	fx_write("migrations/1_again.up.sql", "SELECT 1;");
	r = open_runner(0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_ESOURCE);
	ck_assert_ptr_nonnull(strstr(dbshift_runner_error(r)->message,
				     "1_again.up.sql"));
	dbshift_runner_free(r);
	ck_assert_int_ne(access(fx_path("test.db"), F_OK), 0);
}
END_TEST

START_TEST(test_runner_bad_options)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r = NULL;
	dbshift_source *a = NULL, *b = NULL;

	opts.url = "nosuchscheme://u:pw@host/db";
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), DBSHIFT_EURL);
	ck_assert_ptr_null(strstr(dbshift_runner_error(r)->message, "pw@"));
	dbshift_runner_free(r);

	opts.url = "no-scheme.db";
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), DBSHIFT_EURL);
	dbshift_runner_free(r);

	opts.url = fx_sqlite_url("test.db");
	opts.table = "bad name; DROP";
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), DBSHIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(dbshift_runner_error(r)->message,
				     "bad name; DROP"));
	dbshift_runner_free(r);
	ck_assert_int_eq(dbshift_runner_new(&r, NULL), DBSHIFT_EINVAL);
	dbshift_runner_free(r);

	opts.table = NULL;
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&a, "x", fx_path("m1")) == 0);
	ck_assert(dbshift_source_dir_new(&b, "x", fx_path("m2")) == 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, a), 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, b), DBSHIFT_EINVAL);
	ck_assert_str_eq(dbshift_runner_dialect(r), "sqlite");
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_runner_custom_table)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r;
	dbshift_source *src = NULL;

	three_migrations();
	opts.table = "my_history";
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&src, NULL, fx_path("migrations")) == 0);
	ck_assert_str_eq(dbshift_source_name(src), "migrations");
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	ck_assert_int_eq(up(r, NULL), 3);
	ck_query("SELECT count(*) FROM my_history", "3");
	ck_assert(!fx_sqlite_has_table(fx_path("test.db"),
				       "dbshift_migrations"));
	dbshift_runner_free(r);
}
END_TEST

struct events {
	char log[1024];
};

static void record_event(const dbshift_event *ev, void *payload)
{
	struct events *e = payload;
	size_t len = strlen(e->log);
	const char *kind = ev->kind == DBSHIFT_EVENT_BEFORE  ? "before"
			   : ev->kind == DBSHIFT_EVENT_AFTER ? "after"
							     : "error";

	ck_assert(ev->duration_us >= 0);
	ck_assert((ev->kind == DBSHIFT_EVENT_ERROR) == (ev->error != NULL));
	snprintf(e->log + len, sizeof(e->log) - len, "%s%s:%s:%s",
		 len ? " " : "", kind, ev->direction == DBSHIFT_UP ? "up" : "down",
		 ev->id);
}

START_TEST(test_runner_events)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	struct events ev = { "" };
	dbshift_runner *r;
	dbshift_source *src = NULL;

	fx_write("migrations/1_a.up.sql", "SELECT 1;");
	fx_write("migrations/1_a.down.sql", "SELECT 1;");
	fx_write("migrations/2_b.up.sql", "SELECT nosuchcolumn;");
	opts.on_event = record_event;
	opts.event_payload = &ev;
	r = open_runner_opts(&opts);
	ck_assert(dbshift_source_dir_new(&src, "app", fx_path("migrations")) == 0);
	ck_assert(dbshift_runner_add_source(r, src) == 0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EMIGRATION);
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, NULL), 0);
	ck_assert_str_eq(ev.log, "before:up:app/1 after:up:app/1 "
				 "before:up:app/2 error:up:app/2 "
				 "before:down:app/1 after:down:app/1");
	dbshift_runner_free(r);
}
END_TEST

/* A custom source with a code migration. */
static int code_up(dbshift_conn *conn, void *payload)
{
	ck_assert_str_eq(dbshift_conn_dialect(conn), "sqlite");
	ck_assert_str_eq(payload, "pay");
	return dbshift_conn_exec(conn, "CREATE TABLE coded (a INT)");
}

static int code_down(dbshift_conn *conn, void *payload)
{
	(void)payload;
	return dbshift_conn_fail(conn, "refusing on purpose");
}

static int custom_load(void *state, dbshift_catalog *cat)
{
	dbshift_migration_def def = DBSHIFT_MIGRATION_DEF_INIT;

	def.migration_version = "1";
	def.name = "coded";
	def.up_fn = code_up;
	def.down_fn = code_down;
	def.fn_payload = state;
	def.checksum = "v1";
	return dbshift_catalog_add(cat, &def);
}

START_TEST(test_runner_custom_source_with_code_migration)
{
	static const dbshift_source_ops ops = { DBSHIFT_SOURCE_OPS_VERSION,
						custom_load, NULL };
	static char payload[] = "pay";
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r;
	dbshift_source *src = NULL;

	r = open_runner_opts(&opts);
	ck_assert_int_eq(dbshift_source_new(&src, "code", &ops, payload), 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, src), 0);
	ck_assert_int_eq(up(r, NULL), 1);
	ck_query("SELECT checksum FROM dbshift_migrations", "v1");
	ck_query("SELECT count(*) FROM sqlite_master WHERE name='coded'", "1");
	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, NULL),
			 DBSHIFT_EMIGRATION);
	ck_assert_ptr_nonnull(strstr(dbshift_runner_error(r)->message,
				     "refusing on purpose"));
	ck_query("SELECT count(*) FROM dbshift_migrations", "1");
	ck_assert_int_eq(dbshift_source_new(&src, "bad/name", &ops, NULL),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_null(src);
	dbshift_runner_free(r);
}
END_TEST

Suite *runner_suite(void)
{
	Suite *s = suite_create("runner");
	TCase *tc = tcase_create("sqlite");

	tcase_add_test(tc, test_runner_up_applies_all_in_order);
	tcase_add_test(tc, test_runner_up_target_applies_only_dependencies);
	tcase_add_test(tc, test_runner_down_count_target_and_all);
	tcase_add_test(tc, test_runner_down_needs_every_down_first);
	tcase_add_test(tc, test_runner_redo);
	tcase_add_test(tc, test_runner_failing_migration_is_rolled_back);
	tcase_add_test(tc, test_runner_no_transaction_failure_leaves_dirty_row);
	tcase_add_test(tc, test_runner_status_states);
	tcase_add_test(tc, test_runner_graph_errors_touch_no_database);
	tcase_add_test(tc, test_runner_bad_options);
	tcase_add_test(tc, test_runner_custom_table);
	tcase_add_test(tc, test_runner_events);
	tcase_add_test(tc, test_runner_custom_source_with_code_migration);
	suite_add_tcase(s, tc);
	return s;
}
