/* SPDX-License-Identifier: MIT */
/*
 * check_version.c - tests of dbshift_version_compare(): the natural order
 * in which migrations of one source apply (design.md 3).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dbshift/dbshift.h"
#include "suites.h"

/* The sign of a comparison: -1, 0 or 1. */
static int sign(int cmp)
{
	return (cmp > 0) - (cmp < 0);
}

/* Assert that a sorts before b, in both argument orders. */
#define ck_assert_before(a, b)                                                 \
	do {                                                                   \
		ck_assert_msg(sign(dbshift_version_compare(a, b)) == -1,       \
			      "expected '%s' < '%s'", a, b);                   \
		ck_assert_msg(sign(dbshift_version_compare(b, a)) == 1,        \
			      "expected '%s' > '%s'", b, a);                   \
	} while (0)

#define ck_assert_same(a, b)                                                   \
	do {                                                                   \
		ck_assert_msg(dbshift_version_compare(a, b) == 0,              \
			      "expected '%s' == '%s'", a, b);                  \
		ck_assert_msg(dbshift_version_compare(b, a) == 0,              \
			      "expected '%s' == '%s'", b, a);                  \
	} while (0)

START_TEST(test_version_numbers_compare_as_numbers)
{
	ck_assert_before("1", "2");
	ck_assert_before("2", "10");
	ck_assert_before("9", "10");
	ck_assert_before("99", "100");
	ck_assert_before("001", "002");
	ck_assert_before("009", "010");
	ck_assert_before("2", "010");
}
END_TEST

START_TEST(test_version_equal)
{
	ck_assert_same("", "");
	ck_assert_same("1", "1");
	ck_assert_same("20240101120000", "20240101120000");
	ck_assert_same("2024-01-01-120000", "2024-01-01-120000");
}
END_TEST

START_TEST(test_version_leading_zeros_equal)
{
	/* The same version written twice: a duplicate within a source. */
	ck_assert_same("001", "1");
	ck_assert_same("0", "000");
	ck_assert_same("00000000000000", "0");
	ck_assert_same("v01.002", "v1.2");
	ck_assert_same("2024-01-01", "2024-1-1");
}
END_TEST

START_TEST(test_version_timestamps)
{
	ck_assert_before("20240101120000", "20240101120001");
	ck_assert_before("20231231235959", "20240101000000");
	ck_assert_before("00000000000000", "20220426153628");
	ck_assert_before("2024-01-01-120000", "2024-01-02-000000");
	ck_assert_before("2022-04-26-153628", "2022-04-28-071028");
	ck_assert_before("2024-01-09-120000", "2024-01-10-120000");
	ck_assert_before("2025-10-01-085546", "2025-11-11-140459-0000");
	ck_assert_before("2025-11-11-140459", "2025-11-11-140459-0000");
}
END_TEST

START_TEST(test_version_long_runs_no_overflow)
{
	/* Far longer than any integer type. */
	ck_assert_before("123456789012345678901234567890",
			 "123456789012345678901234567891");
	ck_assert_before("99999999999999999999999999999",
			 "100000000000000000000000000000");
	ck_assert_same("000000000000000000000000000000000000000001", "1");
	ck_assert_before("18446744073709551616", "18446744073709551617");
	ck_assert_before("18446744073709551615", "18446744073709551616");
}
END_TEST

START_TEST(test_version_other_bytes)
{
	ck_assert_before("a", "b");
	ck_assert_before("1a", "1b");
	ck_assert_before("1", "1a");
	ck_assert_before("1", "1-1");
	ck_assert_before("1.2", "1.10");
	ck_assert_before("1.9.9", "1.10.0");
	ck_assert_before("v2", "v10");
	/* Bytes compare unsigned: non-ASCII sorts after ASCII. */
	ck_assert_before("1z", "1\xc3\xa9");
	/* A digit against another byte compares as that digit's byte. */
	ck_assert_before("a-", "a1");
	ck_assert_before("a1", "ab");
	ck_assert_before("a-", "a0001");
	/* The whole run counts before what follows it. */
	ck_assert_before("1a", "10");
	ck_assert_before("1-", "10");
}
END_TEST

START_TEST(test_version_prefix_shorter_first)
{
	ck_assert_before("", "0");
	ck_assert_before("", "a");
	ck_assert_before("1", "1.0");
	ck_assert_before("abc", "abcd");
}
END_TEST

START_TEST(test_version_null)
{
	ck_assert_int_eq(dbshift_version_compare(NULL, NULL), 0);
	ck_assert_int_lt(dbshift_version_compare(NULL, "1"), 0);
	ck_assert_int_gt(dbshift_version_compare("1", NULL), 0);
}
END_TEST

static int qsort_versions(const void *a, const void *b)
{
	return dbshift_version_compare(*(const char *const *)a,
				       *(const char *const *)b);
}

START_TEST(test_version_sort)
{
	const char *versions[] = {"10", "2", "1", "0100", "20", "3", "011"};
	const char *expected[] = {"1", "2", "3", "10", "011", "20", "0100"};
	size_t i;

	qsort(versions, 7, sizeof(versions[0]), qsort_versions);
	for (i = 0; i < 7; i++)
		ck_assert_str_eq(versions[i], expected[i]);
}
END_TEST

Suite *version_suite(void)
{
	Suite *s = suite_create("version");
	TCase *tc = tcase_create("compare");

	tcase_add_test(tc, test_version_numbers_compare_as_numbers);
	tcase_add_test(tc, test_version_equal);
	tcase_add_test(tc, test_version_leading_zeros_equal);
	tcase_add_test(tc, test_version_timestamps);
	tcase_add_test(tc, test_version_long_runs_no_overflow);
	tcase_add_test(tc, test_version_other_bytes);
	tcase_add_test(tc, test_version_prefix_shorter_first);
	tcase_add_test(tc, test_version_null);
	tcase_add_test(tc, test_version_sort);
	suite_add_tcase(s, tc);
	return s;
}
