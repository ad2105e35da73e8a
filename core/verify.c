/* SPDX-License-Identifier: MIT */
/*
 * verify.c - proving that down scripts undo their up scripts. Each
 * pending migration is applied, rolled back and applied again for real
 * (on a throwaway database), with a schema snapshot between the steps:
 * the snapshot after the down must equal the one before the up, and the
 * snapshot after the second up the one after the first. Every difference
 * becomes a finding naming the migration and the object.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "execute.h"
#include "findings.h"
#include "lock.h"
#include "schema.h"
#include "select.h"

/* One verify run. */
struct verify {
	dbshift__run *run;
	dbshift_findings *findings;
	unsigned int flags;
	dbshift_schema *before; /* the schema before the migration */
	const char *id;		/* the migration being checked */
	const char *step;	/* "down" or "up applied again after down" */
	int oom;
};

static int nomem(dbshift_runner *r)
{
	return dbshift__err_set(&r->err, DBSHIFT_ENOMEM, "out of memory");
}

/*
 * Diff callback: one finding per difference, a being what was expected
 * and b what the step left ("down leaves index x on t").
 */
static int report_diff(const dbshift_schema_object *a,
		       const dbshift_schema_object *b, void *payload)
{
	struct verify *v = payload;
	int down = strcmp(v->step, "down") == 0;
	dbshift_finding_kind kind =
		down ? DBSHIFT_FINDING_SCHEMA : DBSHIFT_FINDING_REAPPLY;
	const char *verb = a == NULL ? (down ? "leaves" : "adds") :
			   b == NULL ? (down ? "drops" : "lacks") :
				       "changes";
	char what[512], changes[1024] = "";

	dbshift__schema_describe(a != NULL ? a : b, what, sizeof(what));
	if (a != NULL && b != NULL)
		dbshift__schema_changes(a, b, changes, sizeof(changes));
	if (dbshift__findings_add(v->findings, kind, 0, v->id,
				  "%s: %s %s %s%s%s", v->id, v->step, verb,
				  what, changes[0] ? ": " : "", changes) != 0) {
		v->oom = 1;
		return -1;
	}
	return 0;
}

/* Compare the schema now with want; findings for each difference. */
static int compare(struct verify *v, const dbshift_schema *want,
		   dbshift_schema **now)
{
	dbshift_runner *r = v->run->runner;
	int rc;

	rc = dbshift__schema_read(now, r);
	if (rc != 0)
		return rc;
	dbshift__schema_diff(want, *now, report_diff, v);
	return v->oom ? nomem(r) : 0;
}

/* Record a failed step as a finding with the runner's error (without
 * the migration id it starts with), then clear that error. */
static int step_failed(struct verify *v, dbshift_finding_kind kind,
		       const char *what)
{
	dbshift__err *err = &v->run->runner->err;
	const char *cause = err->message;
	size_t id_len = strlen(v->id);
	int rc;

	if (strncmp(cause, v->id, id_len) == 0 && cause[id_len] == ':' &&
	    cause[id_len + 1] == ' ')
		cause += id_len + 2;
	rc = dbshift__findings_add(v->findings, kind, 0, v->id, "%s: %s: %s",
				   v->id, what, cause);
	dbshift__err_init(err);
	return rc != 0 ? nomem(v->run->runner) : 0;
}

/*
 * The up applied again failed (rolled back, or left dirty without
 * transactional DDL): to go on, record the migration as applied over the
 * schema its down left.
 */
static int record_applied(struct verify *v, dbshift__migration *m)
{
	dbshift__run *run = v->run;
	dbshift_conn *conn = run->runner->conn;
	int rc;

	rc = dbshift__history_delete(&run->history, conn, m->id);
	if (rc == 0)
		rc = dbshift__history_insert(&run->history, conn, m, 0, 0);
	return rc;
}

/* Down and up again of m, already applied over v->before. *stop is set
 * when the run cannot or must not go on. */
