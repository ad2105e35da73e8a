/* SPDX-License-Identifier: MIT */
/*
 * cmd_plan.c - `dbshift plan [TARGET]`: what `up` would do, in order,
 * without doing it (`up --dry-run` and `down --dry-run` are cmd_migrate.c's).
 *
 * The plan comes from dbshift_runner_plan_up() / _plan_down(), which make
 * the same checks as the real command (a dirty row, a changed script, an
 * out-of-order migration with --strict-order) and fail the same way, but
 * take no lock, create no table and run nothing. `plan` prints one line
 * per step (or JSON).
 */
#include "config.h"

#include <string.h>

#include "session.h"

static const char *or_dash(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

static size_t max_len(size_t width, const char *s)
{
	size_t len = strlen(s);

	return len > width ? len : width;
}

/* The notes after a step: dependencies and markers. */
static void print_notes(const dbshift_plan_step *step)
{
	size_t i;

	if (step->n_depends_on > 0) {
		fputs("  depends on ", stdout);
		for (i = 0; i < step->n_depends_on; i++)
			printf("%s%s", i > 0 ? ", " : "", step->depends_on[i]);
	}
	if (step->out_of_order) {
		fputs("  ", stdout);
		cli_paint(stdout, CLI_YELLOW, "[out-of-order]");
	}
	if (step->no_transaction)
		fputs("  [no-transaction]", stdout);
}

/* One line per step: "app/002  create_posts  depends on app/001". */
static void print_text(const dbshift_plan *plan, const char *target)
{
	size_t i, n = dbshift_plan_count(plan), w_id = 0, w_name = 0;
	const dbshift_plan_step *step;
	char count[64];

	if (n == 0) {
		if (target != NULL)
			cli_result("nothing to apply: %s is already applied",
				   target);
		else
			cli_result("nothing to apply: database is up to date");
		return;
	}
	for (i = 0; i < n; i++) {
		step = dbshift_plan_get(plan, i);
		w_id = max_len(w_id, step->id);
		w_name = max_len(w_name, or_dash(step->name));
	}
	for (i = 0; i < n; i++) {
		step = dbshift_plan_get(plan, i);
		printf("%-*s  %s", (int)w_id, step->id, or_dash(step->name));
		if (step->n_depends_on > 0 || step->out_of_order ||
		    step->no_transaction)
			printf("%*s",
			       (int)(w_name - strlen(or_dash(step->name))), "");
		print_notes(step);
		fputc('\n', stdout);
	}
	cli_result("%s to apply",
		   cli_plural(count, sizeof(count), (long)n, "migration"));
}

static void print_json_step(const dbshift_plan_step *step)
{
	size_t i;

	fputs("{\"id\":", stdout);
	cli_json_string(stdout, step->id);
	fputs(",\"source\":", stdout);
	cli_json_string(stdout, step->source);
	fputs(",\"version\":", stdout);
	cli_json_string(stdout, step->version);
	fputs(",\"name\":", stdout);
	cli_json_string(stdout, step->name);
	fputs(",\"file\":", stdout);
	cli_json_string_or_null(stdout, step->file);
	printf(",\"no_transaction\":%s,\"out_of_order\":%s",
	       step->no_transaction ? "true" : "false",
	       step->out_of_order ? "true" : "false");
	fputs(",\"depends_on\":[", stdout);
	for (i = 0; i < step->n_depends_on; i++) {
		if (i > 0)
			fputc(',', stdout);
		cli_json_string(stdout, step->depends_on[i]);
	}
	fputs("]}", stdout);
}

static void print_json(const dbshift_plan *plan, dbshift_direction dir)
{
	size_t i, n = dbshift_plan_count(plan);

	printf("{\"direction\":\"%s\",\"steps\":[",
	       dir == DBSHIFT_DOWN ? "down" : "up");
	for (i = 0; i < n; i++) {
		fputs(i > 0 ? ",\n  " : "\n  ", stdout);
		print_json_step(dbshift_plan_get(plan, i));
	}
	fputs(n > 0 ? "\n]}\n" : "]}\n", stdout);
}

/* plan -v: each file or directive of a dialect no driver declares. */
static void print_ignored(const char *id, const char *what, void *payload)
{
	(void)payload;
	cli_verbose("ignored: %s: %s", id, what);
}

static int run_plan(const struct cli_options *opts)
{
	const char *target = opts->n_args > 0 ? opts->args[0] : NULL;
	dbshift_runner *runner;
	dbshift_plan *plan = NULL;
	int rc;

	rc = cli_runner_open(&runner, opts);
	if (rc != 0)
		return rc;
	rc = dbshift_runner_plan_up(runner, target, &plan);
	if (rc == 0 && opts->verbose > 0)
		rc = dbshift_runner_ignored(runner, print_ignored, NULL, NULL);
	if (rc != 0)
		rc = cli_report_runner(rc, runner);
	else if (opts->json)
		print_json(plan, DBSHIFT_UP);
	else
		print_text(plan, target);
	dbshift_plan_free(plan);
	dbshift_runner_free(runner);
	return rc;
}

const struct cli_command cli_cmd_plan = {
	"plan",
	"plan [TARGET]",
	"what 'up' would do, in order, without doing it",
	"Show the migrations 'up' would apply, in the order it would\n"
	"apply them, without applying anything: one line per\n"
	"migration with its id, name, the migrations it depends on,\n"
	"and [out-of-order] (pending but sorting before an applied\n"
	"one) or [no-transaction] where they apply. With TARGET, only\n"
	"TARGET and the pending migrations it depends on. The checks\n"
	"are those of 'up': a dirty migration or a changed script\n"
	"(unless --ignore-checksums) is refused, and so is an\n"
	"out-of-order migration with --strict-order. Reads the\n"
	"history once; takes no lock and changes nothing. To see the\n"
	"SQL as well, use 'dbshift up --dry-run'. With -v, also lists\n"
	"on stderr the files and dialects directives that name a\n"
	"dialect no installed driver declares (they are skipped).\n"
	"\n"
	"With --json, prints one object:\n"
	"  {\"direction\":\"up\",\"steps\":[{\"id\", \"source\", "
	"\"version\", \"name\",\n"
	"  \"file\", \"no_transaction\", \"out_of_order\", "
	"\"depends_on\"}, ...]}\n"
	"where file is null for a migration written in C.\n"
	"\n"
	"Exit status:\n"
	"  0  the plan was printed (also when there is nothing to do)\n"
	"  1  the database could not be read, or the history blocks\n"
	"     'up' (dirty migration, changed script, out of order with\n"
	"     --strict-order)\n"
	"  2  bad usage or bad input: options, URL, migration files,\n"
	"     dependency graph, unknown target\n",
	CLI_ALLOW_JSON,
	1,
	run_plan,
};
