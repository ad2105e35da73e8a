/* SPDX-License-Identifier: MIT */
/*
 * cmd_drivers.c - `dbshift drivers`: the database drivers found in the
 * search path (--driver-dir, $DBSHIFT_DRIVER_PATH, the installed driver
 * directory) with name, version, ABI, URL schemes and path. A module that
 * does not load is listed with the reason, so that this command is the
 * first thing to run when a URL's driver cannot be found.
 *
 * The library reports each driver through a callback; the entries are
 * copied so that the text table can be aligned.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct driver_row {
	char *name, *dialect, *version, *schemes, *path, *error;
	unsigned int abi_major, abi_minor;
};

struct driver_list {
	struct driver_row *rows;
	size_t n;
	int oom;
};

static char *dup_str(const char *s, int *oom)
{
	size_t len = s != NULL ? strlen(s) : 0;
	char *p = malloc(len + 1);

	if (p == NULL) {
		*oom = 1;
		return NULL;
	}
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* The schemes joined with ',' ("" when there are none). */
static char *join_schemes(const char *const *schemes, int *oom)
{
	size_t i, len = 0, one;
	char *joined;

	for (i = 0; schemes != NULL && schemes[i] != NULL; i++)
		len += strlen(schemes[i]) + 1;
	joined = malloc(len + 1);
	if (joined == NULL) {
		*oom = 1;
		return NULL;
	}
	for (i = 0, len = 0; schemes != NULL && schemes[i] != NULL; i++) {
		if (len > 0)
			joined[len++] = ',';
		one = strlen(schemes[i]);
		memcpy(joined + len, schemes[i], one);
		len += one;
	}
	joined[len] = '\0';
	return joined;
}

static void collect(const dbshift_driver_info *info, void *payload)
{
	struct driver_list *list = payload;
	struct driver_row *grown, *row;

	grown = realloc(list->rows, (list->n + 1) * sizeof(*list->rows));
	if (grown == NULL) {
		list->oom = 1;
		return;
	}
	list->rows = grown;
	row = &list->rows[list->n++];
	row->name = dup_str(info->name, &list->oom);
	row->dialect = dup_str(info->dialect, &list->oom);
	row->version = dup_str(info->version, &list->oom);
	row->schemes = join_schemes(info->schemes, &list->oom);
	row->path = dup_str(info->path, &list->oom);
	row->error = dup_str(info->error, &list->oom);
	row->abi_major = info->abi_major;
	row->abi_minor = info->abi_minor;
}

static void list_free(struct driver_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		free(list->rows[i].name);
		free(list->rows[i].dialect);
		free(list->rows[i].version);
		free(list->rows[i].schemes);
		free(list->rows[i].path);
		free(list->rows[i].error);
	}
	free(list->rows);
}

static const char *or_dash(const char *s)
{
	return s[0] != '\0' ? s : "-";
}

struct widths {
	int name, version, schemes;
};

static int wider(int w, const char *s)
{
	int len = (int)strlen(or_dash(s));

	return len > w ? len : w;
}

static void measure(const struct driver_list *list, struct widths *w)
{
	size_t i;

	w->name = (int)strlen("NAME");
	w->version = (int)strlen("VERSION");
	w->schemes = (int)strlen("SCHEMES");
	for (i = 0; i < list->n; i++) {
		w->name = wider(w->name, list->rows[i].name);
		w->version = wider(w->version, list->rows[i].version);
		w->schemes = wider(w->schemes, list->rows[i].schemes);
	}
}

