/* SPDX-License-Identifier: MIT */
/*
 * preflight.c - what the core checks in a script before any of it runs:
 * before the transaction begins or the dirty history row is written, so
 * that a script refused here leaves nothing to repair.
 *
 * - A NUL byte: no client library sends one (the script would end there
 *   or be refused part way).
 * - A DELIMITER command the mysql client would refuse, for dialects
 *   whose driver declares DBSHIFT_SPLIT_DELIMITER_COMMAND (split_delim.c).
 * - Transaction control in a migration that dbshift runs in a
 *   transaction of its own (with its history row): a COMMIT there would
 *   commit half a migration and leave the rest outside any transaction
 *   (SQLite then reports a failure after committing; PostgreSQL silently
 *   loses atomicity). Statements are found with the core's splitter, so
 *   BEGIN ... END bodies and $$ bodies are not mistaken for them. Refused,
 *   naming the file and line, unless the migration is no-transaction.
 *   One placement is accepted, because Flyway and golang-migrate sets
 *   (and psql habits) wrap whole scripts this way: the first statement
 *   BEGIN or START TRANSACTION, the last COMMIT or END, and no other
 *   transaction control. Such a script runs with the two wrapper
 *   statements blanked out (same length and lines, so errors point at
 *   the file as written) inside dbshift's own transaction.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "preflight.h"
#include "split.h"

/* What a top-level statement does to the transaction. */
enum tx_kind {
	TX_NONE,
	TX_BEGIN, /* BEGIN, START TRANSACTION */
	TX_END,	  /* COMMIT, END */
	TX_OTHER  /* ROLLBACK, ABORT, COMMIT/ROLLBACK PREPARED ... */
};

