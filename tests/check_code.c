/* SPDX-License-Identifier: MIT */
/*
 * check_code.c - tests of the code source (sources/code.c): migrations
 * written in C, registered with dbshift_source_code_add(), run through the
 * runner on every dialect (callbacks, their connection's dialect,
 * dependencies on and from directory migrations, dialect restriction,
 * the author's checksum), and what dbshift_source_code_add() refuses.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "dbshift/dbshift.h"
#include "dialects.h"
#include "fixture.h"
#include "runner.h"
#include "suites.h"

#define ck_query(db_url, sql, expected)                                        \
	do {                                                                   \
		char *got_ = fx_db_query((db_url), (sql));                     \
		ck_assert_str_eq(got_, (expected));                            \
		free(got_);                                                    \
	} while (0)

#define HISTORY_IDS "SELECT id FROM dbshift_migrations ORDER BY seq"

/* The database of the running loop test, set by USE_DIALECT(). */
static char url[1024];

#define USE_DIALECT() FX_USE_DIALECT(url)

/* A source loaded into a catalog of its own, with its result. */
struct loaded {
	dbshift_source *src;
	dbshift_catalog cat;
	dbshift__err err;
	int rc;
};

static void load_source(struct loaded *l, dbshift_source *src)
{
	l->src = src;
	dbshift__err_init(&l->err);
	dbshift__catalog_init(&l->cat, dbshift_source_name(src), &l->err);
	l->rc = src->ops->load(src->state, &l->cat);
}

static void loaded_free(struct loaded *l)
{
	dbshift__catalog_clear(&l->cat);
	dbshift_source_free(l->src);
	l->src = NULL;
}

/* What the callbacks saw, in this test's process. */
static struct {
	int up;
	int down;
	char dialect[16];
} calls;

static int code_up(dbshift_conn *conn, void *payload)
{
	calls.up++;
	snprintf(calls.dialect, sizeof(calls.dialect), "%s",
		 dbshift_conn_dialect(conn));
	return dbshift_conn_exec(conn, payload != NULL ?
					       (const char *)payload :
					       "CREATE TABLE coded (a INT)");
}

static int code_down(dbshift_conn *conn, void *payload)
{
	(void)payload;
	calls.down++;
	return dbshift_conn_exec(conn, "DROP TABLE coded");
}

static int code_refuse(dbshift_conn *conn, void *payload)
{
	(void)payload;
	return dbshift_conn_fail(conn, "refusing on purpose (%d)", 42);
}

/* A code source "name" holding one code migration version. */
static dbshift_source *code_source(const char *name, const char *version,
				   const char *checksum)
{
	dbshift_migration_def def = DBSHIFT_MIGRATION_DEF_INIT;
	dbshift_source *src = NULL;

	ck_assert_int_eq(dbshift_source_code_new(&src, name), 0);
	def.migration_version = version;
	def.name = "create_coded";
	def.up_fn = code_up;
	def.down_fn = code_down;
	def.checksum = checksum;
	ck_assert_msg(dbshift_source_code_add(src, &def) == 0, "add: %s",
		      dbshift_error_last()->message);
	return src;
}

/* The status entry of id, which must exist. */
static const dbshift_migration_info *status_of(dbshift_status *st,
					       const char *id)
{
	size_t i;

	for (i = 0; i < dbshift_status_count(st); i++)
		if (strcmp(dbshift_status_get(st, i)->id, id) == 0)
			return dbshift_status_get(st, i);
	ck_abort_msg("%s not in the status", id);
	return NULL;
}

