/* SPDX-License-Identifier: MIT */
/*
 * validate.c - checking the sources and the history without changing
 * anything. Every problem becomes a finding instead of stopping at the
 * first: changed scripts, applied migrations missing from the sources,
 * dirty rows, out-of-order pending migrations, missing down scripts and
 * files of dialects no installed driver declares (warnings), and a source
 * or dependency-graph error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialect.h"
#include "findings.h"
#include "loader.h"
#include "run.h"

static const char *const kind_names[] = {
	"",	   "changed", "missing", "dirty",  "out-of-order",
	"no-down", "source",  "ignored", "schema", "down-failed",
	"reapply"};

const char *dbshift_finding_kind_name(dbshift_finding_kind kind)
{
	if ((int)kind < 1 ||
	    (size_t)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "unknown";
	return kind_names[kind];
}

int dbshift__findings_add(dbshift_findings *f, dbshift_finding_kind kind,
			  int warning, const char *id, const char *fmt, ...)
{
	char message[1024];
	dbshift_finding *item;
	va_list ap;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		dbshift_finding *items =
			realloc(f->items, cap * sizeof(*items));

		if (items == NULL)
			return -1;
		f->items = items;
		f->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	item = &f->items[f->n];
	item->kind = kind;
	item->warning = warning;
	item->id = dbshift__pool_keep(&f->strings, id);
	item->message = dbshift__pool_keep(&f->strings, message);
	if (item->id == NULL || item->message == NULL)
		return -1;
	f->n++;
	return 0;
}

static int check_dirty(dbshift_findings *f, const dbshift__history_row *row)
{
	if (row->failed_statement[0] != '\0')
		return dbshift__findings_add(
			f, DBSHIFT_FINDING_DIRTY, 0, row->id,
			"%s is dirty: failed part way at statement %lld "
			"(%s): %s",
			row->id, (long long)row->failed_index,
			row->failed_statement, row->error);
	return dbshift__findings_add(
		f, DBSHIFT_FINDING_DIRTY, 0, row->id,
		"%s is dirty: failed or was interrupted part way%s%s", row->id,
		row->error[0] ? ": " : "", row->error);
}

static int check_migration(dbshift_findings *f, const dbshift__run *run,
			   const dbshift__migration *m)
{
	dbshift__history_row *row;
	const char *file = m->up != NULL && m->up->file ? m->up->file : m->id;
	int rc = 0;

	switch (dbshift__run_state(run, m, &row)) {
	case DBSHIFT_STATE_CHANGED:
		rc = dbshift__findings_add(
			f, DBSHIFT_FINDING_CHANGED, 0, m->id,
			"%s: script changed since it was applied (applied "
			"%s, now %s): %s",
			m->id, row->checksum, m->checksum, file);
		break;
	case DBSHIFT_STATE_DIRTY:
		rc = check_dirty(f, row);
		break;
	case DBSHIFT_STATE_OUT_OF_ORDER:
		rc = dbshift__findings_add(
			f, DBSHIFT_FINDING_OUT_OF_ORDER, 0, m->id,
			"%s is pending but sorts before migrations already "
			"applied",
			m->id);
		break;
	default:
		break;
	}
	if (rc == 0 && !m->skipped && m->down == NULL && m->down_fn == NULL)
		rc = dbshift__findings_add(f, DBSHIFT_FINDING_NO_DOWN, 1, m->id,
					   "%s has no down script: %s", m->id,
					   file);
	return rc;
}

static int check_run(dbshift_findings *f, const dbshift__run *run)
{
	size_t i;

	for (i = 0; i < run->graph.n; i++)
		if (check_migration(f, run, run->graph.order[i]) != 0)
			return -1;
	for (i = 0; i < run->history.n; i++) {
		const dbshift__history_row *row = &run->history.rows[i];

		if (row->matched)
			continue;
		if (row->dirty ?
			    check_dirty(f, row) :
			    dbshift__findings_add(
				    f, DBSHIFT_FINDING_MISSING, 0, row->id,
				    "%s is applied but in no source", row->id))
			return -1;
	}
	return 0;
}

/* What each_ignored() passes on, and whether memory ran out. */
struct ignored_sink {
	dbshift_change_fn fn;
	void *payload;
	dbshift_findings *findings; /* or fn */
	int nomem;
};

static void ignored_finding(const char *id, const char *what, void *payload)
{
	struct ignored_sink *sink = payload;

	if (sink->findings != NULL) {
		if (dbshift__findings_add(sink->findings,
					  DBSHIFT_FINDING_IGNORED, 1, id,
					  "%s: %s", id, what) != 0)
			sink->nomem = 1;
	} else if (sink->fn != NULL) {
		sink->fn(id, what, sink->payload);
	}
}

/*
 * Report every dialect token of the run's migrations that no driver on
 * the search path declares, through sink. Returns how many, or -1 when
 * out of memory.
 */
