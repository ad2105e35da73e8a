/* SPDX-License-Identifier: MIT */
/*
 * adopt.c - taking a database over from another migration tool: read
 * that tool's history table (golang-migrate, goose, dbmate, Flyway,
 * Sqitch, maragudk/migrate), map what it says is applied onto the
 * migrations of the sources, and record those as applied with the
 * checksums of today's files. The foreign table is only read, never
 * changed, and nothing is written unless every foreign entry maps.
 *
 * Each tool keeps its state differently: golang-migrate and
 * maragudk/migrate keep one row naming the latest version (everything up
 * to it is applied), dbmate and Sqitch one row per applied migration,
 * goose and Flyway a log in which the latest row of a version decides.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "history.h"
#include "lock.h"
#include "run.h"

/* How a tool's rows say what is applied. */
enum adopt_shape {
	SHAPE_LATEST, /* one row: the latest version (golang-migrate etc.) */
	SHAPE_ROWS,   /* one row per applied version (dbmate) */
	SHAPE_GOOSE,  /* log of (version, is_applied) by id */
	SHAPE_FLYWAY, /* log of (version, type, success) by rank */
	SHAPE_SQITCH  /* one row per deployed change, matched by name */
};

#define MAX_COLS 3

struct adopt_tool {
	const char *name;
	const char *table;	    /* default table name */
	const char *cols[MAX_COLS]; /* selected, in this order */
	const char *order;	    /* column to order by, or NULL */
	enum adopt_shape shape;
};

/* Column names are quoted: Sqitch's "change" is a MySQL keyword. */
static const struct adopt_tool tools[] = {
	{"golang-migrate",
	 "schema_migrations",
	 {"version", "dirty", NULL},
	 NULL,
	 SHAPE_LATEST},
	{"goose",
	 "goose_db_version",
	 {"version_id", "is_applied", NULL},
	 "id",
	 SHAPE_GOOSE},
	{"dbmate",
	 "schema_migrations",
	 {"version", NULL, NULL},
	 NULL,
	 SHAPE_ROWS},
	{"flyway",
	 "flyway_schema_history",
	 {"version", "type", "success"},
	 "installed_rank",
	 SHAPE_FLYWAY},
	{"sqitch",
	 "sqitch.changes",
	 {"change", "project", NULL},
	 "committed_at",
	 SHAPE_SQITCH},
	{"maragudk", "migrations", {"version", NULL, NULL}, NULL, SHAPE_LATEST},
};

#define N_TOOLS (sizeof(tools) / sizeof(tools[0]))

/* One row of the foreign table: its columns as text, NULL for SQL NULL. */
struct foreign_row {
	char *col[MAX_COLS];
};

/* What the foreign history says: version (or change) applied, or
 * everything up to it applied (latest). */
struct entry {
	const char *version; /* borrowed from a row */
	int latest;
	int applied;
};

struct adopt {
	dbshift__run *run;
	const struct adopt_tool *tool;
	const char *table;
	struct foreign_row *rows;
	size_t n_rows, cap_rows;
	struct entry *entries;
	size_t n_entries;
	unsigned char *mark; /* graph.n: migration to record */
	const char **from;   /* graph.n: the foreign version it maps from */
};

static const struct adopt_tool *find_tool(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < N_TOOLS; i++)
		if (strcmp(tools[i].name, name) == 0)
			return &tools[i];
	return NULL;
}

static char *value_text(const dbshift_value *v)
{
	if (v->type == DBSHIFT_VALUE_TEXT)
		return dbshift__strndup(v->text, (size_t)v->len);
	if (v->type == DBSHIFT_VALUE_INT64)
		return dbshift__aprintf("%lld", (long long)v->i64);
	return NULL;
}

/* A boolean column as the dialects return it: 1/0, t/f, true/false. */
static int is_true(const char *text)
{
	return text != NULL &&
	       (strcmp(text, "1") == 0 || strcasecmp(text, "t") == 0 ||
		strcasecmp(text, "true") == 0 || strcasecmp(text, "y") == 0);
}

