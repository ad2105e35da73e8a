/* SPDX-License-Identifier: MIT */
/*
 * check_faults.c - every database call of the core may fail. Scenarios run
 * through the public API on the fault-injecting test driver
 * (tests/drivers/flaky.c) again and again with the driver's 1st, 2nd, ...
 * n-th call failing, until one runs through without meeting the failure.
 * Each attempt must end as a clean run would, or - from the step that met
 * the failure on - in a negative code with a one-line message that carries
 * the driver's error, never in a crash or a leak (the suite also runs
 * under the sanitizers). After each attempt, with failures off, the
 * database is inspected directly: the history and the schema must agree
 * (an applied migration has its tables, a transactional one that failed
 * left no trace, one run outside a transaction that failed part way is
 * dirty, not applied, no lock is left behind), and a new run must carry on
 * from there or refuse for a reason the database shows (a dirty row, a
 * live lease). Targeted tests then fail particular slots, and the last
 * ones cover the remaining error paths of the core that need no failing
 * database.
 */
#include "config.h"

#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbshift/dbshift.h"
#include "fixture.h"
#include "loader.h"
#include "suites.h"

/* The knobs of tests/drivers/flaky.c. */
#define ENV_FAIL_AT "DBSHIFT_FLAKY_FAIL_AT"
#define ENV_FAIL_SLOT "DBSHIFT_FLAKY_FAIL_SLOT"
#define ENV_CALLS "DBSHIFT_FLAKY_CALLS"
#define ENV_FAILED "DBSHIFT_FLAKY_FAILED"

/* Fail the n-th call (of slot only, when not NULL) from now on. */
static void arm(long n, const char *slot)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld", n);
	setenv(ENV_FAIL_AT, buf, 1);
	setenv(ENV_CALLS, "0", 1);
	unsetenv(ENV_FAILED);
	if (slot != NULL)
		setenv(ENV_FAIL_SLOT, slot, 1);
	else
		unsetenv(ENV_FAIL_SLOT);
}

static void disarm(void)
{
	unsetenv(ENV_FAIL_AT);
	unsetenv(ENV_FAIL_SLOT);
}

/* "SLOT N" of the failed call since arm(), or NULL. */
static const char *met(void)
{
	return getenv(ENV_FAILED);
}

/* ---- inspecting the database with the sqlite3 API ---- */

static sqlite3 *db_open(const char *path)
{
	sqlite3 *db = NULL;

	ck_assert_msg(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) ==
			      SQLITE_OK,
		      "open %s: %s", path, sqlite3_errmsg(db));
	return db;
}

static void db_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK,
		      "%s: %s", sql, msg ? msg : "");
	sqlite3_close(db);
}

/* The integer the query returns, or -1 when it fails (no such table). */
static long long db_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static long long path_int(const char *path, const char *sql)
{
	sqlite3 *db = db_open(path);
	long long n = db_int(db, sql);

	sqlite3_close(db);
	return n;
}

static int has_table(sqlite3 *db, const char *table)
{
	char sql[300];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
		 "AND name = '%s'",
		 table);
	return db_int(db, sql) > 0;
}

/* ---- scenarios ---- */

/* A migration of a scenario and what its up script creates. */
struct mig {
	const char *id;
	const char *hist;   /* the history table that records it */
	const char *tables; /* tables its up creates, space-separated */
	int no_tx;	    /* no-transaction directive */
	int legacy;	    /* its tables exist before the scenario */
};

/* clang-format off */
enum op { UP, DOWN, REDO, STATUS, PLAN_UP, PLAN_DOWN, VALIDATE, REPAIR,
	  BASELINE, FORCE, HAND };
/* clang-format on */

struct ctx;

/* One public call of a scenario and what it gives in a clean run. */
struct step {
	enum op op;
	int second;	    /* on the second runner */
	const char *target; /* up, down, baseline, force */
	int count;	    /* down, plan_down */
	int n;		    /* applied, reverted, entries, steps, problems,
			       changes or recorded; -1: not checked */
	int expect;	    /* the code */
	void (*hand)(struct ctx *c); /* HAND: what the operator does */
};

struct scenario {
	const char *name;
	void (*files)(void);	      /* write the migrations, once */
	void (*reset)(struct ctx *c); /* before each attempt, or NULL */
	void (*make)(struct ctx *c);  /* build the runners */
	const struct mig *migs;
	size_t n_migs;
	const struct step *steps;
	size_t n_steps;
	const char *recover_target;   /* what a run after a failure applies */
	const char *recover_baseline; /* recorded first by that run, unless
					 a baseline step succeeded */
	int may_change;		      /* a changed script may block that run */
};

struct ctx {
	const struct scenario *sc;
	const char *scheme;
	char db[1024];
	char url[1200];
	dbshift_runner *r, *r2;
	long attempt;	      /* 0: the clean run */
	int baselined;	      /* a baseline step succeeded */
	char clean[16][2048]; /* each step's message in the clean run */
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Is the migration run outside a transaction on this driver? */
static int guarded(const struct ctx *c, const struct mig *m)
{
	return m->no_tx || strcmp(c->scheme, "flakynotx") == 0;
}

static const struct mig *find_mig(const struct ctx *c, const char *hist,
				  const char *id)
{
	size_t i;

	for (i = 0; i < c->sc->n_migs; i++)
		if (strcmp(c->sc->migs[i].id, id) == 0 &&
		    strcmp(c->sc->migs[i].hist, hist) == 0)
			return &c->sc->migs[i];
	return NULL;
}

/* Do all (want = 1) or none (want = 0) of m's tables exist? */
static void check_tables(const struct ctx *c, sqlite3 *db, const struct mig *m,
			 int want, const char *why)
{
	const char *p = m->tables;
	char name[64];
	size_t len;

	for (; *p != '\0'; p += len + (p[len] == ' ')) {
		len = strcspn(p, " ");
		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		ck_assert_msg(has_table(db, name) == want,
			      "%s on %s, attempt %ld (%s): %s %s table %s",
			      c->sc->name, c->scheme, c->attempt,
			      met() ? met() : "no failure", why,
			      want ? "lacks" : "has", name);
	}
}

/* Check the rows of one history table; marks the migrations recorded. */
static void check_history(const struct ctx *c, sqlite3 *db, const char *hist,
			  unsigned char *recorded)
{
	sqlite3_stmt *stmt = NULL;
	long long seqs[64];
	size_t n = 0, i;
	char sql[200];

	snprintf(sql, sizeof(sql), "SELECT id, state, seq FROM %s", hist);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		ck_assert_msg(strstr(sqlite3_errmsg(db), "no such table"),
			      "%s: %s", sql, sqlite3_errmsg(db));
		return;
	}
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stmt, 0);
		const char *state = (const char *)sqlite3_column_text(stmt, 1);
		const struct mig *m = find_mig(c, hist, id);

		ck_assert_msg(m != NULL, "%s: unknown row %s", hist, id);
		ck_assert_uint_lt(n, N_OF(seqs));
		recorded[m - c->sc->migs] = 1;
		seqs[n] = sqlite3_column_int64(stmt, 2);
		for (i = 0; i < n; i++)
			ck_assert_msg(seqs[i] != seqs[n], "%s: seq %lld twice",
				      hist, seqs[n]);
		n++;
		if (strcmp(state, "dirty") == 0) {
			ck_assert_msg(guarded(c, m),
				      "%s, attempt %ld (%s): transactional %s "
				      "left dirty",
				      c->sc->name, c->attempt, met(), id);
			continue;
		}
		ck_assert_str_eq(state, "applied");
		check_tables(c, db, m, 1, id);
	}
	sqlite3_finalize(stmt);
}

/*
 * The history and the schema agree: every row is a known migration,
 * applied (with its tables) or dirty (only one run outside a transaction),
 * and a migration without a row left none of its tables. No connection
 * holds a lock on the file.
 */
