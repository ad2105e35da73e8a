/* SPDX-License-Identifier: MIT */
/*
 * cmd_status.c - `dbshift status`: every migration and its state, as a
 * text table or (with --json) one JSON object on stdout.
 *
 * The report comes from dbshift_runner_status(), which reads the history
 * once and changes nothing. Pending migrations are not an error: status
 * exits 0 whatever the states are, so that scripts can parse the output;
 * use `validate` to fail on problems.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "session.h"

/* Column widths of the text table. */
struct widths {
	size_t id, name, state, applied_at;
	size_t duration;
};

static const char *state_color(dbshift_state state)
{
	switch (state) {
	case DBSHIFT_STATE_APPLIED:
		return CLI_GREEN;
	case DBSHIFT_STATE_PENDING:
	case DBSHIFT_STATE_OUT_OF_ORDER:
		return CLI_YELLOW;
	case DBSHIFT_STATE_SKIPPED:
		return NULL;
	default:
		return CLI_RED;
	}
}

static const char *or_dash(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

static size_t max_len(size_t width, const char *s)
{
	size_t len = strlen(s);

	return len > width ? len : width;
}

/* "12 ms" for an applied migration, "-" otherwise. */
static const char *duration(const dbshift_migration_info *info, char *buf,
			    size_t size)
{
	if (info->applied_at[0] == '\0')
		return "-";
	snprintf(buf, size, "%" PRId64 " ms", info->execution_ms);
	return buf;
}

/* The dependencies, joined by ", ", or "-". */
static void print_deps(const dbshift_migration_info *info)
{
	size_t i;

	if (info->n_depends_on == 0)
		fputs("-", stdout);
	for (i = 0; i < info->n_depends_on; i++)
		printf("%s%s", i ? ", " : "", info->depends_on[i]);
	fputc('\n', stdout);
}

static void measure(const dbshift_status *status, struct widths *w)
{
	const dbshift_migration_info *info;
	size_t i;

	w->id = strlen("ID");
	w->name = strlen("NAME");
	w->state = strlen("STATE");
	w->applied_at = strlen("APPLIED AT");
	w->duration = strlen("DURATION");
	for (i = 0; i < dbshift_status_count(status); i++) {
		char ms[32];

		info = dbshift_status_get(status, i);
		w->id = max_len(w->id, info->id);
		w->name = max_len(w->name, or_dash(info->name));
		w->state = max_len(w->state, dbshift_state_name(info->state));
		w->applied_at =
			max_len(w->applied_at, or_dash(info->applied_at));
		w->duration =
			max_len(w->duration, duration(info, ms, sizeof(ms)));
	}
}

static void print_row(const dbshift_migration_info *info,
		      const struct widths *w)
{
	const char *state = dbshift_state_name(info->state);

	printf("%-*s  %-*s  ", (int)w->id, info->id, (int)w->name,
	       or_dash(info->name));
	cli_paint(stdout, state_color(info->state), state);
	char ms[32];

	printf("%*s  ", (int)(w->state - strlen(state)), "");
	printf("%-*s  %-*s  ", (int)w->applied_at, or_dash(info->applied_at),
	       (int)w->duration, duration(info, ms, sizeof(ms)));
	print_deps(info);
}

/* Does message start with "ID:" already? */
static int names_id(const char *message, const char *id)
{
	size_t len = strlen(id);

	return strncmp(message, id, len) == 0 && message[len] == ':';
}

/* Lines under the table for rows that need an explanation. */
static void print_notes(const dbshift_status *status)
{
	const dbshift_migration_info *info;
	size_t i;

	for (i = 0; i < dbshift_status_count(status); i++) {
		info = dbshift_status_get(status, i);
		if (info->error[0] != '\0' && names_id(info->error, info->id))
			printf("%s\n", info->error);
		else if (info->error[0] != '\0')
			printf("%s: %s\n", info->id, info->error);
		else if (info->state == DBSHIFT_STATE_CHANGED)
			printf("%s: checksum %s in history, %s in source\n",
			       info->id, or_dash(info->applied_checksum),
			       or_dash(info->checksum));
	}
}

/* "3 applied, 1 pending": how many migrations are in each state. */
static void print_totals(const dbshift_status *status)
{
	static const dbshift_state order[] = {
		DBSHIFT_STATE_APPLIED, DBSHIFT_STATE_CHANGED,
		DBSHIFT_STATE_DIRTY,   DBSHIFT_STATE_MISSING,
		DBSHIFT_STATE_PENDING, DBSHIFT_STATE_OUT_OF_ORDER,
		DBSHIFT_STATE_SKIPPED,
	};
	size_t i, j, count, n = dbshift_status_count(status);
	const char *sep = "";

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		count = 0;
		for (j = 0; j < n; j++)
			count += dbshift_status_get(status, j)->state ==
				 order[i];
		if (count == 0)
			continue;
		printf("%s%zu %s", sep, count, dbshift_state_name(order[i]));
		sep = ", ";
	}
	fputc('\n', stdout);
}