static int read_row(int32_t ncols, const dbshift_value *cols, void *payload)
{
	struct adopt *a = payload;
	struct foreign_row *row;
	int i;

	if (ncols < MAX_COLS && a->tool->cols[ncols] != NULL)
		return DBSHIFT_EDB;
	if (a->n_rows == a->cap_rows) {
		size_t cap = a->cap_rows ? a->cap_rows * 2 : 32;
		struct foreign_row *rows =
			realloc(a->rows, cap * sizeof(*rows));

		if (rows == NULL)
			return DBSHIFT_ENOMEM;
		a->rows = rows;
		a->cap_rows = cap;
	}
	row = &a->rows[a->n_rows++];
	memset(row, 0, sizeof(*row));
	for (i = 0; i < ncols && i < MAX_COLS && a->tool->cols[i]; i++) {
		if (cols[i].type == DBSHIFT_VALUE_NULL)
			continue;
		row->col[i] = value_text(&cols[i]);
		if (row->col[i] == NULL)
			return DBSHIFT_ENOMEM;
	}
	return 0;
}

/* Append the quoted column name to sql. */
static int put_column(dbshift_conn *conn, dbshift__buf *sql, const char *col)
{
	char quoted[128];
	int rc = dbshift__conn_quote(conn, col, quoted, sizeof(quoted));

	if (rc == 0)
		dbshift__buf_puts(sql, quoted);
	return rc;
}

/* "SELECT f.cols FROM table AS f [ORDER BY f.col]", every name quoted.
 * Qualified, so that SQLite reports a missing column instead of reading
 * a double-quoted name as a string. */
static int select_sql(struct adopt *a, char **out)
{
	dbshift_conn *conn = a->run->runner->conn;
	dbshift__buf sql = DBSHIFT__BUF_INIT;
	char *table = NULL;
	int i, rc = 0;

	dbshift__buf_puts(&sql, "SELECT ");
	for (i = 0; rc == 0 && i < MAX_COLS && a->tool->cols[i]; i++) {
		dbshift__buf_puts(&sql, i > 0 ? ", f." : "f.");
		rc = put_column(conn, &sql, a->tool->cols[i]);
	}
	if (rc == 0)
		rc = dbshift__history_quote_name(conn, a->table, &table);
	dbshift__buf_printf(&sql, " FROM %s AS f", table != NULL ? table : "");
	if (rc == 0 && a->tool->order != NULL) {
		dbshift__buf_puts(&sql, " ORDER BY f.");
		rc = put_column(conn, &sql, a->tool->order);
	}
	free(table);
	*out = rc == 0 ? dbshift__buf_detach(&sql) : NULL;
	dbshift__buf_free(&sql);
	if (rc == 0 && *out == NULL)
		rc = dbshift__err_set(conn->err, DBSHIFT_ENOMEM,
				      "out of memory");
	return rc;
}

/* Read every row of the foreign table (which must exist). */
static int read_foreign(struct adopt *a)
{
	dbshift_conn *conn = a->run->runner->conn;
	char *sql = NULL;
	int rc, exists = 0;

	rc = dbshift__conn_table_exists(conn, a->table, &exists);
	if (rc == 0 && !exists)
		return dbshift__err_set(conn->err, DBSHIFT_ESTATE,
					"cannot adopt: no %s history table %s "
					"in the database",
					a->tool->name, a->table);
	if (rc == 0)
		rc = select_sql(a, &sql);
	if (rc != 0)
		return rc;
	rc = dbshift__conn_query(conn, sql, NULL, 0, read_row, a);
	free(sql);
	if (rc == DBSHIFT_ENOMEM)
		return dbshift__err_set(conn->err, rc, "out of memory");
	if (rc != 0)
		return dbshift__err_from_diag(
			conn->err, DBSHIFT_EDB, &conn->diag,
			"cannot read the %s history table %s", a->tool->name,
			a->table);
	return 0;
}

/* The entry of version, added (not applied) when new. */
static struct entry *entry_of(struct adopt *a, const char *version)
{
	size_t i;

	for (i = 0; i < a->n_entries; i++)
		if (strcmp(a->entries[i].version, version) == 0)
			return &a->entries[i];
	a->entries[a->n_entries].version = version;
	a->entries[a->n_entries].latest = 0;
	a->entries[a->n_entries].applied = 0;
	return &a->entries[a->n_entries++];
}

