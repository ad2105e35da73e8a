/* SPDX-License-Identifier: MIT */
/*
 * dirnames.c - what the names of files and folders in a migration
 * directory mean (design.md 3, "Directory source file layouts").
 *
 * Flat files are VERSION[_NAME][.DIALECT][.autocommit].(up|down).sql, as
 * golang-migrate writes them, plus the optional dialect and the marker of
 * a script to run outside a transaction (as Ory's pop/popx sets have it,
 * after the dialect; either order is read); folders are VERSION[_NAME]
 * holding up.sql and down.sql. The functions here only read names; the
 * directory source decides what to do with them. Every refusal comes with
 * a reason, because a .sql file that silently does not run is the worst
 * outcome a migration tool can have.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dialect.h"
#include "dirnames.h"

#define FLAT_LAYOUT "VERSION[_NAME][.DIALECT][.autocommit].up.sql or .down.sql"
#define STEM_LAYOUT                                                            \
	"STEM[.DIALECT][.autocommit].up.sql, .down.sql, _up.sql or _down.sql"

/* Write a one-line reason into errbuf (when there is one); returns -1. */
static int dirnames_fail(char *errbuf, size_t errbuf_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Write the reason into errbuf. Reasons quote parts of the name, which may
 * hold any byte but '/' and NUL: control characters become '?' so that a
 * reason stays one line (a newline in a file name would split it).
 */
static int dirnames_fail(char *errbuf, size_t errbuf_size, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (errbuf != NULL && errbuf_size > 0) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errbuf_size, fmt, ap);
		va_end(ap);
		for (p = errbuf; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
	}
	return -1;
}

static int dirnames_is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static int dirnames_ends_with(const char *s, size_t len, const char *suffix)
{
	size_t suffix_len = strlen(suffix);

	return len >= suffix_len &&
	       memcmp(s + len - suffix_len, suffix, suffix_len) == 0;
}

/*
 * A version is non-empty, starts with a letter or digit and holds only
 * letters, digits, '.' and '-' (ASCII; the locale plays no part).
 */
int dbshift__version_valid(const char *version)
{
	const char *p;

	if (version == NULL || !dirnames_is_alnum(version[0]))
		return 0;
	for (p = version; *p; p++)
		if (!dirnames_is_alnum(*p) && *p != '.' && *p != '-')
			return 0;
	return 1;
}

/*
 * A name may hold anything a file name can except control characters
 * (which would break one-line messages); dots are excluded by the callers
 * where they would be ambiguous.
 */
static int dirnames_name_valid(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f ||
		    name[i] == '/')
			return 0;
	return 1;
}

/*
 * Copy the len bytes at src into dst (dst_size bytes). Returns 0, or -1
 * when they do not fit.
 */
