/* SPDX-License-Identifier: MIT */
/*
 * layout.h - the rules of the migration directory layouts (design.md 3,
 * "Directory source file layouts") applied to an abstract tree of entries.
 *
 * The directory source fills the tree from the file system, the embedded
 * source from the arrays of a generated C file; both then load through
 * dbshift__layout_load(), so the same files give the same migrations and
 * the same errors whichever way they were read.
 */
#ifndef DBSHIFT_LAYOUT_H
#define DBSHIFT_LAYOUT_H

#include <stddef.h>

#include "dbshift/dbshift.h"

typedef enum dbshift__entry_type {
	DBSHIFT__ENTRY_FILE = 1,  /* a regular file */
	DBSHIFT__ENTRY_DIR = 2,	  /* a folder */
	DBSHIFT__ENTRY_OTHER = 3, /* a fifo, socket or device */
	DBSHIFT__ENTRY_BROKEN = 4 /* could not be looked at; error says why */
} dbshift__entry_type;

/* One file or folder below the migration directory. */
typedef struct dbshift__entry {
	char *path; /* relative to the migration directory, '/' between names */
	dbshift__entry_type type;
	int error; /* BROKEN: errno of looking at it; DIR: of listing it */
	const char *data; /* FILE held in memory (borrowed), or NULL */
	size_t len;
	size_t end; /* set by the load: index after the entries inside it */
} dbshift__entry;

/* Read a whole file named by its display path: 0 or -errno. */
typedef int (*dbshift__layout_read_fn)(const char *file, char **text,
				       size_t *len);

/*
 * The entries of one migration directory. An entry is shown in messages
 * and recorded as a script's file as prefix + path: the directory source
 * uses "DIR/", so that its files keep their real paths; the embedded
 * source uses "NAME:".
 */
typedef struct dbshift__layout {
	dbshift__entry *entries;
	size_t n_entries;
	size_t cap;
	char *prefix;
	dbshift__layout_read_fn read; /* for FILE entries without data */
	/* Down scripts of FILE entries without data are not read by the
	 * load but left to the core to read when a down is planned. */
	int defer_down;
	dbshift_naming naming; /* how file names give versions */
} dbshift__layout;

/** Prepare an empty layout. Returns 0, or -1 when out of memory. */
int dbshift__layout_init(dbshift__layout *layout, const char *prefix,
			 dbshift__layout_read_fn read);

/** Free the entries and the prefix. Accepts a zeroed layout. */
void dbshift__layout_free(dbshift__layout *layout);

/**
 * Add an entry found on the file system (path is copied; data NULL).
 * Returns 0, or -1 when out of memory.
 */
int dbshift__layout_add(dbshift__layout *layout, const char *path,
			dbshift__entry_type type, int error);

/**
 * Add a file held in memory (data borrowed; path copied) with the folders
 * its path implies. A path with a hidden name (".git/...") is skipped as
 * the file system walk skips hidden entries. Returns 0; -1 when out of
 * memory; -2 when path is not names joined by '/' (empty, absolute,
 * "." or "..", doubled or trailing '/').
 */
int dbshift__layout_add_data(dbshift__layout *layout, const char *path,
			     const char *data, size_t len);

/**
 * Apply the layout rules to the entries and add the migrations they make
 * to cat. The entries are ordered first (the order they were added in
 * does not matter); a path given twice, or as both a file and a folder, is
 * an error. Returns 0 or a negative code recorded in cat, naming the file
 * at fault by its display path.
 */
int dbshift__layout_load(dbshift__layout *layout, dbshift_catalog *cat);

#endif
