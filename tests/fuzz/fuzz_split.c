/* SPDX-License-Identifier: MIT */
/*
 * fuzz_split.c - a libFuzzer target for the statement splitter
 * (core/split.c) that every driver runs scripts through. The first two
 * bytes choose the DBSHIFT_SPLIT_* properties, the rest is the script.
 * For any script the statements found must lie inside it, in order and
 * without overlap, start on a token boundary of the tokenizer read from
 * the start (so splitting and placeholder search agree), never start with
 * white space, and carry the line of their first byte; the tokenizer must
 * always move forward. Built with ./configure --enable-fuzzing (clang);
 * `make fuzz` runs it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "split.h"

/* Mark in boundary[] every offset where a token starts, reading from 0. */
static void mark_tokens(const dbshift__split *s, unsigned char *boundary)
{
	dbshift__token kind;
	size_t pos = 0, next;

	while (pos < s->len) {
		boundary[pos] = 1;
		next = dbshift__split_token(s, pos, &kind);
		FUZZ_CHECK(next > pos && next <= s->len,
			   "a token ends after it starts, inside the script");
		FUZZ_CHECK(kind >= DBSHIFT__TOKEN_SPACE &&
				   kind <= DBSHIFT__TOKEN_SYMBOL,
			   "a token has a known kind");
		pos = next;
	}
	boundary[s->len] = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sql = (const char *)data + 2;
	unsigned char *boundary;
	dbshift__split s;
	dbshift__stmt st;
	size_t len, end = 0;
	uint64_t flags;

	if (size < 2)
		return 0;
	flags = ((uint64_t)data[0] | (uint64_t)data[1] << 8) & 0x3ff;
	len = size - 2;
	boundary = calloc(len + 1, 1);
	if (boundary == NULL)
		return 0;
	dbshift__split_init(&s, sql, len, flags);
	mark_tokens(&s, boundary);
	while (dbshift__split_next(&s, &st)) {
		FUZZ_CHECK(st.len > 0 && st.start >= end &&
				   st.start + st.len <= len,
			   "statements lie in the script, in order, "
			   "without overlap");
		FUZZ_CHECK(boundary[st.start],
			   "a statement starts on a token boundary");
		FUZZ_CHECK(
			memchr(" \t\n\r;", sql[st.start], 5) == NULL,
			"a statement does not start with white space or ';'");
		FUZZ_CHECK(st.line == dbshift__split_line_at(sql, st.start),
			   "a statement's line is the line of its first byte");
		end = st.start + st.len;
	}
	free(boundary);
	return 0;
}