static void check_consistent(const struct ctx *c)
{
	unsigned char recorded[32] = {0};
	const char *hists[2] = {NULL, NULL};
	sqlite3 *db;
	size_t i;

	if (access(c->db, F_OK) != 0)
		return; /* never opened: nothing changed */
	db = db_open(c->db);
	for (i = 0; i < c->sc->n_migs; i++) {
		const char *h = c->sc->migs[i].hist;

		if (hists[0] == NULL || strcmp(hists[0], h) == 0)
			hists[0] = h;
		else
			hists[1] = h;
	}
	for (i = 0; i < 2 && hists[i] != NULL; i++)
		check_history(c, db, hists[i], recorded);
	for (i = 0; i < c->sc->n_migs; i++)
		if (!recorded[i] && !c->sc->migs[i].legacy)
			check_tables(c, db, &c->sc->migs[i], 0,
				     c->sc->migs[i].id);
	ck_assert_msg(sqlite3_exec(db, "BEGIN IMMEDIATE; ROLLBACK", NULL, NULL,
				   NULL) == SQLITE_OK,
		      "%s, attempt %ld: the database is still locked",
		      c->sc->name, c->attempt);
	sqlite3_close(db);
}

/* ---- running the public calls ---- */

static int code_up(dbshift_conn *conn, void *payload)
{
	(void)payload;
	return dbshift_conn_exec(conn, "CREATE TABLE coded (a INT);\n"
				       "INSERT INTO coded VALUES (1);");
}

static int code_down(dbshift_conn *conn, void *payload)
{
	(void)payload;
	return dbshift_conn_exec(conn, "DROP TABLE coded;");
}

/* A code source "code" whose migration 1 runs fn up (and code_down). */
static void add_code_source(dbshift_runner *r, dbshift_migration_fn fn)
{
	dbshift_migration_def def = DBSHIFT_MIGRATION_DEF_INIT;
	dbshift_source *src = NULL;

	def.migration_version = "1";
	def.name = "coded";
	def.up_fn = fn;
	def.down_fn = code_down;
	def.checksum = "v1";
	ck_assert_int_eq(dbshift_source_code_new(&src, "code"), 0);
	ck_assert_int_eq(dbshift_source_code_add(src, &def), 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, src), 0);
}

/* A runner with opts (the test drivers' directory and no lock wait filled
 * in) and a directory source for each name in dirs. */
static dbshift_runner *runner_with(dbshift_runner_options *opts,
				   const char *const *dirs)
{
	dbshift_runner *r = NULL;
	dbshift_source *src;

	opts->driver_dir = fx_test_driver_dir();
	opts->lock_timeout = DBSHIFT_LOCK_NO_WAIT;
	ck_assert_msg(dbshift_runner_new(&r, opts) == 0, "%s",
		      dbshift_runner_error(r)->message);
	for (; dirs != NULL && *dirs != NULL; dirs++) {
		src = NULL;
		ck_assert_int_eq(
			dbshift_source_dir_new(&src, *dirs, fx_path(*dirs)), 0);
		ck_assert_int_eq(dbshift_runner_add_source(r, src), 0);
	}
	return r;
}

static dbshift_runner *new_runner(const char *url, const char *table,
				  dbshift_lock_kind lock,
				  const char *const *dirs)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;

	opts.url = url;
	opts.table = table;
	opts.lock_kind = lock;
	return runner_with(&opts, dirs);
}

/* Run one step; *n gets what it counted. */
static int run_step(struct ctx *c, const struct step *s, int *n)
{
	dbshift_runner *r = s->second ? c->r2 : c->r;
	dbshift_status *st = NULL;
	dbshift_plan *plan = NULL;
	dbshift_findings *f = NULL;
	int rc = 0;

	*n = 0;
	switch (s->op) {
	case UP:
		return dbshift_runner_up(r, s->target, n);
	case DOWN:
		return dbshift_runner_down(r, s->count, s->target, n);
	case REDO:
		return dbshift_runner_redo(r);
	case STATUS:
		rc = dbshift_runner_status(r, &st);
		*n = (int)dbshift_status_count(st);
		dbshift_status_free(st);
		return rc;
	case PLAN_UP:
	case PLAN_DOWN:
		rc = s->op == PLAN_UP ?
			     dbshift_runner_plan_up(r, s->target, &plan) :
			     dbshift_runner_plan_down(r, s->count, s->target,
						      &plan);
		*n = (int)dbshift_plan_count(plan);
		dbshift_plan_free(plan);
		return rc;
	case VALIDATE:
		rc = dbshift_runner_validate(r, &f, n);
		dbshift_findings_free(f);
		return rc;
	case REPAIR:
		return dbshift_runner_repair(r, NULL, NULL, n);
	case BASELINE:
		rc = dbshift_runner_baseline(r, s->target, NULL, NULL, n);
		c->baselined |= rc == 0;
		return rc;
	case FORCE:
		return dbshift_runner_force(r, s->target);
	case HAND:
		s->hand(c);
		return 0;
	}
	return DBSHIFT_ERROR;
}

static const char *const op_names[] = {
	"up",	    "down",   "redo",	  "status", "plan_up",	"plan_down",
	"validate", "repair", "baseline", "force",  "operator",
};

/* A failed call's error: negative, known, one line, and - when the failure
 * was met in this call - carrying the driver's message. */
static void check_failure(const struct ctx *c, const struct step *s, int rc,
			  const dbshift_error *e, int met_here)
{
	const char *what = op_names[s->op];

	ck_assert_msg(rc < 0, "%s, attempt %ld (%s): %s returned %d",
		      c->sc->name, c->attempt, met(), what, rc);
	ck_assert_str_ne(dbshift_code_name(rc), "unknown error");
	ck_assert_msg(e->code == rc, "%s: error code %d, returned %d", what,
		      e->code, rc);
	ck_assert_msg(e->message[0] != '\0' && strchr(e->message, '\n') == NULL,
		      "%s, attempt %ld (%s): %s: bad message '%s'", c->sc->name,
		      c->attempt, met(), what, e->message);
	if (!met_here)
		return;
	ck_assert_msg(strstr(e->message, "flaky: injected failure") != NULL,
		      "%s on %s, attempt %ld (%s): %s lost the driver's "
		      "error: %d %s",
		      c->sc->name, c->scheme, c->attempt, met(), what, rc,
		      e->message);
	if (rc == DBSHIFT_EDB)
		ck_assert_str_eq(e->sqlstate, "HY000");
}

/*
 * Run the steps; returns 1 when all ran as in the clean run (attempt 0,
 * which records each step's message). A step ends as in the clean run when
 * it returns the same code with the same message (a failure met may have
 * been harmless: an unlock, a rollback after the script failed); else the
 * failure met made it fail, and the attempt ends there.
 */
static int run_steps(struct ctx *c)
{
	size_t i;
	int rc, n, met_before;

	for (i = 0; i < c->sc->n_steps; i++) {
		const struct step *s = &c->sc->steps[i];
		dbshift_runner *r = s->second ? c->r2 : c->r;
		const dbshift_error *e;

		met_before = met() != NULL;
		rc = run_step(c, s, &n);
		e = dbshift_runner_error(r);
		if (c->attempt == 0) {
			ck_assert_msg(rc == s->expect,
				      "%s on %s: step %zu (%s) returned %d "
				      "(%s), expected %d",
				      c->sc->name, c->scheme, i + 1,
				      op_names[s->op], rc, e->message,
				      s->expect);
			snprintf(c->clean[i], sizeof(c->clean[i]), "%s",
				 rc != 0 ? e->message : "");
		}
		if (rc == s->expect &&
		    (rc == 0 || strcmp(e->message, c->clean[i]) == 0)) {
			if (rc != 0)
				check_failure(c, s, rc, e, 0);
			else if (s->n >= 0)
				ck_assert_msg(
					n == s->n,
					"%s on %s, attempt %ld (%s): "
					"step %zu (%s) counted %d, not %d",
					c->sc->name, c->scheme, c->attempt,
					met(), i + 1, op_names[s->op], n, s->n);
			continue;
		}
		ck_assert_msg(met() != NULL,
			      "%s on %s: step %zu (%s) returned %d (%s), "
			      "expected %d (%s)",
			      c->sc->name, c->scheme, i + 1, op_names[s->op],
			      rc, e->message, s->expect, c->clean[i]);
		check_failure(c, s, rc, e, !met_before);
		return 0;
	}
	return 1;
}

static void free_runners(struct ctx *c)
{
	dbshift_runner_free(c->r);
	dbshift_runner_free(c->r2);
	c->r = c->r2 = NULL;
}

/* How a run after a failure may end on r: 0, or a refusal the database
 * explains. */
