/* SPDX-License-Identifier: MIT */
/*
 * fuzz_directives.c - a libFuzzer target for the "-- dbshift:" directive
 * parser (core/directives.c) that reads the head of every up script.
 * For any script it must either succeed with non-empty words free of
 * white space and control characters, or fail with a one-line reason that
 * fits the buffer, even a small one; it must free everything it allocated
 * (LeakSanitizer) and give the same answer twice. Built with
 * ./configure --enable-fuzzing (clang); `make fuzz` runs it.
 */
#include "config.h"

#include <string.h>

#include "directives.h"
#include "fuzz.h"

/* Check that each of the n words is non-empty, without control
 * characters or white space. */
static void check_words(char **words, size_t n)
{
	const char *p;
	size_t i;

	for (i = 0; i < n; i++) {
		FUZZ_CHECK(words[i] != NULL && words[i][0] != '\0',
			   "a directive word is not empty");
		for (p = words[i]; *p; p++)
			FUZZ_CHECK((unsigned char)*p > ' ' && *p != 0x7f,
				   "a directive word has no white space or "
				   "control character");
	}
}

/* Check that a refusal left a reason of one line in errbuf. */
static void check_reason(const char *errbuf, size_t size)
{
	FUZZ_CHECK(memchr(errbuf, '\0', size) != NULL,
		   "the reason fits its buffer");
	FUZZ_CHECK(errbuf[0] != '\0', "a refusal gives a reason");
	FUZZ_CHECK(strchr(errbuf, '\n') == NULL, "the reason is one line");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *script = (const char *)data;
	dbshift__directives d, again;
	char errbuf[256], small[12];
	int rc, rc_again, rc_small;

	rc = dbshift__directives_parse(&d, script, size, errbuf,
				       sizeof(errbuf));
	FUZZ_CHECK(rc == 0 || rc == -1 || rc == -2, "0, -1 or -2 returned");
	if (rc == 0) {
		check_words(d.depends_on, d.n_depends_on);
		check_words(d.dialects, d.n_dialects);
		check_words(d.contexts, d.n_contexts);
	} else if (rc == -1) {
		check_reason(errbuf, sizeof(errbuf));
	}
	rc_again = dbshift__directives_parse(&again, script, size, errbuf,
					     sizeof(errbuf));
	FUZZ_CHECK(
		rc_again == rc &&
			(rc != 0 || (again.n_depends_on == d.n_depends_on &&
				     again.n_dialects == d.n_dialects &&
				     again.n_contexts == d.n_contexts &&
				     again.no_transaction == d.no_transaction)),
		"the same script reads the same twice");
	dbshift__directives_free(&again);
	dbshift__directives_free(&d);

	rc_small = dbshift__directives_parse(&d, script, size, small,
					     sizeof(small));
	FUZZ_CHECK(rc_small == rc, "a small error buffer changes nothing");
	if (rc_small == -1)
		check_reason(small, sizeof(small));
	dbshift__directives_free(&d);
	return 0;
}
