/* SPDX-License-Identifier: MIT */
/*
 * check_checksum.c - tests of dbshift__checksum_script(): the SHA-256 of
 * an up script that the history records (design.md 4), with each CRLF
 * pair hashed as LF so that a checkout with Windows line endings does not
 * look changed, and every other byte (a lone CR among them) kept.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "suites.h"

#define SHA_EMPTY                                                              \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_A_LF_B_LF                                                          \
	"911169ddaaf146aff539f58c26c489af3b892dff0fe283c1c264c65ae5aa59a2"
#define SHA_A_CR_B                                                             \
	"af9081672dd5ef3247a30c2db5b0dafcc9bcf981a26aefb3c55d210d43fcc14e"
#define SHA_A_CR                                                               \
	"961a57df036f6c4f44ca8a054271c45e823f469bcc439f0255c40974c3e3d131"
#define SHA_A_CR_LF                                                            \
	"8e4621379786ef42a4fec155cd525c291dd7db3c1fde3478522f4f61c03fd1bd"
#define SHA_LF                                                                 \
	"01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b"

/* What sha256sum gives for the LF form of each text: a CRLF pair is
 * hashed as LF wherever it is; a CR not followed by LF is a byte like any
 * other (inside the text, at its end, or before a CRLF pair). */
START_TEST(test_checksum_known_values)
{
	static const struct {
		const char *text;
		size_t len;
		const char *want;
	} cases[] = {
		{"", 0, SHA_EMPTY},
		{"a\nb\n", 4, SHA_A_LF_B_LF},
		{"\n", 1, SHA_LF},
		{"a\r\nb\r\n", 6, SHA_A_LF_B_LF},
		{"a\r\nb\n", 5, SHA_A_LF_B_LF},
		{"\r\n", 2, SHA_LF},
		{"a\rb", 3, SHA_A_CR_B},
		{"a\r", 2, SHA_A_CR},
		{"a\r\r\n", 4, SHA_A_CR_LF},
	};
	char got[65];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(got, 'x', sizeof(got));
		ck_assert_int_eq(dbshift__checksum_script(cases[i].text,
							  cases[i].len, got),
				 0);
		ck_assert_msg(strcmp(got, cases[i].want) == 0,
			      "case %zu: got %s, wanted %s", i, got,
			      cases[i].want);
	}
}
END_TEST

/* A long script (many SHA-256 blocks, many pairs) hashes as its LF form;
 * only len bytes count (the text need not end in a NUL). */
START_TEST(test_checksum_long_and_counted)
{
	const char *line_crlf = "SELECT 1;\r\n", *line_lf = "SELECT 1;\n";
	size_t n = 500, i, crlf_len = strlen(line_crlf),
	       lf_len = strlen(line_lf);
	char *crlf = malloc(n * crlf_len + 1), *lf = malloc(n * lf_len + 1);
	char want[65], got[65];

	ck_assert_ptr_nonnull(crlf);
	ck_assert_ptr_nonnull(lf);
	for (i = 0; i < n; i++) {
		memcpy(crlf + i * crlf_len, line_crlf, crlf_len);
		memcpy(lf + i * lf_len, line_lf, lf_len);
	}
	crlf[n * crlf_len] = 'x';
	ck_assert_int_eq(dbshift__checksum_script(lf, n * lf_len, want), 0);
	ck_assert_int_eq(dbshift__checksum_script(crlf, n * crlf_len, got), 0);
	ck_assert_str_eq(got, want);
	free(crlf);
	free(lf);
}
END_TEST

Suite *checksum_suite(void)
{
	Suite *s = suite_create("checksum");
	TCase *tc = tcase_create("script");

	tcase_add_test(tc, test_checksum_known_values);
	tcase_add_test(tc, test_checksum_long_and_counted);
	suite_add_tcase(s, tc);
	return s;
}