static void check_recovery(struct ctx *c, dbshift_runner *r, const char *hist,
			   const char *target)
{
	const dbshift_error *e;
	char sql[200];
	int rc = 0;

	if (c->sc->recover_baseline != NULL && !c->baselined)
		rc = dbshift_runner_baseline(r, c->sc->recover_baseline, NULL,
					     NULL, NULL);
	if (rc == 0)
		rc = dbshift_runner_up(r, target, NULL);
	if (rc == 0)
		return;
	e = dbshift_runner_error(r);
	ck_assert_msg(e->message[0] != '\0', "recovery %d without message", rc);
	if (rc == DBSHIFT_EDIRTY ||
	    (rc == DBSHIFT_ESTATE && c->sc->recover_baseline != NULL)) {
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM %s WHERE state = 'dirty'", hist);
		ck_assert_int_gt(path_int(c->db, sql), 0);
		ck_assert_ptr_nonnull(strstr(e->message, e->migration));
	} else if (rc == DBSHIFT_ELOCK) {
		ck_assert_int_gt(path_int(c->db,
					  "SELECT count(*) FROM dbshift_locks "
					  "WHERE expires_at >= "
					  "CAST(strftime('%s', 'now') AS INT)"),
				 0);
	} else {
		ck_assert_msg(rc == DBSHIFT_ECHECKSUM && c->sc->may_change,
			      "%s on %s, attempt %ld (%s): a new run failed: "
			      "%d %s",
			      c->sc->name, c->scheme, c->attempt, met(), rc,
			      e->message);
	}
}

/* After a failure: new runners, failures off, carry on. */
static void recover(struct ctx *c)
{
	c->sc->make(c);
	check_recovery(c, c->r, c->sc->migs[0].hist, c->sc->recover_target);
	if (c->r2 != NULL)
		check_recovery(c, c->r2, c->sc->migs[c->sc->n_migs - 1].hist,
			       NULL);
	free_runners(c);
	check_consistent(c);
}

/* Run sc on scheme with its 1st, 2nd, ... driver call failing until it
 * completes without meeting the failure. Returns the number of attempts. */
static long run_scenario(const struct scenario *sc, const char *scheme)
{
	struct ctx c;
	char db_name[64];
	int completed;

	ck_assert_uint_le(sc->n_steps, N_OF(c.clean));
	ck_assert_uint_le(sc->n_migs, 32); /* see check_consistent() */
	memset(&c, 0, sizeof(c));
	c.sc = sc;
	c.scheme = scheme;
	snprintf(db_name, sizeof(db_name), "%s.db", scheme);
	snprintf(c.db, sizeof(c.db), "%s", fx_path(db_name));
	snprintf(c.url, sizeof(c.url), "%s:%s", scheme, c.db);
	sc->files();
	unsetenv(ENV_FAILED);
	for (c.attempt = 0;; c.attempt++) {
		unlink(c.db);
		if (sc->reset != NULL)
			sc->reset(&c);
		c.baselined = 0;
		sc->make(&c);
		if (c.attempt > 0)
			arm(c.attempt, NULL);
		completed = run_steps(&c);
		free_runners(&c); /* close is a call too */
		disarm();
		check_consistent(&c);
		if (c.attempt == 0)
			continue;
		if (met() == NULL) {
			ck_assert(completed);
			break;
		}
		recover(&c);
		ck_assert_msg(c.attempt < 5000, "%s never completes", sc->name);
	}
	return c.attempt;
}

/* ---- the migrations ---- */

/* app and lib: a dependency across sources, a no-transaction migration
 * of two statements, a folder migration. */
static void files_app_lib(void)
{
	fx_write("app/001_users.up.sql",
		 "-- dbshift:depends-on lib/1\n"
		 "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n"
		 "INSERT INTO users (name) VALUES ('a');\n");
	fx_write("app/001_users.down.sql", "DROP TABLE users;\n");
	fx_write("app/002_bulk.up.sql", "-- dbshift:no-transaction\n"
					"CREATE TABLE bulk_a (id INT);\n"
					"CREATE TABLE bulk_b (id INT);\n");
	fx_write("app/002_bulk.down.sql", "DROP TABLE bulk_b;\n"
					  "DROP TABLE bulk_a;\n");
	fx_write("app/003_posts/up.sql",
		 "CREATE TABLE posts (id INT);\n"
		 "CREATE INDEX posts_id ON posts (id);\n");
	fx_write("app/003_posts/down.sql", "DROP TABLE posts;\n");
	fx_write("lib/1_base.up.sql", "CREATE TABLE base (id INT);\n");
	fx_write("lib/1_base.down.sql", "DROP TABLE base;\n");
}

static const char *const app_lib[] = {"app", "lib", NULL};

/* clang-format off */
static const struct mig app_lib_migs[] = {
	{"lib/1", "hist", "base", 0, 0},
	{"app/001", "hist", "users", 0, 0},
	{"app/002", "hist", "bulk_a bulk_b", 1, 0},
	{"app/003", "hist", "posts", 0, 0},
	{"code/1", "hist", "coded", 0, 0},
};
/* clang-format on */

/* ---- scenario: the life of a database ---- */

static void make_lifecycle(struct ctx *c)
{
	c->r = new_runner(c->url, "hist", DBSHIFT_LOCK_DEFAULT, app_lib);
	add_code_source(c->r, code_up);
}

/* clang-format off */
static const struct step lifecycle_steps[] = {
	{STATUS, 0, NULL, 0, 5, 0, NULL},
	{PLAN_UP, 0, NULL, 0, 5, 0, NULL},
	{UP, 0, "app/001", 0, 2, 0, NULL},
	{UP, 0, NULL, 0, 3, 0, NULL},
	{VALIDATE, 0, NULL, 0, 0, 0, NULL},
	{DOWN, 0, NULL, 1, 1, 0, NULL},
	{REDO, 0, NULL, 0, -1, 0, NULL},
	{UP, 0, NULL, 0, 1, 0, NULL},
	{PLAN_DOWN, 0, NULL, 2, 2, 0, NULL},
	{DOWN, 0, "lib/1", 0, 4, 0, NULL},
	{DOWN, 0, NULL, -1, 1, 0, NULL},
	{STATUS, 0, NULL, 0, 5, 0, NULL},
};
/* clang-format on */

static const struct scenario lifecycle = {
	.name = "lifecycle",
	.files = files_app_lib,
	.make = make_lifecycle,
	.migs = app_lib_migs,
	.n_migs = N_OF(app_lib_migs),
	.steps = lifecycle_steps,
	.n_steps = N_OF(lifecycle_steps),
};

/* ---- scenario: adopting a database with baseline ---- */

static void reset_legacy(struct ctx *c)
{
	db_exec(c->db, "CREATE TABLE base (id INT);"
		       "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
		       "CREATE TABLE bulk_a (id INT);"
		       "CREATE TABLE bulk_b (id INT);");
}

static void make_legacy(struct ctx *c)
{
	c->r = new_runner(c->url, "hist", DBSHIFT_LOCK_DEFAULT, app_lib);
}

/* clang-format off */
static const struct mig legacy_migs[] = {
	{"lib/1", "hist", "base", 0, 1},
	{"app/001", "hist", "users", 0, 1},
	{"app/002", "hist", "bulk_a bulk_b", 1, 1},
	{"app/003", "hist", "posts", 0, 0},
};
/* clang-format on */

/* clang-format off */
static const struct step legacy_steps[] = {
	{BASELINE, 0, "app/002", 0, 3, 0, NULL},
	{BASELINE, 0, "app/002", 0, 0, 0, NULL},
	{STATUS, 0, NULL, 0, 4, 0, NULL},
	{UP, 0, NULL, 0, 1, 0, NULL},
	{DOWN, 0, NULL, 2, 2, 0, NULL},
	{REPAIR, 0, NULL, 0, 0, 0, NULL},
	{UP, 0, NULL, 0, 2, 0, NULL},
};
/* clang-format on */

static const struct scenario legacy = {
	.name = "baseline",
	.files = files_app_lib,
	.reset = reset_legacy,
	.make = make_legacy,
	.migs = legacy_migs,
	.n_migs = N_OF(legacy_migs),
	.steps = legacy_steps,
	.n_steps = N_OF(legacy_steps),
	.recover_baseline = "app/002",
};