static int check_one(struct verify *v, dbshift__migration *m, int *stop)
{
	dbshift_schema *applied = NULL, *after = NULL;
	size_t found = v->findings->n;
	int rc;

	rc = dbshift__schema_read(&applied, v->run->runner);
	if (rc == 0) {
		v->step = "down";
		if (dbshift__execute_down(v->run, m) != 0) {
			*stop = 1;
			rc = step_failed(v, DBSHIFT_FINDING_DOWN_FAILED,
					 "down failed");
			goto out;
		}
		rc = compare(v, v->before, &after);
	}
	if (rc != 0)
		goto out;
	dbshift_schema_free(after);
	after = NULL;
	v->step = "up applied again after down";
	if (dbshift__execute_up(v->run, m) != 0) {
		/* After a down that left objects behind, the up failing on
		 * them is no news: the schema findings say it all. */
		if (v->findings->n > found)
			dbshift__err_init(&v->run->runner->err);
		else
			rc = step_failed(v, DBSHIFT_FINDING_REAPPLY,
					 "up applied again after down failed");
		if (rc == 0)
			rc = record_applied(v, m);
	} else if (v->findings->n == found) {
		rc = compare(v, applied, &after);
	}
	if (v->findings->n > found && !(v->flags & DBSHIFT_VERIFY_KEEP_GOING))
		*stop = 1;
out:
	dbshift_schema_free(applied);
	dbshift_schema_free(after);
	return rc;
}

/* Apply each pending migration and check it. */
static int verify_all(struct verify *v, dbshift__lock *lock,
		      const dbshift__vec *pending, int *n_checked)
{
	dbshift__run *run = v->run;
	dbshift_runner *r = run->runner;
	size_t i;
	int rc, stop = 0;

	rc = dbshift__history_ensure(&run->history, r->conn);
	if (rc == 0)
		rc = dbshift__schema_read(&v->before, r);
	for (i = 0; rc == 0 && !stop && i < pending->len; i++) {
		dbshift__migration *m = pending->items[i];

		v->id = m->id;
		rc = dbshift__lock_renew(lock, r);
		if (rc == 0)
			rc = dbshift__execute_up(run, m);
		if (rc != 0)
			break;
		if (m->down == NULL && m->down_fn == NULL) {
			if (dbshift__findings_add(v->findings,
						  DBSHIFT_FINDING_NO_DOWN, 1,
						  m->id,
						  "%s has no down script: not "
						  "checked",
						  m->id) != 0)
				rc = nomem(r);
		} else {
			rc = check_one(v, m, &stop);
			if (rc == 0 && n_checked != NULL)
				(*n_checked)++;
		}
		dbshift_schema_free(v->before);
		v->before = NULL;
		if (rc == 0 && !stop)
			rc = dbshift__schema_read(&v->before, r);
	}
	return rc;
}

int dbshift_runner_verify(dbshift_runner *r, const char *target,
			  unsigned int flags, dbshift_findings **out,
			  int *n_checked)
{
	DBSHIFT__RUNNER_CALL(r);
	struct verify v;
	dbshift__run run;
	dbshift__lock lock;
	dbshift__vec pending = DBSHIFT__VEC_INIT;
	unsigned char *mark = NULL;
	int rc;

	if (n_checked != NULL)
		*n_checked = 0;
	if (out == NULL)
		return DBSHIFT_EINVAL;
	*out = NULL;
	memset(&lock, 0, sizeof(lock));
	memset(&v, 0, sizeof(v));
	v.run = &run;
	v.flags = flags;
	rc = dbshift__run_begin(&run, r);
	if (rc == 0)
		rc = dbshift__schema_supported(r);
	if (rc == 0 && (v.findings = calloc(1, sizeof(*v.findings))) == NULL)
		rc = nomem(r);
	if (rc == 0)
		rc = dbshift__select_marks(&run, target, &mark);
	if (rc == 0)
		rc = dbshift__run_lock(&run, &lock);
	if (rc == 0)
		rc = dbshift__select_pending(&run, mark, 1, &pending);
	if (rc == 0)
		rc = verify_all(&v, &lock, &pending, n_checked);
	dbshift__lock_release(&lock, r);
	dbshift_schema_free(v.before);
	dbshift__vec_free(&pending, NULL);
	free(mark);
	dbshift__run_free(&run);
	if (rc != 0) {
		dbshift_findings_free(v.findings);
		return rc;
	}
	*out = v.findings;
	return 0;
}
