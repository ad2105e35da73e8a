/* SPDX-License-Identifier: MIT */
/*
 * select.c - choosing what a command works on: the pending migrations up
 * would apply (all, or a target and what it depends on) and the applied
 * ones down would roll back (the last N, or a target and what depends on
 * it), with the refusals that belong to the choice (--strict-order, no
 * down script, not in the sources). Shared by the commands that run and
 * those that only show a plan.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "select.h"

/* Refuse out-of-order migrations with --strict-order. */
static int check_strict_order(dbshift__run *run, const dbshift__migration *m)
{
	dbshift_runner *r = run->runner;

	if (!(r->flags & DBSHIFT_OPT_STRICT_ORDER))
		return 0;
	dbshift__err_set(&r->err, DBSHIFT_ESTATE,
			 "%s is pending but sorts before migrations already "
			 "applied; refused by --strict-order",
			 m->id);
	dbshift__err_set_migration(&r->err, m->id);
	return DBSHIFT_ESTATE;
}

/* Collect the pending migrations of the plan (restricted to mark when not
 * NULL) into pending, in order. */
static int collect_pending(dbshift__run *run, const unsigned char *mark,
			   dbshift__vec *pending)
{
	size_t i;
	int rc;

	for (i = 0; i < run->graph.n; i++) {
		dbshift__migration *m = run->graph.order[i];
		dbshift_state state = dbshift__run_state(run, m, NULL);

		if (mark != NULL && !mark[m->index])
			continue;
		if (state == DBSHIFT_STATE_OUT_OF_ORDER) {
			rc = check_strict_order(run, m);
			if (rc != 0)
				return rc;
		} else if (state != DBSHIFT_STATE_PENDING) {
			continue;
		}
		if (dbshift__vec_push(pending, m) != 0)
			return dbshift__err_set(&run->runner->err,
						DBSHIFT_ENOMEM,
						"out of memory");
	}
	return 0;
}

int dbshift__select_marks(dbshift__run *run, const char *target,
			  unsigned char **mark)
{
	dbshift__migration *m;
	int rc;

	*mark = NULL;
	if (target == NULL)
		return 0;
	rc = dbshift__graph_target(&run->graph, target, &m, &run->runner->err);
	if (rc != 0)
		return rc;
	*mark = calloc(run->graph.n + 1, 1);
	if (*mark == NULL ||
	    dbshift__graph_closure(&run->graph, m, DBSHIFT_UP, *mark) != 0)
		return dbshift__err_set(&run->runner->err, DBSHIFT_ENOMEM,
					"out of memory");
	return 0;
}

/*
 * What up would apply, checked against the history read last. Before the
 * lock is held (locked = 0) a dirty row may be another run's migration in
 * flight, so it is not refused yet, only counted as work that needs the
 * lock.
 */
int dbshift__select_pending(dbshift__run *run, const unsigned char *mark,
			    int locked, dbshift__vec *pending)
{
	int rc = dbshift__run_check_history(run, locked, 1);

	pending->len = 0;
	if (rc == 0)
		rc = collect_pending(run, mark, pending);
	return rc;
}

/* The migration of an applied history row, with its down script read,
 * or an error. */
static int revertible(dbshift__run *run, const dbshift__history_row *row,
		      dbshift__migration **out)
{
	dbshift__err *err = &run->runner->err;
	dbshift__migration *m = dbshift__graph_find(&run->graph, row->id);

	*out = m;
	if (m == NULL || strcmp(m->id, row->id) != 0) {
		dbshift__err_set(err, DBSHIFT_ENOTFOUND,
				 "applied migration %s is not in the sources; "
				 "cannot roll it back",
				 row->id);
		dbshift__err_set_migration(err, row->id);
		return DBSHIFT_ENOTFOUND;
	}
	if (m->down == NULL && m->down_fn == NULL) {
		dbshift__err_set(
			err, DBSHIFT_ENODOWN,
			"%s has no down script; nothing was rolled back",
			m->id);
		dbshift__err_set_migration(err, m->id);
		dbshift__err_set_file(err,
				      m->up && m->up->file ? m->up->file : "");
		return DBSHIFT_ENODOWN;
	}
	/* A down is planned: its script is read now, before anything
	 * changes, so that an unreadable one stops the whole down. */
	if (m->down != NULL)
		return dbshift__script_load(m->down, err);
	return 0;
}

/* Why the migration of an applied history row cannot be rolled back, or
 * NULL when it can. */
static const char *unrevertible(const dbshift__run *run,
				const dbshift__history_row *row)
{
	const dbshift__migration *m = dbshift__graph_find(&run->graph, row->id);

	if (m == NULL || strcmp(m->id, row->id) != 0)
		return "is not in the sources";
	if (m->down == NULL && m->down_fn == NULL)
		return "has no down script";
	return NULL;
}

/* Choose what down rolls back, newest first, and check every one has a
 * down script before anything changes. */
int dbshift__select_victims(dbshift__run *run, int count, const char *target,
			    int as_far_as_possible, dbshift__vec *victims)
{
	unsigned char *mark = NULL;
	dbshift__migration *m;
	const char *why;
	size_t i;
	int rc = 0;

	run->runner->down_stop[0] = '\0';
	if (target != NULL) {
		rc = dbshift__graph_target(&run->graph, target, &m,
					   &run->runner->err);
		if (rc == 0 &&
		    dbshift__history_find(&run->history, m->id) == NULL)
			rc = dbshift__err_set(&run->runner->err, DBSHIFT_ESTATE,
					      "%s is not applied", m->id);
		if (rc == 0 && (mark = calloc(run->graph.n + 1, 1)) == NULL)
			rc = DBSHIFT_ENOMEM;
		if (rc == 0)
			rc = dbshift__graph_closure(&run->graph, m,
						    DBSHIFT_DOWN, mark);
	}
	for (i = run->history.n; rc == 0 && i-- > 0;) {
		const dbshift__history_row *row = &run->history.rows[i];

		if (target == NULL && count >= 0 &&
		    victims->len >= (size_t)count)
			break;
		m = dbshift__graph_find(&run->graph, row->id);
		if (target != NULL && (m == NULL || !mark[m->index]))
			continue;
		why = as_far_as_possible ? unrevertible(run, row) : NULL;
		if (why != NULL) {
			snprintf(run->runner->down_stop,
				 sizeof(run->runner->down_stop), "%s %s",
				 row->id, why);
			break;
		}
		rc = revertible(run, row, &m);
		if (rc == 0 && dbshift__vec_push(victims, m) != 0)
			rc = DBSHIFT_ENOMEM;
	}
	free(mark);
	if (rc == DBSHIFT_ENOMEM)
		dbshift__err_set(&run->runner->err, rc, "out of memory");
	return rc;
}
