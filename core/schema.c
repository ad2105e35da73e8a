/* SPDX-License-Identifier: MIT */
/*
 * schema.c - schema snapshots. The driver streams one row per object
 * (dbshift/driver.h, the schema slot); this file keeps them as a sorted,
 * normalised snapshot without the history and lock tables, compares two
 * snapshots, and writes one as SQL for `dbshift dump`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lock.h"
#include "schema.h"

static const char *const kind_names[] = {
	"", "table", "column", "index", "constraint", "view", "trigger"};

const char *dbshift_object_kind_name(dbshift_object_kind kind)
{
	if ((int)kind < 1 ||
	    (size_t)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "unknown";
	return kind_names[kind];
}

/* State of one read: the snapshot being filled and what to leave out. */
struct reader {
	dbshift_schema *schema;
	dbshift_runner *runner;
	const char *history; /* the history table without its schema */
};

/*
 * Keep a normalised copy of len bytes of text in the snapshot's pool:
 * every run of white space becomes one space, and none is left at either
 * end. Returns NULL when out of memory.
 */
static const char *keep_text(dbshift_schema *s, const char *text, size_t len)
{
	char *copy = malloc(len + 1);
	size_t i, o = 0;
	int space = 0;

	if (copy == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		char c = text[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v') {
			space = o > 0;
			continue;
		}
		if (space)
			copy[o++] = ' ';
		space = 0;
		copy[o++] = c;
	}
	copy[o] = '\0';
	if (dbshift__vec_push(&s->strings, copy) != 0) {
		free(copy);
		return NULL;
	}
	return copy;
}

/* A text column: its normalised copy, "" when it is NULL and null_ok, or
 * NULL (with *bad set for a wrong type). */
static const char *column_text(dbshift_schema *s, const dbshift_value *v,
			       const char *when_null, int *bad)
{
	if (v->type == DBSHIFT_VALUE_NULL)
		return when_null;
	if (v->type != DBSHIFT_VALUE_TEXT || v->len < 0 ||
	    (v->text == NULL && v->len > 0)) {
		*bad = 1;
		return NULL;
	}
	return keep_text(s, v->text ? v->text : "", (size_t)v->len);
}

static int column_int(const dbshift_value *v, int *bad)
{
	if (v->type == DBSHIFT_VALUE_NULL)
		return 0;
	if (v->type != DBSHIFT_VALUE_INT64 || v->i64 < -1000000 ||
	    v->i64 > 1000000) {
		*bad = 1;
		return 0;
	}
	return (int)v->i64;
}

/* Is table the history or the lock table, which a snapshot leaves out? */
static int excluded(const struct reader *rd, const char *table)
{
	return strcasecmp(table, rd->history) == 0 ||
	       strcasecmp(table, DBSHIFT_LOCK_TABLE_NAME) == 0;
}

static dbshift_schema_object *grow(dbshift_schema *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		dbshift_schema_object *items =
			realloc(s->items, cap * sizeof(*items));

		if (items == NULL)
			return NULL;
		s->items = items;
		s->cap = cap;
	}
	return &s->items[s->n];
}

static int bad_row(struct reader *rd)
{
	return dbshift__err_set(&rd->runner->err, DBSHIFT_EDB,
				"driver %s: malformed schema row",
				rd->runner->driver->name);
}

