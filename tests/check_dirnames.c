/* SPDX-License-Identifier: MIT */
/*
 * check_dirnames.c - tests of how names in a migration directory are read
 * (sources/dirnames.c).
 */
#include <check.h>
#include <string.h>

#include "dirnames.h"
#include "suites.h"

static dbshift__flatname flat;
static char reason[256];

/* Parse a flat name that must be accepted, and check its parts. */
static void flat_ok(const char *filename, const char *version, const char *name,
		    const char *dialect, dbshift__script_kind kind)
{
	ck_assert_msg(dbshift__flatname_parse(filename, &flat, reason,
					      sizeof(reason)) == 0,
		      "%s: %s", filename, reason);
	ck_assert_str_eq(flat.version, version);
	ck_assert_str_eq(flat.name, name);
	if (dialect == NULL)
		ck_assert_ptr_null(flat.dialect);
	else
		ck_assert_str_eq(flat.dialect, dialect);
	ck_assert_int_eq(flat.kind, kind);
}

/* Parse a flat name that must be refused with a reason containing part. */
static void flat_bad(const char *filename, const char *part)
{
	reason[0] = '\0';
	ck_assert_msg(dbshift__flatname_parse(filename, &flat, reason,
					      sizeof(reason)) == -1,
		      "%s was accepted", filename);
	ck_assert_msg(strstr(reason, part) != NULL,
		      "%s: reason '%s' lacks '%s'", filename, reason, part);
}

START_TEST(test_dirnames_flat_plain)
{
	flat_ok("001_create_users.up.sql", "001", "create_users", NULL,
		DBSHIFT__SCRIPT_UP);
	flat_ok("001_create_users.down.sql", "001", "create_users", NULL,
		DBSHIFT__SCRIPT_DOWN);
	flat_ok("20240101120000_add-index.up.sql", "20240101120000",
		"add-index", NULL, DBSHIFT__SCRIPT_UP);
	flat_ok("2024-01-01-120000_x.up.sql", "2024-01-01-120000", "x", NULL,
		DBSHIFT__SCRIPT_UP);
	flat_ok("2025-11-11-140459-0000_refactor.up.sql",
		"2025-11-11-140459-0000", "refactor", NULL, DBSHIFT__SCRIPT_UP);
	flat_ok("V7_x.up.sql", "V7", "x", NULL, DBSHIFT__SCRIPT_UP);
}
END_TEST

START_TEST(test_dirnames_flat_without_name)
{
	flat_ok("001.up.sql", "001", "", NULL, DBSHIFT__SCRIPT_UP);
	flat_ok("001.down.sql", "001", "", NULL, DBSHIFT__SCRIPT_DOWN);
	flat_ok("001.pg.up.sql", "001", "", "pg", DBSHIFT__SCRIPT_UP);
}
END_TEST

START_TEST(test_dirnames_flat_name_underscores)
{
	flat_ok("20260809172658_backfill_persisted_charge.down.sql",
		"20260809172658", "backfill_persisted_charge", NULL,
		DBSHIFT__SCRIPT_DOWN);
	flat_ok("1_a__b-c.up.sql", "1", "a__b-c", NULL, DBSHIFT__SCRIPT_UP);
	flat_ok("1_with space.up.sql", "1", "with space", NULL,
		DBSHIFT__SCRIPT_UP);
}
END_TEST

START_TEST(test_dirnames_flat_dialects)
{
	flat_ok("001_x.postgres.up.sql", "001", "x", "postgres",
		DBSHIFT__SCRIPT_UP);
	/* Tokens are kept as written; the drivers declare what they mean,
	 * and one no driver declares is read here like any other. */
	flat_ok("001_x.pg.down.sql", "001", "x", "pg", DBSHIFT__SCRIPT_DOWN);
	flat_ok("001_x.mysql.up.sql", "001", "x", "mysql", DBSHIFT__SCRIPT_UP);
	flat_ok("001_x.mariadb.up.sql", "001", "x", "mariadb",
		DBSHIFT__SCRIPT_UP);
	flat_ok("001_x.cockroach.up.sql", "001", "x", "cockroach",
		DBSHIFT__SCRIPT_UP);
	flat_ok("001_x.sqlite.down.sql", "001", "x", "sqlite",
		DBSHIFT__SCRIPT_DOWN);
}
END_TEST

