/* SPDX-License-Identifier: MIT */
/*
 * mysql_script.c - running a migration script on a MySQL connection.
 *
 * The server runs a multi-statement string itself, routine bodies and
 * all, so exec() hands it whole runs of statements (a "batch") and counts
 * the results that come back: the n-th statement to fail is the one after
 * n results, except that a CALL (or MariaDB's BEGIN NOT ATOMIC) may send
 * result sets of its own before its final result. The core's splitter
 * (dbshift_host.split_*) finds where each statement starts, for its line, and
 * the filler the server does not take: an empty statement (";;") is a syntax
 * error to it, so a batch ends before one, and comments after the last
 * statement are not sent. A batch also ends before it grows past
 * BATCH_MAX bytes.
 *
 * The mysql client's DELIMITER command is understood, since migration
 * sets written for that client use it around routine bodies: the driver
 * declares DBSHIFT_SPLIT_DELIMITER_COMMAND, so the core's splitter reads
 * the commands, and each text a delimiter of the script's own ends is
 * sent on its own, as the client sends it. The script is read through
 * once before anything is sent, so that a DELIMITER command it cannot
 * read (or a NUL byte) refuses it before any of it ran, marked with
 * DBSHIFT_SQLSTATE_NOT_RUN (the core refuses such scripts before it
 * calls the driver; this keeps the driver safe on its own).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mysqld_error.h>

#include "mysql_diag.h"
#include "mysql_script.h"

/* A batch ends before it grows past this, so that a long script of many
 * statements stays well below the server's max_allowed_packet (16 MiB by
 * default in MariaDB; one statement alone may be longer). */
#define BATCH_MAX (1024 * 1024)

/* A statement of a batch. */
struct piece {
	size_t start; /* offset of its first token in the script */
	size_t len;   /* up to the end of its last token */
	int32_t line; /* line of its first token */
	int multi;    /* may send result sets before its own result */
};

/* One exec() call's walk through its script. */
struct script {
	MYSQL *db;
	const char *sql;
	size_t len;
	dbshift_split tok;    /* reads tokens anywhere in the script */
	struct piece *pieces; /* the batch being gathered */
	size_t count, cap;
	int32_t base; /* statements of the script sent before the batch */
	int dry;      /* only read the script: send nothing */
	dbshift_diag *diag;
};

/* Offset of the first token at or after pos that is not white space or a
 * comment, or the script's length. */
static size_t skip_filler(const struct script *sc, size_t pos)
{
	int32_t kind;
	size_t end;

	while (pos < sc->len) {
		end = dbshift__mysql_host->split_token(&sc->tok, pos, &kind);
		if (kind != DBSHIFT_TOKEN_SPACE &&
		    kind != DBSHIFT_TOKEN_COMMENT)
			break;
		pos = end;
	}
	return pos;
}

/* Is the token at pos the word (in any case)? Sets *end past it. */
static int word_at(const struct script *sc, size_t pos, const char *word,
		   size_t *end)
{
	int32_t kind;
	size_t len = strlen(word);

	if (pos >= sc->len)
		return 0;
	*end = dbshift__mysql_host->split_token(&sc->tok, pos, &kind);
	return kind == DBSHIFT_TOKEN_WORD && *end - pos == len &&
	       strncasecmp(sc->sql + pos, word, len) == 0;
}

/* May the statement at start send result sets before its own result? */
static int multi_result(const struct script *sc, size_t start)
{
	size_t end;

	if (word_at(sc, start, "CALL", &end))
		return 1;
	return word_at(sc, start, "BEGIN", &end) &&
	       word_at(sc, skip_filler(sc, end), "NOT", &end);
}

/* How many ';' stand between two statements (only filler and ';' do). */
static int semicolons(const struct script *sc, size_t pos, size_t end)
{
	int32_t kind;
	int n = 0;

	while (pos < end) {
		if (sc->sql[pos] == ';')
			n++;
		pos = dbshift__mysql_host->split_token(&sc->tok, pos, &kind);
	}
	return n;
}

/* Read one result of the batch, discarding its rows. *was_set tells
 * whether it was a result set. Returns 0 or -1 (the connection's error). */
