/* SPDX-License-Identifier: MIT */
/*
 * runner.c - the public runner: options, sources, and the commands up,
 * down and redo. Each command prepares a run (sources loaded, resolved and
 * ordered before the database is touched), reads the history once, checks
 * it, and only then executes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "execute.h"
#include "history.h"
#include "loader.h"
#include "lock.h"
#include "run.h"
#include "select.h"
#include "runner.h"
#include "url.h"

const char *dbshift_version(void)
{
	return PACKAGE_VERSION;
}

int dbshift_source_new(dbshift_source **out, const char *name,
		       const dbshift_source_ops *ops, void *state)
{
	dbshift__err *err = dbshift__err_last();
	dbshift_source *src;

	dbshift__err_init(err);
	if (out == NULL)
		return DBSHIFT_EINVAL;
	*out = NULL;
	if (ops == NULL || ops->version < 1 ||
	    ops->version > DBSHIFT_SOURCE_OPS_VERSION || ops->load == NULL) {
		dbshift__err_set(err, DBSHIFT_EINVAL,
				 "source '%s': invalid source operations",
				 name ? name : "");
		goto fail;
	}
	if (!dbshift__source_name_valid(name)) {
		dbshift__err_set(
			err, DBSHIFT_EINVAL,
			"invalid source name '%s': use letters, digits, "
			"'_', '-' and '.'",
			name ? name : "");
		goto fail;
	}
	src = calloc(1, sizeof(*src));
	if (src == NULL || (src->name = dbshift__strdup(name)) == NULL) {
		free(src);
		dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
		goto fail;
	}
	src->ops = ops;
	src->state = state;
	*out = src;
	return 0;
fail:
	if (ops != NULL && ops->free != NULL)
		ops->free(state);
	return err->pub.code;
}

const char *dbshift_source_name(const dbshift_source *source)
{
	return source != NULL ? source->name : "";
}

void dbshift_source_free(dbshift_source *source)
{
	if (source == NULL)
		return;
	if (source->ops->free != NULL)
		source->ops->free(source->state);
	free(source->name);
	free(source);
}

/* Tell on_event about drivers of another ABI passed over for r's. */
static void warn_skipped(const dbshift_runner *r)
{
	const char *skipped = dbshift__loader_skipped(r->driver);
	char message[2048];
	dbshift_event ev;

	if (skipped == NULL || r->on_event == NULL)
		return;
	snprintf(message, sizeof(message),
		 "driver %s: skipped incompatible %s; using the next one on "
		 "the driver path",
		 r->driver->name, skipped);
	memset(&ev, 0, sizeof(ev));
	ev.kind = DBSHIFT_EVENT_WARNING;
	ev.id = "";
	ev.name = "";
	ev.message = message;
	r->on_event(&ev, r->event_payload);
}

static int runner_load_driver(dbshift_runner *r)
{
	char scheme[64];
	int rc;

	rc = dbshift__url_scheme(r->url, scheme, sizeof(scheme), &r->err);
	if (rc == 0)
		rc = dbshift__loader_load_scheme(&r->driver, scheme,
						 r->driver_dir, &r->err);
	if (rc == 0)
		warn_skipped(r);
	return rc;
}

/* Zero means the default since version 3 of the options; before, a
 * negative value did and zero meant "not at all". */
static int runner_lock_timeout(const dbshift_runner_options *opts)
{
	if (opts->version < 3)
		return opts->lock_timeout < 0 ? 60 : opts->lock_timeout;
	if (opts->lock_timeout == 0)
		return 60;
	return opts->lock_timeout < 0 ? 0 : opts->lock_timeout;
}

static int runner_ddl_lock_retries(const dbshift_runner_options *opts)
{
	if (opts->version < 3)
		return opts->ddl_lock_retries < 0 ? 3 : opts->ddl_lock_retries;
	if (opts->ddl_lock_retries == 0)
		return 3;
	return opts->ddl_lock_retries < 0 ? 0 : opts->ddl_lock_retries;
}

