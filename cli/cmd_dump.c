/* SPDX-License-Identifier: MIT */
/*
 * cmd_dump.c - `dbshift dump [-o FILE]`: apply the pending migrations to
 * the throwaway database (--url, else a fresh SQLite in-memory database)
 * and write its schema as SQL, or with --json as the snapshot's objects,
 * sorted and without timestamps, so that the file can be committed and
 * changes to the schema read in code review.
 */
#include "config.h"

#include <string.h>

#include "session.h"

struct dump_job {
	const dbshift_schema *schema;
	int json;
};

static void json_object(FILE *out, const dbshift_schema_object *o)
{
	fputs("{\"kind\":", out);
	cli_json_string(out, dbshift_object_kind_name(o->kind));
	fputs(",\"table\":", out);
	cli_json_string(out, o->table);
	fputs(",\"name\":", out);
	cli_json_string(out, o->name);
	fputs(",\"type\":", out);
	cli_json_string_or_null(out, o->type);
	fprintf(out, ",\"nullable\":%s", o->nullable ? "true" : "false");
	fputs(",\"default\":", out);
	cli_json_string(out, o->default_value);
	fputs(",\"detail\":", out);
	cli_json_string_or_null(out, o->detail);
	fprintf(out, ",\"position\":%d}", o->position);
}

static int write_json(FILE *out, const dbshift_schema *schema)
{
	size_t i, n = dbshift_schema_count(schema);

	fputs("{\"dialect\":", out);
	cli_json_string(out, dbshift_schema_dialect(schema));
	fputs(",\"objects\":[", out);
	for (i = 0; i < n; i++) {
		fputs(i > 0 ? ",\n  " : "\n  ", out);
		json_object(out, dbshift_schema_get(schema, i));
	}
	fputs(n > 0 ? "\n]}\n" : "]}\n", out);
	return ferror(out) ? cli_error(CLI_EXIT_FAIL, "cannot write the "
						      "schema") :
			     0;
}

static int dump_into(FILE *out, void *payload)
{
	const struct dump_job *job = payload;
	int rc;

	if (job->json)
		return write_json(out, job->schema);
	rc = dbshift_schema_write_sql(job->schema, out);
	return rc != 0 ? cli_error(CLI_EXIT_FAIL, "cannot write the schema") :
			 0;
}

static int run_dump(const struct cli_options *opts)
{
	dbshift_schema *schema = NULL;
	dbshift_runner *runner;
	struct dump_job job;
	int rc, n_applied = 0;

	rc = cli_throwaway_open(&runner, opts);
	if (rc != 0)
		return rc;
	rc = dbshift_runner_up(runner, NULL, &n_applied);
	if (rc == 0)
		rc = dbshift_runner_schema(runner, &schema);
	if (rc != 0) {
		rc = cli_report(rc, dbshift_runner_error(runner));
		goto out;
	}
	job.schema = schema;
	job.json = opts->json;
	if (opts->output != NULL && strcmp(opts->output, "-") != 0)
		rc = cli_write_file(opts->output, dump_into, &job);
	else
		rc = dump_into(stdout, &job);
out:
	dbshift_schema_free(schema);
	dbshift_runner_free(runner);
	return rc;
}

const struct cli_command cli_cmd_dump = {
	"dump",
	"dump [-o FILE]",
	"apply the migrations, then print the schema",
	"Apply the pending migrations to the database (--url, else a\n"
	"fresh SQLite in-memory database; $DBSHIFT_URL and $DATABASE_URL\n"
	"are not used), then write its schema as SQL of its dialect: a\n"
	"CREATE TABLE per table with its columns and constraints, then the\n"
	"indexes, views and triggers. Everything is sorted by name and\n"
	"there is no timestamp, so the same migrations give the same file:\n"
	"commit it, and code review shows what a change does to the schema.\n"
	"The history and lock tables are left out. The file is for reading,\n"
	"not for loading.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE   write FILE (replaced once complete) instead\n"
	"                      of standard output\n"
	"      --json          the schema as JSON: {\"dialect\", \"objects\":\n"
	"                      [{\"kind\", \"table\", \"name\", \"type\",\n"
	"                      \"nullable\", \"default\", \"detail\",\n"
	"                      \"position\"}, ...]}\n"
	"\n"
	"Exit status:\n"
	"  0  the schema was written\n"
	"  1  a migration or the database failed, or FILE could not be\n"
	"     written\n"
	"  2  bad usage or bad input: options, URL, migration files,\n"
	"     dependency graph\n",
	CLI_ALLOW_JSON | CLI_ALLOW_OUTPUT,
	0,
	run_dump,
};
