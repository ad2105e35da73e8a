/* SPDX-License-Identifier: MIT */
/*
 * cmd_embed.c - `dbshift embed DIR --name NAME -o FILE.c [--function FN]`:
 * write the C file that embeds a migration directory in a program
 * (dbshift_embed_write() does the work; see dbshift.h).
 *
 * The file is written to a temporary file beside FILE.c and renamed over
 * it only when it is complete (cli_write_file()), so a build interrupted part
 * way, or migration files that fail their checks, never leave a truncated
 * FILE.c behind for the next make to compile. "-o -" writes to standard
 * output instead. The command touches no database and loads no driver.
 */
#include "config.h"

#include <string.h>

#include "cli.h"

struct embed_job {
	const struct cli_options *opts;
	const char *dir;
};

static int embed_into(FILE *fp, void *payload)
{
	const struct embed_job *job = payload;
	int rc;

	rc = dbshift_embed_write(job->dir, job->opts->embed_name,
				 job->opts->function, fp);
	return rc != 0 ? cli_report(rc, dbshift_error_last()) : 0;
}

static int run_embed(const struct cli_options *opts)
{
	const char *dir = opts->n_args > 0 ? opts->args[0] : NULL;
	struct embed_job job;
	int rc;

	if (dir == NULL)
		return cli_usage_error("'embed' needs a migration directory");
	if (opts->naming != DBSHIFT_NAMING_STRICT)
		return cli_usage_error(
			"'embed' writes strict-naming sources only; a "
			"program can load stem-named files with "
			"dbshift_source_embedded_new_opts()");
	if (opts->output == NULL)
		return cli_usage_error("'embed' needs -o FILE.c (or -o - for "
				       "standard output)");
	job.opts = opts;
	job.dir = dir;
	if (strcmp(opts->output, "-") != 0)
		return cli_write_file(opts->output, embed_into, &job);
	rc = dbshift_embed_write(dir, opts->embed_name, opts->function, stdout);
	return rc != 0 ? cli_report(rc, dbshift_error_last()) : CLI_EXIT_OK;
}

const struct cli_command cli_cmd_embed = {
	"embed",
	"embed DIR --name N -o F",
	"write a C file embedding DIR's migrations",
	"dbshift embed DIR --name NAME -o FILE.c [--function FN]\n"
	"\n"
	"Write FILE.c, a C file that holds the migrations of the directory\n"
	"DIR as data and defines\n"
	"    int FUNCTION(dbshift_source **out);\n"
	"returning them as a source named NAME. A library builds the file\n"
	"into itself and exports the function; the program using the\n"
	"library adds that source to its runner beside its own.\n"
	"\n"
	"DIR is read and checked as --source reads it (and its directives\n"
	"for every dialect): anything that would fail at run time fails\n"
	"here, naming the file. The output depends only on the files, NAME\n"
	"and FUNCTION (no paths, no timestamps), so it can be committed or\n"
	"generated at build time. FILE.c is replaced only once complete.\n"
	"Does not touch the database.\n"
	"\n"
	"Options:\n"
	"      --name NAME     the source's name (default: DIR's base name)\n"
	"  -o, --output FILE   the C file to write; '-' for standard output\n"
	"      --function FN   the function to define (default:\n"
	"                      NAME_migrations_source, characters that\n"
	"                      cannot be in a C identifier made '_')\n"
	"\n"
	"Exit status:\n"
	"  0  FILE.c was written\n"
	"  1  FILE.c could not be written\n"
	"  2  bad usage, or bad migration files in DIR\n",
	CLI_ALLOW_EMBED,
	1,
	run_embed,
};
