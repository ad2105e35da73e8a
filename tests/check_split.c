/* SPDX-License-Identifier: MIT */
/*
 * check_split.c - the SQL statement splitter (core/split.c): every
 * dialect's strings, names and comments, trigger and routine bodies, line
 * numbers, and the tokenizer the PostgreSQL driver uses for placeholders.
 *
 * Each case writes a script and the statements it must yield, each with
 * the line of its first token. Scripts are copied into buffers of exactly
 * their length, so that reading past the end shows under ASan.
 */
#include "config.h"

#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "split.h"
#include "suites.h"

/* The splitter properties the drivers of these dialects declare (see
 * their descriptors); any other name reads standard SQL with routine
 * bodies, as a 1.0 driver's scripts are read. */
static uint64_t flags_of(const char *dialect)
{
	if (dialect != NULL && strcmp(dialect, "postgres") == 0)
		return DBSHIFT_SPLIT_NESTED_COMMENTS |
		       DBSHIFT_SPLIT_DOLLAR_QUOTES | DBSHIFT_SPLIT_E_STRINGS |
		       DBSHIFT_SPLIT_ROUTINE_BODIES;
	if (dialect != NULL && strcmp(dialect, "mysql-client") == 0)
		return flags_of("mysql") | DBSHIFT_SPLIT_DELIMITER_COMMAND;
	if (dialect != NULL && strcmp(dialect, "mysql") == 0)
		return DBSHIFT_SPLIT_BACKSLASH_ESCAPES |
		       DBSHIFT_SPLIT_BACKTICK_NAMES |
		       DBSHIFT_SPLIT_HASH_COMMENTS | DBSHIFT_SPLIT_DASH_SPACE |
		       DBSHIFT_SPLIT_BANG_COMMENTS |
		       DBSHIFT_SPLIT_ROUTINE_BODIES;
	if (dialect != NULL && strcmp(dialect, "sqlite") == 0)
		return DBSHIFT_SPLIT_BACKTICK_NAMES |
		       DBSHIFT_SPLIT_BRACKET_NAMES |
		       DBSHIFT_SPLIT_ROUTINE_BODIES;
	return DBSHIFT_SPLIT_ROUTINE_BODIES;
}

/* A statement the splitter must yield. */
struct want {
	const char *text;
	int line;
};

/* Split len bytes of sql as dialect and compare with want, a list ended
 * by a NULL text. */
static void assert_split_len(const char *dialect, const char *sql, size_t len,
			     const struct want *want)
{
	char *buf = malloc(len > 0 ? len : 1);
	dbshift__split split;
	dbshift__stmt stmt;
	int n = 0;

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, sql, len);
	dbshift__split_init(&split, buf, len, flags_of(dialect));
	while (dbshift__split_next(&split, &stmt) > 0) {
		ck_assert_msg(want[n].text != NULL,
			      "%s: extra statement %d: '%.*s'", dialect, n,
			      (int)stmt.len, buf + stmt.start);
		ck_assert_msg(stmt.len == strlen(want[n].text) &&
				      memcmp(buf + stmt.start, want[n].text,
					     stmt.len) == 0,
			      "%s: statement %d is '%.*s', not '%s'", dialect,
			      n, (int)stmt.len, buf + stmt.start, want[n].text);
		ck_assert_msg(stmt.line == want[n].line,
			      "%s: statement %d on line %d, not %d", dialect, n,
			      stmt.line, want[n].line);
		n++;
	}
	ck_assert_msg(want[n].text == NULL, "%s: statement %d '%s' missing",
		      dialect, n, want[n].text);
	/* The end stays the end. */
	ck_assert_int_eq(dbshift__split_next(&split, &stmt), 0);
	ck_assert_uint_eq(split.pos, len);
	free(buf);
}

static void assert_split(const char *dialect, const char *sql,
			 const struct want *want)
{
	assert_split_len(dialect, sql, strlen(sql), want);
}

/* How many statements sql holds in dialect. */
static int count_statements(const char *dialect, const char *sql)
{
	dbshift__split split;
	dbshift__stmt stmt;
	int n = 0;

	dbshift__split_init(&split, sql, strlen(sql), flags_of(dialect));
	while (dbshift__split_next(&split, &stmt) > 0)
		n++;
	return n;
}