/* Row callback of the schema slot. */
static int add_row(int32_t ncols, const dbshift_value *cols, void *payload)
{
	struct reader *rd = payload;
	dbshift_schema *s = rd->schema;
	dbshift_schema_object *o;
	int bad = 0, kind;

	if (ncols < DBSHIFT_SCHEMA_NCOLS ||
	    cols[DBSHIFT_SCHEMA_COL_KIND].type != DBSHIFT_VALUE_INT64 ||
	    cols[DBSHIFT_SCHEMA_COL_TABLE].type != DBSHIFT_VALUE_TEXT ||
	    cols[DBSHIFT_SCHEMA_COL_NAME].type != DBSHIFT_VALUE_TEXT)
		return bad_row(rd);
	kind = (int)cols[DBSHIFT_SCHEMA_COL_KIND].i64;
	if (kind < DBSHIFT_SCHEMA_TABLE || kind > DBSHIFT_SCHEMA_TRIGGER)
		return 0; /* a kind of a newer driver */
	o = grow(s);
	if (o == NULL)
		goto nomem;
	memset(o, 0, sizeof(*o));
	o->kind = (dbshift_object_kind)kind;
	o->table = column_text(s, &cols[DBSHIFT_SCHEMA_COL_TABLE], "", &bad);
	if (o->table != NULL && excluded(rd, o->table))
		return 0;
	o->name = column_text(s, &cols[DBSHIFT_SCHEMA_COL_NAME], "", &bad);
	o->type = column_text(s, &cols[DBSHIFT_SCHEMA_COL_TYPE], "", &bad);
	o->nullable = column_int(&cols[DBSHIFT_SCHEMA_COL_NULLABLE], &bad);
	o->default_value =
		column_text(s, &cols[DBSHIFT_SCHEMA_COL_DEFAULT], NULL, &bad);
	o->detail = column_text(s, &cols[DBSHIFT_SCHEMA_COL_DETAIL], "", &bad);
	o->position = column_int(&cols[DBSHIFT_SCHEMA_COL_POSITION], &bad);
	if (bad)
		return bad_row(rd);
	if (o->table == NULL || o->name == NULL || o->type == NULL ||
	    o->detail == NULL ||
	    (cols[DBSHIFT_SCHEMA_COL_DEFAULT].type != DBSHIFT_VALUE_NULL &&
	     o->default_value == NULL))
		goto nomem;
	s->n++;
	return 0;
nomem:
	return dbshift__err_set(&rd->runner->err, DBSHIFT_ENOMEM,
				"out of memory");
}

static int object_cmp(const dbshift_schema_object *a,
		      const dbshift_schema_object *b)
{
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	c = strcmp(a->table, b->table);
	return c != 0 ? c : strcmp(a->name, b->name);
}

static int object_qsort_cmp(const void *a, const void *b)
{
	return object_cmp(a, b);
}

void dbshift_schema_free(dbshift_schema *s)
{
	if (s == NULL)
		return;
	dbshift__vec_free(&s->strings, free);
	free(s->items);
	free(s->dialect);
	free(s);
}

int dbshift__schema_supported(dbshift_runner *r)
{
	if (r->driver->schema != NULL)
		return 0;
	return dbshift__err_set(&r->err, DBSHIFT_EDRIVER,
				"driver %s cannot read the schema (built for "
				"driver ABI %u.%u; schema introspection needs "
				"1.3)",
				r->driver->name, (unsigned)r->driver->abi_major,
				(unsigned)r->driver->abi_minor);
}

int dbshift__schema_read(dbshift_schema **out, dbshift_runner *r)
{
	const char *dot = strchr(r->table, '.');
	struct reader rd;
	dbshift_schema *s;
	int rc;

	*out = NULL;
	rc = dbshift__schema_supported(r);
	if (rc != 0)
		return rc;
	s = calloc(1, sizeof(*s));
	if (s == NULL ||
	    (s->dialect = dbshift__strdup(r->driver->dialect)) == NULL) {
		dbshift_schema_free(s);
		return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
					"out of memory");
	}
	rd.schema = s;
	rd.runner = r;
	rd.history = dot != NULL ? dot + 1 : r->table;
	rc = dbshift__conn_schema(r->conn, add_row, &rd);
	if (rc != 0) {
		dbshift_schema_free(s);
		return rc;
	}
	if (s->n > 0) /* items is NULL for an empty schema */
		qsort(s->items, s->n, sizeof(*s->items), object_qsort_cmp);
	*out = s;
	return 0;
}

int dbshift_runner_schema(dbshift_runner *r, dbshift_schema **out)
{
	DBSHIFT__RUNNER_CALL(r);
	int rc;

	if (out != NULL)
		*out = NULL;
	if (r == NULL || out == NULL)
		return DBSHIFT_EINVAL;
	if (r->driver == NULL)
		return r->err.pub.code != DBSHIFT_OK ? r->err.pub.code :
						       DBSHIFT_EINVAL;
	dbshift__err_init(&r->err);
	rc = dbshift__schema_supported(r);
	if (rc == 0 && r->conn == NULL)
		rc = dbshift__conn_open(&r->conn, r->driver, r->url, &r->err);
	return rc != 0 ? rc : dbshift__schema_read(out, r);
}

