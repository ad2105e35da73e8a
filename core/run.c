/* SPDX-License-Identifier: MIT */
/*
 * run.c - preparing a run: sources are loaded and resolved, the graph
 * orders them, and the history (read once) gives each migration its state.
 * Everything that can be wrong with the sources is found here, before the
 * database is touched.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lock.h"
#include "run.h"

static void migration_free_void(void *m)
{
	dbshift__migration_free(m);
}

/* Load one source and move its migrations into the run. */
static int load_source(dbshift__run *run, dbshift_source *src)
{
	dbshift_runner *r = run->runner;
	dbshift_catalog cat;
	size_t i;
	int rc;

	dbshift__catalog_init(&cat, src->name, &r->err);
	cat.problems = &r->problems;
	rc = src->ops->load(src->state, &cat);
	/* A source that reported a failure but returned 0 still failed. */
	if (rc == 0 && r->err.pub.code != DBSHIFT_OK)
		rc = r->err.pub.code;
	if (rc != 0 && r->err.pub.code == DBSHIFT_OK)
		dbshift__err_set(&r->err, rc < 0 ? rc : DBSHIFT_ESOURCE,
				 "source '%s' failed to load", src->name);
	/* Even after a failure the migrations the source did add are kept:
	 * their directives are checked too, so that every problem shows. */
	for (i = 0; i < cat.migrations.len; i++) {
		if (dbshift__vec_push(&run->migrations,
				      cat.migrations.items[i]) != 0) {
			cat.migrations.items += i;
			cat.migrations.len -= i;
			dbshift__catalog_clear(&cat);
			return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
						"out of memory");
		}
	}
	cat.migrations.len = 0;
	dbshift__catalog_clear(&cat);
	return rc != 0 ? r->err.pub.code : 0;
}

/*
 * After a step of the preparation failed for one source or migration:
 * make sure its problem is in the runner's list, keep the first failure
 * in first, and clear the error for the next one. Returns 0 to go on, or
 * the code when out of memory.
 */
static int note_problem(dbshift_runner *r, size_t problems_before,
			dbshift__err *first)
{
	int code = r->err.pub.code;

	if (code == DBSHIFT_ENOMEM)
		return code;
	if (r->problems.len == problems_before &&
	    dbshift__problem_add(&r->problems, r->err.migration,
				 r->err.message) != 0)
		return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
					"out of memory");
	if (first->pub.code == DBSHIFT_OK)
		dbshift__err_copy(first, &r->err);
	dbshift__err_init(&r->err);
	return 0;
}

/* The first failure noted, back in the runner's error; 0 for none. */
static int first_problem(dbshift_runner *r, const dbshift__err *first)
{
	if (first->pub.code == DBSHIFT_OK)
		return 0;
	dbshift__err_copy(&r->err, first);
	return first->pub.code;
}

/* Load every source, going on past a bad one so that all are reported. */
static int load_sources(dbshift__run *run, dbshift__err *first)
{
	dbshift_runner *r = run->runner;
	size_t i, before;
	int rc;

	for (i = 0; i < r->sources.len; i++) {
		before = r->problems.len;
		rc = load_source(run, r->sources.items[i]);
		if (rc != 0 && (rc = note_problem(r, before, first)) != 0)
			return rc;
	}
	return 0;
}

/* Resolve every migration, going on past a bad one likewise. */
static int resolve_all(dbshift__run *run, dbshift__err *first)
{
	dbshift_runner *r = run->runner;
	dbshift__dialect dialect = dbshift__dialect_of(r->driver);
	size_t i, before;
	int rc;

	for (i = 0; i < run->migrations.len; i++) {
		before = r->problems.len;
		rc = dbshift__migration_resolve(
			run->migrations.items[i], &dialect,
			(const char *const *)r->contexts, r->n_contexts,
			&r->err);
		if (rc != 0 && (rc = note_problem(r, before, first)) != 0)
			return rc;
	}
	return 0;
}

int dbshift__run_prepare(dbshift__run *run, dbshift_runner *runner)
{
	dbshift__err first;
	int rc;

	memset(run, 0, sizeof(*run));
	run->runner = runner;
	dbshift__problems_clear(&runner->problems);
	dbshift__err_init(&first);
	rc = load_sources(run, &first);
	if (rc == 0)
		rc = resolve_all(run, &first);
	if (rc == 0)
		rc = first_problem(runner, &first);
	if (rc != 0)
		return rc;
	rc = dbshift__graph_build(&run->graph,
				  (dbshift__migration **)run->migrations.items,
				  run->migrations.len, &runner->err);
	if (rc != 0 && rc != DBSHIFT_ENOMEM &&
	    dbshift__problem_add(&runner->problems, runner->err.migration,
				 runner->err.message) != 0)
		return dbshift__err_set(&runner->err, DBSHIFT_ENOMEM,
					"out of memory");
	return rc;
}

int dbshift__run_read_history(dbshift__run *run)
{
	dbshift_runner *r = run->runner;
	size_t i;
	int rc;

	if (r->conn == NULL) {
		rc = dbshift__conn_open(&r->conn, r->driver, r->url, &r->err);
		if (rc != 0)
			return rc;
	}
	dbshift__history_free(&run->history);
	rc = dbshift__history_read(&run->history, r->conn, r->table);
	if (rc != 0)
		return rc;
	run->history_read = 1;
	run->last_applied_order = 0;
	for (i = 0; i < run->graph.n; i++) {
		dbshift__migration *m = run->graph.order[i];
		dbshift__history_row *row =
			dbshift__history_find(&run->history, m->id);

		if (row == NULL)
			continue;
		row->matched = 1;
		if (!row->dirty && m->order + 1 > run->last_applied_order)
			run->last_applied_order = m->order + 1;
	}
	return 0;
}