static const char *const dialects[] = {"postgres", "mysql",	   "sqlite",
				       "other",	   "mysql-client", NULL};

/* The mysql client's DELIMITER command (DBSHIFT_SPLIT_DELIMITER_COMMAND):
 * commands are not statements; a delimiter of the script's own ends one
 * whole text, ';' and all; ';' comes back. */
START_TEST(test_split_delimiter)
{
	static const struct want want[] = {
		{"CREATE TABLE t (x INT)", 1},
		{"CREATE PROCEDURE p()\nBEGIN\n  INSERT INTO t VALUES (1);\n"
		 "  SELECT '$$ in a string';\nEND",
		 3},
		{"CALL p(); CALL p()", 9},
		{"CALL p()", 11},
		{"INSERT INTO t VALUES (2)", 13},
		{"SELECT 3", 14},
		{NULL, 0},
	};
	static const char sql[] = "CREATE TABLE t (x INT);\n"
				  "DELIMITER $$\n"
				  "CREATE PROCEDURE p()\n"
				  "BEGIN\n"
				  "  INSERT INTO t VALUES (1);\n"
				  "  SELECT '$$ in a string';\n"
				  "END$$\n"
				  "-- a comment $$ too\n"
				  "CALL p(); CALL p()$$ $$\n"
				  "delimiter //\n"
				  "CALL p() //\n"
				  "DELIMITER ';' -- back\n"
				  "INSERT INTO t VALUES (2);;\n"
				  "SELECT 3";
	static const struct want word[] = {
		{"SELECT 1", 2}, {"SELECT 2", 3}, {NULL, 0}};
	static const struct want plain[] = {{"DELIMITER $$\nSELECT 1$$", 1},
					    {NULL, 0}};
	dbshift__split split;
	dbshift__stmt stmt;
	int n = 0;

	assert_split("mysql-client", sql, want);
	/* A quoted delimiter, a '#' comment after it, no end delimiter. */
	assert_split("mysql-client",
		     "DELIMITER \"!!\" # note\nSELECT 1!!\nSELECT 2", word);
	/* Without the property DELIMITER is only a word. */
	assert_split("mysql", "DELIMITER $$\nSELECT 1$$", plain);
	/* The commands read are counted; the delimiter in force is shown. */
	dbshift__split_init(&split, sql, strlen(sql), flags_of("mysql-client"));
	while (dbshift__split_next(&split, &stmt) > 0)
		if (++n == 2) {
			ck_assert_uint_eq(split.delimiter_changes, 1);
			ck_assert_str_eq(split.delimiter, "$$");
			ck_assert_uint_eq(split.delimiter_len, 2);
		}
	ck_assert_int_eq(n, 6);
	ck_assert_uint_eq(split.delimiter_changes, 3);
	ck_assert_uint_eq(split.delimiter_len, 0);
	ck_assert_ptr_null(split.error);
}
END_TEST

/* A DELIMITER command the client would refuse: -1, the command as the
 * statement, the reason, and the iterator at the end. */
START_TEST(test_split_delimiter_refused)
{
	static const struct {
		const char *sql;
		const char *command;
		int line;
		const char *why;
	} cases[] = {
		{"SELECT 1;\nDELIMITER\nSELECT 2", "DELIMITER", 2,
		 "no delimiter named"},
		{"DELIMITER a\\b\n", "DELIMITER a\\b", 1, "not a usable"},
		{"DELIMITER 12345678901234567\n", "DELIMITER 12345678901234567",
		 1, "not a usable"},
		{"\nDELIMITER $$ and more  \nSELECT 1$$",
		 "DELIMITER $$ and more", 2, "one delimiter"},
		{"DELIMITER '$$\nSELECT 1$$", "DELIMITER '$$", 1,
		 "unterminated quote"},
		{"DELIMITER \"$$", "DELIMITER \"$$", 1, "unterminated quote"},
	};
	dbshift__split split;
	dbshift__stmt stmt;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *sql = cases[i].sql;

		dbshift__split_init(&split, sql, strlen(sql),
				    flags_of("mysql-client"));
		while (dbshift__split_next(&split, &stmt) > 0)
			;
		ck_assert_ptr_nonnull(split.error);
		ck_assert_msg(strstr(split.error, cases[i].why) != NULL,
			      "%s: %s", sql, split.error);
		ck_assert_int_eq(stmt.line, cases[i].line);
		ck_assert_uint_eq(stmt.len, strlen(cases[i].command));
		ck_assert(memcmp(sql + stmt.start, cases[i].command,
				 stmt.len) == 0);
		ck_assert_int_eq(dbshift__split_next(&split, &stmt), 0);
	}
	/* 16 bytes is the limit, and is accepted. */
	ck_assert_int_eq(count_statements("mysql-client",
					  "DELIMITER 1234567890123456\nSELECT "
					  "1 1234567890123456"),
			 1);
}
END_TEST