size_t dbshift_schema_count(const dbshift_schema *s)
{
	return s != NULL ? s->n : 0;
}

const dbshift_schema_object *dbshift_schema_get(const dbshift_schema *s,
						size_t i)
{
	return s != NULL && i < s->n ? &s->items[i] : NULL;
}

const char *dbshift_schema_dialect(const dbshift_schema *s)
{
	return s != NULL ? s->dialect : "";
}

const dbshift_schema_object *dbshift_schema_find(const dbshift_schema *s,
						 dbshift_object_kind kind,
						 const char *table,
						 const char *name)
{
	dbshift_schema_object key;

	if (s == NULL || name == NULL || s->n == 0)
		return NULL;
	if (table == NULL &&
	    (kind == DBSHIFT_OBJECT_TABLE || kind == DBSHIFT_OBJECT_VIEW))
		table = name;
	if (table == NULL)
		return NULL;
	memset(&key, 0, sizeof(key));
	key.kind = kind;
	key.table = table;
	key.name = name;
	return bsearch(&key, s->items, s->n, sizeof(*s->items),
		       object_qsort_cmp);
}

/* ---- differences ---- */

static int text_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Column order is not compared: a down script that drops a column and
 * adds it back restores the schema, though the column moves to the end,
 * and nothing that names its columns can tell. */
static int object_eq(const dbshift_schema_object *a,
		     const dbshift_schema_object *b)
{
	return strcmp(a->type, b->type) == 0 && a->nullable == b->nullable &&
	       text_eq(a->default_value, b->default_value) &&
	       strcmp(a->detail, b->detail) == 0;
}

int dbshift__schema_diff(const dbshift_schema *a, const dbshift_schema *b,
			 dbshift__diff_fn fn, void *payload)
{
	size_t i = 0, j = 0;
	int c, rc = 0;

	while (rc == 0 && (i < a->n || j < b->n)) {
		if (i == a->n)
			c = 1;
		else if (j == b->n)
			c = -1;
		else
			c = object_cmp(&a->items[i], &b->items[j]);
		if (c < 0) {
			rc = fn(&a->items[i++], NULL, payload);
		} else if (c > 0) {
			rc = fn(NULL, &b->items[j++], payload);
		} else {
			if (!object_eq(&a->items[i], &b->items[j]))
				rc = fn(&a->items[i], &b->items[j], payload);
			i++;
			j++;
		}
	}
	return rc;
}

const char *dbshift__schema_describe(const dbshift_schema_object *o, char *buf,
				     size_t size)
{
	switch (o->kind) {
	case DBSHIFT_OBJECT_TABLE:
	case DBSHIFT_OBJECT_VIEW:
		snprintf(buf, size, "%s %s", dbshift_object_kind_name(o->kind),
			 o->name);
		break;
	case DBSHIFT_OBJECT_COLUMN:
		snprintf(buf, size, "column %s.%s", o->table, o->name);
		break;
	default:
		snprintf(buf, size, "%s %s on %s",
			 dbshift_object_kind_name(o->kind), o->name, o->table);
		break;
	}
	return buf;
}

/* Append "what NOW (was WAS)" to buf, with ", " between parts. */
static void change(dbshift__buf *buf, const char *what, const char *was,
		   const char *now)
{
	if (buf->len > 0)
		dbshift__buf_puts(buf, ", ");
	dbshift__buf_printf(buf, "%s%s%.200s (was %.200s)", what,
			    what[0] ? " " : "", now, was);
}

const char *dbshift__schema_changes(const dbshift_schema_object *was,
				    const dbshift_schema_object *now, char *out,
				    size_t size)
{
	dbshift__buf buf = DBSHIFT__BUF_INIT;

	if (strcmp(was->type, now->type) != 0)
		change(&buf, "type", was->type, now->type);
	if (was->nullable != now->nullable)
		change(&buf, "", was->nullable ? "null" : "not null",
		       now->nullable ? "null" : "not null");
	if (!text_eq(was->default_value, now->default_value))
		change(&buf, "default",
		       was->default_value ? was->default_value : "none",
		       now->default_value ? now->default_value : "none");
	if (strcmp(was->detail, now->detail) != 0)
		change(&buf, "definition", was->detail, now->detail);
	dbshift__strlcpy(out, buf.ptr != NULL ? buf.ptr : "", size);
	dbshift__buf_free(&buf);
	return out;
}

