/* SPDX-License-Identifier: MIT */
/*
 * version.c - natural ordering of migration versions (design.md 3).
 *
 * Versions are kept as written ("001", "20240101120000",
 * "2024-01-01-120000"); this file decides how they sort. Runs of digits
 * compare as numbers of any length, so "2" < "10" and timestamps order by
 * time without ever converting them to an integer type.
 */
#include "config.h"

#include <stddef.h>

#include "dbshift/dbshift.h"

static int version_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Compare the digit runs starting at *pa and *pb as numbers and advance
 * both pointers past their runs. Leading zeros are skipped, then the
 * longer run is the bigger number, then the first differing digit
 * decides. Returns <0, 0 or >0.
 */
static int version_compare_number(const char **pa, const char **pb)
{
	const char *a = *pa;
	const char *b = *pb;
	size_t len_a = 0;
	size_t len_b = 0;
	size_t i;

	while (*a == '0')
		a++;
	while (*b == '0')
		b++;
	while (version_is_digit(a[len_a]))
		len_a++;
	while (version_is_digit(b[len_b]))
		len_b++;
	*pa = a + len_a;
	*pb = b + len_b;
	if (len_a != len_b)
		return len_a < len_b ? -1 : 1;
	for (i = 0; i < len_a; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/*
 * Natural comparison of two versions: runs of digits compare as numbers,
 * every other byte compares as an unsigned byte, and a string that ends
 * first is smaller. Returns <0, 0 or >0.
 *
 * Versions that differ only in the leading zeros of a digit run, such as
 * "001" and "1", compare equal: they name the same migration, so holding
 * both in one source is a duplicate. NULL sorts before any string.
 */
int dbshift_version_compare(const char *a, const char *b)
{
	int cmp;

	if (a == NULL || b == NULL)
		return a == b ? 0 : (a == NULL ? -1 : 1);
	for (;;) {
		if (version_is_digit(*a) && version_is_digit(*b)) {
			cmp = version_compare_number(&a, &b);
			if (cmp != 0)
				return cmp;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		if (*a == '\0')
			return 0;
		a++;
		b++;
	}
}