/* An iterator declared by a driver built against a 1.1 header ends at
 * flags: without the DELIMITER property nothing past it is written. */
START_TEST(test_split_old_iterator_untouched)
{
	unsigned char buf[sizeof(dbshift__split)];
	dbshift__split *split = (dbshift__split *)(void *)buf;
	size_t old_size = offsetof(dbshift__split, error), i;
	dbshift__stmt stmt;
	int n = 0;

	memset(buf, 0xA5, sizeof(buf));
	dbshift__split_init(split, "SELECT 1; SELECT 2", 18, flags_of("mysql"));
	while (dbshift__split_next(split, &stmt) > 0)
		n++;
	ck_assert_int_eq(n, 2);
	for (i = old_size; i < sizeof(buf); i++)
		ck_assert_uint_eq(buf[i], 0xA5);
}
END_TEST

START_TEST(test_split_empty)
{
	static const struct want none[] = {{NULL, 0}};
	size_t i;

	for (i = 0; dialects[i] != NULL; i++) {
		assert_split(dialects[i], "", none);
		assert_split(dialects[i], "  \n\t\r\n  ", none);
		assert_split(dialects[i], ";", none);
		assert_split(dialects[i], ";\n;;  ;", none);
		assert_split_len(dialects[i], "SELECT 1", 0, none);
	}
	dbshift__split_init(&(dbshift__split){0}, NULL, 5, flags_of(NULL));
	assert_split(NULL, "", none);
}
END_TEST

START_TEST(test_split_comment_only)
{
	static const struct want none[] = {{NULL, 0}};
	size_t i;

	for (i = 0; dialects[i] != NULL; i++) {
		assert_split(dialects[i], "-- only a comment", none);
		assert_split(dialects[i],
			     "-- a comment\n/* and a block\n"
			     " comment; */\n;\n-- ;\n",
			     none);
		assert_split(dialects[i], "/* never closed; SELECT 1;", none);
	}
	assert_split("mysql", "# a MySQL comment; SELECT 1\n", none);
}
END_TEST

START_TEST(test_split_basic)
{
	static const struct want want[] = {
		{"CREATE TABLE a (x INTEGER)", 1},
		{"INSERT INTO a VALUES (1)", 2},
		{"INSERT INTO a VALUES (2)", 2},
		{"SELECT x\n  FROM a", 4},
		{NULL, 0},
	};
	static const char sql[] = "CREATE TABLE a (x INTEGER);\n"
				  "INSERT INTO a VALUES (1); INSERT INTO a "
				  "VALUES (2) ;\n"
				  "\n"
				  "SELECT x\n"
				  "  FROM a;\n";
	size_t i;

	for (i = 0; dialects[i] != NULL; i++)
		assert_split(dialects[i], sql, want);
}
END_TEST

/* The last statement needs no ';'; trailing filler is not part of it. */
START_TEST(test_split_trailing)
{
	static const struct want want[] = {
		{"SELECT 1", 1},
		{"SELECT 2 /* inner */ + 3", 3},
		{NULL, 0},
	};
	size_t i;

	for (i = 0; dialects[i] != NULL; i++)
		assert_split(dialects[i],
			     "SELECT 1;\n-- next\nSELECT 2 /* inner */ + 3 "
			     "-- done\n\n",
			     want);
}
END_TEST

