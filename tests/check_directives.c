/* SPDX-License-Identifier: MIT */
/*
 * check_directives.c - tests of the "-- dbshift:..." directives read from
 * the top of an up script, and of dialect tokens (core/directives.c).
 */
#include <check.h>
#include <string.h>

#include "dialect.h"
#include "directives.h"
#include "suites.h"

static dbshift__directives d;
static char reason[256];

/* Parse script (a C string) into d; returns the parser's result. */
static int parse(const char *script)
{
	return dbshift__directives_parse(&d, script, strlen(script), reason,
					 sizeof(reason));
}

static void teardown(void)
{
	dbshift__directives_free(&d);
}

/* Parse a script that must fail and check the reason. */
#define ck_assert_parse_error(script, expected)                                \
	do {                                                                   \
		ck_assert_int_eq(parse(script), -1);                           \
		ck_assert_str_eq(reason, expected);                            \
	} while (0)

START_TEST(test_directives_none)
{
	ck_assert_int_eq(parse(""), 0);
	ck_assert_uint_eq(d.n_depends_on, 0);
	ck_assert_uint_eq(d.n_dialects, 0);
	ck_assert_uint_eq(d.n_contexts, 0);
	ck_assert_int_eq(d.no_transaction, 0);
	ck_assert_str_eq(reason, "");
	dbshift__directives_free(&d);

	ck_assert_int_eq(parse("-- create the users table\n"
			       "CREATE TABLE users (id INT);\n"),
			 0);
	ck_assert_uint_eq(d.n_depends_on, 0);
	ck_assert_int_eq(d.no_transaction, 0);
	dbshift__directives_free(&d);

	ck_assert_int_eq(
		dbshift__directives_parse(&d, NULL, 0, reason, sizeof(reason)),
		0);
}
END_TEST

/* Atlas's "-- atlas:txmode none" means no transaction; its other
 * directives, and txmode's other modes, are comments here. */
START_TEST(test_directives_atlas_txmode)
{
	ck_assert_int_eq(parse("-- atlas:txmode none\r\n\n"
			       "CREATE INDEX CONCURRENTLY i ON t (a);\n"),
			 0);
	ck_assert_int_eq(d.no_transaction, 1);
	dbshift__directives_free(&d);
	ck_assert_int_eq(
		parse("-- atlas:nolint MF101\n--atlas:txmode  none  \n"), 0);
	ck_assert_int_eq(d.no_transaction, 1);
	dbshift__directives_free(&d);
	ck_assert_int_eq(parse("-- atlas:txmode file\n-- atlas:nolint BC102\n"
			       "-- atlas:txmode nonesuch\n"
			       "-- atlas:txmodenone\n"),
			 0);
	ck_assert_int_eq(d.no_transaction, 0);
	dbshift__directives_free(&d);
	/* Only in the leading block, as dbshift's own directives. */
	ck_assert_int_eq(parse("SELECT 1;\n-- atlas:txmode none\n"), 0);
	ck_assert_int_eq(d.no_transaction, 0);
}
END_TEST

START_TEST(test_directives_all_kinds)
{
	ck_assert_int_eq(parse("-- dbshift:depends-on auth/002 jobs/001\n"
			       "-- dbshift:no-transaction\n"
			       "-- dbshift:dialects postgres mysql\n"
			       "-- dbshift:contexts test dev\n"
			       "CREATE INDEX CONCURRENTLY i ON t (c);\n"),
			 0);
	ck_assert_uint_eq(d.n_depends_on, 2);
	ck_assert_str_eq(d.depends_on[0], "auth/002");
	ck_assert_str_eq(d.depends_on[1], "jobs/001");
	ck_assert_int_eq(d.no_transaction, 1);
	ck_assert_uint_eq(d.n_dialects, 2);
	ck_assert_str_eq(d.dialects[0], "postgres");
	ck_assert_str_eq(d.dialects[1], "mysql");
	ck_assert_uint_eq(d.n_contexts, 2);
	ck_assert_str_eq(d.contexts[0], "test");
	ck_assert_str_eq(d.contexts[1], "dev");
}
END_TEST

