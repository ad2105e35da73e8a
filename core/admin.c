/* SPDX-License-Identifier: MIT */
/*
 * admin.c - operator commands that change the history without running a
 * migration: force records a dirty migration as applied (the operator
 * completed it by hand), repair records changed checksums and removes
 * dirty rows (the operator undid the partial change), baseline records
 * migrations as applied to adopt an existing database. Like every command
 * that writes, each holds the run lock and reads the history again under
 * it. unlock removes a lease an operator knows to be stale.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "lock.h"
#include "run.h"
#include "select.h"

/* The id a target names: a migration of the sources, or, for one that is
 * only in the history, the id as written. */
static int target_id(dbshift__run *run, const char *target, const char **id)
{
	dbshift__migration *m = NULL;
	int rc;

	rc = dbshift__graph_target(&run->graph, target, &m, &run->runner->err);
	if (rc == 0) {
		*id = m->id;
		return 0;
	}
	if (rc == DBSHIFT_ENOTFOUND && strchr(target, '/') != NULL &&
	    dbshift__history_find(&run->history, target) != NULL) {
		dbshift__err_init(&run->runner->err);
		*id = target;
		return 0;
	}
	return rc;
}

static int force_row(dbshift__run *run, const char *id)
{
	dbshift_runner *r = run->runner;
	dbshift__history_row *row = dbshift__history_find(&run->history, id);

	if (row == NULL)
		return dbshift__err_set(&r->err, DBSHIFT_ESTATE,
					"%s has no history row; force only "
					"resolves a dirty migration",
					id);
	if (!row->dirty)
		return dbshift__err_set(
			&r->err, DBSHIFT_ESTATE,
			"%s is not dirty; force only resolves a "
			"dirty migration",
			id);
	return dbshift__history_mark_applied(&run->history, r->conn, id,
					     row->execution_ms);
}

int dbshift_runner_force(dbshift_runner *r, const char *target)
{
	DBSHIFT__RUNNER_CALL(r);
	dbshift__run run;
	dbshift__lock lock;
	const char *id = NULL;
	int rc;

	memset(&lock, 0, sizeof(lock));
	if (target == NULL)
		return r != NULL ? dbshift__err_set(&r->err, DBSHIFT_EINVAL,
						    "force needs a target") :
				   DBSHIFT_EINVAL;
	rc = dbshift__run_begin(&run, r);
	if (rc == 0)
		rc = target_id(&run, target, &id);
	if (rc == 0)
		rc = dbshift__run_lock(&run, &lock);
	if (rc == 0)
		rc = force_row(&run, id);
	if (rc != 0 && r != NULL)
		dbshift__err_set_migration(&r->err, id != NULL ? id : target);
	dbshift__lock_release(&lock, r);
	dbshift__run_free(&run);
	return rc;
}

static void report(dbshift_change_fn fn, void *payload, const char *id,
		   const char *what, int *n)
{
	if (fn != NULL)
		fn(id, what, payload);
	(*n)++;
}

static int repair_checksums(dbshift__run *run, dbshift_change_fn fn,
			    void *payload, int *n)
{
	char what[200];
	size_t i;
	int rc;

	for (i = 0; i < run->graph.n; i++) {
		dbshift__migration *m = run->graph.order[i];
		dbshift__history_row *row;

		if (dbshift__run_state(run, m, &row) != DBSHIFT_STATE_CHANGED)
			continue;
		rc = dbshift__history_set_checksum(
			&run->history, run->runner->conn, m->id, m->checksum);
		if (rc != 0)
			return rc;
		snprintf(what, sizeof(what), "checksum %s -> %s", row->checksum,
			 m->checksum);
		report(fn, payload, m->id, what, n);
	}
	return 0;
}

static int repair_dirty(dbshift__run *run, dbshift_change_fn fn, void *payload,
			int *n)
{
	size_t i;
	int rc;

	for (i = 0; i < run->history.n; i++) {
		const dbshift__history_row *row = &run->history.rows[i];

		if (!row->dirty)
			continue;
		rc = dbshift__history_delete(&run->history, run->runner->conn,
					     row->id);
		if (rc != 0)
			return rc;
		report(fn, payload, row->id,
		       "removed dirty row (runs again on the next up)", n);
	}
	return 0;
}

int dbshift_runner_repair(dbshift_runner *r, dbshift_change_fn fn,
			  void *payload, int *n_changes)
{
	DBSHIFT__RUNNER_CALL(r);
	dbshift__run run;
	dbshift__lock lock;
	int rc, n = 0;

	memset(&lock, 0, sizeof(lock));
	rc = dbshift__run_begin(&run, r);
	if (rc == 0 && run.history.exists)
		rc = dbshift__run_lock(&run, &lock);
	if (rc == 0)
		rc = repair_checksums(&run, fn, payload, &n);
	if (rc == 0)
		rc = repair_dirty(&run, fn, payload, &n);
	if (n_changes != NULL)
		*n_changes = n;
	dbshift__lock_release(&lock, r);
	dbshift__run_free(&run);
	return rc;
}