/* A statement's line is that of its first token, after any comment. */
START_TEST(test_split_lines)
{
	static const struct want want[] = {
		{"CREATE TABLE a (x INTEGER)", 2},
		{"INSERT INTO a VALUES (1)", 4},
		{"INSERT INTO a VALUES (1,, 2)", 7},
		{"CREATE TABLE b (\n  y INTEGER,\n  z TEXT DEFAULT 'a\nb'\n)",
		 8},
		{"SELECT 'x'", 12},
		{NULL, 0},
	};
	static const char sql[] = "-- create and fill\n"	      /* 1 */
				  "CREATE TABLE a (x INTEGER);\n"     /* 2 */
				  ";\n"				      /* 3 */
				  "INSERT INTO a VALUES (1);\n"	      /* 4 */
				  "/* the next statement\n"	      /* 5 */
				  "   is broken */\n"		      /* 6 */
				  "  INSERT INTO a VALUES (1,, 2);\n" /* 7 */
				  "CREATE TABLE b (\n"		      /* 8 */
				  "  y INTEGER,\n"		      /* 9 */
				  "  z TEXT DEFAULT 'a\nb'\n" /* 10,11 */
				  ");SELECT 'x'";	      /* 12 */
	size_t i;

	for (i = 0; dialects[i] != NULL; i++)
		assert_split(dialects[i], sql, want);
}
END_TEST

START_TEST(test_split_crlf)
{
	static const struct want want[] = {
		{"SELECT 1", 1},
		{"SELECT\r\n  2", 3},
		{"SELECT 3", 6},
		{NULL, 0},
	};
	size_t i;

	for (i = 0; dialects[i] != NULL; i++)
		assert_split(dialects[i],
			     "SELECT 1;\r\n\r\nSELECT\r\n  2;\r\n-- c;\r\n"
			     "SELECT 3\r\n",
			     want);
}
END_TEST

/* '...' with '' inside and "..." hold ';' in every dialect. */
START_TEST(test_split_quotes)
{
	static const struct want want[] = {
		{"INSERT INTO t VALUES ('a;b', 'it''s; here', '')", 1},
		{"SELECT \"we;ird\"\"name\" FROM t", 2},
		{"SELECT ''''", 3},
		{NULL, 0},
	};
	size_t i;

	for (i = 0; dialects[i] != NULL; i++)
		assert_split(
			dialects[i],
			"INSERT INTO t VALUES ('a;b', 'it''s; here', '');\n"
			"SELECT \"we;ird\"\"name\" FROM t;\n"
			"SELECT '''';",
			want);
}
END_TEST

START_TEST(test_split_comments)
{
	static const struct want want[] = {
		{"SELECT 1 -- ; not the end\n, 2", 1},
		{"SELECT /* ; */ 3", 3},
		{NULL, 0},
	};
	size_t i;

	for (i = 0; dialects[i] != NULL; i++)
		assert_split(dialects[i],
			     "SELECT 1 -- ; not the end\n, 2;\n"
			     "/* ; */ SELECT /* ; */ 3;",
			     want);
}
END_TEST

/* PostgreSQL's block comments nest; the others' do not. */
START_TEST(test_split_nested_comments)
{
	static const char sql[] =
		"/* outer /* inner; */ still comment; */ SELECT 1;";
	static const struct want pg[] = {{"SELECT 1", 1}, {NULL, 0}};
	static const struct want flat[] = {
		{"still comment", 1},
		{"*/ SELECT 1", 1},
		{NULL, 0},
	};

	assert_split("postgres", sql, pg);
	assert_split("sqlite", sql, flat);
	assert_split("mysql", sql, flat);
}
END_TEST

START_TEST(test_split_dollar_quotes)
{
	static const struct want want[] = {
		{"SELECT $$a;b$$", 1},
		{"SELECT $fn$ $$ ; $ $fn $fn$", 1},
		{"SELECT $1, $2", 2},
		{"SELECT a$b$c, $_x$;$_x$", 2},
		{"SELECT $q$it's; 'quoted'$q$", 3},
		{NULL, 0},
	};

	assert_split("postgres",
		     "SELECT $$a;b$$; SELECT $fn$ $$ ; $ $fn $fn$;\n"
		     "SELECT $1, $2; SELECT a$b$c, $_x$;$_x$;\n"
		     "SELECT $q$it's; 'quoted'$q$",
		     want);
	/* Dollars quote nothing elsewhere. */
	ck_assert_int_eq(count_statements("sqlite", "SELECT $$a;b$$"), 2);
	/* An unterminated body runs to the end. */
	ck_assert_int_eq(count_statements("postgres", "SELECT $$a; SELECT 2"),
			 1);
}
END_TEST

