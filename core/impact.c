/* SPDX-License-Identifier: MIT */
/*
 * impact.c - what a down script would destroy: the tables its DROP TABLE
 * statements name that exist and hold rows now, with their row counts,
 * for the data-loss warnings of down, redo and down --dry-run.
 *
 * The script is read with the dialect's splitter and tokenizer, so names
 * inside strings and comments are not mistaken for statements; a name is
 * counted as the script spells it (quotes and schema included), which is
 * valid SQL of the dialect. Tables dropped by C callbacks or by other
 * statements (DROP SCHEMA ... CASCADE) are not seen.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "impact.h"
#include "split.h"

/* Reads the tokens of one statement, skipping white space and comments. */
struct tokens {
	const dbshift__split *split;
	size_t pos, end;
	size_t start, len; /* the last token read */
	dbshift__token kind;
};

static int next_token(struct tokens *t)
{
	size_t next;

	while (t->pos < t->end) {
		next = dbshift__split_token(t->split, t->pos, &t->kind);
		if (next > t->end)
			next = t->end;
		t->start = t->pos;
		t->len = next - t->pos;
		t->pos = next;
		if (t->kind != DBSHIFT__TOKEN_SPACE &&
		    t->kind != DBSHIFT__TOKEN_COMMENT)
			return 1;
	}
	return 0;
}

static int is_word(const struct tokens *t, const char *word)
{
	return t->kind == DBSHIFT__TOKEN_WORD && t->len == strlen(word) &&
	       strncasecmp(t->split->sql + t->start, word, t->len) == 0;
}

static int is_symbol(const struct tokens *t, char c)
{
	return t->kind == DBSHIFT__TOKEN_SYMBOL && t->len == 1 &&
	       t->split->sql[t->start] == c;
}

/* A name token: a word or a quoted name (not a string: '...'). */
static int is_name(const struct tokens *t)
{
	char c = t->split->sql[t->start];

	return t->kind == DBSHIFT__TOKEN_WORD ||
	       (t->kind == DBSHIFT__TOKEN_QUOTED && c != '\'');
}

/* Copy the len bytes at text without the quotes of quoted names, for
 * table_exists(), which takes a name as the user means it. */
static char *unquoted(const char *text, size_t len)
{
	char *out = malloc(len + 1);
	size_t i, o = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		char c = text[i];

		if (c == '"' || c == '`' || c == '[' || c == ']') {
			if (i + 1 < len && text[i + 1] == c && c != '[')
				out[o++] = text[++i];
			continue;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
}

static int count_row(int32_t ncols, const dbshift_value *cols, void *payload)
{
	int64_t *rows = payload;

	if (ncols >= 1 && cols[0].type == DBSHIFT_VALUE_INT64)
		*rows = cols[0].i64;
	else if (ncols >= 1 && cols[0].type == DBSHIFT_VALUE_TEXT)
		*rows = strtoll(cols[0].text, NULL, 10);
	return 0;
}

/* Record the table spelled by the len bytes at name when it exists and
 * holds rows. */
static int check_table(dbshift_conn *conn, const char *name, size_t len,
		       dbshift__vec *out)
{
	dbshift__table_rows *t;
	char *plain = unquoted(name, len), *sql = NULL;
	int64_t rows = 0;
	int exists = 0, rc;

	if (plain == NULL)
		return dbshift__err_set(conn->err, DBSHIFT_ENOMEM,
					"out of memory");
	rc = dbshift__conn_table_exists(conn, plain, &exists);
	if (rc == 0 && exists) {
		sql = dbshift__aprintf("SELECT count(*) FROM %.*s", (int)len,
				       name);
		rc = sql == NULL ? dbshift__err_set(conn->err, DBSHIFT_ENOMEM,
						    "out of memory") :
				   dbshift__conn_query(conn, sql, NULL, 0,
						       count_row, &rows);
	}
	free(sql);
	if (rc != 0 || rows <= 0) {
		free(plain);
		return rc;
	}
	t = malloc(sizeof(*t));
	if (t == NULL || dbshift__vec_push(out, t) != 0) {
		free(t);
		free(plain);
		return dbshift__err_set(conn->err, DBSHIFT_ENOMEM,
					"out of memory");
	}
	t->table = plain;
	t->rows = rows;
	return 0;
}

/* The names of one DROP TABLE statement: name [, name ...], each name
 * possibly qualified (a.b). */
static int drop_names(dbshift_conn *conn, struct tokens *t, dbshift__vec *out)
{
	size_t start, end;
	int more, rc;

	for (;;) {
		if (!next_token(t) || !is_name(t))
			return 0;
		start = t->start;
		end = t->pos;
		more = next_token(t);
		while (more && is_symbol(t, '.')) {
			if (!next_token(t) || !is_name(t))
				return 0;
			end = t->pos;
			more = next_token(t);
		}
		rc = check_table(conn, t->split->sql + start, end - start, out);
		if (rc != 0 || !more || !is_symbol(t, ','))
			return rc;
	}
}

int dbshift__impact_drops(dbshift_conn *conn, const char *script, size_t len,
			  dbshift__vec *out)
{
	dbshift__split split;
	dbshift__stmt stmt;
	struct tokens t;
	int rc = 0;

	dbshift__split_init(&split, script, len, conn->driver->split_flags);
	while (rc == 0 && dbshift__split_next(&split, &stmt) > 0) {
		memset(&t, 0, sizeof(t));
		t.split = &split;
		t.pos = stmt.start;
		t.end = stmt.start + stmt.len;
		if (!next_token(&t) || !is_word(&t, "DROP") ||
		    !next_token(&t) || !is_word(&t, "TABLE"))
			continue;
		/* IF EXISTS: read it, then the names. */
		if (t.pos < t.end) {
			size_t mark = t.pos;

			if (next_token(&t) && is_word(&t, "IF") &&
			    next_token(&t) && is_word(&t, "EXISTS"))
				mark = t.pos;
			t.pos = mark;
		}
		rc = drop_names(conn, &t, out);
	}
	return rc;
}

void dbshift__table_rows_free(void *p)
{
	dbshift__table_rows *t = p;

	if (t != NULL)
		free(t->table);
	free(t);
}