/* The marker of a script to run outside a transaction, alone or with a
 * dialect in either order, in strict and stem naming. */
START_TEST(test_dirnames_flat_autocommit)
{
	flat_ok("20250912000000000000_kratos.autocommit.up.sql",
		"20250912000000000000", "kratos", NULL, DBSHIFT__SCRIPT_UP);
	ck_assert_int_eq(flat.autocommit, 1);
	flat_ok("001_x.postgres.autocommit.down.sql", "001", "x", "postgres",
		DBSHIFT__SCRIPT_DOWN);
	ck_assert_int_eq(flat.autocommit, 1);
	flat_ok("001_x.autocommit.cockroach.up.sql", "001", "x", "cockroach",
		DBSHIFT__SCRIPT_UP);
	ck_assert_int_eq(flat.autocommit, 1);
	flat_ok("001.autocommit.up.sql", "001", "", NULL, DBSHIFT__SCRIPT_UP);
	ck_assert_int_eq(flat.autocommit, 1);
	flat_ok("001_x.postgres.up.sql", "001", "x", "postgres",
		DBSHIFT__SCRIPT_UP);
	ck_assert_int_eq(flat.autocommit, 0);
	flat_bad("001_x.autocommit.autocommit.up.sql", "autocommit");
	flat_bad("001_x.Autocommit.up.sql", "invalid dialect 'Autocommit'");

	ck_assert_int_eq(
		dbshift__flatname_parse_stem("0001_a.sqlite.autocommit_up.sql",
					     &flat, reason, sizeof(reason)),
		0);
	ck_assert_str_eq(flat.version, "0001_a");
	ck_assert_str_eq(flat.dialect, "sqlite");
	ck_assert_int_eq(flat.autocommit, 1);
	ck_assert_int_eq(flat.kind, DBSHIFT__SCRIPT_UP);
	ck_assert_int_eq(
		dbshift__flatname_parse_stem("0157.autocommit.down.sql", &flat,
					     reason, sizeof(reason)),
		0);
	ck_assert_str_eq(flat.version, "0157");
	ck_assert_ptr_null(flat.dialect);
	ck_assert_int_eq(flat.autocommit, 1);
}
END_TEST

/* A '.' inside a name is not read as a dialect: the reason says so and
 * names the file name that would be read. */
START_TEST(test_dirnames_flat_dot_in_name)
{
	flat_bad("003_fix.2_fix.up.sql",
		 "'2_fix' after a '.' is neither a dialect nor autocommit: a "
		 "version or name cannot hold '.' (rename the file to "
		 "003_fix_2_fix.up.sql;");
	flat_bad(
		"003_fix.2_fix.postgres.autocommit.up.sql",
		"rename the file to 003_fix_2_fix.postgres.autocommit.up.sql;");
	flat_bad("1.2_x.up.sql", "'2_x' after a '.'");
	flat_bad("1.2_x.up.sql", "rename the file to 1_2_x.up.sql;");
	flat_bad("001_x.y.pg.up.sql", "rename the file to 001_x_y.pg.up.sql;");
	flat_bad("001_v1.0.1-fix.down.sql",
		 "rename the file to 001_v1_0_1-fix.down.sql;");
	ck_assert_int_eq(dbshift__flatname_parse_stem("0003_fix.2_fix.up.sql",
						      &flat, reason,
						      sizeof(reason)),
			 -1);
	ck_assert_ptr_nonnull(
		strstr(reason, "rename the file to 0003_fix_2_fix.up.sql;"));
	ck_assert_ptr_null(strstr(reason, "invalid dialect"));
}
END_TEST