static int drain_result(MYSQL *db, int *was_set)
{
	MYSQL_RES *res = mysql_use_result(db);
	int failed;

	*was_set = res != NULL;
	if (res == NULL)
		return mysql_field_count(db) != 0 ? -1 : 0;
	while (mysql_fetch_row(res) != NULL)
		;
	failed = mysql_errno(db) != 0;
	mysql_free_result(res);
	return failed ? -1 : 0;
}

/*
 * The line of the script where the server's line 1 of the batch's
 * statement i is: the server starts a statement after the ';' that ends
 * the one before, white space skipped (comments are not).
 */
static int32_t server_line_base(const struct script *sc, size_t i)
{
	const struct piece *prev;
	size_t pos;

	if (i == 0)
		return sc->pieces[0].line;
	prev = &sc->pieces[i - 1];
	pos = prev->start + prev->len;
	while (pos < sc->len && sc->sql[pos] != ';')
		pos = dbshift__mysql_host->split_token(&sc->tok, pos,
						       &(int32_t){0});
	if (pos < sc->len)
		pos++;
	while (pos < sc->len && (sc->sql[pos] == ' ' || (sc->sql[pos] >= '\t' &&
							 sc->sql[pos] <= '\r')))
		pos++;
	return dbshift__mysql_host->line_at(sc->sql, pos);
}

/*
 * A syntax error ends with "at line N", counted from the statement's
 * start as the server cut it from the batch; make N the script's line, so
 * that the message agrees with the line the core reports.
 */
static void script_line_in_message(const struct script *sc, size_t i)
{
	char *msg = sc->diag->message, *at = NULL, *p, *end;
	long n;

	for (p = strstr(msg, " at line "); p != NULL;
	     p = strstr(p + 1, " at line "))
		at = p;
	if (at == NULL)
		return;
	n = strtol(at + 9, &end, 10);
	if (end == at + 9 || *end != '\0' || n < 1 || n > INT32_MAX)
		return;
	snprintf(at, sizeof(sc->diag->message) - (size_t)(at - msg),
		 " at line %ld", server_line_base(sc, i) + n - 1);
}

/* Fill diag for the batch's statement i from the connection's error. */
static int fail_piece(struct script *sc, size_t i)
{
	fail_db(sc->db, sc->diag);
	if (sc->diag == NULL)
		return -1;
	sc->diag->statement_index = sc->base + (int32_t)i;
	sc->diag->line = sc->pieces[i].line;
	if (sc->diag->native_code == ER_PARSE_ERROR)
		script_line_in_message(sc, i);
	return -1;
}

/*
 * Send the batch and read every result, so that the connection is ready
 * for the next call whatever happens. i follows the statement whose
 * result comes next; it stays on the last one should the server count
 * more statements than the splitter did.
 */
static int batch_run(struct script *sc)
{
	const struct piece *first = &sc->pieces[0];
	const struct piece *last = &sc->pieces[sc->count - 1];
	size_t i = 0;
	int status, was_set;

	if (mysql_real_query(sc->db, sc->sql + first->start,
			     last->start + last->len - first->start) != 0)
		return fail_piece(sc, 0);
	do {
		if (drain_result(sc->db, &was_set) != 0)
			return fail_piece(sc, i);
		if (!(sc->pieces[i].multi && was_set) && i + 1 < sc->count)
			i++;
		status = mysql_next_result(sc->db);
	} while (status == 0);
	if (status > 0)
		return fail_piece(sc, i);
	return 0;
}

/* Send the statements gathered, if any, and start a new batch. */
static int batch_flush(struct script *sc)
{
	int ret;

	if (sc->count == 0)
		return 0;
	ret = sc->dry ? 0 : batch_run(sc);
	sc->base += (int32_t)sc->count;
	sc->count = 0;
	return ret;
}

/* Add the statement of len bytes at start to the batch, sending the
 * batch first when an empty statement stands between them or the batch
 * would grow too long. */
