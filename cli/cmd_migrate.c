/* SPDX-License-Identifier: MIT */
/*
 * cmd_migrate.c - the commands that change the database: up, down and
 * redo, and what up --dry-run and down --dry-run print: each step the run
 * would take, framed by an SQL comment naming the migration, the direction
 * and the file, followed by its script, so that the output reads as the
 * script the run would execute.
 *
 * `down` takes a bare integer as a count (as golang-migrate's `down N`)
 * and anything with a '/' as a target SOURCE/VERSION. Rolling back more
 * than one migration (N > 1, --all, or a target, which takes its
 * dependents along) is destructive: without a terminal it needs --yes,
 * on a terminal the user is asked first.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session.h"

/*
 * One step of a dry run: a comment line naming it, then its script
 * ("-- app/001 create_users (up) from migs/001_create_users.up.sql").
 */
static void print_script(const dbshift_plan_step *step)
{
	const char *dir = step->direction == DBSHIFT_DOWN ? "down" : "up";
	size_t i, len = strlen(step->sql);

	printf("-- %s", step->id);
	if (step->name[0] != '\0')
		printf(" %s", step->name);
	printf(" (%s)", dir);
	if (step->file[0] != '\0')
		printf(" from %s", step->file);
	if (step->no_transaction)
		fputs(" [no-transaction]", stdout);
	if (step->out_of_order)
		fputs(" [out-of-order]", stdout);
	fputc('\n', stdout);
	for (i = 0; i < step->n_drops; i++)
		printf("-- drops table %s holding %lld rows\n",
		       step->drops[i].table, (long long)step->drops[i].rows);
	if (step->file[0] == '\0' && len == 0)
		printf("-- (a migration written in C: no SQL to show)\n");
	else if (len == 0)
		printf("-- (empty script)\n");
	else
		fputs(step->sql, stdout);
	if (len > 0 && step->sql[len - 1] != '\n')
		fputc('\n', stdout);
	fputc('\n', stdout);
}

/*
 * up/down --dry-run: print what dbshift_runner_up() (dir DBSHIFT_UP, with
 * target) or dbshift_runner_down() (DBSHIFT_DOWN, with count and target)
 * would run, in order, each step with its script. Changes nothing.
 * Returns an exit status.
 */
static int dry_run(dbshift_runner *runner, dbshift_direction dir, int count,
		   const char *target)
{
	const char *verb = dir == DBSHIFT_DOWN ? "rolled back" : "applied";
	dbshift_plan *plan = NULL;
	char what[64];
	size_t i, n;
	int rc;

	if (dir == DBSHIFT_DOWN)
		rc = dbshift_runner_plan_down(runner, count, target, &plan);
	else
		rc = dbshift_runner_plan_up(runner, target, &plan);
	if (rc != 0)
		return cli_report_runner(rc, runner);
	n = dbshift_plan_count(plan);
	for (i = 0; i < n; i++)
		print_script(dbshift_plan_get(plan, i));
	if (n == 0)
		cli_result("-- dry run: nothing would be %s", verb);
	else
		cli_result("-- dry run: %s would be %s; nothing was changed",
			   cli_plural(what, sizeof(what), (long)n, "migration"),
			   verb);
	dbshift_plan_free(plan);
	return CLI_EXIT_OK;
}

static int run_up(const struct cli_options *opts)
{
	const char *target = opts->n_args > 0 ? opts->args[0] : NULL;
	dbshift_runner *runner;
	char count[64];
	int rc, n_applied = 0;

	rc = cli_runner_open(&runner, opts);
	if (rc != 0)
		return rc;
	if (opts->dry_run) {
		rc = dry_run(runner, DBSHIFT_UP, 0, target);
		dbshift_runner_free(runner);
		return rc;
	}
	cli_verbose_lock(runner, opts);
	rc = dbshift_runner_up(runner, target, &n_applied);
	if (rc != 0)
		rc = cli_report_runner(rc, runner);
	else if (n_applied > 0)
		cli_result("applied %s", cli_plural(count, sizeof(count),
						    n_applied, "migration"));
	else if (target != NULL)
		cli_result("nothing to apply: %s is already applied", target);
	else
		cli_result("database is up to date");
	dbshift_runner_free(runner);
	return rc;
}

