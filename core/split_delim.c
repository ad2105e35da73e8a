/* SPDX-License-Identifier: MIT */
/*
 * split_delim.c - the mysql client's DELIMITER command, for dialects whose
 * driver declares DBSHIFT_SPLIT_DELIMITER_COMMAND.
 *
 * Migration sets written for the mysql client wrap routine bodies in
 * "DELIMITER $$" ... "DELIMITER ;". The client reads the command at the
 * start of a statement, on a line of its own; from then on the delimiter
 * (outside strings and comments) ends what it sends, and each text so
 * ended goes to the server as written, ';' and all. The splitter reads
 * scripts the same way: a DELIMITER command is not a statement; under a
 * delimiter of the script's own each text it ends is one statement (the
 * MySQL driver splits it further only to count results); under ';'
 * statements are found as split.c finds them.
 *
 * The argument is the next word on the line, or a quoted text without
 * its quotes; a comment may follow it, nothing else. It may not hold a
 * backslash or be longer than DBSHIFT_SPLIT_DELIMITER_MAX bytes.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "split.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Skip white space, comments and, under ';', empty statements from s->pos,
 * counting lines. */
static void skip_filler(dbshift__split *s)
{
	dbshift__token kind;
	size_t end;

	while (s->pos < s->len) {
		end = dbshift__split_token(s, s->pos, &kind);
		if (kind != DBSHIFT__TOKEN_SPACE &&
		    kind != DBSHIFT__TOKEN_COMMENT &&
		    !(kind == DBSHIFT__TOKEN_SYMBOL && s->delimiter_len == 0 &&
		      s->sql[s->pos] == ';'))
			break;
		s->line += dbshift__split_newlines(s->sql, s->pos, end);
		s->pos = end;
	}
}

/* Stop at a DELIMITER command the client would refuse: *stmt is the
 * command up to the end of its line, and the iterator goes to the end. */
static int refuse(dbshift__split *s, dbshift__stmt *stmt, const char *why)
{
	const char *nl = memchr(s->sql + s->pos, '\n', s->len - s->pos);
	size_t stop = nl != NULL ? (size_t)(nl - s->sql) : s->len;

	while (stop > s->pos && is_blank(s->sql[stop - 1]))
		stop--;
	stmt->start = s->pos;
	stmt->len = stop - s->pos;
	stmt->line = s->line;
	s->error = why;
	s->pos = s->len;
	return -1;
}

/*
 * Read the DELIMITER command at s->pos whose word ends at pos. On success
 * the delimiter changes and s->pos moves to the end of the line.
 */
static int command(dbshift__split *s, size_t pos, dbshift__stmt *stmt)
{
	const char *sql = s->sql;
	size_t arg, arg_len;
	char quote;

	while (pos < s->len && is_blank(sql[pos]))
		pos++;
	arg = pos;
	quote = pos < s->len ? sql[pos] : '\0';
	if (quote == '\'' || quote == '"' || quote == '`') {
		arg = ++pos;
		while (pos < s->len && sql[pos] != quote && sql[pos] != '\n')
			pos++;
		if (pos == s->len || sql[pos] != quote)
			return refuse(s, stmt, "unterminated quote");
		arg_len = pos++ - arg;
	} else {
		while (pos < s->len && !is_blank(sql[pos]) && sql[pos] != '\n')
			pos++;
		arg_len = pos - arg;
	}
	if (arg_len == 0)
		return refuse(s, stmt, "no delimiter named");
	if (arg_len > DBSHIFT_SPLIT_DELIMITER_MAX ||
	    memchr(sql + arg, '\\', arg_len) != NULL)
		return refuse(s, stmt,
			      "not a usable delimiter (at most 16 bytes, "
			      "no backslash)");
	while (pos < s->len && is_blank(sql[pos]))
		pos++;
	if (pos < s->len &&
	    (sql[pos] == '#' || (sql[pos] == '-' && pos + 2 < s->len &&
				 sql[pos + 1] == '-' && sql[pos + 2] == ' ')))
		while (pos < s->len && sql[pos] != '\n')
			pos++;
	if (pos < s->len && sql[pos] != '\n')
		return refuse(s, stmt,
			      "one delimiter, then the end of the line");
	if (arg_len == 1 && sql[arg] == ';')
		arg_len = 0;
	memcpy(s->delimiter, sql + arg, arg_len);
	s->delimiter[arg_len] = '\0';
	s->delimiter_len = (uint32_t)arg_len;
	s->delimiter_changes++;
	s->pos = pos;
	return 0;
}

/* Offset of the first delimiter outside strings and comments at or after
 * pos, or the script's length; *last_end gets the end of the last token
 * before it that is not filler. */
static size_t find_delimiter(const dbshift__split *s, size_t pos,
			     size_t *last_end)
{
	size_t dlen = s->delimiter_len, end, p;
	dbshift__token kind;

	*last_end = pos;
	while (pos < s->len) {
		end = dbshift__split_token(s, pos, &kind);
		if (kind == DBSHIFT__TOKEN_WORD ||
		    kind == DBSHIFT__TOKEN_SYMBOL)
			for (p = pos; p < end; p++)
				if (p + dlen <= s->len &&
				    memcmp(s->sql + p, s->delimiter, dlen) ==
					    0) {
					if (p > pos)
						*last_end = p;
					return p;
				}
		if (kind != DBSHIFT__TOKEN_SPACE &&
		    kind != DBSHIFT__TOKEN_COMMENT)
			*last_end = end;
		pos = end;
	}
	return s->len;
}

/* Is the token [pos, end) the word DELIMITER, in any case? */
static int is_command(const dbshift__split *s, size_t pos, size_t end,
		      dbshift__token kind)
{
	return kind == DBSHIFT__TOKEN_WORD && end - pos == 9 &&
	       strncasecmp(s->sql + pos, "DELIMITER", 9) == 0;
}

int dbshift__split_delim_next(dbshift__split *s, dbshift__stmt *stmt)
{
	dbshift__token kind;
	size_t end, stop, last_end, next;

	for (;;) {
		skip_filler(s);
		if (s->pos >= s->len)
			return 0;
		end = dbshift__split_token(s, s->pos, &kind);
		if (is_command(s, s->pos, end, kind)) {
			if (command(s, end, stmt) != 0)
				return -1;
			continue;
		}
		if (s->delimiter_len == 0)
			return dbshift__split_plain_next(s, stmt);
		stop = find_delimiter(s, s->pos, &last_end);
		next = stop < s->len ? stop + s->delimiter_len : s->len;
		stmt->start = s->pos;
		stmt->len = last_end - s->pos;
		stmt->line = s->line;
		s->line += dbshift__split_newlines(s->sql, s->pos, next);
		s->pos = next;
		if (stmt->len > 0)
			return 1;
	}
}