/* ---- scenarios: a migration that fails part way ---- */

#define HALF_UP                                                                \
	"-- dbshift:no-transaction\n"                                          \
	"CREATE TABLE half_a (id INT);\n"                                      \
	"INSERT INTO nowhere VALUES (1);\n"                                    \
	"CREATE TABLE half_b (id INT);\n"
#define ONE_UP "CREATE TABLE one (id INT);\n"

static void files_dirty(void)
{
	fx_write("d/001_one.up.sql", ONE_UP);
	fx_write("d/001_one.down.sql", "DROP TABLE one;\n");
	fx_write("d/002_half.up.sql", HALF_UP);
	fx_write("d/002_half.down.sql", "DROP TABLE half_a;\n");
	fx_write("d/003_three.up.sql", "CREATE TABLE three (id INT);\n");
	fx_write("d/003_three.down.sql", "DROP TABLE three;\n");
}

static const char *const d_only[] = {"d", NULL};

static void make_dirty(struct ctx *c)
{
	c->r = new_runner(c->url, "hist", DBSHIFT_LOCK_DEFAULT, d_only);
}

/* clang-format off */
static const struct mig dirty_migs[] = {
	{"d/001", "hist", "one", 0, 0},
	{"d/002", "hist", "half_a", 1, 0},
	{"d/003", "hist", "three", 0, 0},
};
/* clang-format on */

/* The operator completes the failed migration by hand: force. */
/* clang-format off */
static const struct step force_steps[] = {
	{UP, 0, NULL, 0, -1, DBSHIFT_EMIGRATION, NULL},
	{STATUS, 0, NULL, 0, 3, 0, NULL},
	{VALIDATE, 0, NULL, 0, 1, 0, NULL},
	{UP, 0, NULL, 0, -1, DBSHIFT_EDIRTY, NULL},
	{PLAN_UP, 0, NULL, 0, -1, DBSHIFT_EDIRTY, NULL},
	{FORCE, 0, "d/002", 0, -1, 0, NULL},
	{FORCE, 0, "002", 0, -1, DBSHIFT_ESTATE, NULL},
	{UP, 0, NULL, 0, 1, 0, NULL},
	{DOWN, 0, NULL, -1, 3, 0, NULL},
};
/* clang-format on */

static const struct scenario dirty_force = {
	.name = "force",
	.files = files_dirty,
	.make = make_dirty,
	.migs = dirty_migs,
	.n_migs = N_OF(dirty_migs),
	.steps = force_steps,
	.n_steps = N_OF(force_steps),
	.recover_target = "d/001",
};

/* The operator undoes the failed migration, fixes it and edits an applied
 * one: repair. */
static void undo_by_hand(struct ctx *c)
{
	db_exec(c->db, "DROP TABLE IF EXISTS half_a;");
	fx_write("d/002_half.up.sql", "-- dbshift:no-transaction\n"
				      "CREATE TABLE half_a (id INT);\n"
				      "INSERT INTO half_a VALUES (1);\n");
	fx_write("d/001_one.up.sql", "-- reviewed\n" ONE_UP);
}

static void reset_dirty(struct ctx *c)
{
	(void)c;
	fx_write("d/001_one.up.sql", ONE_UP);
	fx_write("d/002_half.up.sql", HALF_UP);
}

/* clang-format off */
static const struct step repair_steps[] = {
	{UP, 0, NULL, 0, -1, DBSHIFT_EMIGRATION, NULL},
	{HAND, 0, NULL, 0, -1, 0, undo_by_hand},
	{UP, 0, NULL, 0, -1, DBSHIFT_ECHECKSUM, NULL},
	{VALIDATE, 0, NULL, 0, 2, 0, NULL},
	{REPAIR, 0, NULL, 0, 2, 0, NULL},
	{UP, 0, NULL, 0, 2, 0, NULL},
	{VALIDATE, 0, NULL, 0, 0, 0, NULL},
};
/* clang-format on */

static const struct scenario dirty_repair = {
	.name = "repair",
	.files = files_dirty,
	.reset = reset_dirty,
	.make = make_dirty,
	.migs = dirty_migs,
	.n_migs = N_OF(dirty_migs),
	.steps = repair_steps,
	.n_steps = N_OF(repair_steps),
	.recover_target = "d/001",
	.may_change = 1,
};

/* ---- scenario: two history tables in one database ---- */

static void files_two(void)
{
	files_app_lib();
	fx_write("other/1_other.up.sql", "CREATE TABLE other_t (id INT);\n");
	fx_write("other/1_other.down.sql", "DROP TABLE other_t;\n");
	fx_write("other/2_more.up.sql", "-- dbshift:no-transaction\n"
					"CREATE TABLE more_t (id INT);\n");
	fx_write("other/2_more.down.sql", "DROP TABLE more_t;\n");
}

/* The second runner's lease table holds a lease that expired long ago,
 * left by a run that died. */
static void reset_two(struct ctx *c)
{
	db_exec(c->db, "CREATE TABLE dbshift_locks (lock_key VARCHAR(255) "
		       "NOT NULL PRIMARY KEY, owner VARCHAR(255) NOT NULL, "
		       "expires_at BIGINT NOT NULL);"
		       "INSERT INTO dbshift_locks VALUES "
		       "('dbshift:main.hist2', 'gone:1:1', 1);");
}

static const char *const other_only[] = {"other", NULL};

/* hist with the session lock, main.hist2 with a lease. */
static void make_two(struct ctx *c)
{
	c->r = new_runner(c->url, "hist", DBSHIFT_LOCK_ADVISORY, app_lib);
	c->r2 = new_runner(c->url, "main.hist2", DBSHIFT_LOCK_TABLE,
			   other_only);
}

/* clang-format off */
static const struct mig two_migs[] = {
	{"lib/1", "hist", "base", 0, 0},
	{"app/001", "hist", "users", 0, 0},
	{"app/002", "hist", "bulk_a bulk_b", 1, 0},
	{"app/003", "hist", "posts", 0, 0},
	{"other/1", "main.hist2", "other_t", 0, 0},
	{"other/2", "main.hist2", "more_t", 1, 0},
};
/* clang-format on */

/* clang-format off */
static const struct step two_steps[] = {
	{UP, 0, NULL, 0, 4, 0, NULL},
	{UP, 1, NULL, 0, 2, 0, NULL},
	{STATUS, 1, NULL, 0, 2, 0, NULL},
	{DOWN, 1, NULL, 1, 1, 0, NULL},
	{DOWN, 0, NULL, 1, 1, 0, NULL},
	{UP, 1, NULL, 0, 1, 0, NULL},
	{VALIDATE, 1, NULL, 0, 0, 0, NULL},
};
/* clang-format on */

static const struct scenario two_tables = {
	.name = "two tables",
	.files = files_two,
	.reset = reset_two,
	.make = make_two,
	.migs = two_migs,
	.n_migs = N_OF(two_migs),
	.steps = two_steps,
	.n_steps = N_OF(two_steps),
};

/* ---- every call failing in turn ---- */

START_TEST(test_faults_lifecycle)
{
	ck_assert_int_gt(run_scenario(&lifecycle, "flaky"), 100);
	ck_assert_int_gt(run_scenario(&lifecycle, "flakynotx"), 100);
}
END_TEST

START_TEST(test_faults_baseline)
{
	ck_assert_int_gt(run_scenario(&legacy, "flaky"), 50);
}
END_TEST

START_TEST(test_faults_force)
{
	ck_assert_int_gt(run_scenario(&dirty_force, "flaky"), 50);
	ck_assert_int_gt(run_scenario(&dirty_force, "flakynotx"), 50);
}
END_TEST

START_TEST(test_faults_repair)
{
	ck_assert_int_gt(run_scenario(&dirty_repair, "flaky"), 50);
	ck_assert_int_gt(run_scenario(&dirty_repair, "flakynotx"), 50);
}
END_TEST

START_TEST(test_faults_two_tables)
{
	ck_assert_int_gt(run_scenario(&two_tables, "flaky"), 50);
}
END_TEST

/* ---- particular slots ---- */

/* URL of the database file rel on the driver of scheme, with params. */
static const char *url_of(const char *scheme, const char *rel,
			  const char *params)
{
	static char url[2][1400];
	static int next;
	char *u = url[next++ % 2];

	snprintf(u, sizeof(url[0]), "%s:%s%s%s", scheme, fx_path(rel),
		 params ? "?" : "", params ? params : "");
	return u;
}

