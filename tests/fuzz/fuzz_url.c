/* SPDX-License-Identifier: MIT */
/*
 * fuzz_url.c - a libFuzzer target for the URL reading every message and
 * driver relies on (core/urlparts.c): for any input taken as a URL, the
 * form messages show never holds the password, and scrubbing a message
 * that quotes the password leaves none of it. The display must not even
 * depend on the password: the same URL with other password bytes shows
 * the same.
 * Built by `make fuzz-url` with clang only; not part of `make check`.
 * Run: ./fuzz-url -max_total_time=60 (a seed corpus is not needed: the
 * inputs are short text).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "urlparts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char url[512], other[512], shown[1200], shown2[1200], msg[1200], *pw;
	dbshift__url_parts u;

	if (size >= sizeof(url))
		return 0;
	memcpy(url, data, size);
	url[size] = '\0';
	dbshift__url_split(&u, url);
	dbshift__url_display(url, shown, sizeof(shown));
	if (u.password == NULL)
		return 0;
	/* The display does not depend on the password at all. */
	memcpy(other, url, size + 1);
	memset(other + (u.password - url), 'A', u.password_len);
	dbshift__url_display(other, shown2, sizeof(shown2));
	if (strcmp(shown, shown2) != 0)
		abort();
	if (u.password_len < 4 || memchr(u.password, '\0', u.password_len) ||
	    memchr(u.password, '*', u.password_len))
		return 0;
	/* A message quoting the password is scrubbed of it. */
	pw = strndup(u.password, u.password_len);
	if (pw == NULL)
		return 0;
	snprintf(msg, sizeof(msg), "failed for \"%s\" here", pw);
	dbshift__url_scrub(msg, sizeof(msg), url);
	if (strstr(msg, pw) != NULL)
		abort();
	free(pw);
	return 0;
}