START_TEST(test_directives_accumulate)
{
	ck_assert_int_eq(parse("-- dbshift:depends-on auth/002\n"
			       "-- dbshift:depends-on jobs/001 auth/002\n"
			       "-- dbshift:contexts test\n"
			       "-- dbshift:contexts dev\n"
			       "-- dbshift:dialects pg\n"
			       "-- dbshift:dialects postgres sqlite\n"),
			 0);
	ck_assert_uint_eq(d.n_depends_on, 2);
	ck_assert_str_eq(d.depends_on[0], "auth/002");
	ck_assert_str_eq(d.depends_on[1], "jobs/001");
	ck_assert_uint_eq(d.n_contexts, 2);
	ck_assert_str_eq(d.contexts[1], "dev");
	ck_assert_uint_eq(d.n_dialects, 3);
	ck_assert_str_eq(d.dialects[0], "pg");
	ck_assert_str_eq(d.dialects[1], "postgres");
	ck_assert_str_eq(d.dialects[2], "sqlite");
}
END_TEST

START_TEST(test_directives_dialect_aliases)
{
	ck_assert_int_eq(parse("-- dbshift:dialects pg mariadb sqlite\n"), 0);
	/* Kept as written: the drivers say what pg and mariadb are. */
	ck_assert_uint_eq(d.n_dialects, 3);
	ck_assert_str_eq(d.dialects[0], "pg");
	ck_assert_str_eq(d.dialects[1], "mariadb");
	ck_assert_str_eq(d.dialects[2], "sqlite");
	dbshift__directives_free(&d);
	/* A dialect no driver declares is a name like any other here. */
	ck_assert_int_eq(parse("-- dbshift:dialects oracle cockroach_db\n"), 0);
	ck_assert_uint_eq(d.n_dialects, 2);
	ck_assert_str_eq(d.dialects[0], "oracle");
}
END_TEST

START_TEST(test_directives_leading_block_only)
{
	ck_assert_int_eq(parse("\n"
			       "   \n"
			       "-- Adds the index.\n"
			       "\t-- dbshift:no-transaction\n"
			       "CREATE INDEX i ON t (c);\n"
			       "-- dbshift:depends-on auth/001\n"
			       "-- dbshift:bogus\n"),
			 0);
	ck_assert_int_eq(d.no_transaction, 1);
	ck_assert_uint_eq(d.n_depends_on, 0);
}
END_TEST

START_TEST(test_directives_block_comment_ends_block)
{
	ck_assert_int_eq(parse("/* header */\n"
			       "-- dbshift:no-transaction\n"),
			 0);
	ck_assert_int_eq(d.no_transaction, 0);
}
END_TEST

START_TEST(test_directives_crlf)
{
	ck_assert_int_eq(parse("-- dbshift:no-transaction\r\n"
			       "-- dbshift:depends-on auth/002\r\n"
			       "-- dbshift:dialects postgres\r\n"
			       "SELECT 1;\r\n"),
			 0);
	ck_assert_int_eq(d.no_transaction, 1);
	ck_assert_uint_eq(d.n_depends_on, 1);
	ck_assert_str_eq(d.depends_on[0], "auth/002");
	ck_assert_uint_eq(d.n_dialects, 1);
	ck_assert_str_eq(d.dialects[0], "postgres");
}
END_TEST

START_TEST(test_directives_bom)
{
	ck_assert_int_eq(parse("\xef\xbb\xbf-- dbshift:no-transaction\n"
			       "SELECT 1;\n"),
			 0);
	ck_assert_int_eq(d.no_transaction, 1);
	dbshift__directives_free(&d);

	ck_assert_parse_error("\xef\xbb\xbf-- dbshift:nope\n",
			      "line 1: unknown directive 'dbshift:nope'");
}
END_TEST

START_TEST(test_directives_no_space_and_last_line)
{
	ck_assert_int_eq(parse("--dbshift:depends-on auth/002\n"
			       "--   dbshift:no-transaction"),
			 0);
	ck_assert_uint_eq(d.n_depends_on, 1);
	ck_assert_int_eq(d.no_transaction, 1);
}
END_TEST

START_TEST(test_directives_commas_and_tabs)
{
	ck_assert_int_eq(
		parse("-- dbshift:depends-on\tauth/002, jobs/001 ,x/1\n"), 0);
	ck_assert_uint_eq(d.n_depends_on, 3);
	ck_assert_str_eq(d.depends_on[0], "auth/002");
	ck_assert_str_eq(d.depends_on[1], "jobs/001");
	ck_assert_str_eq(d.depends_on[2], "x/1");
}
END_TEST

START_TEST(test_directives_unknown)
{
	ck_assert_parse_error("-- header\n"
			      "\n"
			      "-- dbshift:dependson auth/002\n",
			      "line 3: unknown directive 'dbshift:dependson'");
}
END_TEST