static void write_one(const char *script)
{
	fx_write("s/001_first.up.sql", script);
	fx_write("s/001_first.down.sql", "DROP TABLE IF EXISTS t1;\n");
}

static const char *const s_only[] = {"s", NULL};

/* The events of the last run, in this test's process. */
static struct {
	int n;
	dbshift_event_kind kind[8];
	int code[8];
} events;

static void on_event(const dbshift_event *ev, void *payload)
{
	(void)payload;
	if (events.n >= 8)
		return;
	events.kind[events.n] = ev->kind;
	events.code[events.n] = ev->error != NULL ? ev->error->code : 0;
	events.n++;
}

/* Commit fails after the script and the history row went through: both
 * are rolled back, and the error names the migration. */
START_TEST(test_faults_commit)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	const char *url = url_of("flaky", "c.db", NULL);
	const dbshift_error *e;
	dbshift_runner *r;
	int n = -1;

	write_one("CREATE TABLE t1 (id INT);\n");
	opts.url = url;
	opts.table = "hist";
	opts.on_event = on_event;
	r = runner_with(&opts, s_only);
	arm(1, "commit");
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), DBSHIFT_EDB);
	disarm();
	ck_assert_str_eq(met(), "commit 1");
	e = dbshift_runner_error(r);
	ck_assert_str_eq(e->message,
			 "s/001: cannot commit transaction: flaky: injected "
			 "failure in commit call 1 (" ENV_FAIL_AT "=1)");
	ck_assert_str_eq(e->sqlstate, "HY000");
	ck_assert_str_eq(e->migration, "s/001");
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(events.n, 2);
	ck_assert_int_eq(events.kind[0], DBSHIFT_EVENT_BEFORE);
	ck_assert_int_eq(events.kind[1], DBSHIFT_EVENT_ERROR);
	ck_assert_int_eq(events.code[1], DBSHIFT_EDB);
	dbshift_runner_free(r);
	ck_assert(!fx_sqlite_has_table(fx_path("c.db"), "t1"));
	ck_assert_int_eq(path_int(fx_path("c.db"), "SELECT count(*) FROM hist"),
			 0);
	r = new_runner(url, "hist", DBSHIFT_LOCK_DEFAULT, s_only);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), 0);
	ck_assert_int_eq(n, 1);
	dbshift_runner_free(r);
}
END_TEST

/* The history table cannot be looked up: the command fails, the
 * connection stays usable. */
START_TEST(test_faults_table_exists)
{
	dbshift_runner *r;
	dbshift_status *st = NULL;

	write_one("CREATE TABLE t1 (id INT);\n");
	r = new_runner(url_of("flaky", "t.db", NULL), "hist",
		       DBSHIFT_LOCK_DEFAULT, s_only);
	arm(1, "table_exists");
	ck_assert_int_eq(dbshift_runner_status(r, &st), DBSHIFT_EDB);
	disarm();
	ck_assert_ptr_null(st);
	ck_assert_str_eq(dbshift_runner_error(r)->message,
			 "cannot look up the history table: flaky: injected "
			 "failure in table_exists call 1 (" ENV_FAIL_AT "=1)");
	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	ck_assert_int_eq(dbshift_status_count(st), 1);
	dbshift_status_free(st);
	dbshift_runner_free(r);
}
END_TEST

/* The other runner of test_faults_lock, run while the first one holds
 * the lock. */
static struct {
	dbshift_runner *r;
	int rc;
	char message[2048];
} other;

static void run_other(const dbshift_event *ev, void *payload)
{
	(void)payload;
	if (ev->kind != DBSHIFT_EVENT_BEFORE || other.r == NULL)
		return;
	other.rc = dbshift_runner_up(other.r, NULL, NULL);
	snprintf(other.message, sizeof(other.message), "%s",
		 dbshift_runner_error(other.r)->message);
}

/* A lock that fails is reported with the driver's error; one held by
 * another run times out with a message that says so. */
START_TEST(test_faults_lock)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	const char *url = url_of("flaky", "l.db", NULL);
	dbshift_runner *r;
	int n = -1;

	write_one("CREATE TABLE t1 (id INT);\n");
	r = new_runner(url, "hist", DBSHIFT_LOCK_DEFAULT, s_only);
	arm(1, "lock");
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), DBSHIFT_ELOCK);
	disarm();
	ck_assert_str_eq(dbshift_runner_error(r)->message,
			 "cannot take lock 'dbshift:hist': flaky: injected "
			 "failure in lock call 1 (" ENV_FAIL_AT "=1)");
	ck_assert_int_eq(n, 0);
	ck_assert(!fx_sqlite_has_table(fx_path("l.db"), "t1"));
	dbshift_runner_free(r);

	opts.url = url;
	opts.table = "hist";
	opts.on_event = run_other;
	r = runner_with(&opts, s_only);
	other.r = new_runner(url, "hist", DBSHIFT_LOCK_DEFAULT, s_only);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(other.rc, DBSHIFT_ELOCK);
	ck_assert_msg(strncmp(other.message,
			      "timed out after 0 s waiting for lock "
			      "'dbshift:hist' held by another run;",
			      70) == 0,
		      "%s", other.message);
	ck_assert_int_eq(dbshift_runner_up(other.r, NULL, &n), 0);
	ck_assert_int_eq(n, 0);
	dbshift_runner_free(other.r);
	dbshift_runner_free(r);
}
END_TEST

/* A rollback that fails after the script failed does not hide the
 * script's error; nothing is recorded. */
START_TEST(test_faults_rollback)
{
	dbshift_runner *r;
	const char *msg;

	write_one(
		"CREATE TABLE t1 (id INT);\nINSERT INTO nowhere VALUES (1);\n");
	r = new_runner(url_of("flaky", "r.db", NULL), "hist",
		       DBSHIFT_LOCK_DEFAULT, s_only);
	arm(1, "rollback");
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EMIGRATION);
	disarm();
	ck_assert_str_eq(met(), "rollback 1");
	msg = dbshift_runner_error(r)->message;
	ck_assert_msg(strstr(msg, "no such table: nowhere") != NULL, "%s", msg);
	ck_assert_ptr_null(strstr(msg, "injected"));
	dbshift_runner_free(r); /* closing rolls back */
	ck_assert(!fx_sqlite_has_table(fx_path("r.db"), "t1"));
	ck_assert_int_eq(path_int(fx_path("r.db"), "SELECT count(*) FROM hist"),
			 0);
}
END_TEST

/* How a failed statement is named, whatever the driver tells of it: the
 * core finds the statement of a line, and splits scripts itself for a
 * driver that needs it. */
START_TEST(test_faults_statement_diag)
{
	static const struct {
		const char *scheme, *params, *where, *statement;
		int index;
	} cases[] = {
		{"flaky", "diag=both", ", statement 2 at line 4: ",
		 "INSERT INTO nowhere VALUES (1);", 2},
		{"flaky", "diag=line", ", statement 2 at line 4: ",
		 "INSERT INTO nowhere VALUES (1);", 2},
		{"flaky", "diag=index", ", statement 2: ", "", 2},
		{"flaky", "diag=none", "up.sql: no such table", "", 0},
		{"flakynotx", NULL, ", statement 2 at line 4: ",
		 "INSERT INTO nowhere VALUES (1);", 2},
	};
	const dbshift_error *e;
	dbshift_runner *r;
	char rel[32], *row;
	size_t i;

	write_one("-- dbshift:no-transaction\nCREATE TABLE t1 (id INT);\n\n"
		  "  INSERT INTO nowhere VALUES (1);\n");
	for (i = 0; i < N_OF(cases); i++) {
		snprintf(rel, sizeof(rel), "d%zu.db", i);
		r = new_runner(url_of(cases[i].scheme, rel, cases[i].params),
			       "hist", DBSHIFT_LOCK_DEFAULT, s_only);
		ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL),
				 DBSHIFT_EMIGRATION);
		e = dbshift_runner_error(r);
		ck_assert_msg(strstr(e->message, cases[i].where) != NULL,
			      "%s?%s: %s", cases[i].scheme, cases[i].params,
			      e->message);
		ck_assert_str_eq(e->statement, cases[i].statement);
		ck_assert_int_eq(e->statement_index, cases[i].index);
		ck_assert_str_eq(e->file, fx_path("s/001_first.up.sql"));
		dbshift_runner_free(r);
		row = fx_sqlite_query(fx_path(rel),
				      "SELECT state || '|' || "
				      "coalesce(failed_statement_index, -1) "
				      "|| '|' || failed_statement FROM hist");
		ck_assert_str_eq(row,
				 cases[i].index == 0   ? "dirty|-1|" :
				 cases[i].statement[0] ? "dirty|2|INSERT INTO "
							 "nowhere VALUES (1);" :
							 "dirty|2|");
		free(row);
	}
}
END_TEST