static long each_ignored(const dbshift__run *run, struct ignored_sink *sink)
{
	dbshift__vec known = DBSHIFT__VEC_INIT;
	dbshift__buf installed = DBSHIFT__BUF_INIT;
	const dbshift_driver *own = run->runner->driver;
	char *list = NULL;
	long n = -1;
	size_t i;

	if (dbshift__dialects_installed(&known, run->runner->driver_dir) != 0)
		goto out;
	for (i = 0; i < known.len; i++) {
		if (i > 0)
			dbshift__buf_puts(&installed, ", ");
		dbshift__buf_puts(&installed, known.items[i]);
	}
	list = dbshift__buf_detach(&installed);
	if (list == NULL)
		goto out;
	/* The run's own driver counts even when loaded from elsewhere. */
	{
		dbshift__dialect d = dbshift__dialect_of(own);

		n = 0;
		for (i = 0; i < run->migrations.len; i++) {
			const dbshift__migration *m = run->migrations.items[i];

			n += (long)dbshift__migration_ignored_except(
				m, &known, &d, list, ignored_finding, sink);
		}
	}
out:
	free(list);
	dbshift__vec_free(&known, free);
	return sink->nomem ? -1 : n;
}

int dbshift_runner_ignored(dbshift_runner *r, dbshift_change_fn fn,
			   void *payload, int *n_ignored)
{
	DBSHIFT__RUNNER_CALL(r);
	struct ignored_sink sink = {fn, payload, NULL, 0};
	dbshift__run run;
	long n;
	int rc;

	if (n_ignored != NULL)
		*n_ignored = 0;
	if (r == NULL)
		return DBSHIFT_EINVAL;
	if (r->driver == NULL)
		return r->err.pub.code != DBSHIFT_OK ? r->err.pub.code :
						       DBSHIFT_EINVAL;
	dbshift__err_init(&r->err);
	rc = dbshift__run_prepare(&run, r);
	if (rc == 0) {
		n = each_ignored(&run, &sink);
		if (n < 0)
			rc = dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
					      "out of memory");
		else if (n_ignored != NULL)
			*n_ignored = (int)n;
	}
	dbshift__run_free(&run);
	return rc;
}

/* The ignored dialect tokens as warnings. Returns 0 or -1. */
static int check_ignored(dbshift_findings *f, const dbshift__run *run)
{
	struct ignored_sink sink = {NULL, NULL, f, 0};

	return each_ignored(run, &sink) < 0 ? -1 : 0;
}

/* Every problem of the sources the preparation found: one finding each
 * (the error alone when a custom source gave no list). */
static int add_source_problems(dbshift_findings *f, const dbshift_runner *r)
{
	size_t i;

	if (r->problems.len == 0)
		return dbshift__findings_add(f, DBSHIFT_FINDING_SOURCE, 0,
					     r->err.migration, "%s",
					     r->err.message);
	for (i = 0; i < r->problems.len; i++) {
		const dbshift__problem *p = r->problems.items[i];

		if (dbshift__findings_add(f, DBSHIFT_FINDING_SOURCE, 0, p->id,
					  "%s", p->message) != 0)
			return -1;
	}
	return 0;
}

/* Errors of the sources and the graph are findings, not failures. */
static int is_source_error(int rc)
{
	return rc == DBSHIFT_ESOURCE || rc == DBSHIFT_EGRAPH;
}

int dbshift_runner_validate(dbshift_runner *r, dbshift_findings **out,
			    int *n_problems)
{
	DBSHIFT__RUNNER_CALL(r);
	dbshift__run run;
	dbshift_findings *f;
	int rc;

	if (out == NULL)
		return DBSHIFT_EINVAL;
	*out = NULL;
	rc = dbshift__run_begin(&run, r);
	if (rc != 0 && !is_source_error(rc)) {
		dbshift__run_free(&run);
		return rc;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL ||
	    (rc != 0 ? add_source_problems(f, r) : check_run(f, &run)) != 0 ||
	    (rc == 0 && check_ignored(f, &run) != 0)) {
		dbshift_findings_free(f);
		dbshift__run_free(&run);
		return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
					"out of memory");
	}
	dbshift__run_free(&run);
	dbshift__err_init(&r->err);
	if (n_problems != NULL)
		*n_problems = dbshift__findings_problems(f);
	*out = f;
	return 0;
}

int dbshift__findings_problems(const dbshift_findings *f)
{
	size_t i;
	int n = 0;

	for (i = 0; f != NULL && i < f->n; i++)
		n += !f->items[i].warning;
	return n;
}

size_t dbshift_findings_count(const dbshift_findings *f)
{
	return f != NULL ? f->n : 0;
}

const dbshift_finding *dbshift_findings_get(const dbshift_findings *f, size_t i)
{
	return f != NULL && i < f->n ? &f->items[i] : NULL;
}

void dbshift_findings_free(dbshift_findings *f)
{
	if (f == NULL)
		return;
	dbshift__vec_free(&f->strings, free);
	free(f->items);
	free(f);
}