static void print_text(const dbshift_status *status)
{
	struct widths w;
	size_t i;

	if (dbshift_status_count(status) == 0) {
		printf("no migrations found\n");
		return;
	}
	measure(status, &w);
	printf("%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", (int)w.id, "ID",
	       (int)w.name, "NAME", (int)w.state, "STATE", (int)w.applied_at,
	       "APPLIED AT", (int)w.duration, "DURATION", "DEPENDS ON");
	for (i = 0; i < dbshift_status_count(status); i++)
		print_row(dbshift_status_get(status, i), &w);
	print_notes(status);
	print_totals(status);
}

static void print_json_entry(const dbshift_migration_info *info)
{
	size_t i;

	fputs("{\"id\":", stdout);
	cli_json_string(stdout, info->id);
	fputs(",\"source\":", stdout);
	cli_json_string(stdout, info->source);
	fputs(",\"version\":", stdout);
	cli_json_string(stdout, info->version);
	fputs(",\"name\":", stdout);
	cli_json_string(stdout, info->name);
	fputs(",\"state\":", stdout);
	cli_json_string(stdout, dbshift_state_name(info->state));
	fputs(",\"applied_at\":", stdout);
	cli_json_string_or_null(stdout, info->applied_at);
	if (info->applied_at[0] != '\0')
		printf(",\"execution_ms\":%" PRId64, info->execution_ms);
	else
		fputs(",\"execution_ms\":null", stdout);
	fputs(",\"checksum\":", stdout);
	cli_json_string_or_null(stdout, info->checksum);
	fputs(",\"applied_checksum\":", stdout);
	cli_json_string_or_null(stdout, info->applied_checksum);
	printf(",\"has_down\":%s", info->has_down ? "true" : "false");
	fputs(",\"depends_on\":[", stdout);
	for (i = 0; i < info->n_depends_on; i++) {
		if (i > 0)
			fputc(',', stdout);
		cli_json_string(stdout, info->depends_on[i]);
	}
	fputs("],\"error\":", stdout);
	cli_json_string_or_null(stdout, info->error);
	fputc('}', stdout);
}

static void print_json(const dbshift_status *status)
{
	size_t i;

	fputs("{\"migrations\":[", stdout);
	for (i = 0; i < dbshift_status_count(status); i++) {
		fputs(i > 0 ? ",\n  " : "\n  ", stdout);
		print_json_entry(dbshift_status_get(status, i));
	}
	fputs(dbshift_status_count(status) > 0 ? "\n]}\n" : "]}\n", stdout);
}

static int run_status(const struct cli_options *opts)
{
	dbshift_runner *runner;
	dbshift_status *status = NULL;
	int rc;

	rc = cli_runner_open(&runner, opts);
	if (rc != 0)
		return rc;
	rc = dbshift_runner_status(runner, &status);
	if (rc == 0)
		cli_verbose_lock(runner, opts);
	if (rc != 0)
		rc = cli_report_runner(rc, runner);
	else if (opts->json)
		print_json(status);
	else
		print_text(status);
	dbshift_status_free(status);
	dbshift_runner_free(runner);
	return rc;
}

const struct cli_command cli_cmd_status = {
	"status",
	"status",
	"every migration and its state",
	"List every migration of the sources in plan order, then\n"
	"those only in the history, with its state: applied, pending,\n"
	"out-of-order (pending but sorting before an applied one),\n"
	"changed (applied script edited since), missing (in history,\n"
	"not in any source), dirty (failed part way), skipped (not for\n"
	"this dialect or context). Changes nothing. With -v, also\n"
	"says which run lock commands take here and why.\n"
	"\n"
	"With --json, prints one object:\n"
	"  {\"migrations\":[{\"id\", \"source\", \"version\", \"name\", "
	"\"state\",\n"
	"  \"applied_at\", \"execution_ms\", \"checksum\", "
	"\"applied_checksum\",\n"
	"  \"has_down\", \"depends_on\", \"error\"}, ...]}\n"
	"where unknown strings and times are null.\n"
	"\n"
	"Exit status:\n"
	"  0  the report was printed (also with pending or dirty ones)\n"
	"  1  the database could not be read\n"
	"  2  bad usage or bad input: options, URL, migration files,\n"
	"     dependency graph\n",
	CLI_ALLOW_JSON,
	0,
	run_status,
};