/* The failed statement recorded and shown is its first line, cut to
 * what the error object holds. */
START_TEST(test_faults_long_statement)
{
	char script[1200], *row;
	dbshift_runner *r;
	const dbshift_error *e;
	int len;

	len = snprintf(script, sizeof(script),
		       "-- dbshift:no-transaction\n"
		       "INSERT INTO nowhere VALUES ('");
	memset(script + len, 'x', 700);
	snprintf(script + len + 700, sizeof(script) - (size_t)len - 700,
		 "');\n");
	write_one(script);
	r = new_runner(url_of("flaky", "long.db", "diag=both"), "hist",
		       DBSHIFT_LOCK_DEFAULT, s_only);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EMIGRATION);
	e = dbshift_runner_error(r);
	ck_assert_uint_eq(strlen(e->statement), 511);
	ck_assert(strncmp(e->statement, "INSERT INTO nowhere VALUES ('xxx",
			  32) == 0);
	row = fx_sqlite_query(fx_path("long.db"),
			      "SELECT length(failed_statement) FROM hist");
	ck_assert_str_eq(row, "511");
	free(row);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EDIRTY);
	ck_assert_ptr_nonnull(strstr(dbshift_runner_error(r)->message,
				     "at statement 1 (INSERT INTO nowhere"));
	dbshift_runner_free(r);
}
END_TEST

/* A driver that returns every value as text (a text protocol): the
 * history's numbers are read from it, so sequence numbers go on. */
START_TEST(test_faults_text_values)
{
	dbshift_runner *r;
	dbshift_status *st = NULL;
	dbshift_findings *f = NULL;
	char *seqs;
	int n;

	files_dirty();
	r = new_runner(url_of("flaky", "text.db", "values=text&diag=both"),
		       "hist", DBSHIFT_LOCK_DEFAULT, d_only);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EMIGRATION);
	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	ck_assert_int_eq(dbshift_status_get(st, 0)->applied_seq, 1);
	ck_assert_int_eq(dbshift_status_get(st, 1)->applied_seq, 2);
	ck_assert_int_eq(dbshift_status_get(st, 1)->state, DBSHIFT_STATE_DIRTY);
	dbshift_status_free(st);
	ck_assert_int_eq(dbshift_runner_validate(r, &f, &n), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_ptr_nonnull(strstr(dbshift_findings_get(f, 0)->message,
				     "failed part way at statement 2 (INSERT "
				     "INTO nowhere VALUES (1);)"));
	dbshift_findings_free(f);
	ck_assert_int_eq(dbshift_runner_force(r, "d/002"), 0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), 0);
	ck_assert_int_eq(n, 1);
	dbshift_runner_free(r);
	seqs = fx_sqlite_query(fx_path("text.db"),
			       "SELECT seq FROM hist ORDER BY seq");
	ck_assert_str_eq(seqs, "1,2,3");
	free(seqs);
}
END_TEST

/* A history row whose text columns the database returns as integers
 * (a column declared numeric by hand) still reads as text. */
START_TEST(test_faults_numeric_history_values)
{
	const dbshift_migration_info *info;
	dbshift_runner *r;
	dbshift_status *st = NULL;

	files_dirty();
	db_exec(fx_path("num.db"),
		"CREATE TABLE hist (id VARCHAR(255) NOT NULL PRIMARY KEY, "
		"source VARCHAR(255) NOT NULL, version INTEGER NOT NULL, "
		"name VARCHAR(255) NOT NULL, checksum VARCHAR(64) NOT NULL, "
		"applied_at VARCHAR(32) NOT NULL, execution_ms BIGINT NOT "
		"NULL, "
		"seq BIGINT NOT NULL, state VARCHAR(16) NOT NULL, error TEXT, "
		"failed_statement_index BIGINT, failed_statement TEXT);"
		"INSERT INTO hist VALUES ('old/7', 'old', 7, 'gone', 'abc', "
		"'2024-01-01T00:00:00Z', 5, 1, 'applied', NULL, NULL, NULL);");
	r = new_runner(url_of("flaky", "num.db", NULL), "hist",
		       DBSHIFT_LOCK_DEFAULT, d_only);
	ck_assert_int_eq(dbshift_runner_status(r, &st), 0);
	ck_assert_int_eq(dbshift_status_count(st), 4);
	info = dbshift_status_get(st, 3);
	ck_assert_str_eq(info->id, "old/7");
	ck_assert_int_eq(info->state, DBSHIFT_STATE_MISSING);
	ck_assert_str_eq(info->version, "7");
	ck_assert_int_eq(info->execution_ms, 5);
	dbshift_status_free(st);
	dbshift_runner_free(r);
}
END_TEST

/* A connection that fails with a URL too long to quote is named without
 * leaking its password. */
START_TEST(test_faults_open_long_url)
{
	char url[1400];
	dbshift_runner *r;
	dbshift_status *st = NULL;
	const char *msg;
	int len;

	len = snprintf(url, sizeof(url),
		       "%s?x=", url_of("flaky", "o.db", NULL));
	memset(url + len, 'a', 1100);
	snprintf(url + len + 1100, sizeof(url) - (size_t)len - 1100,
		 "&password=secret");
	r = new_runner(url, "hist", DBSHIFT_LOCK_DEFAULT, NULL);
	arm(1, "open");
	ck_assert_int_eq(dbshift_runner_status(r, &st), DBSHIFT_EDB);
	disarm();
	msg = dbshift_runner_error(r)->message;
	/* The query is not shown at all. */
	ck_assert_str_eq(msg + strlen(msg) -
				 strlen(": flaky: injected failure "
					"in open call 1 (" ENV_FAIL_AT "=1)"),
			 ": flaky: injected failure "
			 "in open call 1 (" ENV_FAIL_AT "=1)");
	ck_assert_ptr_nonnull(strstr(msg, "cannot connect to flaky:"));
	ck_assert_ptr_null(strstr(msg, "secret"));
	ck_assert_ptr_null(strstr(msg, "aaa"));
	dbshift_runner_free(r);
	ck_assert_int_ne(access(fx_path("o.db"), F_OK), 0);
}
END_TEST

/* Asking a driver without a session lock for one is refused before
 * anything is written. */
START_TEST(test_faults_advisory_needs_session_lock)
{
	dbshift_runner *r;

	write_one("CREATE TABLE t1 (id INT);\n");
	r = new_runner(url_of("flakynotx", "a.db", NULL), "hist",
		       DBSHIFT_LOCK_ADVISORY, s_only);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EINVAL);
	ck_assert_str_eq(dbshift_runner_error(r)->message,
			 "the flakynotx driver has no session lock; use "
			 "--lock=table or --lock=auto");
	dbshift_runner_free(r);
	ck_assert(!fx_sqlite_has_table(fx_path("a.db"), "hist"));
}
END_TEST

/*
 * The lease of a run that died is taken over at once, even without
 * waiting (--lock-timeout=0); a live one is not. On the real SQLite
 * driver. (The expired lease used to be removed only after the deadline
 * was judged, so a zero timeout always failed as "held by another run".)
 */