START_TEST(test_directives_unknown_letter_case)
{
	/* A shouted directive is not silently ignored. */
	ck_assert_parse_error(
		"-- DBSHIFT:no-transaction\n",
		"line 1: unknown directive 'DBSHIFT:no-transaction'");
	dbshift__directives_free(&d);
	ck_assert_parse_error(
		"-- dbshift:No-Transaction\n",
		"line 1: unknown directive 'dbshift:No-Transaction'");
	dbshift__directives_free(&d);
	ck_assert_parse_error("-- dbshift:\n",
			      "line 1: unknown directive 'dbshift:'");
}
END_TEST

START_TEST(test_directives_prose_mentioning_dbshift)
{
	ck_assert_int_eq(parse("-- Written for dbshift: see the README.\n"
			       "-- dbshift no-transaction\n"),
			 0);
	ck_assert_int_eq(d.no_transaction, 0);
}
END_TEST

START_TEST(test_directives_depends_on_without_ids)
{
	ck_assert_parse_error("-- dbshift:depends-on\n",
			      "line 1: 'dbshift:depends-on' needs at least one "
			      "SOURCE/VERSION");
	dbshift__directives_free(&d);
	ck_assert_parse_error("-- dbshift:depends-on  ,  \r\n",
			      "line 1: 'dbshift:depends-on' needs at least one "
			      "SOURCE/VERSION");
}
END_TEST

START_TEST(test_directives_bad_ids)
{
	ck_assert_parse_error(
		"-- dbshift:depends-on auth/002 jobs\n",
		"line 1: dependency 'jobs' is not SOURCE/VERSION");
	dbshift__directives_free(&d);
	ck_assert_parse_error(
		"-- dbshift:depends-on /002\n",
		"line 1: dependency '/002' is not SOURCE/VERSION");
	dbshift__directives_free(&d);
	ck_assert_parse_error(
		"-- dbshift:depends-on auth/\n",
		"line 1: dependency 'auth/' is not SOURCE/VERSION");
	dbshift__directives_free(&d);
	ck_assert_parse_error(
		"-- dbshift:depends-on a/b/c\n",
		"line 1: dependency 'a/b/c' is not SOURCE/VERSION");
}
END_TEST

START_TEST(test_directives_bad_dialects)
{
	ck_assert_parse_error("\n-- dbshift:dialects postgres Oracle\n",
			      "line 2: invalid dialect 'Oracle' (dialect names "
			      "start with a lower-case letter, then "
			      "lower-case letters, digits and '_')");
	dbshift__directives_free(&d);
	ck_assert_parse_error("-- dbshift:dialects 9db\n",
			      "line 1: invalid dialect '9db' (dialect names "
			      "start with a lower-case letter, then "
			      "lower-case letters, digits and '_')");
	dbshift__directives_free(&d);
	ck_assert_parse_error(
		"-- dbshift:dialects\n",
		"line 1: 'dbshift:dialects' needs at least one dialect");
	dbshift__directives_free(&d);
	ck_assert_parse_error(
		"-- dbshift:contexts\n",
		"line 1: 'dbshift:contexts' needs at least one context");
}
END_TEST

START_TEST(test_directives_control_characters)
{
	/* A NUL inside an argument once cut the copied id short: "a\0/b"
	 * became the dependency "a" (found by tests/fuzz). */
	static const char nul[] = "-- dbshift:depends-on \fa\0/b\n";

	ck_assert_int_eq(dbshift__directives_parse(&d, nul, sizeof(nul) - 1,
						   reason, sizeof(reason)),
			 -1);
	ck_assert_str_eq(reason, "line 1: 'dbshift:depends-on' holds a "
				 "control character (byte 0x00)");
	dbshift__directives_free(&d);
	ck_assert_parse_error("\n-- dbshift:contexts dev\x1b[2Jx\n",
			      "line 2: 'dbshift:contexts' holds a control "
			      "character (byte 0x1b)");
	dbshift__directives_free(&d);
	/* White space, \v and \f included, still separates. */
	ck_assert_int_eq(parse("-- dbshift:contexts\va\fb\r\n"), 0);
	ck_assert_uint_eq(d.n_contexts, 2);
}
END_TEST

START_TEST(test_directives_no_transaction_arguments)
{
	ck_assert_parse_error(
		"-- dbshift:no-transaction please\n",
		"line 1: 'dbshift:no-transaction' takes no arguments");
}
END_TEST

