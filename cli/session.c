/* SPDX-License-Identifier: MIT */
/*
 * session.c - opening the runner every database command works on (see
 * session.h): the command line's options become dbshift_runner_options,
 * each --source a directory source, and -v says what was chosen; and the
 * report of a runner's failure, which names every bad source file at once.
 */
#include "config.h"

#include <string.h>

#include "session.h"

static int add_source(dbshift_runner *runner, const struct cli_source *src,
		      dbshift_naming naming)
{
	dbshift_source_options so = {.version = DBSHIFT_SOURCE_OPTIONS_VERSION};
	dbshift_source *source = NULL;
	int rc;

	so.naming = naming;
	rc = dbshift_source_dir_new_opts(&source, src->name, src->dir, &so);
	if (rc != 0)
		return cli_report(rc, dbshift_error_last());
	cli_verbose("source: %s = %s", dbshift_source_name(source), src->dir);
	rc = dbshift_runner_add_source(runner, source);
	if (rc != 0)
		return cli_report(rc, dbshift_runner_error(runner));
	return 0;
}

int cli_runner_open(dbshift_runner **out, const struct cli_options *opts)
{
	dbshift_runner_options ro = {.version = DBSHIFT_RUNNER_OPTIONS_VERSION};
	dbshift_runner *runner = NULL;
	char shown[1024];
	size_t i;
	int rc;

	*out = NULL;
	ro.url = opts->url;
	ro.table = opts->table;
	ro.driver_dir = opts->driver_dir;
	/* The command line's 0 is "do not wait"; the library's is the
	 * default. */
	ro.lock_timeout = opts->lock_timeout < 0  ? 0 :
			  opts->lock_timeout == 0 ? DBSHIFT_LOCK_NO_WAIT :
						    opts->lock_timeout;
	ro.lock_kind = opts->lock_kind;
	ro.ddl_lock_timeout_ms = opts->ddl_lock_timeout_ms;
	ro.ddl_lock_retries =
		opts->ddl_lock_retries < 0  ? 0 :
		opts->ddl_lock_retries == 0 ? DBSHIFT_DDL_NO_RETRY :
					      opts->ddl_lock_retries;
	ro.flags = opts->flags;
	ro.contexts = opts->contexts;
	ro.n_contexts = opts->n_contexts;
	ro.on_event = cli_on_event;
	cli_url_redact(opts->url, shown, sizeof(shown));
	cli_verbose("url: %s (%s)", shown, opts->url_origin);
	rc = dbshift_runner_new(&runner, &ro);
	if (rc != 0) {
		rc = cli_report(rc, dbshift_error_last());
		goto fail;
	}
	cli_verbose("dialect: %s", dbshift_runner_dialect(runner));
	for (i = 0; i < opts->n_sources; i++) {
		rc = add_source(runner, &opts->sources[i], opts->naming);
		if (rc != 0)
			goto fail;
	}
	*out = runner;
	return 0;
fail:
	dbshift_runner_free(runner);
	return rc;
}

int cli_throwaway_open(dbshift_runner **out, const struct cli_options *opts)
{
	struct cli_options copy = *opts;

	if (opts->url_origin == NULL || strcmp(opts->url_origin, "--url")) {
		copy.url = "sqlite::memory:";
		copy.url_origin = "default of verify and dump";
	}
	return cli_runner_open(out, &copy);
}

void cli_verbose_lock(dbshift_runner *runner, const struct cli_options *opts)
{
	dbshift_lock_kind kind;
	const char *why;

	if (!opts->verbose)
		return;
	if (dbshift_runner_lock_info(runner, &kind, &why) == 0)
		cli_verbose("lock: %s", why);
	else
		cli_verbose("lock: unknown (%s)",
			    dbshift_runner_error(runner)->message);
}

int cli_report_runner(int rc, dbshift_runner *runner)
{
	dbshift_findings *findings = NULL;
	const dbshift_finding *f;
	char first[2048];
	size_t i, n = 0;
	int status = cli_report(rc, dbshift_runner_error(runner));

	if (rc != DBSHIFT_ESOURCE && rc != DBSHIFT_EGRAPH)
		return status;
	snprintf(first, sizeof(first), "%s",
		 dbshift_runner_error(runner)->message);
	/* The sources are read again, but the database is not touched: a
	 * run whose sources are bad stops before it connects. */
	if (dbshift_runner_validate(runner, &findings, NULL) != 0)
		return status;
	for (i = 0; i < dbshift_findings_count(findings); i++) {
		f = dbshift_findings_get(findings, i);
		if (f->kind != DBSHIFT_FINDING_SOURCE)
			continue;
		n++;
		if (strcmp(f->message, first) != 0)
			cli_error(0, "%s", f->message);
	}
	if (n > 1)
		cli_error(0, "%lu problems in the sources; nothing was run",
			  (unsigned long)n);
	dbshift_findings_free(findings);
	return status;
}
