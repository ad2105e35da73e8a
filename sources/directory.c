/*
 * directory.c - the directory migration source (design.md 3, "Directory
 * source file layouts").
 *
 * The directory is read each time the source is loaded. Its entries are
 * listed and sorted once; every .sql file found, flat or inside a
 * migration folder, becomes a "piece" (version, name, dialect, up or
 * down, file). Pieces are then sorted by version and grouped, so that
 * each version becomes one dbshift_migration_def carrying its generic
 * scripts and its dialect variants. Choosing the variant for the run's
 * dialect is the core's job (core/catalog.c), not this file's.
 *
 * Anything that looks like a migration but does not fit the layouts is an
 * error naming the file: a script that silently never runs is worse than
 * a refusal to start. Files that are not .sql (README, .keep, atlas.sum)
 * and hidden entries are ignored.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "catalog.h"
#include "directives.h"
#include "dirnames.h"
#include "error.h"
#include "util.h"

#define FOLDER_LAYOUT "up.sql, down.sql or DIALECT/up.sql"

enum dir_layout { DIR_FLAT = 1, DIR_FOLDER = 2 };

enum dir_entry_type { DIR_ENTRY_FILE, DIR_ENTRY_DIR, DIR_ENTRY_OTHER };

/* The source's state: the directory, without trailing slashes. */
struct dir_state {
	char *path;
};

/* One script found in the directory. */
struct dir_piece {
	char *version;	     /* as written */
	char *name;	     /* "" when none */
	char *file;	     /* path of the script */
	char *origin;	     /* the flat file or the folder, for messages */
	const char *dialect; /* canonical, or NULL for the generic script */
	dbshift__script_kind kind;
	enum dir_layout layout;
};

/* One load of the directory. */
struct dir_scan {
	dbshift_catalog *cat;
	dbshift__vec pieces; /* struct dir_piece * */
};

static void dir_piece_free(void *item)
{
	struct dir_piece *piece = item;

	if (piece == NULL)
		return;
	free(piece->version);
	free(piece->name);
	free(piece->file);
	free(piece->origin);
	free(piece);
}

static int dir_oom(struct dir_scan *scan)
{
	return dbshift_catalog_fail(scan->cat, DBSHIFT_ENOMEM, NULL,
				    "out of memory");
}

/* dir + "/" + name in a new string (NULL when out of memory). */
static char *dir_join(const char *dir, const char *name)
{
	size_t len = strlen(dir);

	if (len > 0 && dir[len - 1] == '/')
		return dbshift__aprintf("%s%s", dir, name);
	return dbshift__aprintf("%s/%s", dir, name);
}

/* Does name end in ".sql", in any letter case? */
static int dir_is_sql_name(const char *name)
{
	size_t len = strlen(name);

	return len >= 4 && strcasecmp(name + len - 4, ".sql") == 0;
}

static int dir_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * List the entries of path that are not hidden (names starting with '.'),
 * sorted bytewise, so that the result does not depend on the file
 * system's order. The names belong to names. Returns 0, or -errno with
 * errno set.
 */
static int dir_list(const char *path, dbshift__vec *names)
{
	struct dirent *entry;
	char *copy;
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
		copy = dbshift__strdup(entry->d_name);
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
		errno = saved;
		return -saved;
	}
	if (names->len > 1)
		qsort(names->items, names->len, sizeof(names->items[0]),
		      dir_name_cmp);
	return 0;
}

/*
 * What path is, following symbolic links. Returns 0 and sets *type, or
 * -errno.
 */
static int dir_entry_type(const char *path, enum dir_entry_type *type)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		*type = DIR_ENTRY_DIR;
	else if (S_ISREG(st.st_mode))
		*type = DIR_ENTRY_FILE;
	else
		*type = DIR_ENTRY_OTHER;
	return 0;
}

/*
 * Record a script. origin is the flat file or the migration folder.
 * Returns 0 or DBSHIFT_ENOMEM (reported).
 */
static int dir_add_piece(struct dir_scan *scan, const char *version,
			 const char *name, const char *file, const char *origin,
			 const char *dialect, dbshift__script_kind kind,
			 enum dir_layout layout)
{
	struct dir_piece *piece = calloc(1, sizeof(*piece));