static int dirnames_copy(char *dst, size_t dst_size, const char *src,
			 size_t len)
{
	if (len >= dst_size)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

/*
 * Split off the ".up.sql" or ".down.sql" ending of filename. Returns the
 * length of what precedes it and sets *kind, or returns -1 with a reason.
 */
static long dirnames_flat_kind(const char *filename, size_t len,
			       dbshift__script_kind *kind, char *errbuf,
			       size_t errbuf_size)
{
	if (!dirnames_ends_with(filename, len, ".sql"))
		return dirnames_fail(errbuf, errbuf_size, "expected %s",
				     FLAT_LAYOUT);
	len -= 4;
	if (dirnames_ends_with(filename, len, ".up")) {
		*kind = DBSHIFT__SCRIPT_UP;
		return (long)(len - 3);
	}
	if (dirnames_ends_with(filename, len, ".down")) {
		*kind = DBSHIFT__SCRIPT_DOWN;
		return (long)(len - 5);
	}
	if (dirnames_ends_with(filename, len, "_up") ||
	    dirnames_ends_with(filename, len, "_down"))
		return dirnames_fail(errbuf, errbuf_size,
				     "expected %s (NAME_up.sql and "
				     "NAME_down.sql are read with --naming "
				     "stem)",
				     FLAT_LAYOUT);
	return dirnames_fail(errbuf, errbuf_size, "expected %s", FLAT_LAYOUT);
}

/* The marker of a script to run outside a transaction (design.md 3). */
#define AUTOCOMMIT "autocommit"

/* Is the len bytes at token the .autocommit marker? */
static int dirnames_is_autocommit(const char *token, size_t len)
{
	return len == strlen(AUTOCOMMIT) && memcmp(token, AUTOCOMMIT, len) == 0;
}

/* Does the len bytes at token look like a dialect name in any letter
 * case ("Postgres"): a letter, then letters, digits and '_'? */
static int dirnames_dialect_shaped(const char *token, size_t len)
{
	size_t i;

	if (len == 0 || !dirnames_is_alnum(token[0]) ||
	    (token[0] >= '0' && token[0] <= '9'))
		return 0;
	for (i = 0; i < len; i++)
		if (!dirnames_is_alnum(token[i]) && token[i] != '_')
			return 0;
	return 1;
}

/* Is there an empty token among the '.'-separated bytes of filename from
 * start to end ("x..up.sql", nothing at all)? */
static int dirnames_empty_token(const char *filename, size_t start, size_t end)
{
	size_t i;

	if (start >= end || filename[start] == '.' || filename[end - 1] == '.')
		return 1;
	for (i = start; i + 1 < end; i++)
		if (filename[i] == '.' && filename[i + 1] == '.')
			return 1;
	return 0;
}

/*
 * Where the '.'-separated tokens of filename from start to end (none
 * empty) stop being part of the name: the tail, read from the end, is at
 * most one .autocommit and one well-formed dialect, in either order.
 * Returns the position of the first tail token (end when there is none).
 */
static size_t dirnames_tail_start(const char *filename, size_t start,
				  size_t end)
{
	size_t tail = end, stop, token;
	int dialect = 0, autocommit = 0;

	while (tail > start) {
		stop = tail == end ? end : tail - 1;
		token = stop;
		while (token > start && filename[token - 1] != '.')
			token--;
		if (!autocommit &&
		    dirnames_is_autocommit(filename + token, stop - token))
			autocommit = 1;
		else if (!dialect &&
			 !dirnames_is_autocommit(filename + token,
						 stop - token) &&
			 dbshift__dialect_token(filename + token, stop - token,
						NULL) != NULL)
			dialect = 1;
		else
			break;
		tail = token;
	}
	return tail;
}

/*
 * The tokens from start to tail are not dialects: a misspelt dialect
 * when it is one token shaped like one ("Postgres"), else a '.' inside
 * the version or name, and then the reason names the file name that
 * would be read, with each of those '.' turned into '_'.
 */
static int dirnames_bad_tokens(const char *filename, size_t start, size_t tail,
			       size_t end, const char *layout, char *errbuf,
			       size_t errbuf_size)
{
	char renamed[256];
	size_t i, len = strlen(filename);
	size_t bad_len = strcspn(filename + start, ".");
	size_t limit = tail == end ? end : tail - 1; /* end of the bad ones */
	int shown = (int)(bad_len > 80 ? 80 : bad_len);

	if (start + bad_len == limit &&
	    dirnames_is_autocommit(filename + start, bad_len))
		return dirnames_fail(errbuf, errbuf_size,
				     ".autocommit given twice (expected %s)",
				     layout);
	if (start + bad_len == limit &&
	    dirnames_dialect_shaped(filename + start, bad_len) &&
	    dbshift__dialect_token(filename + start, bad_len, NULL) == NULL)
		return dirnames_fail(errbuf, errbuf_size,
				     "invalid dialect '%.*s' "
				     "(" DBSHIFT__DIALECT_RULE "; expected %s)",
				     shown, filename + start, layout);
	if (len >= sizeof(renamed))
		return dirnames_fail(errbuf, errbuf_size,
				     "'%.*s' after a '.' is neither a dialect "
				     "nor autocommit: a version or name "
				     "cannot hold '.' (expected %s)",
				     shown, filename + start, layout);
	memcpy(renamed, filename, len + 1);
	for (i = start - 1; i < limit; i++)
		if (renamed[i] == '.')
			renamed[i] = '_';
	return dirnames_fail(errbuf, errbuf_size,
			     "'%.*s' after a '.' is neither a dialect nor "
			     "autocommit: a version or name cannot hold '.' "
			     "(rename the file to %s; expected %s)",
			     shown, filename + start, renamed, layout);
}

/*
 * Read the ".DIALECT" and ".autocommit" parts of a flat name: the bytes
 * of filename from start (after a '.') to end, at most one of each, in
 * either order. Sets out->dialect and out->autocommit. Returns 0 or -1
 * with a reason: an empty part, a misspelt dialect, or a '.' that belongs
 * to the version or name.
 */
static int dirnames_flat_tokens(const char *filename, size_t start, size_t end,
				dbshift__flatname *out, const char *layout,
				char *errbuf, size_t errbuf_size)
{
	size_t tail, pos, len;
	int nomem;

	if (dirnames_empty_token(filename, start, end))
		return dirnames_fail(errbuf, errbuf_size,
				     "empty part between two '.' (expected %s)",
				     layout);
	tail = dirnames_tail_start(filename, start, end);
	if (tail > start)
		return dirnames_bad_tokens(filename, start, tail, end, layout,
					   errbuf, errbuf_size);
	for (pos = start; pos < end; pos += len + 1) {
		len = strcspn(filename + pos, ".");
		if (pos + len > end)
			len = end - pos;
		if (dirnames_is_autocommit(filename + pos, len) &&
		    !out->autocommit) {
			out->autocommit = 1;
			continue;
		}
		/* Any well-formed name: what it means is up to the installed
		 * drivers, and a dialect none declares is ignored, not
		 * refused. */
		out->dialect =
			dbshift__dialect_token(filename + pos, len, &nomem);
		if (nomem)
			return dirnames_fail(errbuf, errbuf_size,
					     "out of memory");
	}
	return 0;
}

int dbshift__flatname_parse(const char *filename, dbshift__flatname *out,
			    char *errbuf, size_t errbuf_size)
{
	size_t version_len, name_start, name_len = 0, pos;
	long base_len;

	memset(out, 0, sizeof(*out));
	base_len = dirnames_flat_kind(filename, strlen(filename), &out->kind,
				      errbuf, errbuf_size);
	if (base_len < 0)
		return -1;

	version_len = strcspn(filename, "_.");
	if (version_len > (size_t)base_len)
		version_len = (size_t)base_len;
	if (version_len == 0)
		return dirnames_fail(errbuf, errbuf_size,
				     "empty version (expected %s)",
				     FLAT_LAYOUT);
	pos = version_len;
	name_start = pos + 1;
	if (pos < (size_t)base_len && filename[pos] == '_') {
		while (name_start + name_len < (size_t)base_len &&
		       filename[name_start + name_len] != '.')
			name_len++;
		if (name_len == 0)
			return dirnames_fail(
				errbuf, errbuf_size,
				"empty name after '_' (expected %s)",
				FLAT_LAYOUT);
		pos = name_start + name_len;
	}
	if (pos < (size_t)base_len &&
	    dirnames_flat_tokens(filename, pos + 1, (size_t)base_len, out,
				 FLAT_LAYOUT, errbuf, errbuf_size) != 0)
		return -1;

	if (dirnames_copy(out->version, sizeof(out->version), filename,
			  version_len) != 0 ||
	    dirnames_copy(out->name, sizeof(out->name), filename + name_start,
			  name_len) != 0)
		return dirnames_fail(errbuf, errbuf_size,
				     "version or name too long");
	if (!dbshift__version_valid(out->version))
		return dirnames_fail(errbuf, errbuf_size,
				     "version '%s' may hold only letters, "
				     "digits and '-' (expected %s)",
				     out->version, FLAT_LAYOUT);
	if (!dirnames_name_valid(out->name, name_len))
		return dirnames_fail(errbuf, errbuf_size,
				     "name holds control characters");
	return 0;
}

size_t dbshift__version_number_len(const char *version)
{
	size_t n = 0;

	while (version[n] >= '0' && version[n] <= '9')
		n++;
	return n;
}

/* A stem: starts with a letter or digit, then letters, digits, '_', '-'
 * and '.'. */
static int dirnames_stem_valid(const char *stem)
{
	const char *p;

	if (!dirnames_is_alnum(stem[0]))
		return 0;
	for (p = stem; *p; p++)
		if (!dirnames_is_alnum(*p) && *p != '.' && *p != '-' &&
		    *p != '_')
			return 0;
	return 1;
}

/* Split a stem (len bytes at stem) into version (all of it) and name
 * (after the first '_'). Returns 0 or -1 with a reason. */
static int dirnames_split_stem(const char *stem, size_t len, char *version,
			       size_t version_size, char *name,
			       size_t name_size, char *errbuf,
			       size_t errbuf_size)
{
	const char *underscore = memchr(stem, '_', len);
	size_t name_len =
		underscore ? len - (size_t)(underscore - stem) - 1 : 0;

	if (len == 0)
		return dirnames_fail(errbuf, errbuf_size,
				     "empty version (expected %s)",
				     STEM_LAYOUT);
	if (dirnames_copy(version, version_size, stem, len) != 0 ||
	    dirnames_copy(name, name_size, underscore ? underscore + 1 : "",
			  name_len) != 0)
		return dirnames_fail(errbuf, errbuf_size,
				     "version or name too long");
	if (!dirnames_stem_valid(version))
		return dirnames_fail(errbuf, errbuf_size,
				     "version '%s' may hold only letters, "
				     "digits, '_' and '-' (expected %s)",
				     version, STEM_LAYOUT);
	return 0;
}

/* The kind ending of a stem-naming base name (without ".sql"): .up,
 * .down, _up or _down. Returns the length before it, or -1. */
static long dirnames_stem_kind(const char *base, size_t len,
			       dbshift__script_kind *kind)
{
	static const struct {
		const char *ending;
		dbshift__script_kind kind;
	} endings[] = {{".up", DBSHIFT__SCRIPT_UP},
		       {".down", DBSHIFT__SCRIPT_DOWN},
		       {"_up", DBSHIFT__SCRIPT_UP},
		       {"_down", DBSHIFT__SCRIPT_DOWN}};
	size_t i;

	for (i = 0; i < sizeof(endings) / sizeof(endings[0]); i++) {
		if (dirnames_ends_with(base, len, endings[i].ending)) {
			*kind = endings[i].kind;
			return (long)(len - strlen(endings[i].ending));
		}
	}
	return -1;
}

int dbshift__flatname_parse_stem(const char *filename, dbshift__flatname *out,
				 char *errbuf, size_t errbuf_size)
{
	size_t len = strlen(filename), stem_len;
	long base_len;

	memset(out, 0, sizeof(*out));
	if (!dirnames_ends_with(filename, len, ".sql"))
		return dirnames_fail(errbuf, errbuf_size, "expected %s",
				     STEM_LAYOUT);
	base_len = dirnames_stem_kind(filename, len - 4, &out->kind);
	if (base_len < 0)
		return dirnames_fail(errbuf, errbuf_size, "expected %s",
				     STEM_LAYOUT);
	stem_len = strcspn(filename, ".");
	if (stem_len > (size_t)base_len)
		stem_len = (size_t)base_len;
	if (stem_len < (size_t)base_len &&
	    dirnames_flat_tokens(filename, stem_len + 1, (size_t)base_len, out,
				 STEM_LAYOUT, errbuf, errbuf_size) != 0)
		return -1;
	if (dirnames_split_stem(filename, stem_len, out->version,
				sizeof(out->version), out->name,
				sizeof(out->name), errbuf, errbuf_size) != 0)
		return -1;
	if (!dirnames_name_valid(out->name, strlen(out->name)))
		return dirnames_fail(errbuf, errbuf_size,
				     "name holds control characters");
	return 0;
}

int dbshift__foldername_parse_stem(const char *dirname, char *version,
				   size_t version_size, char *name,
				   size_t name_size, char *errbuf,
				   size_t errbuf_size)
{
	return dirnames_split_stem(dirname, strlen(dirname), version,
				   version_size, name, name_size, errbuf,
				   errbuf_size);
}

int dbshift__foldername_parse(const char *dirname, char *version,
			      size_t version_size, char *name, size_t name_size,
			      char *errbuf, size_t errbuf_size)
{
	size_t len = strlen(dirname);
	size_t version_len = strcspn(dirname, "_");
	size_t name_len = version_len < len ? len - version_len - 1 : 0;
	const char *name_start =
		dirname + version_len + (version_len < len ? 1 : 0);

	if (version_size > 0)
		version[0] = '\0';
	if (name_size > 0)
		name[0] = '\0';
	if (version_len == 0)
		return dirnames_fail(errbuf, errbuf_size,
				     "empty version (expected VERSION[_NAME])");
	if (version_len < len && name_len == 0)
		return dirnames_fail(
			errbuf, errbuf_size,
			"empty name after '_' (expected VERSION[_NAME])");
	if (dirnames_copy(version, version_size, dirname, version_len) != 0 ||
	    dirnames_copy(name, name_size, name_start, name_len) != 0)
		return dirnames_fail(errbuf, errbuf_size,
				     "version or name too long");
	if (!dbshift__version_valid(version))
		return dirnames_fail(
			errbuf, errbuf_size,
			"version '%s' may hold only letters, digits, '.' and "
			"'-' (expected VERSION[_NAME])",
			version);
	if (!dirnames_name_valid(name, name_len))
		return dirnames_fail(errbuf, errbuf_size,
				     "name holds control characters");
	return 0;
}

int dbshift__folderfile_parse(const char *filename, dbshift__script_kind *kind)
{
	if (strcmp(filename, "up.sql") == 0) {
		*kind = DBSHIFT__SCRIPT_UP;
		return 0;
	}
	if (strcmp(filename, "down.sql") == 0) {
		*kind = DBSHIFT__SCRIPT_DOWN;
		return 0;
	}
	return -1;
}