/* ---- SQL ---- */

static int by_position(const void *a, const void *b)
{
	const dbshift_schema_object *const *x = a, *const *y = b;

	return (*x)->position - (*y)->position;
}

/* One column line of a CREATE TABLE. */
static void write_column(const dbshift_schema_object *c, FILE *out)
{
	fprintf(out, "    %s", c->name);
	if (c->type[0] != '\0')
		fprintf(out, " %s", c->type);
	if (!c->nullable)
		fputs(" NOT NULL", out);
	if (c->default_value != NULL)
		fprintf(out, " DEFAULT %s", c->default_value);
	if (c->detail[0] != '\0')
		fprintf(out, " %s", c->detail);
}

/* The objects of kind on table t, in order; *n gets their number. */
static const dbshift_schema_object *objects_of(const dbshift_schema *s,
					       dbshift_object_kind kind,
					       const char *t, size_t *n)
{
	size_t i, first = s->n;

	*n = 0;
	for (i = 0; i < s->n; i++) {
		if (s->items[i].kind != kind || strcmp(s->items[i].table, t))
			continue;
		if (first == s->n)
			first = i;
		(*n)++;
	}
	return first < s->n ? &s->items[first] : NULL;
}

static int write_table(const dbshift_schema *s, const char *table, FILE *out)
{
	const dbshift_schema_object *cols, *cons, **sorted;
	size_t n_cols, n_cons, i;

	cols = objects_of(s, DBSHIFT_OBJECT_COLUMN, table, &n_cols);
	cons = objects_of(s, DBSHIFT_OBJECT_CONSTRAINT, table, &n_cons);
	sorted = calloc(n_cols + 1, sizeof(*sorted));
	if (sorted == NULL)
		return DBSHIFT_ENOMEM;
	for (i = 0; i < n_cols; i++)
		sorted[i] = &cols[i];
	qsort(sorted, n_cols, sizeof(*sorted), by_position);
	fprintf(out, "CREATE TABLE %s (\n", table);
	for (i = 0; i < n_cols; i++) {
		write_column(sorted[i], out);
		fputs(i + 1 < n_cols || n_cons > 0 ? ",\n" : "\n", out);
	}
	/* Names with a space are made up by the driver for constraints the
	 * database keeps unnamed: those stay unnamed here too. */
	for (i = 0; i < n_cons; i++) {
		int named = strchr(cons[i].name, ' ') == NULL;

		fprintf(out, "    %s%s%s%s%s\n", named ? "CONSTRAINT " : "",
			named ? cons[i].name : "", named ? " " : "",
			cons[i].detail, i + 1 < n_cons ? "," : "");
	}
	fputs(");\n\n", out);
	free(sorted);
	return 0;
}

/* Statements given whole in detail (indexes, views, triggers). */
static void write_statements(const dbshift_schema *s, dbshift_object_kind kind,
			     FILE *out)
{
	size_t i, len;

	for (i = 0; i < s->n; i++) {
		if (s->items[i].kind != kind)
			continue;
		len = strlen(s->items[i].detail);
		fprintf(out, "%s%s\n\n", s->items[i].detail,
			len > 0 && s->items[i].detail[len - 1] == ';' ? "" :
									";");
	}
}

int dbshift_schema_write_sql(const dbshift_schema *s, FILE *out)
{
	size_t i;
	int rc = 0;

	if (s == NULL || out == NULL)
		return DBSHIFT_EINVAL;
	fprintf(out,
		"-- Schema of a %s database, written by dbshift dump.\n"
		"-- Sorted by name; the history and lock tables are left "
		"out.\n\n",
		s->dialect);
	for (i = 0; rc == 0 && i < s->n; i++)
		if (s->items[i].kind == DBSHIFT_OBJECT_TABLE)
			rc = write_table(s, s->items[i].name, out);
	if (rc != 0)
		return rc;
	write_statements(s, DBSHIFT_OBJECT_INDEX, out);
	write_statements(s, DBSHIFT_OBJECT_VIEW, out);
	write_statements(s, DBSHIFT_OBJECT_TRIGGER, out);
	return ferror(out) ? DBSHIFT_EIO : 0;
}
