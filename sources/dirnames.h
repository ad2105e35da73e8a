/* SPDX-License-Identifier: MIT */
/*
 * dirnames.h - parsing the names of files and folders in a migration
 * directory (design.md 3, "Directory source file layouts").
 */
#ifndef DBSHIFT_DIRNAMES_H
#define DBSHIFT_DIRNAMES_H

#include <stddef.h>

typedef enum dbshift__script_kind {
	DBSHIFT__SCRIPT_UP = 1,
	DBSHIFT__SCRIPT_DOWN = 2
} dbshift__script_kind;

/** A parsed flat file name: VERSION[_NAME][.DIALECT][.autocommit].(up|down).sql
 * (the dialect and the marker in either order) */
typedef struct dbshift__flatname {
	char version[256];
	char name[256];
	const char
		*dialect; /* interned token, or NULL for the generic script */
	dbshift__script_kind kind;
	int autocommit; /* ".autocommit": run outside a transaction */
} dbshift__flatname;

/**
 * Parse a flat-layout file name ending in ".sql". Returns 0, or -1 with a
 * reason in errbuf ("expected VERSION_NAME.up.sql or .down.sql").
 */
int dbshift__flatname_parse(const char *filename, dbshift__flatname *out,
			    char *errbuf, size_t errbuf_size);

/**
 * Parse a flat file name in stem naming (DBSHIFT_NAMING_STEM):
 * STEM[.DIALECT][.autocommit](.up|.down|_up|_down).sql, where the version is
 * the whole STEM ("0001_create_users", "0157") and the name what follows its
 * first
 * '_' ("create_users", or ""). Returns 0, or -1 with a reason in errbuf.
 */
int dbshift__flatname_parse_stem(const char *filename, dbshift__flatname *out,
				 char *errbuf, size_t errbuf_size);

/**
 * Stem naming of a folder: the version is the whole folder name, the name
 * what follows its first '_'. Returns 0, or -1 with a reason in errbuf.
 */
int dbshift__foldername_parse_stem(const char *dirname, char *version,
				   size_t version_size, char *name,
				   size_t name_size, char *errbuf,
				   size_t errbuf_size);

/**
 * Parse a folder name VERSION[_NAME] into version and name. Returns 0, or -1
 * with a reason in errbuf (empty version, bad characters).
 */
int dbshift__foldername_parse(const char *dirname, char *version,
			      size_t version_size, char *name, size_t name_size,
			      char *errbuf, size_t errbuf_size);

/**
 * Classify a file inside a migration folder: "up.sql"/"down.sql" (dialect
 * NULL) or, inside a dialect sub-folder, the same with that dialect.
 * Returns 0, or -1 when the name is not up.sql/down.sql.
 */
int dbshift__folderfile_parse(const char *filename, dbshift__script_kind *kind);

/** The length of the run of digits version starts with (0 for none). */
size_t dbshift__version_number_len(const char *version);

/** Is version acceptable: non-empty, only [A-Za-z0-9.-], starts with a digit
 * or letter? */
int dbshift__version_valid(const char *version);

#endif
