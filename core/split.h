/* SPDX-License-Identifier: MIT */
/*
 * split.h - cutting a SQL script into statements, the way the dialect's
 * own client would.
 *
 * Two layers: a tokenizer that knows each dialect's strings, quoted names
 * and comments, and a statement iterator on top of it that also knows
 * which ';' are inside a trigger or routine body. Both only read the
 * script; offsets index into it. Nothing here allocates, and nothing here
 * depends on other core files (the PostgreSQL driver compiles this file
 * into its own module).
 *
 * What each dialect adds to standard SQL ('...' strings with '' inside,
 * "..." names, "--" line comments, block comments):
 *   postgres  nested block comments; $$...$$ and $tag$...$tag$ bodies;
 *             E'...' strings with backslash escapes (standard_conforming_
 *             strings is assumed on, the default since PostgreSQL 9.1);
 *             BEGIN ATOMIC ... END bodies of CREATE FUNCTION/PROCEDURE.
 *   mysql     backslash escapes in '...' and "..." (both are strings);
 *             `...` names; "#" comments; "--" starts a comment only when
 *             white space or a control character follows; a "/" "*!"
 *             comment is a statement (mysqldump writes them), not filler;
 *             BEGIN ... END bodies of CREATE TRIGGER/PROCEDURE/FUNCTION/
 *             EVENT with nested BEGIN, CASE and END IF/LOOP/WHILE/REPEAT/
 *             FOR; MariaDB's top-level BEGIN NOT ATOMIC ... END. The
 *             mysql client's DELIMITER command is not SQL and not
 *             understood.
 *   sqlite    `...` and [...] names; BEGIN ... END bodies of CREATE
 *             TRIGGER.
 * Any other dialect name gets standard SQL plus BEGIN ... END bodies.
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

/** Token kinds of dbshift__split_token(). */
typedef enum dbshift__token {
	DBSHIFT__TOKEN_SPACE,	/* white space */
	DBSHIFT__TOKEN_COMMENT, /* a comment (filler) */
	DBSHIFT__TOKEN_QUOTED,	/* a string, quoted name or dollar body */
	DBSHIFT__TOKEN_WORD,	/* a name, keyword or number */
	DBSHIFT__TOKEN_SYMBOL	/* any other single byte, ';' '(' '?' ... */
} dbshift__token;

/** An iterator over one script. Fill it with dbshift__split_init(). */
typedef struct dbshift__split {
	const char *sql; /* the script, not necessarily NUL-terminated */
	size_t len;	 /* its length in bytes */
	size_t pos;	 /* where the search for the next statement starts */
	int line;	 /* the 1-based line of pos */
	unsigned flags;	 /* the dialect's features (split.c) */
} dbshift__split;

/** One statement found by dbshift__split_next(). */
typedef struct dbshift__stmt {
	size_t start; /* offset of its first token */
	size_t len;   /* bytes up to the end of its last token: no
			 trailing ';', white space or comment */
	int line;     /* 1-based line of its first token */
} dbshift__stmt;

/**
 * Prepare s to iterate over the len bytes of sql, read as dialect
 * ("postgres" or "pg", "mysql" or "mariadb", "sqlite"; NULL or anything
 * else: standard SQL). sql must stay valid while s is used.
 */
void dbshift__split_init(dbshift__split *s, const char *sql, size_t len,
			 const char *dialect);

/**
 * Find the next statement: fill *stmt and return 1, or return 0 when only
 * white space, comments and ';' are left. Empty and comment-only
 * statements are skipped, so the n-th call that returns 1 gives the
 * statement of 0-based index n-1. A last statement without ';' counts;
 * an unterminated string or comment runs to the end of the script. The
 * whole script is read once: O(len) over all calls.
 */
int dbshift__split_next(dbshift__split *s, dbshift__stmt *stmt);

/**
 * Read the token that starts at offset pos (pos < s->len) of s's script
 * with s's dialect; store its kind in *kind and return the offset just
 * past it. A string, name or comment left open runs to the end. Callers
 * use it to find bytes outside literals, such as '?' placeholders; the
 * iterator state (s->pos, s->line) is neither used nor changed.
 */
size_t dbshift__split_token(const dbshift__split *s, size_t pos,
			    dbshift__token *kind);

#endif