/* E'...' takes backslash escapes in PostgreSQL; '...' does not. */
START_TEST(test_split_escape_strings)
{
	static const struct want want[] = {
		{"SELECT E'it\\'s; here'", 1},
		{"SELECT e'\\\\'", 1},
		{"SELECT 'a\\'", 2},
		{"SELECT name'x'", 2},
		{NULL, 0},
	};

	assert_split("postgres",
		     "SELECT E'it\\'s; here'; SELECT e'\\\\';\n"
		     "SELECT 'a\\'; SELECT name'x';",
		     want);
}
END_TEST

START_TEST(test_split_mysql)
{
	static const struct want want[] = {
		{"INSERT INTO t VALUES ('it\\'s; \\\\', \"a\\\";b\")", 1},
		{"SELECT `we;ird``name` FROM t", 2},
		{"SELECT 1--1", 4},
		{"SELECT 2 -- c;\n, 3", 5},
		{"/*!40101 SET NAMES utf8mb4 */", 8},
		{"SELECT 4", 8},
		{NULL, 0},
	};

	assert_split("mysql",
		     "INSERT INTO t VALUES ('it\\'s; \\\\', \"a\\\";b\");\n"
		     "SELECT `we;ird``name` FROM t;\n"
		     "# a comment; with a semicolon\n"
		     "SELECT 1--1;\n"
		     "SELECT 2 -- c;\n, 3;\n"
		     "/* plain; */\n"
		     "/*!40101 SET NAMES utf8mb4 */;SELECT 4",
		     want);
	/* "--1" is a comment in PostgreSQL, "#" and backslashes nothing. */
	ck_assert_int_eq(count_statements("postgres", "SELECT 1--1;\nSELECT 2"),
			 1);
	ck_assert_int_eq(count_statements("postgres", "SELECT 'a\\'; SELECT 2"),
			 2);
	ck_assert_int_eq(count_statements("postgres", "SELECT 1 # 2; SELECT 3"),
			 2);
	ck_assert_int_eq(count_statements("postgres", "/*!1 a */; SELECT 1"),
			 1);
}
END_TEST

START_TEST(test_split_sqlite_names)
{
	static const struct want want[] = {
		{"SELECT [a;b], `c;d` FROM t", 1},
		{"SELECT 1", 1},
		{NULL, 0},
	};

	assert_split("sqlite", "SELECT [a;b], `c;d` FROM t; SELECT 1", want);
}
END_TEST

/* A SQLite trigger body holds statements and CASE ... END expressions. */
START_TEST(test_split_sqlite_trigger)
{
	static const char trigger[] =
		"CREATE TRIGGER a_log AFTER INSERT ON a\n"
		"WHEN new.x IS NOT NULL\n"
		"BEGIN\n"
		"  INSERT INTO log VALUES (CASE WHEN new.x > 0 THEN 'pos;'"
		" ELSE 'neg' END);\n"
		"  UPDATE a SET x = CASE new.x WHEN 1 THEN 2 ELSE 3 END\n"
		"    WHERE rowid = new.rowid;\n"
		"  SELECT CASE WHEN 1 THEN CASE WHEN 2 THEN 3 END END;\n"
		"  UPDATE a SET y = new.end;\n"
		"END";
	static const struct want want[] = {
		{"CREATE TABLE a (x INTEGER, y, \"end\")", 1},
		{trigger, 2},
		{"SELECT 1", 11},
		{NULL, 0},
	};
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "CREATE TABLE a (x INTEGER, y, \"end\");\n%s;\nSELECT 1;\n",
		 trigger);
	assert_split("sqlite", sql, want);
	assert_split("other", sql, want);
}
END_TEST

/* BEGIN first is a transaction, not a body; so is END first. */
START_TEST(test_split_begin_transaction)
{
	static const struct want want[] = {
		{"BEGIN", 1},	   {"CREATE TABLE a (x INTEGER)", 2},
		{"COMMIT", 3},	   {"begin transaction", 4},
		{"BEGIN WORK", 4}, {"BEGIN ISOLATION LEVEL SERIALIZABLE", 5},
		{"end", 5},	   {"BEGIN", 6},
		{NULL, 0},
	};
	size_t i;

	for (i = 0; dialects[i] != NULL; i++)
		assert_split(dialects[i],
			     "BEGIN;\nCREATE TABLE a (x INTEGER);\nCOMMIT;\n"
			     "begin transaction; BEGIN WORK;\n"
			     "BEGIN ISOLATION LEVEL SERIALIZABLE; end;\n"
			     "BEGIN",
			     want);
}
END_TEST