START_TEST(test_dirnames_flat_malformed)
{
	flat_bad("001_x.sql",
		 "expected VERSION[_NAME][.DIALECT][.autocommit].up.sql");
	flat_bad("V1__init.sql",
		 "expected VERSION[_NAME][.DIALECT][.autocommit].up.sql");
	flat_bad("001_x.UP.SQL",
		 "expected VERSION[_NAME][.DIALECT][.autocommit].up.sql");
	flat_bad("001_x.up.txt", "expected");
	flat_bad("up.sql", "expected");
	flat_bad("schema.sql", "expected");
	flat_bad(".up.sql", "empty version");
	flat_bad("_x.up.sql", "empty version");
	flat_bad("001_.up.sql", "empty name");
	flat_bad("001_x..up.sql", "empty part between two '.'");
	flat_bad("001_x.pg..up.sql", "empty part between two '.'");
	flat_bad("001_x.Postgres.up.sql",
		 "invalid dialect 'Postgres' (dialect names start with a "
		 "lower-case letter");
	flat_bad("001_x.Postgres.autocommit.up.sql",
		 "invalid dialect 'Postgres'");
	flat_bad("-1_x.up.sql", "version '-1'");
	flat_bad("0+1_x.up.sql", "version '0+1'");
	flat_bad("001_a\tb.up.sql", "control characters");
}
END_TEST

START_TEST(test_dirnames_flat_too_long)
{
	char filename[700];

	memset(filename, '1', 300);
	memcpy(filename + 300, ".up.sql", 8);
	flat_bad(filename, "too long");
	memset(filename, 'n', 600);
	memcpy(filename, "1_", 2);
	memcpy(filename + 600, ".up.sql", 8);
	flat_bad(filename, "too long");
}
END_TEST

/* Parse a folder name that must be accepted. */
static void folder_ok(const char *dirname, const char *version,
		      const char *name)
{
	char v[256], n[256];

	ck_assert_msg(dbshift__foldername_parse(dirname, v, sizeof(v), n,
						sizeof(n), reason,
						sizeof(reason)) == 0,
		      "%s: %s", dirname, reason);
	ck_assert_str_eq(v, version);
	ck_assert_str_eq(n, name);
}

static void folder_bad(const char *dirname, const char *part)
{
	char v[256], n[256];

	reason[0] = '\0';
	ck_assert_msg(dbshift__foldername_parse(dirname, v, sizeof(v), n,
						sizeof(n), reason,
						sizeof(reason)) == -1,
		      "%s was accepted", dirname);
	ck_assert_msg(strstr(reason, part) != NULL,
		      "%s: reason '%s' lacks '%s'", dirname, reason, part);
}

START_TEST(test_dirnames_folder)
{
	folder_ok("00000000000000_initial", "00000000000000", "initial");
	folder_ok("2022-04-26-153628_device_profile_payload_codec_script",
		  "2022-04-26-153628", "device_profile_payload_codec_script");
	folder_ok("2025-11-11-140459-0000_refactor_device_profiles",
		  "2025-11-11-140459-0000", "refactor_device_profiles");
	folder_ok("001", "001", "");
	folder_ok("1.2_x.y", "1.2", "x.y");
}
END_TEST

START_TEST(test_dirnames_folder_bad)
{
	folder_bad("_x", "empty version");
	folder_bad("001_", "empty name");
	folder_bad("my migrations", "version 'my migrations'");
	folder_bad("-1_x", "version '-1'");
}
END_TEST

START_TEST(test_dirnames_reason_one_line)
{
	/* Reasons quote the name; a newline or escape in it is shown as '?'
	 * so that the reason stays one line (found by tests/fuzz). */
	folder_bad("1\n2", "version '1?2'");
	ck_assert_ptr_null(strchr(reason, '\n'));
	flat_bad("1_x.Post\x1bgres.up.sql", "'Post?gres' after a '.'");
	ck_assert_ptr_null(strchr(reason, '\x1b'));
	ck_assert_int_eq(dbshift__flatname_parse_stem("a\nb.up.sql", &flat,
						      reason, sizeof(reason)),
			 -1);
	ck_assert_str_eq(reason, "version 'a?b' may hold only letters, digits, "
				 "'_' and '-' (expected STEM[.DIALECT]"
				 "[.autocommit].up.sql, .down.sql, _up.sql or "
				 "_down.sql)");
}
END_TEST