/* What `down` was asked to roll back. */
struct down_request {
	int count;	    /* -1: everything */
	const char *target; /* or NULL */
};

static int parse_down(const struct cli_options *opts, struct down_request *req)
{
	const char *arg = opts->n_args > 0 ? opts->args[0] : NULL;
	char *end;
	long n;

	req->count = 1;
	req->target = NULL;
	if (opts->all) {
		req->count = -1;
		if (arg != NULL)
			return cli_usage_error("'down --all' takes no argument,"
					       " got '%s'",
					       arg);
		return 0;
	}
	if (arg == NULL) {
		/* --as-far-as-possible alone: as far as everything. */
		if (opts->flags & DBSHIFT_OPT_DOWN_AS_FAR_AS_POSSIBLE)
			req->count = -1;
		return 0;
	}
	if (strchr(arg, '/') != NULL) {
		req->target = arg;
		return 0;
	}
	errno = 0;
	n = strtol(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 ||
	    n < 1 || n > INT_MAX)
		return cli_usage_error("invalid argument '%s' for 'down': "
				       "expected a count N (1 or more) or a "
				       "target SOURCE/VERSION",
				       arg);
	req->count = (int)n;
	return 0;
}

/* What the request means in words: "2 migrations", "all migrations". */
static const char *describe(const struct down_request *req, char *buf,
			    size_t size)
{
	if (req->target != NULL)
		snprintf(buf, size, "%s and the migrations that depend on it",
			 req->target);
	else if (req->count < 0)
		snprintf(buf, size, "all migrations");
	else
		cli_plural(buf, size, req->count, "migration");
	return buf;
}

/* How many migrations the history holds as applied; -1 when unknown. */
static long count_applied(dbshift_runner *runner)
{
	dbshift_status *status = NULL;
	const dbshift_migration_info *info;
	long n = 0;
	size_t i;

	if (dbshift_runner_status(runner, &status) != 0)
		return -1;
	for (i = 0; i < dbshift_status_count(status); i++) {
		info = dbshift_status_get(status, i);
		if (info->state == DBSHIFT_STATE_APPLIED ||
		    info->state == DBSHIFT_STATE_CHANGED ||
		    info->state == DBSHIFT_STATE_MISSING)
			n++;
	}
	dbshift_status_free(status);
	return n;
}

/*
 * Warn about every table the down would drop with rows in it ("app/002
 * drops table sessions holding 42 rows"); when there is any, --yes is
 * needed without a terminal and the user is asked on one. Returns 0 to go
 * ahead, else an exit status.
 */
static int confirm_data_loss(dbshift_runner *runner,
			     const struct cli_options *opts, int count,
			     const char *target)
{
	const dbshift_plan_step *step;
	dbshift_plan *plan = NULL;
	char what[64];
	long n_tables = 0;
	size_t i, j;
	int rc;

	rc = dbshift_runner_plan_down(runner, count, target, &plan);
	if (rc != 0)
		return cli_report(rc, dbshift_runner_error(runner));
	for (i = 0; i < dbshift_plan_count(plan); i++) {
		step = dbshift_plan_get(plan, i);
		for (j = 0; j < step->n_drops; j++, n_tables++)
			cli_error(0, "warning: %s drops table %s holding %s",
				  step->id, step->drops[j].table,
				  cli_plural(what, sizeof(what),
					     (long)step->drops[j].rows, "row"));
	}
	dbshift_plan_free(plan);
	cli_plural(what, sizeof(what), n_tables, "table");
	if (n_tables == 0 || opts->yes)
		return 0;
	if (!isatty(STDIN_FILENO))
		return cli_error(CLI_EXIT_USAGE,
				 "refusing to drop %s holding rows without "
				 "--yes",
				 what);
	if (!cli_ask("Drop %s holding rows?", what))
		return cli_error(CLI_EXIT_FAIL, "aborted; nothing rolled back");
	return 0;
}

