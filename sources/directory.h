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

#endif