static int runner_init(dbshift_runner *r, const dbshift_runner_options *opts)
{
	const char *table = opts->table ? opts->table : DBSHIFT_DEFAULT_TABLE;
	int rc;

	rc = dbshift__err_version(&r->err, "runner options", opts->version,
				  DBSHIFT_RUNNER_OPTIONS_VERSION);
	if (rc != 0)
		return rc;
	if (opts->url == NULL || opts->url[0] == '\0')
		return dbshift__err_set(&r->err, DBSHIFT_EINVAL,
					"runner options need a database URL");
	if (!dbshift__history_name_valid(table))
		return dbshift__err_set(&r->err, DBSHIFT_EINVAL,
					"invalid history table name '%s': use "
					"NAME or SCHEMA.NAME with letters, "
					"digits and '_'",
					table);
	r->url = dbshift__strdup(opts->url);
	r->table = dbshift__strdup(table);
	r->driver_dir = dbshift__strdup(opts->driver_dir);
	if (r->url == NULL || r->table == NULL ||
	    (opts->driver_dir != NULL && r->driver_dir == NULL))
		return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
					"out of memory");
	if (opts->n_contexts > 0) {
		r->contexts =
			dbshift__strv_dup(opts->contexts, opts->n_contexts);
		if (r->contexts == NULL)
			return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
						"out of memory");
		r->n_contexts = opts->n_contexts;
	}
	r->lock_timeout = runner_lock_timeout(opts);
	r->flags = opts->flags;
	r->lock_kind = opts->lock_kind;
	if (r->lock_kind < DBSHIFT_LOCK_DEFAULT ||
	    r->lock_kind > DBSHIFT_LOCK_TABLE)
		return dbshift__err_set(&r->err, DBSHIFT_EINVAL,
					"unknown lock kind %d",
					(int)r->lock_kind);
	r->on_event = opts->on_event;
	r->event_payload = opts->event_payload;
	r->ddl_lock_retries = 3;
	if (opts->version >= 2) {
		if (opts->ddl_lock_timeout_ms < 0)
			return dbshift__err_set(&r->err, DBSHIFT_EINVAL,
						"negative DDL lock timeout");
		r->ddl_lock_timeout_ms = opts->ddl_lock_timeout_ms;
		r->ddl_lock_retries = runner_ddl_lock_retries(opts);
	}
	return runner_load_driver(r);
}

int dbshift_runner_options_init(dbshift_runner_options *opts,
				unsigned int version)
{
	dbshift__err *err = dbshift__err_last();

	if (opts == NULL)
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"dbshift_runner_options_init: no "
					"options given");
	if (dbshift__err_version(err, "runner options", version,
				 DBSHIFT_RUNNER_OPTIONS_VERSION) != 0)
		return DBSHIFT_EINVAL;
	memset(opts, 0, sizeof(*opts));
	opts->version = version;
	return 0;
}

dbshift_runner *dbshift__runner_enter(dbshift_runner *r)
{
	if (r != NULL)
		dbshift__err_init(&r->err);
	return r;
}

void dbshift__runner_leave(dbshift_runner **call)
{
	if (*call != NULL)
		dbshift__err_copy(dbshift__err_last(), &(*call)->err);
	else
		dbshift__err_set(dbshift__err_last(), DBSHIFT_EINVAL,
				 "no runner given");
}