static void print_text(const struct driver_list *list)
{
	const struct driver_row *row;
	struct widths w;
	char abi[32];
	size_t i;

	measure(list, &w);
	printf("%-*s  %-*s  %-5s  %-*s  %s\n", w.name, "NAME", w.version,
	       "VERSION", "ABI", w.schemes, "SCHEMES", "PATH");
	for (i = 0; i < list->n; i++) {
		row = &list->rows[i];
		if (row->error[0] == '\0')
			snprintf(abi, sizeof(abi), "%u.%u", row->abi_major,
				 row->abi_minor);
		else
			snprintf(abi, sizeof(abi), "-");
		printf("%-*s  %-*s  %-5s  %-*s  %s\n", w.name,
		       or_dash(row->name), w.version, or_dash(row->version),
		       abi, w.schemes, or_dash(row->schemes), row->path);
		if (row->error[0] != '\0') {
			fputs("  ", stdout);
			cli_paint(stdout, CLI_RED, "error:");
			printf(" %s\n", row->error);
		}
	}
}

/* The joined schemes as a JSON array. */
static void print_json_schemes(const char *schemes)
{
	const char *p = schemes;
	char one[256];
	size_t len;

	fputc('[', stdout);
	while (*p != '\0') {
		len = strcspn(p, ",");
		snprintf(one, sizeof(one), "%.*s", (int)len, p);
		if (p != schemes)
			fputc(',', stdout);
		cli_json_string(stdout, one);
		p += len;
		if (*p == ',')
			p++;
	}
	fputc(']', stdout);
}

static void print_json(const struct driver_list *list)
{
	const struct driver_row *row;
	size_t i;

	fputs("{\"drivers\":[", stdout);
	for (i = 0; i < list->n; i++) {
		row = &list->rows[i];
		fputs(i > 0 ? ",\n  {\"name\":" : "\n  {\"name\":", stdout);
		cli_json_string_or_null(stdout, row->name);
		fputs(",\"dialect\":", stdout);
		cli_json_string_or_null(stdout, row->dialect);
		fputs(",\"version\":", stdout);
		cli_json_string_or_null(stdout, row->version);
		if (row->error[0] == '\0')
			printf(",\"abi\":\"%u.%u\"", row->abi_major,
			       row->abi_minor);
		else
			fputs(",\"abi\":null", stdout);
		fputs(",\"schemes\":", stdout);
		print_json_schemes(row->schemes);
		fputs(",\"path\":", stdout);
		cli_json_string(stdout, row->path);
		fputs(",\"error\":", stdout);
		cli_json_string_or_null(stdout, row->error);
		fputc('}', stdout);
	}
	fputs(list->n > 0 ? "\n]}\n" : "]}\n", stdout);
}

static int run_drivers(const struct cli_options *opts)
{
	struct driver_list list = {NULL, 0, 0};
	int rc;

	rc = dbshift_drivers_list(opts->driver_dir, collect, &list);
	if (rc != 0) {
		rc = cli_report(rc, dbshift_error_last());
	} else if (list.oom) {
		rc = cli_error(CLI_EXIT_FAIL, "out of memory");
	} else if (opts->json) {
		print_json(&list);
	} else if (list.n == 0) {
		cli_error(0, "no drivers found (search path: --driver-dir, "
			     "$DBSHIFT_DRIVER_PATH, the installed driver "
			     "directory)");
	} else {
		print_text(&list);
	}
	list_free(&list);
	return rc;
}

const struct cli_command cli_cmd_drivers = {
	"drivers",
	"drivers",
	"list the drivers: name, version, ABI, schemes",
	"List the database drivers in the search path: --driver-dir,\n"
	"then $DBSHIFT_DRIVER_PATH (colon-separated), then the\n"
	"installed driver directory ($DBSHIFT_DRIVER_SYSTEM_DIR\n"
	"instead, when set); the first driver of a name wins.\n"
	"A module that cannot be loaded is listed with the reason.\n"
	"With --json, prints one object:\n"
	"  {\"drivers\":[{\"name\", \"dialect\", \"version\", \"abi\",\n"
	"  \"schemes\", \"path\", \"error\"}, ...]}\n"
	"\n"
	"Exit status:\n"
	"  0  the list was printed (also when some modules are broken)\n"
	"  1  the search path could not be read\n"
	"  2  bad usage\n",
	CLI_ALLOW_JSON,
	0,
	run_drivers,
};