/* More than one migration may go: a target takes its dependents along. */
static int is_destructive(const struct down_request *req)
{
	return req->target != NULL || req->count != 1;
}

/*
 * Ask before a destructive down on a terminal: 0 to go ahead, else an
 * exit status. The question says how many migrations will actually go;
 * when that is one or none there is no question.
 */
static int confirm_down(dbshift_runner *runner, const struct cli_options *opts,
			const struct down_request *req)
{
	dbshift_plan *plan = NULL;
	char what[512];
	long applied = -1, n = -1;

	if (opts->flags & DBSHIFT_OPT_DOWN_AS_FAR_AS_POSSIBLE) {
		/* Only what comes before the stop goes. */
		if (dbshift_runner_plan_down(runner, req->count, req->target,
					     &plan) == 0)
			applied = n = (long)dbshift_plan_count(plan);
		dbshift_plan_free(plan);
	} else if (req->target == NULL) {
		applied = count_applied(runner);
		n = req->count < 0 || applied < req->count ? applied :
							     req->count;
	}
	if (applied >= 0 && n <= 1)
		return 0;
	if (applied >= 0)
		cli_plural(what, sizeof(what), n, "migration");
	else
		describe(req, what, sizeof(what));
	if (!cli_ask("Roll back %s?", what))
		return cli_error(CLI_EXIT_FAIL, "aborted; nothing rolled back");
	return 0;
}

static int run_down(const struct cli_options *opts)
{
	struct down_request req;
	dbshift_runner *runner;
	char buf[512];
	int rc, n_reverted = 0;

	rc = parse_down(opts, &req);
	if (rc != 0)
		return rc;
	if (opts->dry_run) {
		/* Changes nothing, so no confirmation either. */
		rc = cli_runner_open(&runner, opts);
		if (rc != 0)
			return rc;
		rc = dry_run(runner, DBSHIFT_DOWN, req.count, req.target);
		if (rc == 0 && dbshift_runner_down_stop(runner)[0] != '\0')
			cli_error(0, "would stop because %s",
				  dbshift_runner_down_stop(runner));
		goto out;
	}
	if (is_destructive(&req) && !opts->yes && !isatty(STDIN_FILENO))
		return cli_error(CLI_EXIT_USAGE,
				 "refusing to roll back %s without --yes",
				 describe(&req, buf, sizeof(buf)));
	rc = cli_runner_open(&runner, opts);
	if (rc != 0)
		return rc;
	if (is_destructive(&req) && !opts->yes) {
		rc = confirm_down(runner, opts, &req);
		if (rc != 0)
			goto out;
	}
	/* After the question about how many: it reads the history first. */
	rc = confirm_data_loss(runner, opts, req.count, req.target);
	if (rc != 0)
		goto out;
	rc = dbshift_runner_down(runner, req.count, req.target, &n_reverted);
	if (rc != 0)
		rc = cli_report_runner(rc, runner);
	else if (dbshift_runner_down_stop(runner)[0] != '\0')
		cli_result(
			"%s%s; stopped because %s (it and the migrations "
			"before it stay applied)",
			n_reverted > 0 ? "rolled back " : "nothing rolled back",
			n_reverted > 0 ? cli_plural(buf, sizeof(buf),
						    n_reverted, "migration") :
					 "",
			dbshift_runner_down_stop(runner));
	else if (n_reverted > 0)
		cli_result(
			"rolled back %s",
			cli_plural(buf, sizeof(buf), n_reverted, "migration"));
	else
		cli_result("nothing to roll back");
out:
	dbshift_runner_free(runner);
	return rc;
}