/* A column or table named like a keyword opens no body. */
START_TEST(test_split_keyword_names)
{
	size_t i;

	for (i = 0; dialects[i] != NULL; i++) {
		ck_assert_int_eq(
			count_statements(dialects[i],
					 "CREATE TABLE t (begin INTEGER, case "
					 "INTEGER); SELECT t.begin, t.case "
					 "FROM t; SELECT 1"),
			3);
		ck_assert_int_eq(count_statements(dialects[i],
						  "CREATE VIEW v AS SELECT "
						  "t.begin FROM t; SELECT 1"),
				 2);
	}
}
END_TEST

static const char plpgsql[] =
	"CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger\n"
	"LANGUAGE plpgsql AS $body$\n"
	"DECLARE\n"
	"  n integer := 0;\n"
	"BEGIN\n"
	"  -- keep the time stamp fresh; always\n"
	"  NEW.updated_at := now();\n"
	"  IF NEW.note = 'x;y' THEN\n"
	"    RAISE NOTICE 'semicolon; inside %', $$quoted$$;\n"
	"  END IF;\n"
	"  /* a /* nested */ comment; */\n"
	"  RETURN NEW;\n"
	"END;\n"
	"$body$";

START_TEST(test_split_plpgsql)
{
	static const struct want want[] = {
		{"CREATE TABLE t (id bigint, note text, updated_at "
		 "timestamptz)",
		 1},
		{plpgsql, 2},
		{"CREATE TRIGGER t_upd BEFORE UPDATE ON t FOR EACH ROW\n"
		 "EXECUTE FUNCTION set_updated_at()",
		 16},
		{"DO $$ BEGIN PERFORM 1; END $$", 18},
		{"COMMENT ON FUNCTION set_updated_at() IS E'sets; \\'it\\''",
		 19},
		{NULL, 0},
	};
	char sql[2048];

	snprintf(sql, sizeof(sql),
		 "CREATE TABLE t (id bigint, note text, updated_at "
		 "timestamptz);\n"
		 "%s;\n"
		 "CREATE TRIGGER t_upd BEFORE UPDATE ON t FOR EACH ROW\n"
		 "EXECUTE FUNCTION set_updated_at();\n"
		 "DO $$ BEGIN PERFORM 1; END $$;\n"
		 "COMMENT ON FUNCTION set_updated_at() IS E'sets; \\'it\\'';\n",
		 plpgsql);
	assert_split("postgres", sql, want);
}
END_TEST

/* SQL-standard bodies: BEGIN ATOMIC ... END with CASE inside. */
START_TEST(test_split_begin_atomic)
{
	static const char fn[] =
		"CREATE FUNCTION sign_of(x int) RETURNS int LANGUAGE sql\n"
		"BEGIN ATOMIC\n"
		"  SELECT CASE WHEN x > 0 THEN 1 WHEN x < 0 THEN -1 ELSE 0 "
		"END;\n"
		"END";
	static const char proc[] = "CREATE PROCEDURE ins() LANGUAGE sql "
				   "BEGIN ATOMIC INSERT INTO t VALUES (1); "
				   "INSERT INTO t VALUES (2); END";
	static const struct want want[] = {
		{fn, 1},
		{proc, 5},
		{"CALL ins()", 5},
		{NULL, 0},
	};
	char sql[1024];

	snprintf(sql, sizeof(sql), "%s;\n%s; CALL ins();", fn, proc);
	assert_split("postgres", sql, want);
}
END_TEST

/* What the core splits for a no-transaction PostgreSQL migration. */
START_TEST(test_split_concurrently)
{
	static const struct want want[] = {
		{"CREATE INDEX CONCURRENTLY users_email ON users (email)", 2},
		{"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_name\n"
		 "  ON users (lower(name)) WHERE (deleted_at IS NULL)",
		 3},
		{"ALTER TYPE mood ADD VALUE 'meh;'", 5},
		{NULL, 0},
	};

	assert_split(
		"postgres",
		"-- dbshift:no-transaction\n"
		"CREATE INDEX CONCURRENTLY users_email ON users (email);\n"
		"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_name\n"
		"  ON users (lower(name)) WHERE (deleted_at IS NULL);\n"
		"ALTER TYPE mood ADD VALUE 'meh;';\n",
		want);
}
END_TEST

