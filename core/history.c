/* SPDX-License-Identifier: MIT */
/*
 * history.c - reading and writing the history table.
 *
 * The SQL here is the portable subset the three dialects share
 * (VARCHAR, BIGINT, TEXT, CREATE TABLE IF NOT EXISTS); identifiers are
 * quoted by the driver and every value is passed as a parameter. The
 * application time is written by the core as ISO 8601 UTC text, so that it
 * reads the same on every dialect.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"
#include "util.h"

#define COLUMNS                                                                \
	"id, source, version, name, checksum, applied_at, execution_ms, "      \
	"seq, state, error, failed_statement_index, failed_statement"

static int ident_part_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 63 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

int dbshift__history_name_valid(const char *name)
{
	const char *dot;

	if (name == NULL)
		return 0;
	dot = strchr(name, '.');
	if (dot == NULL)
		return ident_part_valid(name, strlen(name));
	return ident_part_valid(name, (size_t)(dot - name)) &&
	       ident_part_valid(dot + 1, strlen(dot + 1));
}

int dbshift__history_quote_name(dbshift_conn *conn, const char *name,
				char **out)
{
	char schema[256], part[256];
	const char *dot = strchr(name, '.');
	int rc;

	*out = NULL;
	if (dot == NULL) {
		rc = dbshift__conn_quote(conn, name, part, sizeof(part));
		if (rc == 0 && (*out = dbshift__strdup(part)) == NULL)
			rc = dbshift__err_set(conn->err, DBSHIFT_ENOMEM,
					      "out of memory");
		return rc;
	}
	dbshift__strlcpy(part, name, (size_t)(dot - name) + 1);
	rc = dbshift__conn_quote(conn, part, schema, sizeof(schema));
	if (rc == 0)
		rc = dbshift__conn_quote(conn, dot + 1, part, sizeof(part));
	if (rc == 0 && (*out = dbshift__aprintf("%s.%s", schema, part)) == NULL)
		rc = dbshift__err_set(conn->err, DBSHIFT_ENOMEM,
				      "out of memory");
	return rc;
}

static char *value_text(const dbshift_value *v)
{
	if (v->type == DBSHIFT_VALUE_TEXT)
		return dbshift__strndup(v->text, (size_t)v->len);
	if (v->type == DBSHIFT_VALUE_INT64)
		return dbshift__aprintf("%lld", (long long)v->i64);
	return dbshift__strdup("");
}

static int64_t value_int(const dbshift_value *v, int64_t fallback)
{
	char buf[32];
	char *end;
	long long n;

	if (v->type == DBSHIFT_VALUE_INT64)
		return v->i64;
	if (v->type != DBSHIFT_VALUE_TEXT || v->len <= 0 || v->len >= 31)
		return fallback;
	memcpy(buf, v->text, (size_t)v->len);
	buf[v->len] = '\0';
	n = strtoll(buf, &end, 10);
	return *end == '\0' ? (int64_t)n : fallback;
}

static void row_free(dbshift__history_row *r)
{
	free(r->id);
	free(r->source);
	free(r->version);
	free(r->name);
	free(r->checksum);
	free(r->applied_at);
	free(r->error);
	free(r->failed_statement);
}

/* Row callback of the history query: append one row. */
static int read_row(int32_t ncols, const dbshift_value *cols, void *payload)
{
	dbshift__history *h = payload;
	dbshift__history_row *r;
	char *state;

	if (ncols < 12)
		return DBSHIFT_EDB;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		dbshift__history_row *rows =
			realloc(h->rows, cap * sizeof(*rows));

		if (rows == NULL)
			return DBSHIFT_ENOMEM;
		h->rows = rows;
		h->cap = cap;
	}
	r = &h->rows[h->n];
	memset(r, 0, sizeof(*r));
	r->id = value_text(&cols[0]);
	r->source = value_text(&cols[1]);
	r->version = value_text(&cols[2]);
	r->name = value_text(&cols[3]);
	r->checksum = value_text(&cols[4]);
	r->applied_at = value_text(&cols[5]);
	r->execution_ms = value_int(&cols[6], 0);
	r->seq = value_int(&cols[7], 0);
	state = value_text(&cols[8]);
	r->error = value_text(&cols[9]);
	r->failed_index = value_int(&cols[10], 0);
	r->failed_statement = value_text(&cols[11]);
	r->dirty = state != NULL && strcmp(state, "applied") != 0;
	h->n++;
	if (r->id == NULL || r->source == NULL || r->version == NULL ||
	    r->name == NULL || r->checksum == NULL || r->applied_at == NULL ||
	    state == NULL || r->error == NULL || r->failed_statement == NULL) {
		free(state);
		return DBSHIFT_ENOMEM;
	}
	free(state);
	if (r->seq > h->max_seq)
		h->max_seq = r->seq;
	return 0;
}

static int by_id_cmp(const void *pa, const void *pb)
{
	const dbshift__history_row *a = *(dbshift__history_row *const *)pa;
	const dbshift__history_row *b = *(dbshift__history_row *const *)pb;

	return strcmp(a->id, b->id);
}

