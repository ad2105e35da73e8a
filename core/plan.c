/* SPDX-License-Identifier: MIT */
/*
 * plan.c - the public plans (dbshift_plan, for `plan` and `--dry-run`):
 * what up or down would do, in order, with each script, after the same
 * checks the real command makes. Nothing changes: no lock, no history
 * table, no script runs. The run they are read from is run.c's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "impact.h"
#include "select.h"

struct dbshift_plan {
	dbshift_plan_step *steps;
	size_t n;
	dbshift__vec strings; /* every string the steps point to */
	dbshift__vec arrays;  /* the steps' drops */
};

static const char *keep(dbshift_plan *plan, const char *s)
{
	return dbshift__pool_keep(&plan->strings, s);
}

static int fill_step(dbshift_plan *plan, const dbshift__run *run,
		     const dbshift__migration *m, dbshift_direction dir,
		     dbshift_plan_step *step)
{
	const dbshift__script *script = dir == DBSHIFT_UP ? m->up : m->down;

	step->direction = dir;
	step->id = keep(plan, m->id);
	step->source = keep(plan, m->source);
	step->version = keep(plan, m->version);
	step->name = keep(plan, m->name);
	step->sql = keep(plan, script != NULL ? script->text : "");
	step->file = keep(plan, script != NULL ? script->file : "");
	step->no_transaction = m->no_transaction;
	step->out_of_order =
		dir == DBSHIFT_UP &&
		dbshift__run_state(run, m, NULL) == DBSHIFT_STATE_OUT_OF_ORDER;
	if (!step->id || !step->source || !step->version || !step->name ||
	    !step->sql || !step->file)
		return -1;
	step->n_depends_on = m->n_depends_on;
	return dbshift__pool_keep_strv(&plan->strings, m->depends_on,
				       m->n_depends_on, &step->depends_on);
}

/* The tables m's down script would drop with rows in them. */
static int fill_drops(dbshift_plan *plan, const dbshift__run *run,
		      const dbshift__migration *m, dbshift_plan_step *step)
{
	dbshift__vec found = DBSHIFT__VEC_INIT;
	dbshift_table_rows *drops = NULL;
	size_t i;
	int rc = 0;

	if (m->down != NULL)
		rc = dbshift__impact_drops(run->runner->conn, m->down->text,
					   m->down->len, &found);
	if (rc == 0 && found.len > 0) {
		drops = calloc(found.len, sizeof(*drops));
		if (drops == NULL || dbshift__vec_push(&plan->arrays, drops)) {
			free(drops);
			drops = NULL;
		}
		for (i = 0; drops != NULL && i < found.len; i++) {
			const dbshift__table_rows *t = found.items[i];

			drops[i].table = keep(plan, t->table);
			drops[i].rows = t->rows;
			if (drops[i].table == NULL)
				drops = NULL;
		}
		if (drops == NULL)
			rc = dbshift__err_set(&run->runner->err, DBSHIFT_ENOMEM,
					      "out of memory");
		step->drops = drops;
		step->n_drops = drops != NULL ? found.len : 0;
	}
	dbshift__vec_free(&found, dbshift__table_rows_free);
	return rc;
}

/* Turn the chosen migrations into a plan. */
static int make_plan(dbshift__run *run, const dbshift__vec *chosen,
		     dbshift_direction dir, dbshift_plan **out)
{
	dbshift_plan *plan = calloc(1, sizeof(*plan));
	size_t i;
	int rc;

	if (plan == NULL)
		goto oom;
	plan->steps = calloc(chosen->len + 1, sizeof(*plan->steps));
	if (plan->steps == NULL)
		goto oom;
	for (i = 0; i < chosen->len; i++, plan->n++) {
		if (fill_step(plan, run, chosen->items[i], dir,
			      &plan->steps[i]) != 0)
			goto oom;
		rc = dir == DBSHIFT_DOWN ?
			     fill_drops(plan, run, chosen->items[i],
					&plan->steps[i]) :
			     0;
		if (rc != 0) {
			dbshift_plan_free(plan);
			return rc;
		}
	}
	*out = plan;
	return 0;
oom:
	dbshift_plan_free(plan);
	return dbshift__err_set(&run->runner->err, DBSHIFT_ENOMEM,
				"out of memory");
}

int dbshift_runner_plan_up(dbshift_runner *r, const char *target,
			   dbshift_plan **out)
{
	DBSHIFT__RUNNER_CALL(r);
	dbshift__run run;
	dbshift__vec pending = DBSHIFT__VEC_INIT;
	unsigned char *mark = NULL;
	int rc;

	if (out == NULL)
		return DBSHIFT_EINVAL;
	*out = NULL;
	rc = dbshift__run_begin(&run, r);
	if (rc == 0)
		rc = dbshift__select_marks(&run, target, &mark);
	if (rc == 0)
		rc = dbshift__select_pending(&run, mark, 1, &pending);
	if (rc == 0)
		rc = make_plan(&run, &pending, DBSHIFT_UP, out);
	dbshift__vec_free(&pending, NULL);
	free(mark);
	dbshift__run_free(&run);
	return rc;
}

int dbshift_runner_plan_down(dbshift_runner *r, int count, const char *target,
			     dbshift_plan **out)
{
	DBSHIFT__RUNNER_CALL(r);
	dbshift__run run;
	dbshift__vec victims = DBSHIFT__VEC_INIT;
	int rc;

	if (out == NULL)
		return DBSHIFT_EINVAL;
	*out = NULL;
	if (r != NULL)
		r->down_stop[0] = '\0';
	rc = dbshift__run_begin(&run, r);
	if (rc == 0)
		rc = dbshift__run_check_history(&run, 1, 0);
	if (rc == 0)
		rc = dbshift__select_victims(
			&run, count, target,
			(r->flags & DBSHIFT_OPT_DOWN_AS_FAR_AS_POSSIBLE) != 0,
			&victims);
	if (rc == 0)
		rc = make_plan(&run, &victims, DBSHIFT_DOWN, out);
	dbshift__vec_free(&victims, NULL);
	dbshift__run_free(&run);
	return rc;
}

size_t dbshift_plan_count(const dbshift_plan *plan)
{
	return plan != NULL ? plan->n : 0;
}

const dbshift_plan_step *dbshift_plan_get(const dbshift_plan *plan, size_t i)
{
	return plan != NULL && i < plan->n ? &plan->steps[i] : NULL;
}

void dbshift_plan_free(dbshift_plan *plan)
{
	if (plan == NULL)
		return;
	dbshift__vec_free(&plan->strings, free);
	dbshift__vec_free(&plan->arrays, free);
	free(plan->steps);
	free(plan);
}