	if (piece == NULL)
		return dir_oom(scan);
	piece->version = dbshift__strdup(version);
	piece->name = dbshift__strdup(name);
	piece->file = dbshift__strdup(file);
	piece->origin = dbshift__strdup(origin);
	piece->dialect = dialect;
	piece->kind = kind;
	piece->layout = layout;
	if (piece->version == NULL || piece->name == NULL ||
	    piece->file == NULL || piece->origin == NULL ||
	    dbshift__vec_push(&scan->pieces, piece) != 0) {
		dir_piece_free(piece);
		return dir_oom(scan);
	}
	return 0;
}

/*
 * Check that path (a directory entry) can be looked at. Returns 0 with
 * *type set, or DBSHIFT_ESOURCE (reported) when it cannot.
 */
static int dir_stat_entry(struct dir_scan *scan, const char *path,
			  enum dir_entry_type *type)
{
	int rc = dir_entry_type(path, type);

	if (rc != 0)
		return dbshift_catalog_fail(scan->cat, DBSHIFT_ESOURCE, path,
					    "cannot read '%s': %s", path,
					    strerror(-rc));
	return 0;
}

/* Does the folder at path hold an up.sql or a down.sql? */
static int dir_has_scripts(const char *path)
{
	static const char *const scripts[] = {"up.sql", "down.sql"};
	enum dir_entry_type type;
	size_t i;
	char *file;
	int found = 0;

	for (i = 0; i < 2 && !found; i++) {
		file = dir_join(path, scripts[i]);
		found = file != NULL && dir_entry_type(file, &type) == 0;
		free(file);
	}
	return found;
}

/* A migration folder being read. */
struct dir_folder {
	const char *version;
	const char *name;
	const char *path;
	size_t n_up; /* up scripts found, generic or dialect */
};

static int dir_scan_scripts(struct dir_scan *scan, struct dir_folder *folder,
			    const char *path, const char *dialect);

/*
 * A sub-folder of a migration folder: a dialect folder (postgres/, pg/,
 * ...) is read; an unknown folder is an error when it holds scripts
 * (a misspelt dialect would otherwise be skipped) and ignored otherwise.
 */
static int dir_scan_subfolder(struct dir_scan *scan, struct dir_folder *folder,
			      const char *entry, const char *path)
{
	const char *dialect = dbshift__dialect_canonical(entry, strlen(entry));

	if (dialect != NULL)
		return dir_scan_scripts(scan, folder, path, dialect);
	if (dir_has_scripts(path))
		return dbshift_catalog_fail(
			scan->cat, DBSHIFT_ESOURCE, path,
			"'%s': unknown dialect folder '%s' (expected sqlite, "
			"postgres, pg, mysql or mariadb)",
			path, entry);
	return 0;
}

/*
 * One entry of a migration folder, or of its dialect sub-folder when
 * dialect is not NULL: up.sql and down.sql become pieces, other .sql files
 * are errors, sub-folders of the migration folder may be dialect folders,
 * and anything else is ignored.
 */
static int dir_scan_script(struct dir_scan *scan, struct dir_folder *folder,
			   const char *entry, const char *path,
			   const char *dialect)
{
	enum dir_entry_type type;
	dbshift__script_kind kind;
	int rc;

	if (!dir_is_sql_name(entry)) {
		rc = dir_entry_type(path, &type);
		if (rc == 0 && type == DIR_ENTRY_DIR && dialect == NULL)
			return dir_scan_subfolder(scan, folder, entry, path);
		return 0;
	}
	rc = dir_stat_entry(scan, path, &type);
	if (rc != 0)
		return rc;
	if (type == DIR_ENTRY_DIR && dialect == NULL)
		return dir_scan_subfolder(scan, folder, entry, path);
	if (type != DIR_ENTRY_FILE || dbshift__folderfile_parse(entry, &kind))
		return dbshift_catalog_fail(scan->cat, DBSHIFT_ESOURCE, path,
					    "'%s': unknown script in a "
					    "migration folder (expected %s)",
					    path, FOLDER_LAYOUT);
	if (kind == DBSHIFT__SCRIPT_UP)
		folder->n_up++;
	return dir_add_piece(scan, folder->version, folder->name, path,
			     folder->path, dialect, kind, DIR_FOLDER);
}

/*
 * Read the folder at path: the migration folder itself, or one of its
 * dialect sub-folders. Returns 0 or a negative code (reported).
 */
