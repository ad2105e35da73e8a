/*
 * admin.c - operator commands that change the history without running a
 * migration: force records a dirty migration as applied, for a partial
 * migration the operator completed by hand. Like every command that
 * writes, it holds the run lock and reads the history again under it.
 */
#include "config.h"

#include <string.h>

#include "history.h"
#include "lock.h"
#include "plan.h"

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
		return dbshift__err_set(&r->err, DBSHIFT_ESTATE,
					"%s is not dirty; force only resolves a "
					"dirty migration",
					id);
	return dbshift__history_mark_applied(&run->history, r->conn, id,
					     row->execution_ms);
}

int dbshift_runner_force(dbshift_runner *r, const char *target)
{
	dbshift__run run;
	dbshift__lock lock;
	const char *id = NULL;
	int rc;

	memset(&lock, 0, sizeof(lock));
	if (target == NULL)
		return r != NULL ? dbshift__err_set(&r->err, DBSHIFT_EINVAL,
						    "force needs a target")
				 : DBSHIFT_EINVAL;
	rc = dbshift__run_begin(&run, r);
	if (rc == 0)
		rc = target_id(&run, target, &id);
	if (rc == 0)
		rc = dbshift__lock_acquire(&lock, r);
	if (rc == 0)
		rc = dbshift__run_read_history(&run);
	if (rc == 0)
		rc = force_row(&run, id);
	if (rc != 0 && r != NULL)
		dbshift__err_set_migration(&r->err, id != NULL ? id : target);
	dbshift__lock_release(&lock, r);
	dbshift__run_free(&run);
	return rc;
}
