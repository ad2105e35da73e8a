/* SPDX-License-Identifier: MIT */
/*
 * split.h - cutting a SQL script into statements, the way the dialect's
 * own client would.
 *
 * Two layers: a tokenizer that knows each dialect's strings, quoted names
 * and comments, and a statement iterator on top of it that also knows
 * which ';' are inside a trigger or routine body. Both only read the
 * script; offsets index into it. Nothing here allocates. Drivers reach
 * the same functions through the host table (dbshift_host.split_*).
 *
 * The dialect is not named here: each driver declares what its SQL adds
 * to the standard ('...' strings with '' inside, "..." names, "--" line
 * comments, block comments) as DBSHIFT_SPLIT_* properties in its
 * descriptor (driver.h), for example
 *   PostgreSQL  nested block comments, $tag$ bodies, E'...' strings
 *               (standard_conforming_strings is assumed on, the default
 *               since PostgreSQL 9.1), routine bodies (BEGIN ATOMIC);
 *   MySQL       backslash escapes in '...' and "..." (both strings),
 *               `...` names, "#" comments, "--" a comment only before
 *               white space, "/" "*!" comments as statements (mysqldump
 *               writes them), routine bodies with nested BEGIN, CASE and
 *               END IF/LOOP/WHILE/REPEAT/FOR, MariaDB's BEGIN NOT ATOMIC;
 *               the mysql client's DELIMITER command (split_delim.c);
 *   SQLite      `...` and [...] names, routine bodies (CREATE TRIGGER).
 *
 * A ';' ends a statement unless it is inside parentheses (PostgreSQL's
 * CREATE RULE ... DO (a; b)) or inside the BEGIN ... END body of a CREATE
 * TRIGGER/FUNCTION/PROCEDURE/EVENT statement, where CASE ... END pairs are
 * counted so that an inner END does not close the body. A statement that
 * starts with BEGIN (a transaction: BEGIN; BEGIN WORK; BEGIN ISOLATION
 * LEVEL ...) is an ordinary statement. Keywords are recognised in any
 * case and not after a '.' (new.end is a column).
 *
 * Lines are counted by '\n', so CRLF scripts number lines as editors do.
 */
#ifndef DBSHIFT_SPLIT_H
#define DBSHIFT_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "dbshift/driver.h"

/* The iterator and statement types are the ABI's (driver.h). */
typedef dbshift_split dbshift__split;
typedef dbshift_stmt dbshift__stmt;

/** Token kinds of dbshift__split_token(): DBSHIFT_TOKEN_* of driver.h. */
typedef int32_t dbshift__token;
#define DBSHIFT__TOKEN_SPACE DBSHIFT_TOKEN_SPACE
#define DBSHIFT__TOKEN_COMMENT DBSHIFT_TOKEN_COMMENT
#define DBSHIFT__TOKEN_QUOTED DBSHIFT_TOKEN_QUOTED
#define DBSHIFT__TOKEN_WORD DBSHIFT_TOKEN_WORD
#define DBSHIFT__TOKEN_SYMBOL DBSHIFT_TOKEN_SYMBOL

/**
 * Prepare s to iterate over the len bytes of sql, read with the splitter
 * properties flags (DBSHIFT_SPLIT_*; 0 is standard SQL). sql must stay
 * valid while s is used.
 */
void dbshift__split_init(dbshift__split *s, const char *sql, size_t len,
			 uint64_t flags);

/**
 * Find the next statement: fill *stmt and return 1, or return 0 when only
 * white space, comments and ';' are left. Empty and comment-only
 * statements are skipped, so the n-th call that returns 1 gives the
 * statement of 0-based index n-1. A last statement without ';' counts;
 * an unterminated string or comment runs to the end of the script. The
 * whole script is read once: O(len) over all calls.
 */
int dbshift__split_next(dbshift__split *s, dbshift__stmt *stmt);

/*
 * With DBSHIFT_SPLIT_DELIMITER_COMMAND, dbshift__split_next() also reads
 * the mysql client's DELIMITER commands (split_delim.c): it returns -1
 * for one the client would refuse, with *stmt the command and s->error
 * the reason, and leaves the iterator at the end. Under a delimiter of
 * the script's own each text it ends is one statement.
 */

/** dbshift__split_next() for DBSHIFT_SPLIT_DELIMITER_COMMAND. */
int dbshift__split_delim_next(dbshift__split *s, dbshift__stmt *stmt);

/** One statement ended by ';' from s->pos, DELIMITER commands not
 * looked for (dbshift__split_next() without the property). */
int dbshift__split_plain_next(dbshift__split *s, dbshift__stmt *stmt);

/** Number of '\n' in the bytes [pos, end) of sql. */
int dbshift__split_newlines(const char *sql, size_t pos, size_t end);

/**
 * Read the token that starts at offset pos (pos < s->len) of s's script
 * with s's properties; store its kind in *kind and return the offset just
 * past it. A string, name or comment left open runs to the end. Callers
 * use it to find bytes outside literals, such as '?' placeholders; the
 * iterator state (s->pos, s->line) is neither used nor changed.
 */
size_t dbshift__split_token(const dbshift__split *s, size_t pos,
			    dbshift__token *kind);

/** The 1-based line of byte offset pos of sql ('\n' counted). */
int32_t dbshift__split_line_at(const char *sql, size_t pos);

#endif