/* Refuse a baseline over a migration recorded differently. */
static int baseline_conflict(dbshift__run *run, const dbshift__migration *m,
			     const dbshift__history_row *row)
{
	dbshift_runner *r = run->runner;

	if (row->dirty)
		dbshift__err_set(&r->err, DBSHIFT_ESTATE,
				 "cannot baseline: %s is recorded dirty; "
				 "resolve it with force or repair first",
				 m->id);
	else
		dbshift__err_set(&r->err, DBSHIFT_ESTATE,
				 "cannot baseline: %s is already recorded with "
				 "checksum %s, its script now has %s",
				 m->id, row->checksum, m->checksum);
	dbshift__err_set_migration(&r->err, m->id);
	return DBSHIFT_ESTATE;
}

/* Check every marked migration before writing anything. */
static int baseline_check(dbshift__run *run, const unsigned char *mark)
{
	size_t i;

	for (i = 0; i < run->graph.n; i++) {
		dbshift__migration *m = run->graph.order[i];
		dbshift__history_row *row;
		dbshift_state state;

		if (!mark[m->index])
			continue;
		state = dbshift__run_state(run, m, &row);
		if (state == DBSHIFT_STATE_DIRTY ||
		    state == DBSHIFT_STATE_CHANGED)
			return baseline_conflict(run, m, row);
	}
	return 0;
}

static int baseline_write(dbshift__run *run, const unsigned char *mark,
			  dbshift_change_fn fn, void *payload, int *n)
{
	size_t i;
	int rc;

	for (i = 0; i < run->graph.n; i++) {
		dbshift__migration *m = run->graph.order[i];

		if (!mark[m->index] || m->skipped ||
		    dbshift__history_find(&run->history, m->id) != NULL)
			continue;
		rc = dbshift__history_insert(&run->history, run->runner->conn,
					     m, 0, 0);
		if (rc != 0)
			return rc;
		report(fn, payload, m->id, "recorded as applied (baseline)", n);
	}
	return 0;
}

int dbshift_runner_baseline(dbshift_runner *r, const char *target,
			    dbshift_change_fn fn, void *payload,
			    int *n_recorded)
{
	DBSHIFT__RUNNER_CALL(r);
	dbshift__run run;
	dbshift__lock lock;
	unsigned char *mark = NULL;
	int rc, n = 0;

	memset(&lock, 0, sizeof(lock));
	if (n_recorded != NULL)
		*n_recorded = 0;
	if (target == NULL)
		return r != NULL ? dbshift__err_set(&r->err, DBSHIFT_EINVAL,
						    "baseline needs a target") :
				   DBSHIFT_EINVAL;
	rc = dbshift__run_begin(&run, r);
	if (rc == 0)
		rc = dbshift__select_marks(&run, target, &mark);
	if (rc == 0)
		rc = dbshift__run_lock(&run, &lock);
	if (rc == 0)
		rc = baseline_check(&run, mark);
	if (rc == 0)
		rc = dbshift__history_ensure(&run.history, r->conn);
	if (rc == 0)
		rc = baseline_write(&run, mark, fn, payload, &n);
	if (n_recorded != NULL)
		*n_recorded = n;
	dbshift__lock_release(&lock, r);
	free(mark);
	dbshift__run_free(&run);
	return rc;
}

/* Connect r when it is not connected yet; no sources are needed. */
static int runner_connect(dbshift_runner *r)
{
	if (r->driver == NULL)
		return r->err.pub.code != DBSHIFT_OK ? r->err.pub.code :
						       DBSHIFT_EINVAL;
	dbshift__err_init(&r->err);
	if (r->conn != NULL)
		return 0;
	return dbshift__conn_open(&r->conn, r->driver, r->url, &r->err);
}

int dbshift_runner_lock_info(dbshift_runner *r, dbshift_lock_kind *out_kind,
			     const char **out_reason)
{
	DBSHIFT__RUNNER_CALL(r);
	int rc;

	if (r == NULL || out_kind == NULL)
		return DBSHIFT_EINVAL;
	rc = runner_connect(r);
	if (rc == 0)
		rc = dbshift__lock_choose(r, out_kind);
	if (out_reason != NULL)
		*out_reason = rc == 0 ? r->lock_reason : "";
	return rc;
}

int dbshift_runner_unlock(dbshift_runner *r, dbshift_change_fn fn,
			  void *payload, int *n_removed)
{
	DBSHIFT__RUNNER_CALL(r);
	int n = 0, rc;

	if (r == NULL)
		return DBSHIFT_EINVAL;
	rc = runner_connect(r);
	if (rc == 0)
		rc = dbshift__lock_remove_lease(r, fn, payload, &n);
	if (n_removed != NULL)
		*n_removed = n;
	return rc;
}