static int dir_scan_scripts(struct dir_scan *scan, struct dir_folder *folder,
			    const char *path, const char *dialect)
{
	dbshift__vec entries = DBSHIFT__VEC_INIT;
	char *entry_path;
	size_t i;
	int rc;

	rc = dir_list(path, &entries);
	if (rc != 0)
		return dbshift_catalog_fail(scan->cat, DBSHIFT_ESOURCE, path,
					    "cannot read '%s': %s", path,
					    strerror(-rc));
	for (i = 0; i < entries.len && rc == 0; i++) {
		entry_path = dir_join(path, entries.items[i]);
		if (entry_path == NULL) {
			rc = dir_oom(scan);
			break;
		}
		rc = dir_scan_script(scan, folder, entries.items[i], entry_path,
				     dialect);
		free(entry_path);
	}
	dbshift__vec_free(&entries, free);
	return rc;
}

/* A folder in the migration directory: VERSION[_NAME] with its scripts. */
static int dir_scan_folder(struct dir_scan *scan, const char *entry,
			   const char *path)
{
	char version[256], name[256], reason[256];
	struct dir_folder folder = {version, name, path, 0};
	int rc;

	if (dbshift__foldername_parse(entry, version, sizeof(version), name,
				      sizeof(name), reason,
				      sizeof(reason)) != 0)
		return dbshift_catalog_fail(scan->cat, DBSHIFT_ESOURCE, path,
					    "'%s': not a migration folder: %s",
					    path, reason);
	rc = dir_scan_scripts(scan, &folder, path, NULL);
	if (rc == 0 && folder.n_up == 0)
		rc = dbshift_catalog_fail(
			scan->cat, DBSHIFT_ESOURCE, path,
			"'%s': migration folder without up.sql", path);
	return rc;
}

/* A .sql file in the migration directory: a flat-layout script. */
static int dir_scan_flat(struct dir_scan *scan, const char *entry,
			 const char *path)
{
	dbshift__flatname parsed;
	char reason[256];

	if (dbshift__flatname_parse(entry, &parsed, reason, sizeof(reason)))
		return dbshift_catalog_fail(scan->cat, DBSHIFT_ESOURCE, path,
					    "'%s': %s", path, reason);
	return dir_add_piece(scan, parsed.version, parsed.name, path, path,
			     parsed.dialect, parsed.kind, DIR_FLAT);
}

/* One entry of the migration directory. */
static int dir_scan_entry(struct dir_scan *scan, const char *entry,
			  const char *path)
{
	enum dir_entry_type type;
	int rc;

	if (dir_is_sql_name(entry)) {
		rc = dir_stat_entry(scan, path, &type);
		if (rc != 0)
			return rc;
	} else if (dir_entry_type(path, &type) != 0) {
		return 0; /* e.g. a dangling link named README: not ours */
	}
	if (type == DIR_ENTRY_DIR)
		return dir_scan_folder(scan, entry, path);
	if (!dir_is_sql_name(entry))
		return 0;
	if (type != DIR_ENTRY_FILE)
		return dbshift_catalog_fail(scan->cat, DBSHIFT_ESOURCE, path,
					    "'%s': not a regular file", path);
	return dir_scan_flat(scan, entry, path);
}

/* Collect the pieces of every entry of the directory at path. */
static int dir_scan_all(struct dir_scan *scan, const char *path)
{
	dbshift__vec entries = DBSHIFT__VEC_INIT;
	char *entry_path;
	size_t i;
	int rc;

	rc = dir_list(path, &entries);
	if (rc != 0)
		return dbshift_catalog_fail(
			scan->cat, DBSHIFT_ESOURCE, path,
			"cannot read migration directory '%s': %s", path,
			strerror(-rc));
	for (i = 0; i < entries.len && rc == 0; i++) {
		entry_path = dir_join(path, entries.items[i]);
		if (entry_path == NULL) {
			rc = dir_oom(scan);
			break;
		}
		rc = dir_scan_entry(scan, entries.items[i], entry_path);
		free(entry_path);
	}
	dbshift__vec_free(&entries, free);
	return rc;
}

static int dir_dialect_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/*
 * Order of pieces: by version (naturally, so "001" and "1" are adjacent),
 * then by what identifies one migration (version as written, layout,
 * name), then generic before dialect scripts, up before down, and finally
 * by file so that the order is total.
 */