START_TEST(test_code_up_and_down)
{
	const dbshift_migration_info *info;
	dbshift_status *st = NULL;
	dbshift_runner *r;
	int n = -1;

	USE_DIALECT();
	r = fx_open_runner(url);
	fx_add_source(r, code_source("code", "001", "v1"));
	ck_assert_int_eq(fx_up(r), 1);
	ck_assert_int_eq(calls.up, 1);
	ck_assert_str_eq(calls.dialect, fx_dialect_name(_i));
	ck_assert(fx_db_has_table(url, "coded"));
	ck_query(url, "SELECT checksum FROM dbshift_migrations", "v1");
	ck_query(url, "SELECT name FROM dbshift_migrations", "create_coded");

	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	info = status_of(st, "code/001");
	ck_assert_int_eq(info->state, DBSHIFT_STATE_APPLIED);
	ck_assert_str_eq(info->checksum, "v1");
	ck_assert_int_eq(info->has_down, 1);
	dbshift_status_free(st);

	ck_assert_int_eq(dbshift_runner_down(r, 1, NULL, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(calls.down, 1);
	ck_assert(!fx_db_has_table(url, "coded"));
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_code_checksum_change)
{
	dbshift_status *st = NULL;
	dbshift_runner *r;

	USE_DIALECT();
	r = fx_open_runner(url);
	fx_add_source(r, code_source("code", "001", "v1"));
	ck_assert_int_eq(fx_up(r), 1);
	dbshift_runner_free(r);

	/* A new version string is a changed migration. */
	r = fx_open_runner(url);
	fx_add_source(r, code_source("code", "001", "v2"));
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_ECHECKSUM);
	ck_assert_has(dbshift_runner_error(r)->message, "v2");
	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	ck_assert_int_eq(status_of(st, "code/001")->state,
			 DBSHIFT_STATE_CHANGED);
	ck_assert_str_eq(status_of(st, "code/001")->applied_checksum, "v1");
	dbshift_status_free(st);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_code_depends_across_sources)
{
	static const char *const after_users[] = {"app/001"};
	dbshift_migration_def def = DBSHIFT_MIGRATION_DEF_INIT;
	dbshift_source *seed = NULL, *app = NULL;
	dbshift_runner *r;

	USE_DIALECT();
	fx_write("app/001_users.up.sql",
		 "CREATE TABLE users (id INT, name VARCHAR(20));\n");
	fx_write("app/002_after_seed.up.sql",
		 "-- dbshift:depends-on seed/001\n"
		 "CREATE TABLE after_seed (a INT);\n");
	ck_assert_int_eq(dbshift_source_code_new(&seed, "seed"), 0);
	def.migration_version = "001";
	def.up_fn = code_up;
	def.fn_payload = (void *)"INSERT INTO users VALUES (1, 'seeded')";
	def.depends_on = after_users;
	def.n_depends_on = 1;
	def.checksum = "1";
	ck_assert_int_eq(dbshift_source_code_add(seed, &def), 0);
	ck_assert_int_eq(dbshift_source_dir_new(&app, "app", fx_path("app")),
			 0);

	/* The code source first: the order comes from the dependencies. */
	r = fx_open_runner(url);
	fx_add_source(r, seed);
	fx_add_source(r, app);
	ck_assert_int_eq(fx_up(r), 3);
	ck_query(url, HISTORY_IDS, "app/001,seed/001,app/002");
	ck_query(url, "SELECT name FROM users", "seeded");
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_code_dialect_restriction)
{
	static const char *const only_postgres[] = {"postgres"};
	dbshift_migration_def def = DBSHIFT_MIGRATION_DEF_INIT;
	dbshift_status *st = NULL;
	dbshift_source *src = NULL;
	dbshift_runner *r;
	int on_postgres = _i == FX_POSTGRES;

	USE_DIALECT();
	ck_assert_int_eq(dbshift_source_code_new(&src, "code"), 0);
	def.migration_version = "001";
	def.up_fn = code_up;
	def.dialects = only_postgres;
	def.n_dialects = 1;
	def.checksum = "1";
	ck_assert_int_eq(dbshift_source_code_add(src, &def), 0);
	r = fx_open_runner(url);
	fx_add_source(r, src);
	ck_assert_int_eq(fx_up(r), on_postgres);
	ck_assert_int_eq(calls.up, on_postgres);
	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	ck_assert_int_eq(status_of(st, "code/001")->state,
			 on_postgres ? DBSHIFT_STATE_APPLIED :
				       DBSHIFT_STATE_SKIPPED);
	dbshift_status_free(st);
	dbshift_runner_free(r);
}
END_TEST

START_TEST(test_code_failure)
{
	dbshift_migration_def def = DBSHIFT_MIGRATION_DEF_INIT;
	dbshift_source *src = NULL;
	dbshift_runner *r;
	int n = -1;

	ck_assert_int_eq(dbshift_source_code_new(&src, "code"), 0);
	def.migration_version = "001";
	def.up_fn = code_refuse;
	def.checksum = "1";
	ck_assert_int_eq(dbshift_source_code_add(src, &def), 0);
	r = fx_open_runner(fx_sqlite_url("test.db"));
	fx_add_source(r, src);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), DBSHIFT_EMIGRATION);
	ck_assert_int_eq(n, 0);
	ck_assert_has(dbshift_runner_error(r)->message,
		      "refusing on purpose (42)");
	ck_assert_str_eq(dbshift_runner_error(r)->migration, "code/001");
	dbshift_runner_free(r);
	/* Nothing is recorded for it. */
	if (fx_sqlite_has_table(fx_path("test.db"), "dbshift_migrations"))
		ck_query(fx_sqlite_url("test.db"),
			 "SELECT count(*) FROM dbshift_migrations", "0");
}
END_TEST