/* The 1-based line of offset pos in text. */
static int line_of(const char *text, size_t pos)
{
	int line = 1;
	size_t i;

	for (i = 0; i < pos; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/* The word token at *pos (skipping filler), its length in *len; the
 * offset past it in *pos. NULL when the next token is not a word or
 * lies beyond end. */
static const char *next_word(const dbshift__split *s, size_t *pos, size_t end,
			     size_t *len)
{
	dbshift__token kind;
	size_t next;

	while (*pos < end) {
		next = dbshift__split_token(s, *pos, &kind);
		if (kind == DBSHIFT__TOKEN_WORD) {
			*len = next - *pos;
			*pos = next;
			return s->sql + next - *len;
		}
		if (kind != DBSHIFT__TOKEN_SPACE &&
		    kind != DBSHIFT__TOKEN_COMMENT)
			return NULL;
		*pos = next;
	}
	return NULL;
}

static int is_word(const char *w, size_t len, const char *name)
{
	return w != NULL && len == strlen(name) &&
	       strncasecmp(w, name, len) == 0;
}

/* Classify the statement st of the script s reads. */
static enum tx_kind tx_kind_of(const dbshift__split *s, const dbshift__stmt *st)
{
	size_t pos = st->start, end = st->start + st->len, len = 0, len2 = 0;
	const char *w = next_word(s, &pos, end, &len), *w2;

	w2 = next_word(s, &pos, end, &len2);
	if (is_word(w, len, "BEGIN"))
		/* MariaDB's BEGIN NOT ATOMIC is a compound statement. */
		return is_word(w2, len2, "NOT") ? TX_NONE : TX_BEGIN;
	if (is_word(w, len, "START") && is_word(w2, len2, "TRANSACTION"))
		return TX_BEGIN;
	if (is_word(w, len, "COMMIT") || is_word(w, len, "END"))
		return is_word(w2, len2, "PREPARED") ? TX_OTHER : TX_END;
	if (is_word(w, len, "ROLLBACK")) {
		/* ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] x is fine. */
		if (is_word(w2, len2, "WORK") ||
		    is_word(w2, len2, "TRANSACTION"))
			w2 = next_word(s, &pos, end, &len2);
		return is_word(w2, len2, "TO") ? TX_NONE : TX_OTHER;
	}
	if (is_word(w, len, "ABORT"))
		return TX_OTHER;
	return TX_NONE;
}

/* Blank the statement st out of copy, with the ';' that ends it, keeping
 * line breaks. */
static void blank(char *copy, size_t len, const dbshift__stmt *st)
{
	size_t i, end = st->start + st->len;

	while (end < len && (copy[end] == ' ' || copy[end] == '\t' ||
			     copy[end] == '\r' || copy[end] == '\n'))
		end++;
	if (end < len && copy[end] == ';')
		end++;
	else
		end = st->start + st->len;
	for (i = st->start; i < end; i++)
		if (copy[i] != '\n')
			copy[i] = ' ';
}

/* Refuse the script for the statement st (its first line, shortened). */
static int refuse(dbshift__err *err, const char *id, const char *file,
		  const char *text, const dbshift__stmt *st)
{
	size_t shown = strcspn(text + st->start, "\r\n");

	if (shown > st->len)
		shown = st->len;
	if (shown > 40)
		shown = 40;
	return dbshift__err_set(
		err, DBSHIFT_ESOURCE,
		"%s: %s line %d: '%.*s' controls the transaction, but "
		"dbshift runs this migration in a transaction of its own "
		"(with its history row); remove it, or mark the migration "
		"'-- dbshift:no-transaction' (a whole script wrapped in "
		"BEGIN; ... COMMIT; is accepted); nothing was run",
		id, file, st->line, (int)shown, text + st->start);
}

int dbshift__preflight(char **run_text, const dbshift__script *script,
		       uint64_t split_flags, int transactional, const char *id,
		       dbshift__err *err)
{
	const char *file = script->file != NULL ? script->file : id;
	const char *nul = memchr(script->text, '\0', script->len);
	dbshift__split s;
	dbshift__stmt st, first, last;
	enum tx_kind kind, first_kind = TX_NONE, last_kind = TX_NONE;
	int n = 0, others = 0, offender = 0, rc;
	dbshift__stmt bad;

	*run_text = NULL;
	if (nul != NULL)
		return dbshift__err_set(
			err, DBSHIFT_ESOURCE,
			"%s: %s holds a NUL byte on line %d; "
			"nothing was run",
			id, file,
			line_of(script->text, (size_t)(nul - script->text)));
	if (!transactional && !(split_flags & DBSHIFT_SPLIT_DELIMITER_COMMAND))
		return 0;
	memset(&bad, 0, sizeof(bad));
	dbshift__split_init(&s, script->text, script->len, split_flags);
	while ((rc = dbshift__split_next(&s, &st)) > 0) {
		kind = transactional ? tx_kind_of(&s, &st) : TX_NONE;
		if (n == 0) {
			first = st;
			first_kind = kind;
		}
		last = st;
		last_kind = kind;
		n++;
		if (kind != TX_NONE) {
			others++;
			if (!offender) {
				bad = st;
				offender = 1;
			}
		}
	}
	if (rc < 0)
		return dbshift__err_set(
			err, DBSHIFT_ESOURCE,
			"%s: %s line %d: DELIMITER command: %s; "
			"nothing was run",
			id, file, st.line, s.error);
	if (others == 0)
		return 0;
	if (n < 2 || others != 2 || first_kind != TX_BEGIN ||
	    last_kind != TX_END) {
		/* Name the first statement that is not part of a wrapper. */
		if (first_kind == TX_BEGIN && n >= 2 && others > 1) {
			dbshift__split_init(&s, script->text, script->len,
					    split_flags);
			dbshift__split_next(&s, &st);
			while (dbshift__split_next(&s, &st) > 0)
				if (tx_kind_of(&s, &st) != TX_NONE) {
					bad = st;
					break;
				}
		}
		return refuse(err, id, file, script->text, &bad);
	}
	*run_text = malloc(script->len + 1);
	if (*run_text == NULL)
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	memcpy(*run_text, script->text, script->len);
	(*run_text)[script->len] = '\0';
	blank(*run_text, script->len, &first);
	blank(*run_text, script->len, &last);
	return 0;
}