START_TEST(test_faults_expired_lease_no_wait)
{
	static const char create[] =
		"CREATE TABLE dbshift_locks (lock_key VARCHAR(255) NOT NULL "
		"PRIMARY KEY, owner VARCHAR(255) NOT NULL, expires_at BIGINT "
		"NOT NULL);";
	dbshift_runner *r;
	char sql[400], *left;
	int n = -1;

	write_one("CREATE TABLE t1 (id INT);\n");
	snprintf(sql, sizeof(sql),
		 "%s INSERT INTO dbshift_locks VALUES ('dbshift:hist', "
		 "'gone:1:1', 1);",
		 create);
	db_exec(fx_path("x.db"), sql);
	r = new_runner(fx_sqlite_url("x.db"), "hist", DBSHIFT_LOCK_TABLE,
		       s_only);
	ck_assert_msg(dbshift_runner_up(r, NULL, &n) == 0, "%s",
		      dbshift_runner_error(r)->message);
	ck_assert_int_eq(n, 1);
	dbshift_runner_free(r);
	left = fx_sqlite_query(fx_path("x.db"), "SELECT count(*) FROM "
						"dbshift_locks");
	ck_assert_str_eq(left, "0");
	free(left);

	snprintf(sql, sizeof(sql),
		 "%s INSERT INTO dbshift_locks VALUES ('dbshift:hist', "
		 "'alive:1:1', 4000000000);",
		 create);
	db_exec(fx_path("y.db"), sql);
	r = new_runner(fx_sqlite_url("y.db"), "hist", DBSHIFT_LOCK_TABLE,
		       s_only);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, &n), DBSHIFT_ELOCK);
	ck_assert_int_eq(n, 0);
	dbshift_runner_free(r);
	ck_assert(!fx_sqlite_has_table(fx_path("y.db"), "t1"));
}
END_TEST

/*
 * A lease that cannot be written for a reason of its own (here a
 * dbshift_locks table of another layout) is reported with the database's
 * error, not as a lock "held by another run" that nobody holds. On the
 * real SQLite driver.
 */
START_TEST(test_faults_lease_insert_error)
{
	dbshift_runner *r;
	const char *msg;

	write_one("CREATE TABLE t1 (id INT);\n");
	db_exec(fx_path("z.db"), "CREATE TABLE dbshift_locks (lock_key TEXT "
				 "PRIMARY KEY, expires_at BIGINT);");
	r = new_runner(fx_sqlite_url("z.db"), "hist", DBSHIFT_LOCK_TABLE,
		       s_only);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EDB);
	msg = dbshift_runner_error(r)->message;
	ck_assert_msg(strstr(msg, "has no column named owner") != NULL, "%s",
		      msg);
	ck_assert_ptr_null(strstr(msg, "another run"));
	dbshift_runner_free(r);
	ck_assert(!fx_sqlite_has_table(fx_path("z.db"), "t1"));
}
END_TEST

/* ---- error paths that need no failing database ---- */

/* down refuses an applied migration that left the sources, and a target
 * that is not applied, before changing anything. */
START_TEST(test_faults_down_refusals)
{
	const char *url = url_of("flaky", "down.db", NULL);
	const dbshift_error *e;
	dbshift_runner *r;
	char *ids;
	int n = -1;

	files_app_lib();
	r = new_runner(url, "hist", DBSHIFT_LOCK_DEFAULT, app_lib);
	ck_assert_int_eq(dbshift_runner_up(r, "lib/1", NULL), 0);
	ck_assert_int_eq(dbshift_runner_down(r, 0, "app/001", &n),
			 DBSHIFT_ESTATE);
	ck_assert_str_eq(dbshift_runner_error(r)->message,
			 "app/001 is not applied");
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), 0);
	dbshift_runner_free(r);

	unlink(fx_path("app/003_posts/up.sql"));
	unlink(fx_path("app/003_posts/down.sql"));
	rmdir(fx_path("app/003_posts"));
	r = new_runner(url, "hist", DBSHIFT_LOCK_DEFAULT, app_lib);
	ck_assert_int_eq(dbshift_runner_down(r, 2, NULL, &n),
			 DBSHIFT_ENOTFOUND);
	e = dbshift_runner_error(r);
	ck_assert_str_eq(e->message, "applied migration app/003 is not in the "
				     "sources; cannot roll it back");
	ck_assert_str_eq(e->migration, "app/003");
	ck_assert_int_eq(n, 0);
	dbshift_runner_free(r);
	ids = fx_sqlite_query(fx_path("down.db"),
			      "SELECT id FROM hist ORDER BY seq");
	ck_assert_str_eq(ids, "lib/1,app/001,app/002,app/003");
	free(ids);
}
END_TEST

/* force resolves a dirty row that is only in the history, and refuses a
 * migration without a row. */
START_TEST(test_faults_force_refusals)
{
	const char *url = url_of("flaky", "force.db", NULL);
	dbshift_runner *r;
	char *state;

	files_dirty();
	r = new_runner(url, "hist", DBSHIFT_LOCK_DEFAULT, d_only);
	ck_assert_int_eq(dbshift_runner_up(r, "d/001", NULL), 0);
	db_exec(fx_path("force.db"),
		"INSERT INTO hist (id, source, version, name, checksum, "
		"applied_at, execution_ms, seq, state) VALUES ('gone/9', "
		"'gone', '9', 'x', 'abc', '2024-01-01T00:00:00Z', 0, 2, "
		"'dirty')");
	ck_assert_int_eq(dbshift_runner_force(r, "gone/9"), 0);
	state = fx_sqlite_query(fx_path("force.db"),
				"SELECT state FROM hist WHERE id = 'gone/9'");
	ck_assert_str_eq(state, "applied");
	free(state);
	ck_assert_int_eq(dbshift_runner_force(r, "d/003"), DBSHIFT_ESTATE);
	ck_assert_str_eq(dbshift_runner_error(r)->message,
			 "d/003 has no history row; force only resolves a "
			 "dirty migration");
	ck_assert_str_eq(dbshift_runner_error(r)->migration, "d/003");
	dbshift_runner_free(r);
}
END_TEST

static int freed;

static void count_free(void *state)
{
	(void)state;
	freed++;
}

static int load_odd(void *state, dbshift_catalog *cat)
{
	(void)state;
	(void)cat;
	return 1; /* fails without saying why */
}

/* Misuse of sources and runner options: refused with a message, and what
 * was handed over is freed. */
START_TEST(test_faults_source_and_runner_misuse)
{
	static const dbshift_source_ops bad_ops = {0, load_odd, count_free};
	static const dbshift_source_ops odd_ops = {DBSHIFT_SOURCE_OPS_VERSION,
						   load_odd, count_free};
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_source *src = NULL;
	dbshift_runner *r = NULL;

	ck_assert_int_eq(dbshift_source_new(&src, "x", &bad_ops, NULL),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_null(src);
	ck_assert_int_eq(freed, 1);
	ck_assert_str_eq(dbshift_error_last()->message,
			 "source 'x': invalid source operations");

	ck_assert_int_eq(dbshift_source_new(&src, "odd", &odd_ops, NULL), 0);
	ck_assert_int_eq(dbshift_runner_add_source(NULL, src), DBSHIFT_EINVAL);
	ck_assert_int_eq(freed, 2);

	opts.url = "";
	r = (dbshift_runner *)&opts; /* must come back NULL */
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), DBSHIFT_EINVAL);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(dbshift_error_last()->message,
			 "runner options need a database URL");
	opts.url = url_of("flaky", "m.db", NULL);
	opts.lock_kind = (dbshift_lock_kind)9;
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), DBSHIFT_EINVAL);
	ck_assert_ptr_null(r);
	ck_assert_str_eq(dbshift_runner_error(r)->message,
			 "unknown lock kind 9");

	/* A runner whose driver did not load is not returned; calls on the
	 * NULL runner are refused and say so. */
	opts.url = "nosuchdriver:x";
	opts.lock_kind = DBSHIFT_LOCK_DEFAULT;
	opts.driver_dir = fx_test_driver_dir();
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), DBSHIFT_EURL);
	ck_assert_ptr_null(r);
	ck_assert_ptr_nonnull(strstr(dbshift_error_last()->message,
				     "no driver for URL scheme "
				     "'nosuchdriver'"));
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EINVAL);
	ck_assert_str_eq(dbshift_error_last()->message, "no runner given");

	/* A source that fails without saying why is named. */
	r = new_runner(url_of("flaky", "m.db", NULL), "hist",
		       DBSHIFT_LOCK_DEFAULT, NULL);
	src = NULL;
	ck_assert_int_eq(dbshift_source_new(&src, "odd", &odd_ops, NULL), 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, src), 0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_ESOURCE);
	ck_assert_str_eq(dbshift_runner_error(r)->message,
			 "source 'odd' failed to load");
	dbshift_runner_free(r);
	ck_assert_int_eq(freed, 3);
}
END_TEST

