/* SPDX-License-Identifier: MIT */
/*
 * directives.c - reading the "-- dbshift:..." directives at the top of an
 * up script (design.md 3).
 *
 * Only the leading block of blank lines and "--" comment lines is read, so
 * a directive further down (or inside a string literal) has no effect. A
 * comment whose text starts with "dbshift:" in any letter case must be a
 * known directive: a misspelt "no-transaction" that silently ran the
 * script in a transaction would be worse than a refusal to start. Atlas's
 * "-- atlas:txmode none" (in sets Atlas wrote for golang-migrate) means
 * what dbshift:no-transaction means; Atlas's other directives are
 * comments to dbshift.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dialect.h"
#include "directives.h"

#define DIRECTIVE_PREFIX "dbshift:"
#define DIRECTIVE_PREFIX_LEN 8

/* Longest piece of user text quoted in an error message. */
#define QUOTE_MAX 80

void dbshift__directives_free(dbshift__directives *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n_depends_on; i++)
		free(d->depends_on[i]);
	free(d->depends_on);
	for (i = 0; i < d->n_dialects; i++)
		free(d->dialects[i]);
	free(d->dialects);
	for (i = 0; i < d->n_contexts; i++)
		free(d->contexts[i]);
	free(d->contexts);
	memset(d, 0, sizeof(*d));
}

/* Write a one-line reason into errbuf (when there is one); returns -1. */
static int directives_fail(char *errbuf, size_t errbuf_size, const char *fmt,
			   ...) __attribute__((format(printf, 3, 4)));

static int directives_fail(char *errbuf, size_t errbuf_size, const char *fmt,
			   ...)
{
	va_list ap;

	if (errbuf != NULL && errbuf_size > 0) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errbuf_size, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int directives_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* A byte no directive may hold: a NUL would cut a copied argument short,
 * other control characters (white space aside) name nothing. */
static int directives_is_control(char c)
{
	return ((unsigned char)c < 0x20 && !directives_is_space(c)) ||
	       c == 0x7f;
}

/* Arguments are separated by white space; commas are accepted too. */
static int directives_is_separator(char c)
{
	return directives_is_space(c) || c == ',';
}

/* Length of s clipped to what an error message quotes. */
static int directives_quote_len(size_t len)
{
	return (int)(len > QUOTE_MAX ? QUOTE_MAX : len);
}

/*
 * Append a copy of the len bytes at s to the list *items (*n entries)
 * unless an equal entry is already there. Returns 0, or -2 when out of
 * memory (the list is left as it was).
 */
static int directives_push(char ***items, size_t *n, const char *s, size_t len)
{
	char **grown;
	char *copy;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strlen((*items)[i]) == len &&
		    memcmp((*items)[i], s, len) == 0)
			return 0;
	copy = malloc(len + 1);
	if (copy == NULL)
		return -2;
	memcpy(copy, s, len);
	copy[len] = '\0';
	grown = realloc(*items, (*n + 1) * sizeof(*grown));
	if (grown == NULL) {
		free(copy);
		return -2;
	}
	grown[(*n)++] = copy;
	*items = grown;
	return 0;
}

/* Is the len bytes at id a dependency of the form SOURCE/VERSION? */
static int directives_id_valid(const char *id, size_t len)
{
	const char *slash = memchr(id, '/', len);

	if (slash == NULL || slash == id || slash == id + len - 1)
		return 0;
	return memchr(slash + 1, '/', len - (size_t)(slash + 1 - id)) == NULL;
}

enum directive_kind {
	DIRECTIVE_DEPENDS_ON,
	DIRECTIVE_NO_TRANSACTION,
	DIRECTIVE_DIALECTS,
	DIRECTIVE_CONTEXTS
};

struct directive_name {
	const char *name;
	enum directive_kind kind;
	const char *argument; /* what each argument is, for messages */
};

static const struct directive_name directive_names[] = {
	{"depends-on", DIRECTIVE_DEPENDS_ON, "SOURCE/VERSION"},
	{"no-transaction", DIRECTIVE_NO_TRANSACTION, NULL},
	{"dialects", DIRECTIVE_DIALECTS, "dialect"},
	{"contexts", DIRECTIVE_CONTEXTS, "context"},
};

/* The known directive called name (len bytes), or NULL. */
static const struct directive_name *directives_lookup(const char *name,
						      size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(directive_names) / sizeof(directive_names[0]);
	     i++)
		if (strlen(directive_names[i].name) == len &&
		    memcmp(directive_names[i].name, name, len) == 0)
			return &directive_names[i];
	return NULL;
}

/*
 * Add one argument token of a directive to out. Returns 0, -1 with a
 * reason in errbuf, or -2 when out of memory.
 */
static int directives_add_arg(dbshift__directives *out,
			      enum directive_kind kind, const char *tok,
			      size_t tok_len, unsigned long line_no,
			      char *errbuf, size_t errbuf_size)
{
	const char *dialect;
	int nomem;

	switch (kind) {
	case DIRECTIVE_DEPENDS_ON:
		if (!directives_id_valid(tok, tok_len))
			return directives_fail(
				errbuf, errbuf_size,
				"line %lu: dependency '%.*s' is not "
				"SOURCE/VERSION",
				line_no, directives_quote_len(tok_len), tok);
		return directives_push(&out->depends_on, &out->n_depends_on,
				       tok, tok_len);
	case DIRECTIVE_DIALECTS:
		/* Any well-formed name: one no installed driver declares
		 * is ignored, as files of such dialects are. */
		dialect = dbshift__dialect_token(tok, tok_len, &nomem);
		if (nomem)
			return -2;
		if (dialect == NULL)
			return directives_fail(
				errbuf, errbuf_size,
				"line %lu: invalid dialect '%.*s' "
				"(" DBSHIFT__DIALECT_RULE ")",
				line_no, directives_quote_len(tok_len), tok);
		return directives_push(&out->dialects, &out->n_dialects,
				       dialect, strlen(dialect));
	case DIRECTIVE_CONTEXTS:
		return directives_push(&out->contexts, &out->n_contexts, tok,
				       tok_len);
	case DIRECTIVE_NO_TRANSACTION:
		return directives_fail(
			errbuf, errbuf_size,
			"line %lu: 'dbshift:no-transaction' takes no arguments",
			line_no);
	}
	return 0;
}