static int dir_piece_cmp(const void *pa, const void *pb)
{
	const struct dir_piece *a = *(const struct dir_piece *const *)pa;
	const struct dir_piece *b = *(const struct dir_piece *const *)pb;
	int cmp;

	cmp = dbshift_version_compare(a->version, b->version);
	if (cmp == 0)
		cmp = strcmp(a->version, b->version);
	if (cmp == 0)
		cmp = (int)a->layout - (int)b->layout;
	if (cmp == 0)
		cmp = strcmp(a->name, b->name);
	if (cmp == 0)
		cmp = dir_dialect_cmp(a->dialect, b->dialect);
	if (cmp == 0)
		cmp = (int)a->kind - (int)b->kind;
	if (cmp == 0)
		cmp = strcmp(a->file, b->file);
	return cmp;
}

/* Are a and b scripts of the same migration? */
static int dir_same_migration(const struct dir_piece *a,
			      const struct dir_piece *b)
{
	return strcmp(a->version, b->version) == 0 && a->layout == b->layout &&
	       strcmp(a->name, b->name) == 0;
}

/*
 * Check one version's pieces (n of them, sorted): they must all belong to
 * one migration, and no slot (generic or dialect, up or down) may be
 * filled twice, as "pg/" and "postgres/" together would. Returns 0 or
 * DBSHIFT_ESOURCE (reported).
 */
static int dir_check_group(struct dir_scan *scan, struct dir_piece **pieces,
			   size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (!dir_same_migration(pieces[0], pieces[i]))
			return dbshift_catalog_fail(
				scan->cat, DBSHIFT_ESOURCE, pieces[i]->origin,
				"duplicate version %s: '%s' and '%s'",
				pieces[0]->version, pieces[0]->origin,
				pieces[i]->origin);
		if (dir_dialect_cmp(pieces[i - 1]->dialect,
				    pieces[i]->dialect) == 0 &&
		    pieces[i - 1]->kind == pieces[i]->kind)
			return dbshift_catalog_fail(
				scan->cat, DBSHIFT_ESOURCE, pieces[i]->file,
				"two %s scripts for %s: '%s' and '%s'",
				pieces[i]->kind == DBSHIFT__SCRIPT_UP ? "up" :
									"down",
				pieces[i]->dialect != NULL ?
					pieces[i]->dialect :
					"all dialects",
				pieces[i - 1]->file, pieces[i]->file);
	}
	return 0;
}

/* The scripts of one migration, read and laid out for dbshift_catalog_add. */
struct dir_migration {
	dbshift_migration_def def;
	dbshift_variant *variants;
	const char **dialects; /* dialects of variant ups, when no generic */
	char **texts;	       /* one per piece */
};

static void dir_migration_clear(struct dir_migration *mig, size_t n)
{
	size_t i;

	if (mig->texts != NULL)
		for (i = 0; i < n; i++)
			free(mig->texts[i]);
	free(mig->texts);
	free(mig->variants);
	free(mig->dialects);
}

/*
 * Read the script of piece into *text and *len. Returns 0 or a negative
 * code (reported).
 */
static int dir_read_script(struct dir_scan *scan, const struct dir_piece *piece,
			   char **text, size_t *len)
{
	int rc = dbshift__read_file(piece->file, text, len);

	if (rc == -ENOMEM)
		return dir_oom(scan);
	if (rc != 0)
		return dbshift_catalog_fail(scan->cat, DBSHIFT_ESOURCE,
					    piece->file, "cannot read '%s': %s",
					    piece->file, strerror(-rc));
	return 0;
}

/*
 * Put the script read for piece (text, len) into its slot of mig: the
 * generic up/down, or the variant of its dialect (pieces of one dialect
 * are adjacent, so a new dialect starts a new variant).
 */
static void dir_place_script(struct dir_migration *mig,
			     const struct dir_piece *piece, const char *text,
			     size_t len)
{
	dbshift_migration_def *def = &mig->def;
	dbshift_variant *variant;

	if (piece->dialect == NULL) {
		if (piece->kind == DBSHIFT__SCRIPT_UP) {
			def->up = text;
			def->up_len = len;
			def->up_file = piece->file;
		} else {
			def->down = text;
			def->down_len = len;
			def->down_file = piece->file;
		}
		return;
	}
	if (def->n_variants == 0 ||
	    strcmp(mig->variants[def->n_variants - 1].dialect,
		   piece->dialect) != 0)
		mig->variants[def->n_variants++].dialect = piece->dialect;
	variant = &mig->variants[def->n_variants - 1];
	if (piece->kind == DBSHIFT__SCRIPT_UP) {
		variant->up = text;
		variant->up_len = len;
		variant->up_file = piece->file;
	} else {
		variant->down = text;
		variant->down_len = len;
		variant->down_file = piece->file;
	}
}