static int batch_add(struct script *sc, size_t start, size_t len, int32_t line)
{
	struct piece *grown, *prev;

	if (sc->count > 0) {
		prev = &sc->pieces[sc->count - 1];
		if ((semicolons(sc, prev->start + prev->len, start) > 1 ||
		     start + len - sc->pieces[0].start > BATCH_MAX) &&
		    batch_flush(sc) != 0)
			return -1;
	}
	if (sc->count == sc->cap) {
		grown = realloc(sc->pieces,
				(sc->cap ? 2 * sc->cap : 16) * sizeof(*grown));
		if (grown == NULL)
			return fail_nomem(sc->diag);
		sc->pieces = grown;
		sc->cap = sc->cap ? 2 * sc->cap : 16;
	}
	sc->pieces[sc->count].start = start;
	sc->pieces[sc->count].len = len;
	sc->pieces[sc->count].line = line;
	sc->pieces[sc->count].multi = multi_result(sc, start);
	sc->count++;
	return 0;
}

/* Send the statement a delimiter of the script's own ended, starting on
 * line: its statements (there may be several) form one batch. */
static int run_chunk(struct script *sc, const dbshift_stmt *chunk)
{
	dbshift_split s;
	dbshift_stmt stmt;

	dbshift__mysql_host->split_init(&s, sc->sql + chunk->start, chunk->len,
					MYSQL_SPLIT_FLAGS);
	while (dbshift__mysql_host->split_next(&s, &stmt) > 0)
		if (batch_add(sc, chunk->start + stmt.start, stmt.len,
			      chunk->line + stmt.line - 1) != 0)
			return -1;
	return batch_flush(sc);
}

/* Walk the len-byte script statement by statement, sending batches unless
 * dry: a batch ends where a DELIMITER command stands, and each statement
 * a delimiter of the script's own ends is a batch of its own. */
static int walk(MYSQL *db, const char *sql, size_t len, int dry,
		dbshift_diag *diag)
{
	struct script sc;
	dbshift_split s;
	dbshift_stmt stmt;
	uint32_t changes = 0;
	int ret = 0, more = 0;

	memset(&sc, 0, sizeof(sc));
	sc.db = db;
	sc.sql = sql;
	sc.len = len;
	sc.dry = dry;
	sc.diag = diag;
	dbshift__mysql_host->split_init(&sc.tok, sql, len, MYSQL_SPLIT_FLAGS);
	dbshift__mysql_host->split_init(
		&s, sql, len,
		MYSQL_SPLIT_FLAGS | DBSHIFT_SPLIT_DELIMITER_COMMAND);
	while (ret == 0 &&
	       (more = dbshift__mysql_host->split_next(&s, &stmt)) > 0) {
		if (s.delimiter_changes != changes) {
			changes = s.delimiter_changes;
			ret = batch_flush(&sc);
		}
		if (ret != 0)
			break;
		if (s.delimiter_len > 0)
			ret = batch_flush(&sc) != 0 ? -1 :
						      run_chunk(&sc, &stmt);
		else
			ret = batch_add(&sc, stmt.start, stmt.len, stmt.line);
	}
	if (ret == 0 && more < 0)
		ret = fail(diag, 0, "DELIMITER on line %d: %s", (int)stmt.line,
			   s.error);
	if (ret == 0)
		ret = batch_flush(&sc);
	free(sc.pieces);
	return ret;
}

/* Mark diag: the script was refused before any of it was sent. */
static int not_run(dbshift_diag *diag)
{
	if (diag != NULL)
		memcpy(diag->sqlstate, DBSHIFT_SQLSTATE_NOT_RUN,
		       sizeof(DBSHIFT_SQLSTATE_NOT_RUN));
	return -1;
}

/* Run the script: read through once without sending anything, so that a
 * DELIMITER command it cannot read refuses it before any of it ran. */
int dbshift__mysql_script_run(MYSQL *db, const char *sql, size_t len,
			      dbshift_diag *diag)
{
	if (len == 0)
		return 0;
	/* The server's parser would end the statement at a NUL byte. */
	if (dbshift__mysql_host->refuse_nul(sql, len, diag) != 0)
		return -1;
	if (walk(db, sql, len, 1, diag) != 0) {
		/* Out of memory is no fault of the script. */
		if (diag != NULL && strcmp(diag->message, "out of memory") == 0)
			return -1;
		return not_run(diag);
	}
	return walk(db, sql, len, 0, diag);
}
