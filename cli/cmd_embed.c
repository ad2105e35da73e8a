/* SPDX-License-Identifier: MIT */
/*
 * cmd_embed.c - `dbshift embed DIR --name NAME -o FILE.c [--function FN]`:
 * write the C file that embeds a migration directory in a program
 * (dbshift_embed_write() does the work; see dbshift.h).
 *
 * The file is written to a temporary file beside FILE.c and renamed over
 * it only when it is complete, so a build interrupted part way, or
 * migration files that fail their checks, never leave a truncated
 * FILE.c behind for the next make to compile. "-o -" writes to standard
 * output instead. The command touches no database and loads no driver.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* OUTPUT + ".tmp-XXXXXX" in a new string, or NULL when out of memory. */
static char *temp_template(const char *output)
{
	static const char suffix[] = ".tmp-XXXXXX";
	size_t len = strlen(output);
	char *path = malloc(len + sizeof(suffix));

	if (path != NULL) {
		memcpy(path, output, len);
		memcpy(path + len, suffix, sizeof(suffix));
	}
	return path;
}

/*
 * Create the temporary file *tmp (a new string) with the permissions a
 * newly created file gets (mkstemp() makes it private), opened in *fp.
 */
static int open_temp(const char *output, char **tmp, FILE **fp)
{
	mode_t mask;
	int fd;

	*fp = NULL;
	*tmp = temp_template(output);
	if (*tmp == NULL)
		return cli_error(CLI_EXIT_FAIL, "out of memory");
	fd = mkstemp(*tmp);
	if (fd < 0) {
		cli_error(CLI_EXIT_FAIL, "cannot create %s: %s", output,
			  strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return CLI_EXIT_FAIL;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (*fp = fdopen(fd, "w")) == NULL) {
		cli_error(CLI_EXIT_FAIL, "cannot create %s: %s", output,
			  strerror(errno));
		close(fd);
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
		return CLI_EXIT_FAIL;
	}
	return 0;
}

/* Generate into a temporary file and rename it to output. */
static int embed_to_file(const struct cli_options *opts, const char *dir)
{
	FILE *fp;
	char *tmp;
	int rc;

	rc = open_temp(opts->output, &tmp, &fp);
	if (rc != 0)
		return rc;
	rc = dbshift_embed_write(dir, opts->embed_name, opts->function, fp);
	if (rc != 0) {
		rc = cli_report(rc, dbshift_error_last());
		fclose(fp);
		goto fail;
	}
	if (fsync(fileno(fp)) != 0 || fclose(fp) != 0) {
		rc = cli_error(CLI_EXIT_FAIL, "cannot write %s: %s",
			       opts->output, strerror(errno));
		goto fail;
	}
	if (rename(tmp, opts->output) != 0) {
		rc = cli_error(CLI_EXIT_FAIL, "cannot write %s: %s",
			       opts->output, strerror(errno));
		goto fail;
	}
	cli_verbose("wrote %s", opts->output);
	free(tmp);
	return CLI_EXIT_OK;
fail:
	unlink(tmp);
	free(tmp);
	return rc;
}

static int run_embed(const struct cli_options *opts)
{
	const char *dir = opts->n_args > 0 ? opts->args[0] : NULL;
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
	if (strcmp(opts->output, "-") != 0)
		return embed_to_file(opts, dir);
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