/* On failure nothing is returned: the reason is the thread's last error. */
int dbshift_runner_new(dbshift_runner **out, const dbshift_runner_options *opts)
{
	dbshift__err *last = dbshift__err_last();
	dbshift_runner *r;
	int rc;

	dbshift__err_init(last);
	if (out == NULL)
		return dbshift__err_set(last, DBSHIFT_EINVAL,
					"dbshift_runner_new: out is NULL");
	*out = NULL;
	if (opts == NULL)
		return dbshift__err_set(last, DBSHIFT_EINVAL,
					"runner options are required");
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return dbshift__err_set(last, DBSHIFT_ENOMEM, "out of memory");
	dbshift__err_init(&r->err);
	rc = runner_init(r, opts);
	dbshift__err_copy(last, &r->err);
	if (rc != 0) {
		dbshift_runner_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static void source_free_void(void *src)
{
	dbshift_source_free(src);
}

void dbshift_runner_free(dbshift_runner *r)
{
	if (r == NULL)
		return;
	dbshift__conn_close(r->conn);
	dbshift__vec_free(&r->sources, source_free_void);
	dbshift__problems_clear(&r->problems);
	dbshift__strv_free(r->contexts, r->n_contexts);
	free(r->url);
	free(r->table);
	free(r->driver_dir);
	free(r);
}

const dbshift_error *dbshift_runner_error(const dbshift_runner *r)
{
	(void)r;
	return dbshift_error_last();
}

const char *dbshift_runner_down_stop(const dbshift_runner *r)
{
	return r != NULL ? r->down_stop : "";
}

const char *dbshift_runner_dialect(const dbshift_runner *r)
{
	return r != NULL && r->driver != NULL ? r->driver->dialect : "";
}

int dbshift_runner_add_source(dbshift_runner *r, dbshift_source *source)
{
	size_t i;

	DBSHIFT__RUNNER_CALL(r);

	if (r == NULL || source == NULL) {
		dbshift_source_free(source);
		return DBSHIFT_EINVAL;
	}
	for (i = 0; i < r->sources.len; i++) {
		dbshift_source *other = r->sources.items[i];

		if (strcmp(other->name, source->name) == 0) {
			dbshift__err_set(&r->err, DBSHIFT_EINVAL,
					 "two sources are named '%s'; give "
					 "each a distinct name (NAME=DIR)",
					 source->name);
			dbshift_source_free(source);
			return DBSHIFT_EINVAL;
		}
	}
	if (dbshift__vec_push(&r->sources, source) != 0) {
		dbshift_source_free(source);
		return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
					"out of memory");
	}
	return 0;
}

static int apply_all(dbshift__run *run, dbshift__lock *lock,
		     const dbshift__vec *pending, int *n_applied)
{
	size_t i;
	int rc;

	rc = dbshift__history_ensure(&run->history, run->runner->conn);
	for (i = 0; rc == 0 && i < pending->len; i++) {
		rc = dbshift__lock_renew(lock, run->runner);
		if (rc == 0)
			rc = dbshift__execute_up(run, pending->items[i]);
		if (rc == 0 && n_applied != NULL)
			(*n_applied)++;
	}
	return rc;
}

int dbshift_runner_up(dbshift_runner *r, const char *target, int *n_applied)
{
	DBSHIFT__RUNNER_CALL(r);
	dbshift__run run;
	dbshift__lock lock;
	dbshift__vec pending = DBSHIFT__VEC_INIT;
	unsigned char *mark = NULL;
	int rc;

	memset(&lock, 0, sizeof(lock));
	if (n_applied != NULL)
		*n_applied = 0;
	rc = dbshift__run_begin(&run, r);
	if (rc == 0)
		rc = dbshift__select_marks(&run, target, &mark);
	if (rc == 0)
		rc = dbshift__select_pending(&run, mark, 0, &pending);
	/* An up-to-date database never waits for the lock. */
	if (rc == 0 && (pending.len > 0 || dbshift__run_has_dirty(&run))) {
		rc = dbshift__run_lock(&run, &lock);
		if (rc == 0)
			rc = dbshift__select_pending(&run, mark, 1, &pending);
		if (rc == 0 && pending.len > 0)
			rc = apply_all(&run, &lock, &pending, n_applied);
		dbshift__lock_release(&lock, r);
	}
	dbshift__vec_free(&pending, NULL);
	free(mark);
	dbshift__run_free(&run);
	return rc;
}

/* Choose the victims of a down, and when there are any, take the lock,
 * read the history again and choose again. */
static int down_prepare(dbshift__run *run, dbshift__lock *lock, int count,
			const char *target, int check_checksums,
			dbshift__vec *victims)
{
	/* redo (which checks checksums) does not stop short. */
	int partial = !check_checksums && (run->runner->flags &
					   DBSHIFT_OPT_DOWN_AS_FAR_AS_POSSIBLE);
	int rc;

	/* A dirty row (perhaps another run's) is judged under the lock. */
	if (!dbshift__run_has_dirty(run)) {
		rc = dbshift__run_check_history(run, 0, check_checksums);
		if (rc == 0)
			rc = dbshift__select_victims(run, count, target,
						     partial, victims);
		if (rc != 0 || victims->len == 0)
			return rc;
	}
	rc = dbshift__run_lock(run, lock);
	if (rc == 0)
		rc = dbshift__run_check_history(run, 1, check_checksums);
	victims->len = 0;
	if (rc == 0)
		rc = dbshift__select_victims(run, count, target, partial,
					     victims);
	return rc;
}

int dbshift_runner_down(dbshift_runner *r, int count, const char *target,
			int *n_reverted)
{
	DBSHIFT__RUNNER_CALL(r);
	dbshift__run run;
	dbshift__lock lock;
	dbshift__vec victims = DBSHIFT__VEC_INIT;
	size_t i;
	int rc;

	memset(&lock, 0, sizeof(lock));
	if (n_reverted != NULL)
		*n_reverted = 0;
	if (r != NULL)
		r->down_stop[0] = '\0';
	rc = dbshift__run_begin(&run, r);
	if (rc == 0)
		rc = down_prepare(&run, &lock, count, target, 0, &victims);
	for (i = 0; rc == 0 && i < victims.len; i++) {
		rc = dbshift__lock_renew(&lock, r);
		if (rc == 0)
			rc = dbshift__execute_down(&run, victims.items[i]);
		if (rc == 0 && n_reverted != NULL)
			(*n_reverted)++;
	}
	dbshift__lock_release(&lock, r);
	dbshift__vec_free(&victims, NULL);
	dbshift__run_free(&run);
	return rc;
}

int dbshift_runner_redo(dbshift_runner *r)
{
	DBSHIFT__RUNNER_CALL(r);
	dbshift__run run;
	dbshift__lock lock;
	dbshift__vec victims = DBSHIFT__VEC_INIT;
	int rc;

	memset(&lock, 0, sizeof(lock));
	rc = dbshift__run_begin(&run, r);
	if (rc == 0)
		rc = down_prepare(&run, &lock, 1, NULL, 1, &victims);
	if (rc == 0 && victims.len == 0)
		rc = dbshift__err_set(
			&r->err, DBSHIFT_ESTATE,
			"nothing to redo: no migration is applied");
	if (rc == 0)
		rc = dbshift__execute_down(&run, victims.items[0]);
	if (rc == 0)
		rc = dbshift__execute_up(&run, victims.items[0]);
	dbshift__lock_release(&lock, r);
	dbshift__vec_free(&victims, NULL);
	dbshift__run_free(&run);
	return rc;
}
