/* SPDX-License-Identifier: MIT */
/*
 * cmd_validate.c - `dbshift validate`: check the sources and the history
 * without changing anything, and fail (exit 1) when anything is wrong,
 * so that it can guard a deployment or a CI job.
 *
 * The findings come from dbshift_runner_validate(): changed scripts (with
 * both checksums), applied migrations missing from the sources, dirty
 * rows, out-of-order pending migrations, a bad source or dependency graph,
 * and missing down scripts, which are only warnings. Each is printed as
 * "KIND  ID  MESSAGE" (text) or as one JSON object.
 */
#include "config.h"

#include <string.h>

#include "session.h"

static void print_text(const dbshift_findings *findings, int n_problems)
{
	size_t n = dbshift_findings_count(findings);
	char a[64], b[64];

	cli_findings_print(findings);
	cli_plural(a, sizeof(a), n_problems, "problem");
	cli_plural(b, sizeof(b), (long)n - n_problems, "warning");
	if (n_problems > 0)
		cli_result("invalid: %s, %s", a, b);
	else if (n > 0)
		cli_result("valid, with %s", b);
	else
		cli_result("valid: no problems found");
}

static void print_json(const dbshift_findings *findings, int n_problems)
{
	printf("{\"valid\":%s,\"findings\":",
	       n_problems == 0 ? "true" : "false");
	cli_findings_json(findings);
	fputs("}\n", stdout);
}

static int run_validate(const struct cli_options *opts)
{
	dbshift_runner *runner;
	dbshift_findings *findings = NULL;
	int rc, n_problems = 0;

	rc = cli_runner_open(&runner, opts);
	if (rc != 0)
		return rc;
	rc = dbshift_runner_validate(runner, &findings, &n_problems);
	if (rc != 0) {
		rc = cli_report(rc, dbshift_runner_error(runner));
		goto out;
	}
	if (opts->json)
		print_json(findings, n_problems);
	else
		print_text(findings, n_problems);
	rc = n_problems > 0 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
out:
	dbshift_findings_free(findings);
	dbshift_runner_free(runner);
	return rc;
}

const struct cli_command cli_cmd_validate = {
	"validate",
	"validate",
	"check sources and history; exit 1 on any problem",
	"Check the migration sources and the history without changing\n"
	"anything, and print each finding as KIND  ID  MESSAGE:\n"
	"  changed       an applied script was edited (both checksums)\n"
	"  missing       applied, but in no source\n"
	"  dirty         failed or was interrupted part way\n"
	"  out-of-order  pending, but sorts before applied migrations\n"
	"  source        bad migration files or dependency graph\n"
	"  no-down       no down script (a warning only)\n"
	"  ignored       a file or dialects directive names a dialect\n"
	"                no installed driver declares; it is skipped\n"
	"                (a warning only)\n"
	"Resolve changed and dirty migrations with 'dbshift repair' (or\n"
	"'dbshift force' for a dirty one completed by hand).\n"
	"\n"
	"With --json, prints one object:\n"
	"  {\"valid\":true|false,\"findings\":[{\"kind\", \"id\", "
	"\"warning\",\n"
	"  \"message\"}, ...]}\n"
	"where id is null when a finding names no migration.\n"
	"\n"
	"Exit status:\n"
	"  0  no problems (warnings allowed)\n"
	"  1  validate found a problem (any finding that is not a\n"
	"     warning, bad migration files included), or the database\n"
	"     could not be read\n"
	"  2  bad usage or bad input: options, URL, missing source\n"
	"     directory\n",
	CLI_ALLOW_JSON,
	0,
	run_validate,
};