/* Add def to src and expect code, with words in the message. */
static void code_add_fails(dbshift_source *src,
			   const dbshift_migration_def *def, int code,
			   const char *words)
{
	ck_assert_int_eq(dbshift_source_code_add(src, def), code);
	ck_assert_int_eq(dbshift_error_last()->code, code);
	ck_assert_has(dbshift_error_last()->message, words);
}

START_TEST(test_code_add_errors)
{
	static const char *const holes[] = {"app/001", NULL};
	dbshift_migration_def def = DBSHIFT_MIGRATION_DEF_INIT;
	dbshift_source *code = NULL, *dir = NULL;
	struct loaded l;
	char long_sum[80];

	ck_assert_int_eq(dbshift_source_code_new(&code, "code"), 0);
	ck_assert_int_eq(dbshift_source_dir_new(&dir, "app", "m"), 0);
	def.migration_version = "001";
	def.up_fn = code_up;
	def.checksum = "1";

	code_add_fails(dir, &def, DBSHIFT_EINVAL, "not a code source");
	code_add_fails(NULL, &def, DBSHIFT_EINVAL, "not a code source");
	code_add_fails(code, NULL, DBSHIFT_EINVAL, "no migration definition");
	def.version = 0;
	code_add_fails(code, &def, DBSHIFT_EINVAL, "version field");
	def.version = DBSHIFT_MIGRATION_DEF_VERSION;

	def.up_fn = NULL;
	code_add_fails(code, &def, DBSHIFT_ESOURCE,
		       "code/001: migration has "
		       "no up script");
	def.up_fn = code_up;
	def.checksum = NULL;
	code_add_fails(code, &def, DBSHIFT_EINVAL, "needs a checksum");
	memset(long_sum, 'x', 65);
	long_sum[65] = '\0';
	def.checksum = long_sum;
	code_add_fails(code, &def, DBSHIFT_EINVAL, "longer than 64");
	def.checksum = "1";
	def.depends_on = holes;
	def.n_depends_on = 2;
	code_add_fails(code, &def, DBSHIFT_EINVAL, "holds NULL");
	def.n_depends_on = 1;
	def.migration_version = "a/b";
	code_add_fails(code, &def, DBSHIFT_ESOURCE,
		       "invalid migration version");
	def.migration_version = "001";

	/* Nothing refused was kept; the good one is. */
	ck_assert_int_eq(dbshift_source_code_add(code, &def), 0);
	load_source(&l, code);
	ck_assert_int_eq(l.rc, 0);
	ck_assert_uint_eq(l.cat.migrations.len, 1);
	loaded_free(&l);
	dbshift_source_free(dir);

	ck_assert_int_eq(dbshift_source_code_new(NULL, "code"), DBSHIFT_EINVAL);
	code = (dbshift_source *)&code;
	ck_assert_int_eq(dbshift_source_code_new(&code, "bad/name"),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_null(code);
}
END_TEST

START_TEST(test_code_copies_definition)
{
	char version[8], name[16], dep[16], up_sql[32], pg_sql[32], sum[8];
	const char *deps[1];
	const char *contexts[1];
	dbshift_variant variant;
	dbshift_migration_def def = DBSHIFT_MIGRATION_DEF_INIT;
	const dbshift__migration *m;
	dbshift_source *src = NULL;
	struct loaded l;

	snprintf(version, sizeof(version), "007");
	snprintf(name, sizeof(name), "seven");
	snprintf(dep, sizeof(dep), "app/001");
	snprintf(up_sql, sizeof(up_sql), "SELECT 7;");
	snprintf(pg_sql, sizeof(pg_sql), "SELECT 'pg';");
	snprintf(sum, sizeof(sum), "s7");
	deps[0] = dep;
	contexts[0] = name;
	memset(&variant, 0, sizeof(variant));
	variant.dialect = "postgres";
	variant.up = pg_sql;
	variant.up_len = strlen(pg_sql);
	def.migration_version = version;
	def.name = name;
	def.up = up_sql;
	def.up_len = strlen(up_sql);
	def.variants = &variant;
	def.n_variants = 1;
	def.depends_on = deps;
	def.n_depends_on = 1;
	def.contexts = contexts;
	def.n_contexts = 1;
	def.no_transaction = 1;
	def.checksum = sum;
	ck_assert_int_eq(dbshift_source_code_new(&src, "code"), 0);
	ck_assert_int_eq(dbshift_source_code_add(src, &def), 0);
	memset(version, 'X', sizeof(version) - 1);
	memset(name, 'X', sizeof(name) - 1);
	memset(dep, 'X', sizeof(dep) - 1);
	memset(up_sql, 'X', sizeof(up_sql) - 1);
	memset(pg_sql, 'X', sizeof(pg_sql) - 1);
	memset(&variant, 0, sizeof(variant));
	deps[0] = contexts[0] = NULL;

	load_source(&l, src);
	ck_assert_int_eq(l.rc, 0);
	m = l.cat.migrations.items[0];
	ck_assert_str_eq(m->id, "code/007");
	ck_assert_str_eq(m->name, "seven");
	ck_assert_str_eq(m->generic_up.text, "SELECT 7;");
	ck_assert_uint_eq(m->n_variants, 1);
	ck_assert_str_eq(m->variants[0].dialect, "postgres");
	ck_assert_str_eq(m->variants[0].up.text, "SELECT 'pg';");
	ck_assert_str_eq(m->def_depends_on[0], "app/001");
	ck_assert_str_eq(m->def_contexts[0], "seven");
	ck_assert_int_eq(m->def_no_transaction, 1);
	ck_assert_str_eq(m->code_checksum, "s7");
	loaded_free(&l);
}
END_TEST

Suite *code_suite(void)
{
	Suite *s = suite_create("code");
	TCase *dialects = tcase_create("dialects");
	TCase *local = tcase_create("local");

	tcase_set_timeout(dialects, 60);
	tcase_add_loop_test(dialects, test_code_up_and_down, 0, FX_N_DIALECTS);
	tcase_add_loop_test(dialects, test_code_checksum_change, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(dialects, test_code_depends_across_sources, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(dialects, test_code_dialect_restriction, 0,
			    FX_N_DIALECTS);
	suite_add_tcase(s, dialects);

	tcase_add_test(local, test_code_failure);
	tcase_add_test(local, test_code_add_errors);
	tcase_add_test(local, test_code_copies_definition);
	suite_add_tcase(s, local);
	return s;
}