/*
 * A migration without a generic up script exists only on the dialects
 * that have their own up: restrict it to them through def.dialects and
 * leave def.up NULL (the catalog accepts that when every listed dialect
 * has a variant up). A down script that no up script goes with is an
 * error. Returns 0 or a negative code (reported).
 */
static int dir_finish_def(struct dir_scan *scan, struct dir_migration *mig,
			  const struct dir_piece *first)
{
	dbshift_migration_def *def = &mig->def;
	size_t i;

	if (def->up != NULL)
		return 0;
	for (i = 0; i < def->n_variants; i++) {
		if (mig->variants[i].up == NULL)
			return dbshift_catalog_fail(
				scan->cat, DBSHIFT_ESOURCE,
				mig->variants[i].down_file,
				"'%s': down script for %s without an up script",
				mig->variants[i].down_file,
				mig->variants[i].dialect);
		mig->dialects[def->n_dialects++] = mig->variants[i].dialect;
	}
	if (def->n_dialects == 0)
		return dbshift_catalog_fail(
			scan->cat, DBSHIFT_ESOURCE, first->file,
			"'%s': down script without an up script", first->file);
	def->dialects = mig->dialects;
	return 0;
}

/*
 * Turn one migration's pieces (n, sorted, checked) into a definition and
 * add it to the catalog. Returns 0 or a negative code (reported).
 */
static int dir_add_migration(struct dir_scan *scan, struct dir_piece **pieces,
			     size_t n)
{
	struct dir_migration mig;
	dbshift_migration_def def_init = DBSHIFT_MIGRATION_DEF_INIT;
	size_t i, len;
	int rc = 0;

	memset(&mig, 0, sizeof(mig));
	mig.def = def_init;
	mig.def.migration_version = pieces[0]->version;
	mig.def.name = pieces[0]->name;
	mig.texts = calloc(n, sizeof(*mig.texts));
	mig.variants = calloc(n, sizeof(*mig.variants));
	mig.dialects = calloc(n, sizeof(*mig.dialects));
	if (mig.texts == NULL || mig.variants == NULL || mig.dialects == NULL)
		rc = dir_oom(scan);
	for (i = 0; i < n && rc == 0; i++) {
		rc = dir_read_script(scan, pieces[i], &mig.texts[i], &len);
		if (rc == 0)
			dir_place_script(&mig, pieces[i], mig.texts[i], len);
	}
	mig.def.variants = mig.variants;
	if (rc == 0)
		rc = dir_finish_def(scan, &mig, pieces[0]);
	if (rc == 0)
		rc = dbshift_catalog_add(scan->cat, &mig.def);
	dir_migration_clear(&mig, n);
	return rc;
}

/* Group the sorted pieces by version and add one migration per group. */
static int dir_add_all(struct dir_scan *scan)
{
	struct dir_piece **pieces = (struct dir_piece **)scan->pieces.items;
	size_t n = scan->pieces.len;
	size_t start, end;
	int rc = 0;

	if (n > 1)
		qsort(pieces, n, sizeof(*pieces), dir_piece_cmp);
	for (start = 0; start < n && rc == 0; start = end) {
		end = start + 1;
		while (end < n &&
		       dbshift_version_compare(pieces[start]->version,
					       pieces[end]->version) == 0)
			end++;
		rc = dir_check_group(scan, pieces + start, end - start);
		if (rc == 0)
			rc = dir_add_migration(scan, pieces + start,
					       end - start);
	}
	return rc;
}

/* The load callback: read the directory and add its migrations. */
static int dir_load(void *state, dbshift_catalog *catalog)
{
	struct dir_state *dir = state;
	struct dir_scan scan = {catalog, DBSHIFT__VEC_INIT};
	int rc;

	rc = dir_scan_all(&scan, dir->path);
	if (rc == 0)
		rc = dir_add_all(&scan);
	dbshift__vec_free(&scan.pieces, dir_piece_free);
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

/* path without its trailing slashes ("/" stays "/"); NULL when OOM. */
static char *dir_strip_slashes(const char *path)
{
	size_t len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	return dbshift__strndup(path, len);
}

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
	dbshift__err *err = dbshift__err_last();
	struct dir_state *state;
	char *derived = NULL;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || path == NULL || path[0] == '\0')
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"directory source: no path given");
	state = calloc(1, sizeof(*state));
	if (state == NULL)
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
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
