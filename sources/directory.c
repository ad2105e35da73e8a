/* SPDX-License-Identifier: MIT */
/*
 * directory.c - the directory migration source (design.md 3, "Directory
 * source file layouts"): the file system side of it.
 *
 * The directory is read each time the source is loaded. Its entries are
 * listed (sorted, so that nothing depends on the file system's order) as
 * deep as the layouts go: the migration directory, its migration folders
 * and their dialect folders. What each entry means is decided by the
 * layout rules in layout.c, which the embedded source shares; this file
 * only says what is there, and what could not be looked at. Hidden
 * entries (names starting with '.') are skipped here.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog.h"
#include "directory.h"
#include "error.h"
#include "layout.h"
#include "util.h"

/* Folders deeper than migration/DIALECT/ are never listed. */
#define DIR_LIST_DEPTH 2

/*
 * How the directory source reads a script file. Only tests change it (to
 * count what a run reads, or to fail a read); see directory.h.
 */
dbshift__layout_read_fn dbshift__dir_read_script = dbshift__read_file;

/* The source's state: the directory, without trailing slashes, and how
 * its names give versions. */
struct dir_state {
	char *path;
	dbshift_naming naming;
};

/* One walk of the directory into a layout. */
struct dir_walk {
	dbshift__layout *layout;
	dbshift_catalog *cat;
};

static int dir_oom(dbshift_catalog *cat)
{
	return dbshift_catalog_fail(cat, DBSHIFT_ENOMEM, NULL, "out of memory");
}

/* dir + "/" + name in a new string (NULL when out of memory). */
static char *dir_join(const char *dir, const char *name)
{
	size_t len = strlen(dir);

	if (len > 0 && dir[len - 1] == '/')
		return dbshift__concat(dir, "", name);
	return dbshift__concat(dir, "/", name);
}

/*
 * A listed name and what readdir() said it is: DBSHIFT__ENTRY_FILE or
 * _DIR when the file system told (no symbolic link), else 0, to be found
 * out with stat().
 */
struct dir_name {
	dbshift__entry_type type;
	char name[];
};

static int dir_name_cmp(const void *a, const void *b)
{
	return strcmp((*(struct dir_name *const *)a)->name,
		      (*(struct dir_name *const *)b)->name);
}

/* What the directory entry says its file is, or 0 when it does not. */
static dbshift__entry_type dir_dirent_type(const struct dirent *entry)
{
#ifdef HAVE_STRUCT_DIRENT_D_TYPE
	if (entry->d_type == DT_REG)
		return DBSHIFT__ENTRY_FILE;
	if (entry->d_type == DT_DIR)
		return DBSHIFT__ENTRY_DIR;
#else
	(void)entry;
#endif
	return 0;
}

/* A new dir_name for entry, or NULL when out of memory. */
static struct dir_name *dir_name_new(const struct dirent *entry)
{
	size_t len = strlen(entry->d_name);
	struct dir_name *name = malloc(sizeof(*name) + len + 1);

	if (name == NULL)
		return NULL;
	name->type = dir_dirent_type(entry);
	memcpy(name->name, entry->d_name, len + 1);
	return name;
}

/*
 * List the entries of path that are not hidden (names starting with '.'),
 * sorted bytewise, as struct dir_name belonging to names. Returns 0, or
 * -errno.
 */
static int dir_list(const char *path, dbshift__vec *names)
{
	struct dirent *entry;
	struct dir_name *copy;
	DIR *dir;
	int saved;

	dir = opendir(path);
	if (dir == NULL)
		return -errno;
	for (;;) {
		errno = 0;
		entry = readdir(dir);
		if (entry == NULL)
			break;
		if (entry->d_name[0] == '.')
			continue;
		copy = dir_name_new(entry);
		if (copy == NULL || dbshift__vec_push(names, copy) != 0) {
			free(copy);
			errno = ENOMEM;
			break;
		}
	}
	saved = errno;
	closedir(dir);
	if (saved != 0) {
		dbshift__vec_free(names, free);
		return -saved;
	}
	if (names->len > 1)
		qsort(names->items, names->len, sizeof(names->items[0]),
		      dir_name_cmp);
	return 0;
}

/*
 * What path is, following symbolic links, and the errno of looking at it
 * when that fails (a dangling link). known is what the listing said (0:
 * nothing), which saves a stat() per file.
 */
static dbshift__entry_type dir_entry_type(const char *path,
					  dbshift__entry_type known, int *error)
{
	struct stat st;

	*error = 0;
	if (known != 0)
		return known;
	if (stat(path, &st) != 0) {
		*error = errno;
		return DBSHIFT__ENTRY_BROKEN;
	}
	if (S_ISDIR(st.st_mode))
		return DBSHIFT__ENTRY_DIR;
	if (S_ISREG(st.st_mode))
		return DBSHIFT__ENTRY_FILE;
	return DBSHIFT__ENTRY_OTHER;
}

static int dir_walk_folder(struct dir_walk *walk, const char *rel,
			   const char *full, int depth, size_t index);

/*
 * Add the listed entry of the folder rel (full: its path on disk; rel ""
 * for the migration directory) and, for a folder not too deep, what it
 * holds. Returns 0 or DBSHIFT_ENOMEM (reported).
 */
