/* SPDX-License-Identifier: MIT */
/*
 * embedded.c - the embedded migration source: the files of a migration
 * directory compiled into a program as an array of dbshift_embedded_file
 * (usually written by `dbshift embed`, see embed_write.c).
 *
 * The array is read with the directory source's own layout rules
 * (layout.c), so it gives exactly the migrations the directory gave. Its
 * files are shown in messages and recorded as "NAME:PATH", NAME being the
 * source's name and PATH the file's path inside the migration directory
 * ("auth:001_users.up.sql"): an embedded file has no place on disk, and
 * the directory it came from may be on another machine. The data is
 * borrowed, never copied until the catalog takes its copy.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "error.h"
#include "layout.h"
#include "util.h"

/* The source's state: the caller's array and the prefix "NAME:". */
struct embedded_state {
	const dbshift_embedded_file *files;
	size_t n_files;
	char *prefix;
	dbshift_naming naming;
};

/*
 * Add file i of the array to layout. A file without a path or with data
 * NULL but a length is refused, as is a path that is not relative names
 * joined by '/'. Returns 0 or a negative code (reported).
 */
static int embedded_add(const struct embedded_state *state,
			dbshift__layout *layout, dbshift_catalog *cat, size_t i)
{
	const dbshift_embedded_file *file = &state->files[i];
	const char *data = file->data != NULL ? file->data : "";
	char show[1024];
	int rc;

	if (file->path == NULL)
		return dbshift_catalog_fail(cat, DBSHIFT_ESOURCE, NULL,
					    "%sfile %lu of the embedded "
					    "source has no path",
					    state->prefix, (unsigned long)i);
	snprintf(show, sizeof(show), "%s%s", state->prefix, file->path);
	if (file->data == NULL && file->len > 0)
		return dbshift_catalog_fail(cat, DBSHIFT_ESOURCE, show,
					    "'%s': no data for %lu bytes", show,
					    (unsigned long)file->len);
	rc = dbshift__layout_add_data(layout, file->path, data, file->len);
	if (rc == -1)
		return dbshift_catalog_fail(cat, DBSHIFT_ENOMEM, NULL,
					    "out of memory");
	if (rc != 0)
		return dbshift_catalog_fail(
			cat, DBSHIFT_ESOURCE, show,
			"'%s': invalid path in an embedded source (expected "
			"names joined by '/', relative to the migration "
			"directory)",
			show);
	return 0;
}

/* The load callback: lay the array out and add its migrations. */
static int embedded_load(void *opaque, dbshift_catalog *catalog)
{
	const struct embedded_state *state = opaque;
	dbshift__layout layout;
	size_t i;
	int rc = 0;

	if (dbshift__layout_init(&layout, state->prefix, NULL) != 0)
		rc = dbshift_catalog_fail(catalog, DBSHIFT_ENOMEM, NULL,
					  "out of memory");
	layout.naming = state->naming;
	for (i = 0; i < state->n_files && rc == 0; i++)
		rc = embedded_add(state, &layout, catalog, i);
	if (rc == 0)
		rc = dbshift__layout_load(&layout, catalog);
	dbshift__layout_free(&layout);
	return rc;
}

static void embedded_free(void *opaque)
{
	struct embedded_state *state = opaque;

	if (state == NULL)
		return;
	free(state->prefix);
	free(state);
}

static const dbshift_source_ops embedded_ops = {
	DBSHIFT_SOURCE_OPS_VERSION,
	embedded_load,
	embedded_free,
};

int dbshift_source_embedded_new(dbshift_source **out, const char *name,
				const dbshift_embedded_file *files,
				size_t n_files)
{
	return dbshift_source_embedded_new_opts(out, name, files, n_files,
						NULL);
}

int dbshift_source_embedded_new_opts(dbshift_source **out, const char *name,
				     const dbshift_embedded_file *files,
				     size_t n_files,
				     const dbshift_source_options *opts)
{
	dbshift__err *err = dbshift__err_last();
	struct embedded_state *state;
	dbshift_naming naming;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || (files == NULL && n_files > 0))
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"embedded source: no files given");
	rc = dbshift__source_options_naming(opts, &naming, err);
	if (rc != 0)
		return rc;
	state = calloc(1, sizeof(*state));
	if (state == NULL)
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	state->naming = naming;
	state->files = files;
	state->n_files = n_files;
	state->prefix = dbshift__aprintf("%s:", name != NULL ? name : "");
	if (state->prefix == NULL) {
		embedded_free(state);
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	}
	return dbshift_source_new(out, name, &embedded_ops, state);
}
