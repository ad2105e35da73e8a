/* SPDX-License-Identifier: MIT */
/*
 * directory.h - the directory source's reading of the file system, shared
 * with the generator of embedded sources (embed_write.c), which must see a
 * directory exactly as the directory source does.
 */
#ifndef DBSHIFT_DIRECTORY_H
#define DBSHIFT_DIRECTORY_H

#include "dbshift/dbshift.h"
#include "layout.h"

/**
 * List the migration directory at path (trailing slashes ignored) into
 * layout, which is initialised here with the prefix "PATH/" and a file
 * reader, and must be freed with dbshift__layout_free() in every case.
 * Returns 0, or a negative code recorded in cat (a directory that cannot
 * be read: DBSHIFT_ESOURCE naming it).
 */
int dbshift__dir_read(const char *path, dbshift__layout *layout,
		      dbshift_catalog *cat);

/**
 * The reader of every script file the directory source reads,
 * dbshift__read_file() unless a test replaced it to count reads (a run
 * that only goes up must never read a down script) or to fail one.
 */
extern dbshift__layout_read_fn dbshift__dir_read_script;

#endif