static int run_redo(const struct cli_options *opts)
{
	dbshift_runner *runner;
	int rc;

	rc = cli_runner_open(&runner, opts);
	if (rc != 0)
		return rc;
	rc = confirm_data_loss(runner, opts, 1, NULL);
	if (rc != 0) {
		dbshift_runner_free(runner);
		return rc;
	}
	rc = dbshift_runner_redo(runner);
	if (rc != 0) /* DBSHIFT_ESTATE when no migration is applied */
		rc = cli_report_runner(rc, runner);
	else
		cli_result("redone %s", cli_last_migration());
	dbshift_runner_free(runner);
	return rc;
}

const struct cli_command cli_cmd_up = {
	"up",
	"up [TARGET]",
	"apply pending migrations (all, or up to TARGET)",
	"Apply pending migrations in order, each in its own\n"
	"transaction where the database allows. With TARGET\n"
	"(SOURCE/VERSION, or VERSION when only one source has it),\n"
	"apply TARGET and the pending migrations it depends on.\n"
	"Stops at the first failure; that migration is not recorded.\n"
	"Progress goes to stderr, the summary to stdout.\n"
	"\n"
	"With --dry-run, print the migrations that would be applied,\n"
	"in order, each with the SQL it would run, after the same\n"
	"checks; nothing changes (no lock, no history table).\n"
	"\n"
	"Exit status:\n"
	"  0  success (also when there was nothing to do)\n"
	"  1  a migration or a database operation failed, or the\n"
	"     history blocks the run (dirty, changed script)\n"
	"  2  bad usage or bad input: options, URL, migration files,\n"
	"     dependency graph, unknown target\n",
	CLI_ALLOW_DRY_RUN,
	1,
	run_up,
};

const struct cli_command cli_cmd_down = {
	"down",
	"down [N | TARGET | --all]",
	"roll back the last N (default 1), TARGET, or all",
	"Roll back applied migrations, newest first: the last N\n"
	"(default 1), or TARGET (always SOURCE/VERSION; a bare integer\n"
	"is a count) and every applied migration that depends on it,\n"
	"or everything with --all. Every migration to roll back must\n"
	"have a down script; that is checked before anything changes.\n"
	"\n"
	"--as-far-as-possible (alone, or with N or TARGET) rolls back\n"
	"newest first down to the newest migration that has no down\n"
	"script (or is not in the sources), stops there and says so;\n"
	"it exits 0 when everything before that stop was rolled back,\n"
	"also when that was nothing. --all still refuses as a whole.\n"
	"\n"
	"Rolling back more than one migration (N > 1, TARGET, --all or\n"
	"--as-far-as-possible)\n"
	"asks for confirmation on a terminal and needs --yes otherwise.\n"
	"So does a down script that drops tables holding rows: each\n"
	"such table is named first with its row count.\n"
	"\n"
	"With --dry-run, print the migrations that would be rolled\n"
	"back, newest first, each with its down script; nothing\n"
	"changes, so no --yes is needed.\n"
	"\n"
	"Exit status:\n"
	"  0  success (also when there was nothing to roll back)\n"
	"  1  a migration or a database operation failed, or the\n"
	"     confirmation was declined\n"
	"  2  bad usage or bad input: options, URL, migration files,\n"
	"     dependency graph, unknown target, or --yes missing\n"
	"     without a terminal\n",
	CLI_ALLOW_ALL | CLI_ALLOW_DRY_RUN,
	1,
	run_down,
};

const struct cli_command cli_cmd_redo = {
	"redo",
	"redo",
	"roll back the last migration and apply it again",
	"Roll back the most recently applied migration and apply it\n"
	"again (useful while writing a migration). When its down script\n"
	"drops tables holding rows, each is named with its row count, and\n"
	"the redo asks for confirmation on a terminal and needs --yes\n"
	"otherwise.\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  a migration or a database operation failed, or no\n"
	"     migration is applied (nothing to redo)\n"
	"  2  bad usage or bad input: options, URL, migration files,\n"
	"     dependency graph, or --yes missing without a terminal\n",
	0,
	0,
	run_redo,
};