static int up_silent(dbshift_conn *conn, void *payload)
{
	(void)conn;
	(void)payload;
	return -5;
}

static int up_says_why(dbshift_conn *conn, void *payload)
{
	(void)payload;
	return dbshift_conn_fail(conn, "no %s today  \n", "coffee");
}

/* A code migration that fails is named, with its reason when it gave
 * one (on one line, without trailing blanks). */
START_TEST(test_faults_code_callback)
{
	dbshift_runner *r;

	r = new_runner(url_of("flaky", "code.db", NULL), "hist",
		       DBSHIFT_LOCK_DEFAULT, NULL);
	add_code_source(r, up_silent);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EMIGRATION);
	ck_assert_str_eq(dbshift_runner_error(r)->message,
			 "code/1: up callback failed (-5)");
	dbshift_runner_free(r);
	r = new_runner(url_of("flaky", "code.db", NULL), "hist",
		       DBSHIFT_LOCK_DEFAULT, NULL);
	add_code_source(r, up_says_why);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EMIGRATION);
	ck_assert_str_eq(dbshift_runner_error(r)->message,
			 "code/1: up callback failed: no coffee today");
	dbshift_runner_free(r);
}
END_TEST

/* An over-long bad URL is shortened in the message. */
START_TEST(test_faults_long_bad_url)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r = NULL;
	char url[700];
	const char *msg;

	memset(url, 'u', sizeof(url) - 1);
	url[sizeof(url) - 1] = '\0';
	memcpy(url, "x+y:", 4);
	opts.url = url;
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), DBSHIFT_EURL);
	ck_assert_ptr_null(r);
	msg = dbshift_error_last()->message;
	ck_assert_msg(strstr(msg, "uuu...': scheme") != NULL, "%s", msg);
	ck_assert_uint_lt(strlen(msg), 1100);
}
END_TEST

/* The loader's internal calls report to the thread's error when given
 * no error object. */
START_TEST(test_faults_loader_last_error)
{
	const dbshift_driver *d = NULL;

	ck_assert_int_eq(
		dbshift__loader_load(&d, "nosuchdriver", fx_path("none"), NULL),
		DBSHIFT_EURL);
	ck_assert_ptr_nonnull(strstr(dbshift_error_last()->message,
				     "no driver 'nosuchdriver'"));
	ck_assert_int_eq(dbshift__loader_load_file(&d, NULL, "x", NULL),
			 DBSHIFT_EINVAL);
	ck_assert_str_eq(dbshift_error_last()->message,
			 "invalid driver name 'x' or path");
	ck_assert_ptr_null(d);
}
END_TEST

/* Every code has its own stable name; others are unknown. */
START_TEST(test_faults_code_names)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
		{DBSHIFT_OK, "ok"},
		{DBSHIFT_ERROR, "error"},
		{DBSHIFT_ENOMEM, "out of memory"},
		{DBSHIFT_EINVAL, "invalid argument"},
		{DBSHIFT_EURL, "bad URL"},
		{DBSHIFT_EDRIVER, "driver error"},
		{DBSHIFT_ESOURCE, "bad migration source"},
		{DBSHIFT_EGRAPH, "bad dependency graph"},
		{DBSHIFT_ENOTFOUND, "migration not found"},
		{DBSHIFT_EDB, "database error"},
		{DBSHIFT_EMIGRATION, "migration failed"},
		{DBSHIFT_EDIRTY, "dirty migration"},
		{DBSHIFT_ECHECKSUM, "checksum mismatch"},
		{DBSHIFT_ENODOWN, "no down script"},
		{DBSHIFT_ELOCK, "lock not acquired"},
		{DBSHIFT_EIO, "I/O error"},
		{DBSHIFT_ESTATE, "refused by history state"},
	};
	size_t i;

	for (i = 0; i < N_OF(names); i++) {
		ck_assert_int_eq(names[i].code, -(int)i);
		ck_assert_str_eq(dbshift_code_name(names[i].code),
				 names[i].name);
	}
	ck_assert_str_eq(dbshift_code_name(-(int)N_OF(names)), "unknown error");
	ck_assert_str_eq(dbshift_code_name(1), "unknown error");
}
END_TEST

static int load_says_zero(void *state, dbshift_catalog *cat)
{
	(void)state;
	/* A source that reports its failure with a non-negative code. */
	return dbshift_catalog_fail(cat, 0, "odd.sql", "odd %d", 1);
}

/* A source's failure is a source error whatever code it gave. */
START_TEST(test_faults_catalog_fail_code)
{
	static const dbshift_source_ops ops = {DBSHIFT_SOURCE_OPS_VERSION,
					       load_says_zero, NULL};
	dbshift_source *src = NULL;
	dbshift_runner *r;

	r = new_runner(url_of("flaky", "cat.db", NULL), "hist",
		       DBSHIFT_LOCK_DEFAULT, NULL);
	ck_assert_int_eq(dbshift_source_new(&src, "odd", &ops, NULL), 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, src), 0);
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_ESOURCE);
	ck_assert_str_eq(dbshift_runner_error(r)->message, "odd 1");
	ck_assert_str_eq(dbshift_runner_error(r)->file, "odd.sql");
	dbshift_runner_free(r);
	ck_assert_int_ne(access(fx_path("cat.db"), F_OK), 0);
}
END_TEST

/* A cycle is reported as the cycle alone, without the migrations that
 * only lead to it. */
START_TEST(test_faults_cycle_after_free_migration)
{
	dbshift_runner *r;
	const char *msg;

	fx_write("a/1_free.up.sql", "SELECT 1;");
	fx_write("a/2_x.up.sql", "-- dbshift:depends-on b/1\nSELECT 1;");
	fx_write("b/1_y.up.sql", "-- dbshift:depends-on a/2\nSELECT 1;");
	r = new_runner(url_of("flaky", "cyc.db", NULL), "hist",
		       DBSHIFT_LOCK_DEFAULT,
		       (const char *const[]){"a", "b", NULL});
	ck_assert_int_eq(dbshift_runner_up(r, NULL, NULL), DBSHIFT_EGRAPH);
	msg = dbshift_runner_error(r)->message;
	ck_assert_msg(strstr(msg, "a/2 -> b/1 -> a/2") != NULL ||
			      strstr(msg, "b/1 -> a/2 -> b/1") != NULL,
		      "%s", msg);
	ck_assert_msg(strstr(msg, "a/1") == NULL, "%s", msg);
	dbshift_runner_free(r);
}
END_TEST

Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("every call");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_faults_lifecycle);
	tcase_add_test(tc, test_faults_baseline);
	tcase_add_test(tc, test_faults_force);
	tcase_add_test(tc, test_faults_repair);
	tcase_add_test(tc, test_faults_two_tables);
	suite_add_tcase(s, tc);

	tc = tcase_create("particular slots");
	tcase_add_test(tc, test_faults_commit);
	tcase_add_test(tc, test_faults_table_exists);
	tcase_add_test(tc, test_faults_lock);
	tcase_add_test(tc, test_faults_rollback);
	tcase_add_test(tc, test_faults_statement_diag);
	tcase_add_test(tc, test_faults_long_statement);
	tcase_add_test(tc, test_faults_text_values);
	tcase_add_test(tc, test_faults_numeric_history_values);
	tcase_add_test(tc, test_faults_open_long_url);
	tcase_add_test(tc, test_faults_advisory_needs_session_lock);
	tcase_add_test(tc, test_faults_expired_lease_no_wait);
	tcase_add_test(tc, test_faults_lease_insert_error);
	suite_add_tcase(s, tc);

	tc = tcase_create("other error paths");
	tcase_add_test(tc, test_faults_down_refusals);
	tcase_add_test(tc, test_faults_force_refusals);
	tcase_add_test(tc, test_faults_source_and_runner_misuse);
	tcase_add_test(tc, test_faults_code_callback);
	tcase_add_test(tc, test_faults_long_bad_url);
	tcase_add_test(tc, test_faults_loader_last_error);
	tcase_add_test(tc, test_faults_code_names);
	tcase_add_test(tc, test_faults_catalog_fail_code);
	tcase_add_test(tc, test_faults_cycle_after_free_migration);
	suite_add_tcase(s, tc);
	return s;
}