START_TEST(test_dirnames_folder_small_buffers)
{
	char v[4], n[4];

	ck_assert_int_eq(dbshift__foldername_parse("001_abc", v, sizeof(v), n,
						   sizeof(n), reason,
						   sizeof(reason)),
			 0);
	ck_assert_int_eq(dbshift__foldername_parse("0001_abc", v, sizeof(v), n,
						   sizeof(n), reason,
						   sizeof(reason)),
			 -1);
	ck_assert_ptr_nonnull(strstr(reason, "too long"));
	ck_assert_int_eq(dbshift__foldername_parse("001_abcd", v, sizeof(v), n,
						   sizeof(n), NULL, 0),
			 -1);
}
END_TEST

START_TEST(test_dirnames_folderfile)
{
	dbshift__script_kind kind = 0;

	ck_assert_int_eq(dbshift__folderfile_parse("up.sql", &kind), 0);
	ck_assert_int_eq(kind, DBSHIFT__SCRIPT_UP);
	ck_assert_int_eq(dbshift__folderfile_parse("down.sql", &kind), 0);
	ck_assert_int_eq(kind, DBSHIFT__SCRIPT_DOWN);
	ck_assert_int_eq(dbshift__folderfile_parse("UP.sql", &kind), -1);
	ck_assert_int_eq(dbshift__folderfile_parse("up.sql~", &kind), -1);
	ck_assert_int_eq(dbshift__folderfile_parse("001_x.up.sql", &kind), -1);
	ck_assert_int_eq(dbshift__folderfile_parse("schema.sql", &kind), -1);
}
END_TEST

START_TEST(test_dirnames_version_valid)
{
	ck_assert(dbshift__version_valid("001"));
	ck_assert(dbshift__version_valid("20240101120000"));
	ck_assert(dbshift__version_valid("2024-01-01-120000"));
	ck_assert(dbshift__version_valid("1.2.3"));
	ck_assert(dbshift__version_valid("V1"));
	ck_assert(!dbshift__version_valid(""));
	ck_assert(!dbshift__version_valid(NULL));
	ck_assert(!dbshift__version_valid("-1"));
	ck_assert(!dbshift__version_valid(".1"));
	ck_assert(!dbshift__version_valid("1_2"));
	ck_assert(!dbshift__version_valid("1/2"));
	ck_assert(!dbshift__version_valid("1 2"));
	ck_assert(!dbshift__version_valid("1\xc3\xa9"));
}
END_TEST

Suite *dirnames_suite(void)
{
	Suite *s = suite_create("dirnames");
	TCase *tc = tcase_create("names");

	tcase_add_test(tc, test_dirnames_flat_plain);
	tcase_add_test(tc, test_dirnames_flat_without_name);
	tcase_add_test(tc, test_dirnames_flat_name_underscores);
	tcase_add_test(tc, test_dirnames_flat_dialects);
	tcase_add_test(tc, test_dirnames_flat_autocommit);
	tcase_add_test(tc, test_dirnames_flat_dot_in_name);
	tcase_add_test(tc, test_dirnames_flat_malformed);
	tcase_add_test(tc, test_dirnames_flat_too_long);
	tcase_add_test(tc, test_dirnames_folder);
	tcase_add_test(tc, test_dirnames_folder_bad);
	tcase_add_test(tc, test_dirnames_reason_one_line);
	tcase_add_test(tc, test_dirnames_folder_small_buffers);
	tcase_add_test(tc, test_dirnames_folderfile);
	tcase_add_test(tc, test_dirnames_version_valid);
	suite_add_tcase(s, tc);
	return s;
}