/* A ';' inside parentheses does not end a statement (CREATE RULE). */
START_TEST(test_split_parentheses)
{
	static const struct want want[] = {
		{"CREATE RULE r AS ON INSERT TO t DO INSTEAD\n"
		 "  (INSERT INTO a VALUES (new.x); INSERT INTO b VALUES "
		 "(new.x))",
		 1},
		{"SELECT 1", 3},
		{NULL, 0},
	};

	assert_split("postgres",
		     "CREATE RULE r AS ON INSERT TO t DO INSTEAD\n"
		     "  (INSERT INTO a VALUES (new.x); INSERT INTO b VALUES "
		     "(new.x));\n"
		     "SELECT 1;",
		     want);
}
END_TEST

static const char mysql_procedure[] =
	"CREATE DEFINER=`root`@`%` PROCEDURE fill(IN n INT)\n"
	"BEGIN\n"
	"  DECLARE i INT DEFAULT 0;\n"
	"  WHILE i < n DO\n"
	"    INSERT INTO t VALUES (i, 'a\\';b');\n"
	"    SET i = i + 1;\n"
	"  END WHILE;\n"
	"  IF i > 5 THEN\n"
	"    SELECT 'big;';\n"
	"  ELSE\n"
	"    inner_block: BEGIN\n"
	"      SELECT IF(i > 1, 'some', 'one');\n"
	"    END inner_block;\n"
	"  END IF;\n"
	"  CASE i WHEN 1 THEN SELECT 1; ELSE SELECT 2; END CASE;\n"
	"  REPEAT SET i = i - 1; UNTIL i = 0 END REPEAT;\n"
	"  lbl: LOOP LEAVE lbl; END LOOP lbl;\n"
	"END";

START_TEST(test_split_mysql_routines)
{
	static const char trigger[] =
		"CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW\n"
		"BEGIN\n"
		"  SET NEW.note = CASE WHEN NEW.id > 0 THEN 'p;' ELSE 'n' "
		"END;\n"
		"END";
	static const struct want want[] = {
		{mysql_procedure, 1},
		{trigger, 19},
		{"BEGIN NOT ATOMIC SELECT 1; SELECT 2; END", 23},
		{"CALL fill(3)", 24},
		{NULL, 0},
	};
	char sql[2048];

	snprintf(sql, sizeof(sql),
		 "%s;\n%s;\nBEGIN NOT ATOMIC SELECT 1; SELECT 2; END;\n"
		 "CALL fill(3);",
		 mysql_procedure, trigger);
	assert_split("mysql", sql, want);
}
END_TEST

/* Strings and comments left open run to the end of the script. */
START_TEST(test_split_unterminated)
{
	size_t i;

	for (i = 0; dialects[i] != NULL; i++) {
		ck_assert_int_eq(
			count_statements(dialects[i], "SELECT 'abc; SELECT 2"),
			1);
		ck_assert_int_eq(
			count_statements(dialects[i], "SELECT \"abc; SELECT 2"),
			1);
		ck_assert_int_eq(count_statements(dialects[i],
						  "SELECT 1; /* x; SELECT 2"),
				 1);
		ck_assert_int_eq(count_statements(dialects[i], "SELECT 'a''"),
				 1);
		ck_assert_int_eq(count_statements(dialects[i], "SELECT 1 -"),
				 1);
		ck_assert_int_eq(count_statements(dialects[i], "SELECT 1 /"),
				 1);
	}
	ck_assert_int_eq(count_statements("mysql", "SELECT 'a\\"), 1);
	ck_assert_int_eq(count_statements("postgres", "SELECT E'a\\"), 1);
	ck_assert_int_eq(count_statements("postgres", "SELECT $"), 1);
	ck_assert_int_eq(count_statements("postgres", "SELECT $a"), 1);
	ck_assert_int_eq(count_statements("sqlite", "SELECT [a; b"), 1);
	ck_assert_int_eq(
		count_statements("sqlite", "CREATE TRIGGER t BEGIN SELECT 1;"),
		1);
}
END_TEST