/*
 * Handle the directive in text (len bytes, starting with "dbshift:" in
 * some letter case) found on line line_no. Returns 0, -1 with a reason in
 * errbuf, or -2 when out of memory.
 */
static int directives_handle(dbshift__directives *out, const char *text,
			     size_t len, unsigned long line_no, char *errbuf,
			     size_t errbuf_size)
{
	const struct directive_name *found = NULL;
	size_t word_len = 0;
	size_t pos, start, n_args = 0;
	const char *name = text + DIRECTIVE_PREFIX_LEN;
	int rc;

	while (DIRECTIVE_PREFIX_LEN + word_len < len &&
	       !directives_is_separator(name[word_len]))
		word_len++;
	if (memcmp(text, DIRECTIVE_PREFIX, DIRECTIVE_PREFIX_LEN) == 0)
		found = directives_lookup(name, word_len);
	if (found == NULL)
		return directives_fail(
			errbuf, errbuf_size,
			"line %lu: unknown directive '%.*s'", line_no,
			directives_quote_len(DIRECTIVE_PREFIX_LEN + word_len),
			text);

	for (pos = 0; pos < len; pos++)
		if (directives_is_control(text[pos]))
			return directives_fail(
				errbuf, errbuf_size,
				"line %lu: 'dbshift:%s' holds a control "
				"character (byte 0x%02x)",
				line_no, found->name, (unsigned char)text[pos]);
	pos = DIRECTIVE_PREFIX_LEN + word_len;
	for (;;) {
		while (pos < len && directives_is_separator(text[pos]))
			pos++;
		if (pos >= len)
			break;
		start = pos;
		while (pos < len && !directives_is_separator(text[pos]))
			pos++;
		rc = directives_add_arg(out, found->kind, text + start,
					pos - start, line_no, errbuf,
					errbuf_size);
		if (rc != 0)
			return rc;
		n_args++;
	}
	if (found->kind == DIRECTIVE_NO_TRANSACTION)
		out->no_transaction = 1;
	else if (n_args == 0)
		return directives_fail(
			errbuf, errbuf_size,
			"line %lu: 'dbshift:%s' needs at least one %s", line_no,
			found->name, found->argument);
	return 0;
}

/* Is the comment text (len bytes) Atlas's "atlas:txmode none"? */
static int directives_atlas_no_transaction(const char *text, size_t len)
{
	static const char prefix[] = "atlas:txmode";
	size_t pos = sizeof(prefix) - 1;

	if (len < pos || memcmp(text, prefix, pos) != 0 || pos == len ||
	    !directives_is_space(text[pos]))
		return 0;
	while (pos < len && directives_is_space(text[pos]))
		pos++;
	if (len - pos < 4 || memcmp(text + pos, "none", 4) != 0)
		return 0;
	pos += 4;
	while (pos < len && directives_is_space(text[pos]))
		pos++;
	return pos == len;
}

/*
 * Look at one line of the leading block. Sets *end_of_block when the line
 * is neither blank nor a "--" comment. Returns 0, -1 or -2 as
 * dbshift__directives_parse() does.
 */
static int directives_line(dbshift__directives *out, const char *line,
			   size_t len, unsigned long line_no, int *end_of_block,
			   char *errbuf, size_t errbuf_size)
{
	size_t pos = 0;

	while (pos < len && directives_is_space(line[pos]))
		pos++;
	if (pos == len)
		return 0;
	if (len - pos < 2 || line[pos] != '-' || line[pos + 1] != '-') {
		*end_of_block = 1;
		return 0;
	}
	pos += 2;
	while (pos < len && directives_is_space(line[pos]))
		pos++;
	if (directives_atlas_no_transaction(line + pos, len - pos)) {
		out->no_transaction = 1;
		return 0;
	}
	if (len - pos < DIRECTIVE_PREFIX_LEN ||
	    strncasecmp(line + pos, DIRECTIVE_PREFIX, DIRECTIVE_PREFIX_LEN) !=
		    0)
		return 0;
	return directives_handle(out, line + pos, len - pos, line_no, errbuf,
				 errbuf_size);
}

int dbshift__directives_parse(dbshift__directives *out, const char *script,
			      size_t len, char *errbuf, size_t errbuf_size)
{
	unsigned long line_no = 1;
	int end_of_block = 0;
	size_t pos = 0;
	const char *eol;
	size_t line_len;
	int rc;

	memset(out, 0, sizeof(*out));
	if (errbuf != NULL && errbuf_size > 0)
		errbuf[0] = '\0';
	if (script == NULL)
		return 0;
	if (len >= 3 && memcmp(script, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len && !end_of_block) {
		eol = memchr(script + pos, '\n', len - pos);
		line_len = eol != NULL ? (size_t)(eol - (script + pos)) :
					 len - pos;
		rc = directives_line(out, script + pos, line_len, line_no,
				     &end_of_block, errbuf, errbuf_size);
		if (rc != 0)
			return rc;
		pos += line_len + 1;
		line_no++;
	}
	return 0;
}