static int dir_walk_entry(struct dir_walk *walk, const char *rel,
			  const char *full, int depth,
			  const struct dir_name *listed)
{
	const char *name = listed->name;
	char *entry_rel, *entry_full;
	dbshift__entry_type type;
	size_t index = walk->layout->n_entries;
	int error, rc = 0;

	entry_rel = rel[0] != '\0' ? dbshift__concat(rel, "/", name) :
				     dbshift__strdup(name);
	entry_full = dir_join(full, name);
	if (entry_rel == NULL || entry_full == NULL) {
		rc = dir_oom(walk->cat);
		goto out;
	}
	type = dir_entry_type(entry_full, listed->type, &error);
	if (dbshift__layout_add(walk->layout, entry_rel, type, error) != 0)
		rc = dir_oom(walk->cat);
	else if (type == DBSHIFT__ENTRY_DIR && depth < DIR_LIST_DEPTH)
		rc = dir_walk_folder(walk, entry_rel, entry_full, depth + 1,
				     index);
out:
	free(entry_rel);
	free(entry_full);
	return rc;
}

/*
 * List the folder rel at full (depth 0 is the migration directory) into
 * the layout. A folder that cannot be listed keeps the reason in its
 * entry (index), for the layout rules to report when it matters; the
 * migration directory itself is an error at once.
 */
static int dir_walk_folder(struct dir_walk *walk, const char *rel,
			   const char *full, int depth, size_t index)
{
	dbshift__vec names = DBSHIFT__VEC_INIT;
	size_t i;
	int rc;

	rc = dir_list(full, &names);
	if (rc == -ENOMEM)
		return dir_oom(walk->cat);
	if (rc != 0 && depth == 0)
		return dbshift_catalog_fail(
			walk->cat, DBSHIFT_ESOURCE, full,
			"cannot read migration directory '%s': %s", full,
			strerror(-rc));
	if (rc != 0) {
		walk->layout->entries[index].error = -rc;
		return 0;
	}
	for (i = 0; i < names.len && rc == 0; i++)
		rc = dir_walk_entry(walk, rel, full, depth, names.items[i]);
	dbshift__vec_free(&names, free);
	return rc;
}

/* path without its trailing slashes ("/" stays "/"); NULL when OOM. */
static char *dir_strip_slashes(const char *path)
{
	size_t len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	return dbshift__strndup(path, len);
}

int dbshift__dir_read(const char *path, dbshift__layout *layout,
		      dbshift_catalog *cat)
{
	struct dir_walk walk = {layout, cat};
	char *root = dir_strip_slashes(path);
	char *prefix = root != NULL ? dir_join(root, "") : NULL;
	int rc;

	memset(layout, 0, sizeof(*layout));
	if (prefix == NULL ||
	    dbshift__layout_init(layout, prefix, dbshift__dir_read_script) != 0)
		rc = dir_oom(cat);
	else
		rc = dir_walk_folder(&walk, "", root, 0, 0);
	free(root);
	free(prefix);
	return rc;
}

/* The load callback: read the directory and add its migrations. */
static int dir_load(void *state, dbshift_catalog *catalog)
{
	struct dir_state *dir = state;
	dbshift__layout layout;
	int rc;

	rc = dbshift__dir_read(dir->path, &layout, catalog);
	/* Down scripts are read only when a down is planned: a run that
	 * goes up (the usual one) never opens them. */
	layout.defer_down = 1;
	layout.naming = dir->naming;
	if (rc == 0)
		rc = dbshift__layout_load(&layout, catalog);
	dbshift__layout_free(&layout);
	return rc;
}

static void dir_free(void *state)
{
	struct dir_state *dir = state;

	if (dir == NULL)
		return;
	free(dir->path);
	free(dir);
}

static const dbshift_source_ops dir_ops = {
	DBSHIFT_SOURCE_OPS_VERSION,
	dir_load,
	dir_free,
};

/*
 * The source name a directory gives when none is passed: its base name
 * ("migrations" for "./migrations/"). For ".", ".." and "/" the real path
 * is asked, so that "." in a project's migrations folder still gives that
 * folder's name. Returns a new string, or NULL when out of memory.
 */
static char *dir_default_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	char *resolved, *name;

	if (strcmp(base, ".") != 0 && strcmp(base, "..") != 0 &&
	    base[0] != '\0')
		return dbshift__strdup(base);
	resolved = realpath(path, NULL);
	if (resolved == NULL)
		return dbshift__strdup(base);
	slash = strrchr(resolved, '/');
	name = dbshift__strdup(slash != NULL ? slash + 1 : resolved);
	free(resolved);
	return name;
}

int dbshift_source_dir_new(dbshift_source **out, const char *name,
			   const char *path)
{
	return dbshift_source_dir_new_opts(out, name, path, NULL);
}

int dbshift_source_dir_new_opts(dbshift_source **out, const char *name,
				const char *path,
				const dbshift_source_options *opts)
{
	dbshift__err *err = dbshift__err_last();
	struct dir_state *state;
	dbshift_naming naming;
	char *derived = NULL;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || path == NULL || path[0] == '\0')
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"directory source: no path given");
	rc = dbshift__source_options_naming(opts, &naming, err);
	if (rc != 0)
		return rc;
	state = calloc(1, sizeof(*state));
	if (state == NULL)
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	state->naming = naming;
	state->path = dir_strip_slashes(path);
	if (state->path != NULL && name == NULL)
		name = derived = dir_default_name(state->path);
	if (state->path == NULL || name == NULL) {
		dir_free(state);
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	}
	if (derived != NULL && !dbshift__source_name_valid(derived)) {
		rc = dbshift__err_set(err, DBSHIFT_EINVAL,
				      "directory '%s' does not give a valid "
				      "source name ('%s'); pass a name",
				      path, derived);
		dir_free(state);
		free(derived);
		return rc;
	}
	rc = dbshift_source_new(out, name, &dir_ops, state);
	free(derived);
	return rc;
}
