/* SPDX-License-Identifier: MIT */
/*
 * status.c - the status report: every migration of the sources in plan
 * order with its state against the history, then the history rows no
 * source has (missing), in application order.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "run.h"

struct dbshift_status {
	dbshift_migration_info *items;
	size_t n;
	dbshift__vec strings; /* every string the items point to */
};

static const char *state_names[] = {"",	       "pending", "applied",
				    "missing", "dirty",	  "out-of-order",
				    "changed", "skipped"};

const char *dbshift_state_name(dbshift_state state)
{
	if ((int)state < 1 ||
	    (size_t)state >= sizeof(state_names) / sizeof(state_names[0]))
		return "unknown";
	return state_names[state];
}

/* A copy of s owned by the status; NULL when out of memory. */
static const char *keep(dbshift_status *st, const char *s)
{
	return dbshift__pool_keep(&st->strings, s);
}

static int fill_history(dbshift_status *st, dbshift_migration_info *info,
			const dbshift__history_row *row)
{
	info->applied_checksum = keep(st, row ? row->checksum : "");
	info->applied_at = keep(st, row ? row->applied_at : "");
	info->error = keep(st, row && row->dirty ? row->error : "");
	info->execution_ms = row ? row->execution_ms : 0;
	info->applied_seq = row ? row->seq : 0;
	return info->applied_checksum && info->applied_at && info->error ? 0 :
									   -1;
}

static int fill_migration(dbshift_status *st, const dbshift__run *run,
			  const dbshift__migration *m,
			  dbshift_migration_info *info)
{
	dbshift__history_row *row;

	info->state = dbshift__run_state(run, m, &row);
	info->id = keep(st, m->id);
	info->source = keep(st, m->source);
	info->version = keep(st, m->version);
	info->name = keep(st, m->name);
	info->checksum = keep(st, m->checksum);
	info->has_down = m->down != NULL || m->down_fn != NULL;
	if (dbshift__pool_keep_strv(&st->strings, m->depends_on,
				    m->n_depends_on, &info->depends_on) != 0)
		return -1;
	info->n_depends_on = m->n_depends_on;
	if (!info->id || !info->source || !info->version || !info->name ||
	    !info->checksum)
		return -1;
	return fill_history(st, info, row);
}

static int fill_missing(dbshift_status *st, const dbshift__history_row *row,
			dbshift_migration_info *info)
{
	info->state = row->dirty ? DBSHIFT_STATE_DIRTY : DBSHIFT_STATE_MISSING;
	info->id = keep(st, row->id);
	info->source = keep(st, row->source);
	info->version = keep(st, row->version);
	info->name = keep(st, row->name);
	info->checksum = keep(st, "");
	if (!info->id || !info->source || !info->version || !info->name ||
	    !info->checksum)
		return -1;
	return fill_history(st, info, row);
}

static int build(dbshift_status *st, const dbshift__run *run)
{
	size_t i;

	st->items =
		calloc(run->graph.n + run->history.n + 1, sizeof(*st->items));
	if (st->items == NULL)
		return -1;
	for (i = 0; i < run->graph.n; i++)
		if (fill_migration(st, run, run->graph.order[i],
				   &st->items[st->n++]) != 0)
			return -1;
	for (i = 0; i < run->history.n; i++) {
		const dbshift__history_row *row = &run->history.rows[i];

		if (row->matched)
			continue;
		if (fill_missing(st, row, &st->items[st->n++]) != 0)
			return -1;
	}
	return 0;
}

int dbshift_runner_status(dbshift_runner *r, dbshift_status **out)
{
	DBSHIFT__RUNNER_CALL(r);
	dbshift__run run;
	dbshift_status *st;
	int rc;

	if (out == NULL)
		return DBSHIFT_EINVAL;
	*out = NULL;
	rc = dbshift__run_begin(&run, r);
	if (rc != 0) {
		dbshift__run_free(&run);
		return rc;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL || build(st, &run) != 0) {
		dbshift_status_free(st);
		dbshift__run_free(&run);
		return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
					"out of memory");
	}
	dbshift__run_free(&run);
	*out = st;
	return 0;
}

size_t dbshift_status_count(const dbshift_status *st)
{
	return st != NULL ? st->n : 0;
}

const dbshift_migration_info *dbshift_status_get(const dbshift_status *st,
						 size_t i)
{
	return st != NULL && i < st->n ? &st->items[i] : NULL;
}

void dbshift_status_free(dbshift_status *st)
{
	if (st == NULL)
		return;
	dbshift__vec_free(&st->strings, free);
	free(st->items);
	free(st);
}