START_TEST(test_directives_small_errbuf)
{
	char small[8];

	ck_assert_int_eq(dbshift__directives_parse(&d, "-- dbshift:x\n", 12,
						   small, sizeof(small)),
			 -1);
	ck_assert_str_eq(small, "line 1:");
	dbshift__directives_free(&d);
	ck_assert_int_eq(
		dbshift__directives_parse(&d, "-- dbshift:x\n", 12, NULL, 0),
		-1);
}
END_TEST

START_TEST(test_directives_length_not_nul)
{
	/* Only len bytes are read: the directive past them is not. */
	const char *script = "-- dbshift:no-transaction\n-- dbshift:bad\n";

	ck_assert_int_eq(dbshift__directives_parse(&d, script, 26, reason,
						   sizeof(reason)),
			 0);
	ck_assert_int_eq(d.no_transaction, 1);
}
END_TEST

START_TEST(test_directives_dialect_token)
{
	const char *pg = dbshift__dialect_token("pg", 2, NULL);
	int nomem = 1;

	ck_assert_str_eq(dbshift__dialect_token("sqlite", 6, &nomem), "sqlite");
	ck_assert_int_eq(nomem, 0);
	ck_assert_str_eq(dbshift__dialect_token("cockroach", 9, NULL),
			 "cockroach");
	ck_assert_str_eq(dbshift__dialect_token("my_db2", 6, NULL), "my_db2");
	/* Only len bytes count; equal tokens are one interned string. */
	ck_assert_ptr_eq(dbshift__dialect_token("pg.up.sql", 2, NULL), pg);
	ck_assert_ptr_null(dbshift__dialect_token("PG", 2, NULL));
	ck_assert_ptr_null(dbshift__dialect_token("2pg", 3, NULL));
	ck_assert_ptr_null(dbshift__dialect_token("p-g", 3, NULL));
	ck_assert_ptr_null(dbshift__dialect_token("", 0, NULL));
	ck_assert_ptr_null(dbshift__dialect_token(NULL, 0, NULL));
	ck_assert_ptr_null(dbshift__dialect_token(
		"a23456789012345678901234567890123", 33, NULL));
	ck_assert_ptr_nonnull(dbshift__dialect_token(
		"a2345678901234567890123456789012", 32, NULL));
}
END_TEST

START_TEST(test_directives_dialect_is)
{
	static const char *const aliases[] = {"pg", "postgresql", NULL};
	dbshift__dialect pg = {"postgres", aliases}, generic = {NULL, NULL};

	ck_assert(dbshift__dialect_is(&pg, "postgres"));
	ck_assert(dbshift__dialect_is(&pg, "pg"));
	ck_assert(dbshift__dialect_is(&pg, "postgresql"));
	ck_assert(!dbshift__dialect_is(&pg, "mysql"));
	ck_assert(!dbshift__dialect_is(&pg, NULL));
	ck_assert(!dbshift__dialect_is(&generic, "postgres"));
}
END_TEST

Suite *directives_suite(void)
{
	Suite *s = suite_create("directives");
	TCase *tc = tcase_create("parse");
	TCase *tc_dialect = tcase_create("dialect");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_directives_none);
	tcase_add_test(tc, test_directives_all_kinds);
	tcase_add_test(tc, test_directives_atlas_txmode);
	tcase_add_test(tc, test_directives_accumulate);
	tcase_add_test(tc, test_directives_dialect_aliases);
	tcase_add_test(tc, test_directives_leading_block_only);
	tcase_add_test(tc, test_directives_block_comment_ends_block);
	tcase_add_test(tc, test_directives_crlf);
	tcase_add_test(tc, test_directives_bom);
	tcase_add_test(tc, test_directives_no_space_and_last_line);
	tcase_add_test(tc, test_directives_commas_and_tabs);
	tcase_add_test(tc, test_directives_unknown);
	tcase_add_test(tc, test_directives_unknown_letter_case);
	tcase_add_test(tc, test_directives_prose_mentioning_dbshift);
	tcase_add_test(tc, test_directives_depends_on_without_ids);
	tcase_add_test(tc, test_directives_bad_ids);
	tcase_add_test(tc, test_directives_bad_dialects);
	tcase_add_test(tc, test_directives_control_characters);
	tcase_add_test(tc, test_directives_no_transaction_arguments);
	tcase_add_test(tc, test_directives_small_errbuf);
	tcase_add_test(tc, test_directives_length_not_nul);
	suite_add_tcase(s, tc);

	tcase_add_test(tc_dialect, test_directives_dialect_token);
	tcase_add_test(tc_dialect, test_directives_dialect_is);
	suite_add_tcase(s, tc_dialect);
	return s;
}