dbshift_state dbshift__run_state(const dbshift__run *run,
				 const dbshift__migration *m,
				 dbshift__history_row **out_row)
{
	dbshift__history_row *row = dbshift__history_find(&run->history, m->id);

	if (out_row != NULL)
		*out_row = row;
	if (row != NULL && row->dirty)
		return DBSHIFT_STATE_DIRTY;
	if (row != NULL)
		return strcmp(row->checksum, m->checksum) == 0 ?
			       DBSHIFT_STATE_APPLIED :
			       DBSHIFT_STATE_CHANGED;
	if (m->skipped)
		return DBSHIFT_STATE_SKIPPED;
	if (m->order < run->last_applied_order)
		return DBSHIFT_STATE_OUT_OF_ORDER;
	return DBSHIFT_STATE_PENDING;
}

static int refuse_dirty(dbshift__run *run, const dbshift__history_row *row)
{
	dbshift__err *err = &run->runner->err;
	char where[700] = "";

	if (row->failed_statement[0] != '\0')
		snprintf(where, sizeof(where), " at statement %lld (%s)",
			 (long long)row->failed_index, row->failed_statement);
	dbshift__err_set(err, DBSHIFT_EDIRTY,
			 "migration %s is dirty: it failed or was interrupted "
			 "part way%s%s%s; fix the database by hand, then run "
			 "'dbshift force %s' if you completed the migration, "
			 "or 'dbshift repair' if you undid it so that it runs "
			 "again",
			 row->id, where, row->error[0] ? ": " : "", row->error,
			 row->id);
	dbshift__err_set_migration(err, row->id);
	if (row->failed_statement[0] != '\0')
		dbshift__err_set_statement(err, (int)row->failed_index,
					   row->failed_statement,
					   strlen(row->failed_statement));
	return DBSHIFT_EDIRTY;
}

int dbshift__run_has_dirty(const dbshift__run *run)
{
	size_t i;

	for (i = 0; i < run->history.n; i++)
		if (run->history.rows[i].dirty)
			return 1;
	return 0;
}

int dbshift__run_check_history(dbshift__run *run, int check_dirty,
			       int check_checksums)
{
	dbshift_runner *r = run->runner;
	size_t i;

	for (i = 0; check_dirty && i < run->history.n; i++)
		if (run->history.rows[i].dirty)
			return refuse_dirty(run, &run->history.rows[i]);
	if (!check_checksums || (r->flags & DBSHIFT_OPT_IGNORE_CHECKSUMS))
		return 0;
	for (i = 0; i < run->graph.n; i++) {
		dbshift__migration *m = run->graph.order[i];
		dbshift__history_row *row;

		if (dbshift__run_state(run, m, &row) != DBSHIFT_STATE_CHANGED)
			continue;
		dbshift__err_set(&r->err, DBSHIFT_ECHECKSUM,
				 "%s: applied script changed since it ran "
				 "(applied %s, now %s): %s; restore it, or run "
				 "'dbshift repair' to accept the change",
				 m->id, row->checksum, m->checksum,
				 m->up && m->up->file ? m->up->file : m->id);
		dbshift__err_set_migration(&r->err, m->id);
		dbshift__err_set_file(&r->err,
				      m->up && m->up->file ? m->up->file : "");
		return DBSHIFT_ECHECKSUM;
	}
	return 0;
}

void dbshift__run_free(dbshift__run *run)
{
	dbshift__graph_free(&run->graph);
	dbshift__history_free(&run->history);
	dbshift__vec_free(&run->migrations, migration_free_void);
}

int dbshift__run_begin(dbshift__run *run, dbshift_runner *runner)
{
	int rc;

	memset(run, 0, sizeof(*run));
	if (runner == NULL)
		return DBSHIFT_EINVAL;
	if (runner->driver == NULL)
		return runner->err.pub.code != DBSHIFT_OK ?
			       runner->err.pub.code :
			       DBSHIFT_EINVAL;
	dbshift__err_init(&runner->err);
	rc = dbshift__run_prepare(run, runner);
	if (rc == 0)
		rc = dbshift__run_read_history(run);
	return rc;
}

/* Limit how long migration statements wait for other sessions' locks. */
static int run_set_lock_wait(dbshift_runner *r)
{
	dbshift_conn *conn = r->conn;

	if (r->ddl_lock_timeout_ms <= 0)
		return 0;
	if (conn->driver->set_lock_wait == NULL)
		return dbshift__err_set(&r->err, DBSHIFT_EINVAL,
					"the %s driver cannot limit lock "
					"waits (--ddl-lock-timeout)",
					conn->driver->name);
	dbshift__diag_init(&conn->diag);
	if (conn->driver->set_lock_wait(conn->handle, r->ddl_lock_timeout_ms,
					&conn->diag) != 0)
		return dbshift__err_from_diag(
			&r->err, DBSHIFT_EDB, &conn->diag,
			"cannot set the DDL lock timeout");
	return 0;
}

int dbshift__run_lock(dbshift__run *run, struct dbshift__lock *lock)
{
	int rc = dbshift__lock_acquire(lock, run->runner);

	if (rc == 0) {
		run->lock = lock;
		rc = dbshift__run_read_history(run);
	}
	if (rc == 0)
		rc = run_set_lock_wait(run->runner);
	return rc;
}