static int refuse(struct adopt *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record why the foreign history cannot be adopted (DBSHIFT_ESTATE). */
static int refuse(struct adopt *a, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = dbshift__err_vset(&a->run->runner->err, DBSHIFT_ESTATE, fmt, ap);
	va_end(ap);
	return rc;
}

/* One row of a log-shaped or one-row-per-version table. */
static int entry_from_row(struct adopt *a, const struct foreign_row *row)
{
	const char *version = row->col[0];
	const char *type = row->col[1];

	if (version == NULL || version[0] == '\0')
		return 0; /* Flyway repeatable, maragudk's empty start */
	switch (a->tool->shape) {
	case SHAPE_LATEST:
		if (is_true(row->col[1]))
			return refuse(a,
				      "cannot adopt: %s version %s is dirty "
				      "(it failed part way); resolve it with "
				      "golang-migrate's force first",
				      a->tool->name, version);
		entry_of(a, version)->latest = 1;
		entry_of(a, version)->applied = 1;
		return 0;
	case SHAPE_GOOSE:
		if (strcmp(version, "0") != 0)
			entry_of(a, version)->applied = is_true(row->col[1]);
		return 0;
	case SHAPE_FLYWAY:
		if (!is_true(row->col[2]))
			return refuse(a,
				      "cannot adopt: flyway version %s failed "
				      "(success is false); resolve it with "
				      "flyway repair first",
				      version);
		if (type != NULL && strcmp(type, "SCHEMA") == 0)
			return 0;
		if (type != NULL && (strcmp(type, "DELETE") == 0 ||
				     strncmp(type, "UNDO", 4) == 0)) {
			entry_of(a, version)->applied = 0;
			return 0;
		}
		entry_of(a, version)->applied = 1;
		entry_of(a, version)->latest =
			type != NULL && strcmp(type, "BASELINE") == 0;
		return 0;
	case SHAPE_ROWS:
	case SHAPE_SQITCH:
		entry_of(a, version)->applied = 1;
		return 0;
	}
	return 0;
}

static int collect_entries(struct adopt *a)
{
	size_t i;
	int rc;

	a->entries = calloc(a->n_rows + 1, sizeof(*a->entries));
	if (a->entries == NULL)
		return dbshift__err_set(&a->run->runner->err, DBSHIFT_ENOMEM,
					"out of memory");
	for (i = 0; i < a->n_rows; i++) {
		rc = entry_from_row(a, &a->rows[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Does migration m stand for the foreign entry e? */
static int matches(const struct adopt *a, const dbshift__migration *m,
		   const struct entry *e)
{
	if (a->tool->shape == SHAPE_SQITCH && strcmp(m->name, e->version) == 0)
		return 1;
	return dbshift_version_compare(m->version, e->version) == 0;
}

static void mark(struct adopt *a, const dbshift__migration *m,
		 const struct entry *e)
{
	if (m->skipped)
		return;
	a->mark[m->index] = 1;
	a->from[m->index] = e->version;
}

/* Map one applied entry onto the migrations; refuse one that maps to no
 * migration, or (one version, one migration) to several. */
static int map_entry(struct adopt *a, const struct entry *e)
{
	const dbshift__graph *g = &a->run->graph;
	const dbshift__migration *found = NULL;
	size_t i;

	for (i = 0; i < g->n; i++) {
		const dbshift__migration *m = g->order[i];

		if (!matches(a, m, e))
			continue;
		if (found != NULL && !e->latest)
			return refuse(a,
				      "cannot adopt: %s version %s matches "
				      "both %s and %s",
				      a->tool->name, e->version, found->id,
				      m->id);
		found = m;
	}
	if (found == NULL)
		return refuse(a,
			      "cannot adopt: %s version %s matches no "
			      "migration of the sources",
			      a->tool->name, e->version);
	for (i = 0; i < g->n; i++) {
		const dbshift__migration *m = g->order[i];

		if (matches(a, m, e) ||
		    (e->latest &&
		     dbshift_version_compare(m->version, e->version) < 0))
			mark(a, m, e);
	}
	return 0;
}

static int map_entries(struct adopt *a)
{
	size_t i, n = a->run->graph.n;
	int rc;

	a->mark = calloc(n + 1, 1);
	a->from = calloc(n + 1, sizeof(*a->from));
	if (a->mark == NULL || a->from == NULL)
		return dbshift__err_set(&a->run->runner->err, DBSHIFT_ENOMEM,
					"out of memory");
	for (i = 0; i < a->n_entries; i++) {
		if (!a->entries[i].applied)
			continue;
		rc = map_entry(a, &a->entries[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Adopt only starts a history: refuse one that has rows already. */
static int check_history_empty(struct adopt *a)
{
	const dbshift__history *h = &a->run->history;

	if (h->n == 0)
		return 0;
	return dbshift__err_set(&a->run->runner->err, DBSHIFT_ESTATE,
				"cannot adopt: the history table %s already "
				"has %zu row%s; adopt only starts a history",
				h->table, h->n, h->n == 1 ? "" : "s");
}

/* Record (or with dry_run only report) every marked migration, in plan
 * order. */
static int record(struct adopt *a, int dry_run, dbshift_change_fn fn,
		  void *payload, int *n)
{
	dbshift__run *run = a->run;
	char what[512];
	size_t i;
	int rc;

	for (i = 0; i < run->graph.n; i++) {
		dbshift__migration *m = run->graph.order[i];

		if (!a->mark[m->index])
			continue;
		if (!dry_run) {
			rc = dbshift__history_insert(
				&run->history, run->runner->conn, m, 0, 0);
			if (rc != 0)
				return rc;
		}
		snprintf(what, sizeof(what), "%s as applied (%s version %s)",
			 dry_run ? "would record" : "recorded", a->tool->name,
			 a->from[m->index]);
		if (fn != NULL)
			fn(m->id, what, payload);
		(*n)++;
	}
	return 0;
}

/* Read the foreign table and map it: everything but the writing. */
static int adopt_map(struct adopt *a)
{
	int rc = check_history_empty(a);

	if (rc == 0)
		rc = read_foreign(a);
	if (rc == 0)
		rc = collect_entries(a);
	if (rc == 0)
		rc = map_entries(a);
	return rc;
}

static void adopt_free(struct adopt *a)
{
	size_t i;
	int c;

	for (i = 0; i < a->n_rows; i++)
		for (c = 0; c < MAX_COLS; c++)
			free(a->rows[i].col[c]);
	free(a->rows);
	free(a->entries);
	free(a->mark);
	free(a->from);
}

static int adopt_args(dbshift_runner *r, const char *tool, const char *table,
		      struct adopt *a)
{
	if (r == NULL)
		return DBSHIFT_EINVAL;
	a->tool = find_tool(tool);
	if (a->tool == NULL)
		return dbshift__err_set(&r->err, DBSHIFT_EINVAL,
					"unknown tool '%s' to adopt from "
					"(expected golang-migrate, goose, "
					"dbmate, flyway, sqitch or maragudk)",
					tool != NULL ? tool : "");
	a->table = table != NULL ? table : a->tool->table;
	if (!dbshift__history_name_valid(a->table))
		return dbshift__err_set(&r->err, DBSHIFT_EINVAL,
					"invalid %s table name '%s'",
					a->tool->name, a->table);
	return 0;
}

int dbshift_runner_adopt(dbshift_runner *r, const char *tool, const char *table,
			 unsigned int flags, dbshift_change_fn fn,
			 void *payload, int *n_recorded)
{
	DBSHIFT__RUNNER_CALL(r);
	struct adopt a;
	dbshift__run run;
	dbshift__lock lock;
	int rc, n = 0, dry_run = (flags & DBSHIFT_ADOPT_DRY_RUN) != 0;

	memset(&a, 0, sizeof(a));
	memset(&lock, 0, sizeof(lock));
	memset(&run, 0, sizeof(run));
	a.run = &run;
	if (n_recorded != NULL)
		*n_recorded = 0;
	rc = adopt_args(r, tool, table, &a);
	if (rc != 0)
		return rc;
	rc = dbshift__run_begin(&run, r);
	if (rc == 0 && !dry_run)
		rc = dbshift__run_lock(&run, &lock);
	if (rc == 0)
		rc = adopt_map(&a);
	if (rc == 0 && !dry_run)
		rc = dbshift__history_ensure(&run.history, r->conn);
	if (rc == 0)
		rc = record(&a, dry_run, fn, payload, &n);
	if (n_recorded != NULL)
		*n_recorded = n;
	dbshift__lock_release(&lock, r);
	adopt_free(&a);
	dbshift__run_free(&run);
	return rc;
}