/* Application order: seq, then id for rows an edit left with one seq. */
static int by_seq_cmp(const void *pa, const void *pb)
{
	const dbshift__history_row *a = pa, *b = pb;

	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* Put the rows in application order (the query asks for none: the rows
 * mostly come back in it, and checking that is cheaper than the
 * database's sort) and index them by id. */
static int index_rows(dbshift__history *h, dbshift__err *err)
{
	size_t i;

	dbshift__sort(h->rows, h->n, sizeof(*h->rows), by_seq_cmp);
	h->by_id = malloc((h->n + 1) * sizeof(*h->by_id));
	if (h->by_id == NULL)
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	for (i = 0; i < h->n; i++)
		h->by_id[i] = &h->rows[i];
	dbshift__sort(h->by_id, h->n, sizeof(*h->by_id), by_id_cmp);
	return 0;
}

int dbshift__history_read(dbshift__history *h, dbshift_conn *conn,
			  const char *table)
{
	char *sql;
	int rc, exists = 0;

	memset(h, 0, sizeof(*h));
	h->table = dbshift__strdup(table);
	if (h->table == NULL)
		return dbshift__err_set(conn->err, DBSHIFT_ENOMEM,
					"out of memory");
	rc = dbshift__history_quote_name(conn, table, &h->table_q);
	if (rc == 0)
		rc = dbshift__conn_table_exists(conn, table, &exists);
	if (rc != 0)
		return rc;
	h->exists = exists;
	if (exists) {
		sql = dbshift__aprintf("SELECT " COLUMNS " FROM %s",
				       h->table_q);
		if (sql == NULL)
			return dbshift__err_set(conn->err, DBSHIFT_ENOMEM,
						"out of memory");
		rc = dbshift__conn_query(conn, sql, NULL, 0, read_row, h);
		free(sql);
		if (rc == DBSHIFT_ENOMEM)
			return dbshift__err_set(conn->err, rc, "out of memory");
		if (rc != 0 && conn->err->pub.code != DBSHIFT_EDB)
			return dbshift__err_set(conn->err, DBSHIFT_EDB,
						"history table %s has an "
						"unexpected layout",
						table);
		if (rc != 0)
			return dbshift__err_from_diag(
				conn->err, DBSHIFT_EDB, &conn->diag,
				"cannot read history table %s", table);
	}
	return index_rows(h, conn->err);
}

int dbshift__history_ensure(dbshift__history *h, dbshift_conn *conn)
{
	const char *options = dbshift__conn_table_options(conn);
	char *sql;
	int rc;

	if (h->exists)
		return 0;
	sql = dbshift__aprintf("CREATE TABLE IF NOT EXISTS %s ("
			       "id VARCHAR(255) NOT NULL PRIMARY KEY, "
			       "source VARCHAR(255) NOT NULL, "
			       "version VARCHAR(255) NOT NULL, "
			       "name VARCHAR(255) NOT NULL, "
			       "checksum VARCHAR(64) NOT NULL, "
			       "applied_at VARCHAR(32) NOT NULL, "
			       "execution_ms BIGINT NOT NULL, "
			       "seq BIGINT NOT NULL, "
			       "state VARCHAR(16) NOT NULL, "
			       "error TEXT, "
			       "failed_statement_index BIGINT, "
			       "failed_statement TEXT)%s%s",
			       h->table_q, options[0] != '\0' ? " " : "",
			       options);
	if (sql == NULL)
		return dbshift__err_set(conn->err, DBSHIFT_ENOMEM,
					"out of memory");
	rc = dbshift__conn_exec(conn, sql, strlen(sql));
	free(sql);
	if (rc != 0)
		return dbshift__err_from_diag(
			conn->err, DBSHIFT_EDB, &conn->diag,
			"cannot create history table %s", h->table);
	h->exists = 1;
	return 0;
}

dbshift__history_row *dbshift__history_find(const dbshift__history *h,
					    const char *id)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(h->by_id[mid]->id, id);

		if (c == 0)
			return h->by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void utc_now(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Run the statement "VERB table REST" on the history table. */
static int write_stmt(dbshift__history *h, dbshift_conn *conn, const char *verb,
		      const char *rest, const dbshift_value *params,
		      int32_t nparams, const char *what, const char *id)
{
	char *sql = dbshift__aprintf("%s %s %s", verb, h->table_q, rest);
	int rc;

	if (sql == NULL)
		return dbshift__err_set(conn->err, DBSHIFT_ENOMEM,
					"out of memory");
	rc = dbshift__conn_query(conn, sql, params, nparams, NULL, NULL);
	free(sql);
	if (rc != 0)
		return dbshift__err_from_diag(
			conn->err, DBSHIFT_EDB, &conn->diag,
			"%s: cannot %s history row", id, what);
	return 0;
}

/* The insert's statement after "INSERT INTO table". */
#define INSERT_REST                                                            \
	"(id, source, version, name, checksum, applied_at, execution_ms, "     \
	"seq, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define INSERT_ELAPSED 6

/* seq orders rollbacks; a table whose seq already reached the largest
 * BIGINT (edited by hand) has no next value to give. Fill params (9)
 * with m's row, its time from now (32 bytes). */
static int insert_params(dbshift__history *h, dbshift_conn *conn,
			 const dbshift__migration *m, int dirty,
			 int64_t execution_ms, dbshift_value *params, char *now)
{
	if (h->max_seq == INT64_MAX)
		return dbshift__err_set(
			conn->err, DBSHIFT_ESTATE,
			"%s: cannot be recorded: seq in history "
			"table %s is at its largest value",
			m->id, h->table);
	utc_now(now);
	params[0] = dbshift__value_text(m->id);
	params[1] = dbshift__value_text(m->source);
	params[2] = dbshift__value_text(m->version);
	params[3] = dbshift__value_text(m->name);
	params[4] = dbshift__value_text(m->checksum);
	params[5] = dbshift__value_text(now);
	params[INSERT_ELAPSED] = dbshift__value_int(execution_ms);
	params[7] = dbshift__value_int(h->max_seq + 1);
	params[8] = dbshift__value_text(dirty ? "dirty" : "applied");
	return 0;
}

int dbshift__history_insert(dbshift__history *h, dbshift_conn *conn,
			    const dbshift__migration *m, int dirty,
			    int64_t execution_ms)
{
	char now[32];
	dbshift_value params[9];
	int rc;

	rc = insert_params(h, conn, m, dirty, execution_ms, params, now);
	if (rc == 0)
		rc = write_stmt(h, conn, "INSERT INTO", INSERT_REST, params, 9,
				"insert", m->id);
	if (rc == 0)
		h->max_seq++;
	return rc;
}

int dbshift__history_write_prepare(dbshift__history_write *w,
				   dbshift__history *h, dbshift_conn *conn,
				   const dbshift__migration *m, int up)
{
	int rc = 0;

	memset(w, 0, sizeof(*w));
	w->insert = up;
	w->elapsed_param = up ? INSERT_ELAPSED : -1;
	if (up) {
		rc = insert_params(h, conn, m, 0, 0, w->params, w->now);
		w->nparams = 9;
		w->sql = dbshift__aprintf("INSERT INTO %s " INSERT_REST,
					  h->table_q);
	} else {
		w->params[0] = dbshift__value_text(m->id);
		w->nparams = 1;
		w->sql = dbshift__concat("DELETE FROM ", h->table_q,
					 " WHERE id = ?");
	}
	if (rc == 0 && w->sql == NULL)
		rc = dbshift__err_set(conn->err, DBSHIFT_ENOMEM,
				      "out of memory");
	return rc;
}

void dbshift__history_write_done(dbshift__history_write *w, dbshift__history *h,
				 int committed)
{
	if (committed && w->insert)
		h->max_seq++;
	free(w->sql);
	w->sql = NULL;
}

int dbshift__history_mark_applied(dbshift__history *h, dbshift_conn *conn,
				  const char *id, int64_t execution_ms)
{
	dbshift_value params[3];

	params[0] = dbshift__value_text("applied");
	params[1] = dbshift__value_int(execution_ms);
	params[2] = dbshift__value_text(id);
	return write_stmt(h, conn, "UPDATE",
			  "SET state = ?, execution_ms = ?, "
			  "error = NULL, failed_statement_index = NULL, "
			  "failed_statement = NULL WHERE id = ?",
			  params, 3, "update", id);
}

int dbshift__history_mark_dirty(dbshift__history *h, dbshift_conn *conn,
				const char *id, const dbshift__err *failure)
{
	dbshift_value params[5];

	params[0] = dbshift__value_text("dirty");
	params[1] = dbshift__value_text(failure->message);
	if (failure->pub.statement_index > 0)
		params[2] = dbshift__value_int(failure->pub.statement_index);
	else
		params[2] = dbshift__value_null();
	params[3] = dbshift__value_text(failure->statement);
	params[4] = dbshift__value_text(id);
	return write_stmt(h, conn, "UPDATE",
			  "SET state = ?, error = ?, "
			  "failed_statement_index = ?, failed_statement = ? "
			  "WHERE id = ?",
			  params, 5, "update", id);
}

int dbshift__history_set_checksum(dbshift__history *h, dbshift_conn *conn,
				  const char *id, const char *checksum)
{
	dbshift_value params[2];

	params[0] = dbshift__value_text(checksum);
	params[1] = dbshift__value_text(id);
	return write_stmt(h, conn, "UPDATE", "SET checksum = ? WHERE id = ?",
			  params, 2, "update", id);
}

int dbshift__history_delete(dbshift__history *h, dbshift_conn *conn,
			    const char *id)
{
	dbshift_value param = dbshift__value_text(id);

	return write_stmt(h, conn, "DELETE FROM", "WHERE id = ?", &param, 1,
			  "delete", id);
}

void dbshift__history_free(dbshift__history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		row_free(&h->rows[i]);
	free(h->rows);
	free(h->by_id);
	free(h->table);
	free(h->table_q);
	memset(h, 0, sizeof(*h));
}