/* The tokenizer finds the '?' that are placeholders. */
START_TEST(test_split_tokens)
{
	static const char sql[] = "SELECT ?, '?', \"?\", $$?$$, $t$?$t$, "
				  "E'\\'?', -- ?\n /* ? /* ? */ ? */ ?";
	size_t pos, end, len = strlen(sql);
	dbshift__split split;
	dbshift__token kind;
	int marks = 0, words = 0;

	dbshift__split_init(&split, sql, len, flags_of("postgres"));
	for (pos = 0; pos < len; pos = end) {
		end = dbshift__split_token(&split, pos, &kind);
		ck_assert_uint_gt(end, pos);
		ck_assert_uint_le(end, len);
		marks += kind == DBSHIFT__TOKEN_SYMBOL && sql[pos] == '?';
		words += kind == DBSHIFT__TOKEN_WORD;
	}
	ck_assert_int_eq(marks, 2);
	ck_assert_int_eq(words, 1);
	/* The tokenizer leaves the iterator alone. */
	ck_assert_uint_eq(split.pos, 0);
	ck_assert_int_eq(split.line, 1);

	dbshift__split_init(&split, "a$b $1 `x` #c", 13, flags_of("mysql"));
	ck_assert_uint_eq(dbshift__split_token(&split, 0, &kind), 3);
	ck_assert_int_eq(kind, DBSHIFT__TOKEN_WORD);
	ck_assert_uint_eq(dbshift__split_token(&split, 4, &kind), 5);
	ck_assert_int_eq(kind, DBSHIFT__TOKEN_SYMBOL);
	ck_assert_uint_eq(dbshift__split_token(&split, 7, &kind), 10);
	ck_assert_int_eq(kind, DBSHIFT__TOKEN_QUOTED);
	ck_assert_uint_eq(dbshift__split_token(&split, 11, &kind), 13);
	ck_assert_int_eq(kind, DBSHIFT__TOKEN_COMMENT);
}
END_TEST

/* One pass: a long script splits in time linear in its length. */
START_TEST(test_split_long)
{
	static const char unit[] = "INSERT INTO t VALUES ('a;b'); -- c\n";
	size_t n = 20000, i, len = n * (sizeof(unit) - 1);
	char *sql = malloc(len);
	dbshift__split split;
	dbshift__stmt stmt;
	size_t count = 0;

	ck_assert_ptr_nonnull(sql);
	for (i = 0; i < n; i++)
		memcpy(sql + i * (sizeof(unit) - 1), unit, sizeof(unit) - 1);
	dbshift__split_init(&split, sql, len, flags_of("postgres"));
	while (dbshift__split_next(&split, &stmt)) {
		ck_assert_int_eq(stmt.line, (int)count + 1);
		count++;
	}
	ck_assert_uint_eq(count, n);
	free(sql);
}
END_TEST

Suite *split_suite(void)
{
	Suite *s = suite_create("split");
	TCase *tc = tcase_create("split");

	tcase_add_test(tc, test_split_empty);
	tcase_add_test(tc, test_split_comment_only);
	tcase_add_test(tc, test_split_basic);
	tcase_add_test(tc, test_split_trailing);
	tcase_add_test(tc, test_split_lines);
	tcase_add_test(tc, test_split_crlf);
	tcase_add_test(tc, test_split_quotes);
	tcase_add_test(tc, test_split_comments);
	tcase_add_test(tc, test_split_nested_comments);
	tcase_add_test(tc, test_split_dollar_quotes);
	tcase_add_test(tc, test_split_escape_strings);
	tcase_add_test(tc, test_split_mysql);
	tcase_add_test(tc, test_split_sqlite_names);
	tcase_add_test(tc, test_split_sqlite_trigger);
	tcase_add_test(tc, test_split_begin_transaction);
	tcase_add_test(tc, test_split_keyword_names);
	tcase_add_test(tc, test_split_plpgsql);
	tcase_add_test(tc, test_split_begin_atomic);
	tcase_add_test(tc, test_split_concurrently);
	tcase_add_test(tc, test_split_parentheses);
	tcase_add_test(tc, test_split_mysql_routines);
	tcase_add_test(tc, test_split_unterminated);
	tcase_add_test(tc, test_split_tokens);
	tcase_add_test(tc, test_split_long);
	tcase_add_test(tc, test_split_delimiter);
	tcase_add_test(tc, test_split_delimiter_refused);
	tcase_add_test(tc, test_split_old_iterator_untouched);
	suite_add_tcase(s, tc);
	return s;
}
