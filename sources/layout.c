/* SPDX-License-Identifier: MIT */
/*
 * layout.c - what the files of a migration directory mean (design.md 3,
 * "Directory source file layouts"), whichever way they were read.
 *
 * The entries (see layout.h) are first put in tree order: a folder comes
 * right before the entries inside it, and the names within one folder
 * sort bytewise. Every .sql file found, flat or inside a migration
 * folder, becomes a "piece" (version, name, dialect, up or down, file).
 * Pieces are then sorted by version and grouped, so that each version
 * becomes one dbshift_migration_def carrying its generic scripts and its
 * dialect variants. Choosing the variant for the run's dialect is the
 * core's job (core/catalog.c), not this file's.
 *
 * Anything that looks like a migration but does not fit the layouts is an
 * error naming the file: a script that silently never runs is worse than
 * a refusal to start. Files that are not .sql (README, .keep, atlas.sum)
 * are ignored; hidden entries never get this far.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "dialect.h"
#include "dirnames.h"
#include "layout.h"
#include "util.h"

#define FOLDER_LAYOUT "up.sql, down.sql or DIALECT/up.sql"

/* Room for an entry's display path in messages. */
#define SHOW_MAX 4096

enum layout_kind { LAYOUT_FLAT = 1, LAYOUT_FOLDER = 2 };

/* One script found among the entries. */
struct layout_piece {
	char *version; /* as written */
	char *name;    /* "" when none */
	char *file;    /* display path of the script */
	char *origin;  /* the flat file or the folder, for messages */
	const char
		*dialect; /* interned token, or NULL for the generic script */
	dbshift__script_kind kind;
	enum layout_kind layout;
	size_t entry;	/* index of the script's entry */
	int autocommit; /* ".autocommit." in the file name */
};

/* One load of a layout. */
struct layout_scan {
	dbshift__layout *layout;
	dbshift_catalog *cat;
	dbshift__vec pieces; /* struct layout_piece * */
};

int dbshift__layout_init(dbshift__layout *layout, const char *prefix,
			 dbshift__layout_read_fn read)
{
	memset(layout, 0, sizeof(*layout));
	layout->read = read;
	layout->prefix = dbshift__strdup(prefix);
	return layout->prefix == NULL ? -1 : 0;
}

void dbshift__layout_free(dbshift__layout *layout)
{
	size_t i;

	for (i = 0; i < layout->n_entries; i++)
		free(layout->entries[i].path);
	free(layout->entries);
	free(layout->prefix);
	memset(layout, 0, sizeof(*layout));
}

/* Append an entry taking path (a new string). 0, or -1 when OOM. */
static int layout_push(dbshift__layout *layout, char *path,
		       dbshift__entry_type type, int error, const char *data,
		       size_t len)
{
	dbshift__entry *grown, *entry;
	size_t cap;

	if (layout->n_entries == layout->cap) {
		cap = layout->cap ? layout->cap * 2 : 64;
		grown = realloc(layout->entries, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		layout->entries = grown;
		layout->cap = cap;
	}
	entry = &layout->entries[layout->n_entries++];
	memset(entry, 0, sizeof(*entry));
	entry->path = path;
	entry->type = type;
	entry->error = error;
	entry->data = data;
	entry->len = len;
	return 0;
}

int dbshift__layout_add(dbshift__layout *layout, const char *path,
			dbshift__entry_type type, int error)
{
	char *copy = dbshift__strdup(path);

	if (copy == NULL || layout_push(layout, copy, type, error, NULL, 0)) {
		free(copy);
		return -1;
	}
	return 0;
}

/*
 * Check a relative path: names joined by single '/'. Returns 1 when it is
 * one, and sets *hidden when a name starts with '.'.
 */
static int layout_path_valid(const char *path, int *hidden)
{
	const char *name = path;
	size_t len;

	*hidden = 0;
	for (;;) {
		len = strcspn(name, "/");
		if (len == 0 || (len == 1 && name[0] == '.') ||
		    (len == 2 && name[0] == '.' && name[1] == '.'))
			return 0;
		if (name[0] == '.')
			*hidden = 1;
		if (name[len] == '\0')
			return 1;
		name += len + 1;
	}
}

int dbshift__layout_add_data(dbshift__layout *layout, const char *path,
			     const char *data, size_t len)
{
	const char *slash;
	char *copy;
	int hidden;

	if (!layout_path_valid(path, &hidden))
		return -2;
	if (hidden)
		return 0;
	/* The folders the path implies; duplicates merge when loading. */
	for (slash = strchr(path, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		copy = dbshift__strndup(path, (size_t)(slash - path));
		if (copy == NULL ||
		    layout_push(layout, copy, DBSHIFT__ENTRY_DIR, 0, NULL, 0)) {
			free(copy);
			return -1;
		}
	}
	copy = dbshift__strdup(path);
	if (copy == NULL ||
	    layout_push(layout, copy, DBSHIFT__ENTRY_FILE, 0, data, len)) {
		free(copy);
		return -1;
	}
	return 0;
}

/* Sort key of a path byte: the end first, then '/', then the rest. */
static int layout_path_key(char c)
{
	if (c == '\0')
		return 0;
	if (c == '/')
		return 1;
	return (unsigned char)c + 2;
}

/*
 * Tree order: comparing names bytewise except that '/' sorts before any
 * other byte puts a folder right before the entries inside it, and keeps
 * the names of one folder in the order a sorted listing gives them.
 */
static int layout_entry_cmp(const void *pa, const void *pb)
{
	const char *a = ((const dbshift__entry *)pa)->path;
	const char *b = ((const dbshift__entry *)pb)->path;

	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return layout_path_key(*a) - layout_path_key(*b);
}

/* Is entry inside the folder at? */
static int layout_inside(const dbshift__entry *entry,
			 const dbshift__entry *folder)
{
	size_t len = strlen(folder->path);

	return strncmp(entry->path, folder->path, len) == 0 &&
	       entry->path[len] == '/';
}

/* The display path of entry i into show (SHOW_MAX bytes); returns show. */
static const char *layout_show(const struct layout_scan *scan, size_t i,
			       char *show)
{
	snprintf(show, SHOW_MAX, "%s%s", scan->layout->prefix,
		 scan->layout->entries[i].path);
	return show;
}

static int layout_oom(struct layout_scan *scan)
{
	return dbshift_catalog_fail(scan->cat, DBSHIFT_ENOMEM, NULL,
				    "out of memory");
}

/*
 * Merge the folders given more than once (an embedded file's parents)
 * and refuse any other path given twice. The entries are sorted.
 */
static int layout_dedup(struct layout_scan *scan)
{
	dbshift__layout *layout = scan->layout;
	dbshift__entry *entries = layout->entries;
	char show[SHOW_MAX];
	size_t i, kept = 0;

	for (i = 0; i < layout->n_entries; i++) {
		if (kept > 0 &&
		    strcmp(entries[kept - 1].path, entries[i].path) == 0) {
			if (entries[kept - 1].type != entries[i].type)
				return dbshift_catalog_fail(
					scan->cat, DBSHIFT_ESOURCE,
					layout_show(scan, i, show),
					"'%s': both a file and a folder", show);
			if (entries[i].type != DBSHIFT__ENTRY_DIR)
				return dbshift_catalog_fail(
					scan->cat, DBSHIFT_ESOURCE,
					layout_show(scan, i, show),
					"'%s': given twice", show);
			free(entries[i].path);
			continue;
		}
		entries[kept++] = entries[i];
	}
	layout->n_entries = kept;
	return 0;
}

/*
 * Put the entries in tree order, merge duplicate folders and set each
 * entry's end. Going backwards, the end of every later entry is known, so
 * finding where a folder ends only steps over its children.
 */
static int layout_prepare(struct layout_scan *scan)
{
	dbshift__layout *layout = scan->layout;
	dbshift__entry *entries;
	size_t i, j, n;
	int rc;

	if (layout->n_entries > 1)
		dbshift__sort(layout->entries, layout->n_entries,
			      sizeof(layout->entries[0]), layout_entry_cmp);
	rc = layout_dedup(scan);
	if (rc != 0)
		return rc;
	entries = layout->entries;
	n = layout->n_entries;
	for (i = n; i-- > 0;) {
		j = i + 1;
		while (j < n && layout_inside(&entries[j], &entries[i]))
			j = entries[j].end;
		entries[i].end = j;
	}
	return 0;
}

/* The last name of entry i's path. */
static const char *layout_base(const struct layout_scan *scan, size_t i)
{
	const char *path = scan->layout->entries[i].path;
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Does name end in ".sql", in any letter case? */
static int layout_is_sql_name(const char *name)
{
	size_t len = strlen(name);

	return len >= 4 && strcasecmp(name + len - 4, ".sql") == 0;
}

static void layout_piece_free(void *item)
{
	struct layout_piece *piece = item;

	if (piece == NULL)
		return;
	free(piece->version);
	free(piece->name);
	free(piece->file);
	free(piece->origin);
	free(piece);
}

/*
 * Record the script at entry. origin is the entry of the flat file or of
 * the migration folder. Returns 0 or DBSHIFT_ENOMEM (reported).
 */
static int layout_add_piece(struct layout_scan *scan, const char *version,
			    const char *name, size_t entry, size_t origin,
			    const char *dialect, dbshift__script_kind kind,
			    enum layout_kind layout)
{
	struct layout_piece *piece = calloc(1, sizeof(*piece));
	const char *prefix = scan->layout->prefix;

	if (piece == NULL)
		return layout_oom(scan);
	piece->version = dbshift__strdup(version);
	piece->name = dbshift__strdup(name);
	piece->file =
		dbshift__concat(prefix, "", scan->layout->entries[entry].path);
	piece->origin =
		dbshift__concat(prefix, "", scan->layout->entries[origin].path);
	piece->dialect = dialect;
	piece->kind = kind;
	piece->layout = layout;
	piece->entry = entry;
	if (piece->version == NULL || piece->name == NULL ||
	    piece->file == NULL || piece->origin == NULL ||
	    dbshift__vec_push(&scan->pieces, piece) != 0) {
		layout_piece_free(piece);
		return layout_oom(scan);
	}
	return 0;
}

/* The message for an entry that could not be looked at or listed. */
static int layout_unreadable(struct layout_scan *scan, size_t i)
{
	char show[SHOW_MAX];

	layout_show(scan, i, show);
	return dbshift_catalog_fail(scan->cat, DBSHIFT_ESOURCE, show,
				    "cannot read '%s': %s", show,
				    strerror(scan->layout->entries[i].error));
}

/* Does the folder at entry i hold an up.sql or a down.sql? */
static int layout_has_scripts(const struct layout_scan *scan, size_t i)
{
	const dbshift__entry *entries = scan->layout->entries;
	const char *base;
	size_t j;

	for (j = i + 1; j < entries[i].end; j = entries[j].end) {
		base = layout_base(scan, j);
		if (entries[j].type != DBSHIFT__ENTRY_BROKEN &&
		    (strcmp(base, "up.sql") == 0 ||
		     strcmp(base, "down.sql") == 0))
			return 1;
	}
	return 0;
}

/* A migration folder being read. */
struct layout_folder {
	const char *version;
	const char *name;
	size_t entry;
	size_t n_up; /* up scripts found, generic or dialect */
};

static int layout_scan_scripts(struct layout_scan *scan,
			       struct layout_folder *folder, size_t dir,
			       const char *dialect);

/*
 * A sub-folder of a migration folder: one named like a dialect
 * (postgres/, pg/, cockroach/, ...) is a dialect folder and is read,
 * whether or not an installed driver declares that dialect (one none
 * declares is ignored when the migration is resolved); any other folder
 * is an error when it holds scripts (Postgres/ would otherwise be
 * skipped) and ignored otherwise.
 */
static int layout_scan_subfolder(struct layout_scan *scan,
				 struct layout_folder *folder, size_t i)
{
	const char *base = layout_base(scan, i);
	const char *dialect;
	char show[SHOW_MAX];
	int nomem;

	dialect = dbshift__dialect_token(base, strlen(base), &nomem);
	if (nomem)
		return dbshift_catalog_fail(scan->cat, DBSHIFT_ENOMEM, NULL,
					    "out of memory");
	if (dialect != NULL)
		return layout_scan_scripts(scan, folder, i, dialect);
	if (!layout_has_scripts(scan, i))
		return 0;
	layout_show(scan, i, show);
	return dbshift_catalog_fail(
		scan->cat, DBSHIFT_ESOURCE, show,
		"'%s': folder '%s' holds scripts but is "
		"not a dialect folder (" DBSHIFT__DIALECT_RULE ")",
		show, base);
}

/*
 * One entry of a migration folder, or of its dialect sub-folder when
 * dialect is not NULL: up.sql and down.sql become pieces, other .sql files
 * are errors, sub-folders of the migration folder may be dialect folders,
 * and anything else is ignored.
 */
static int layout_scan_script(struct layout_scan *scan,
			      struct layout_folder *folder, size_t i,
			      const char *dialect)
{
	const dbshift__entry *entry = &scan->layout->entries[i];
	dbshift__script_kind kind;
	char show[SHOW_MAX];

	if (!layout_is_sql_name(layout_base(scan, i))) {
		if (entry->type == DBSHIFT__ENTRY_DIR && dialect == NULL)
			return layout_scan_subfolder(scan, folder, i);
		return 0;
	}
	if (entry->type == DBSHIFT__ENTRY_BROKEN)
		return layout_unreadable(scan, i);
	if (entry->type == DBSHIFT__ENTRY_DIR && dialect == NULL)
		return layout_scan_subfolder(scan, folder, i);
	if (entry->type != DBSHIFT__ENTRY_FILE ||
	    dbshift__folderfile_parse(layout_base(scan, i), &kind)) {
		layout_show(scan, i, show);
		return dbshift_catalog_fail(scan->cat, DBSHIFT_ESOURCE, show,
					    "'%s': unknown script in a "
					    "migration folder (expected %s)",
					    show, FOLDER_LAYOUT);
	}
	if (kind == DBSHIFT__SCRIPT_UP)
		folder->n_up++;
	return layout_add_piece(scan, folder->version, folder->name, i,
				folder->entry, dialect, kind, LAYOUT_FOLDER);
}

/*
 * Read the folder at entry dir: the migration folder itself, or one of
 * its dialect sub-folders. Returns 0 or a negative code (reported).
 */
static int layout_scan_scripts(struct layout_scan *scan,
			       struct layout_folder *folder, size_t dir,
			       const char *dialect)
{
	const dbshift__entry *entries = scan->layout->entries;
	size_t i;
	int rc = 0;

	if (entries[dir].error != 0)
		return layout_unreadable(scan, dir);
	for (i = dir + 1; i < entries[dir].end && rc == 0; i = entries[i].end)
		rc = layout_scan_script(scan, folder, i, dialect);
	return rc;
}

/* A folder in the migration directory: VERSION[_NAME] with its scripts. */
static int layout_scan_folder(struct layout_scan *scan, size_t i)
{
	char version[256], name[256], reason[256], show[SHOW_MAX];
	struct layout_folder folder = {version, name, i, 0};
	int rc;

	if ((scan->layout->naming == DBSHIFT_NAMING_STEM ?
		     dbshift__foldername_parse_stem :
		     dbshift__foldername_parse)(
		    layout_base(scan, i), version, sizeof(version), name,
		    sizeof(name), reason, sizeof(reason)) != 0) {
		layout_show(scan, i, show);
		return dbshift_catalog_fail(scan->cat, DBSHIFT_ESOURCE, show,
					    "'%s': not a migration folder: %s",
					    show, reason);
	}
	rc = layout_scan_scripts(scan, &folder, i, NULL);
	if (rc == 0 && folder.n_up == 0) {
		layout_show(scan, i, show);
		rc = dbshift_catalog_fail(
			scan->cat, DBSHIFT_ESOURCE, show,
			"'%s': migration folder without up.sql", show);
	}
	return rc;
}

/* A .sql file in the migration directory: a flat-layout script. */
static int layout_scan_flat(struct layout_scan *scan, size_t i)
{
	dbshift__flatname parsed;
	struct layout_piece *piece;
	char reason[256], show[SHOW_MAX];

	if ((scan->layout->naming == DBSHIFT_NAMING_STEM ?
		     dbshift__flatname_parse_stem :
		     dbshift__flatname_parse)(layout_base(scan, i), &parsed,
					      reason, sizeof(reason))) {
		layout_show(scan, i, show);
		return dbshift_catalog_fail(scan->cat, DBSHIFT_ESOURCE, show,
					    "'%s': %s", show, reason);
	}
	if (layout_add_piece(scan, parsed.version, parsed.name, i, i,
			     parsed.dialect, parsed.kind, LAYOUT_FLAT) != 0)
		return DBSHIFT_ENOMEM;
	piece = scan->pieces.items[scan->pieces.len - 1];
	piece->autocommit = parsed.autocommit;
	return 0;
}

/* One entry of the migration directory. */
static int layout_scan_entry(struct layout_scan *scan, size_t i)
{
	const dbshift__entry *entry = &scan->layout->entries[i];
	int is_sql = layout_is_sql_name(entry->path);
	char show[SHOW_MAX];

	if (entry->type == DBSHIFT__ENTRY_BROKEN)
		/* A dangling link named README is not ours; one named
		 * 002_b.up.sql is. */
		return is_sql ? layout_unreadable(scan, i) : 0;
	if (entry->type == DBSHIFT__ENTRY_DIR)
		return layout_scan_folder(scan, i);
	if (!is_sql)
		return 0;
	if (entry->type != DBSHIFT__ENTRY_FILE) {
		layout_show(scan, i, show);
		return dbshift_catalog_fail(scan->cat, DBSHIFT_ESOURCE, show,
					    "'%s': not a regular file", show);
	}
	return layout_scan_flat(scan, i);
}

/* Keep the first failure in *first; go on unless out of memory. */
static int layout_go_on(int rc, int *first)
{
	if (rc != 0 && *first == 0)
		*first = rc;
	return rc != DBSHIFT_ENOMEM;
}

/* Collect the pieces of every top-level entry. A bad entry is reported
 * (to the catalog's problem list too) and the others are still read, so
 * that one run names every bad file. Returns the first failure. */
static int layout_scan_all(struct layout_scan *scan)
{
	const dbshift__layout *layout = scan->layout;
	size_t i;
	int first = 0;

	for (i = 0; i < layout->n_entries; i = layout->entries[i].end)
		if (!layout_go_on(layout_scan_entry(scan, i), &first))
			break;
	return first;
}

static int layout_dialect_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/*
 * Order of pieces: by version (naturally, so "001" and "1" are adjacent),
 * then by what identifies one migration (version as written, layout,
 * name), then generic before dialect scripts, down before up (the order
 * a sorted listing gives "X.down.sql" and "X.up.sql", so that a flat
 * directory's pieces need no sorting), and finally by file so that the
 * order is total.
 */
static int layout_piece_cmp(const void *pa, const void *pb)
{
	const struct layout_piece *a = *(const struct layout_piece *const *)pa;
	const struct layout_piece *b = *(const struct layout_piece *const *)pb;
	int cmp;

	cmp = dbshift_version_compare(a->version, b->version);
	if (cmp == 0)
		cmp = strcmp(a->version, b->version);
	if (cmp == 0)
		cmp = (int)a->layout - (int)b->layout;
	if (cmp == 0)
		cmp = strcmp(a->name, b->name);
	if (cmp == 0)
		cmp = layout_dialect_cmp(a->dialect, b->dialect);
	if (cmp == 0)
		cmp = (int)b->kind - (int)a->kind;
	if (cmp == 0)
		cmp = strcmp(a->file, b->file);
	return cmp;
}

/* Are a and b scripts of the same migration? */
static int layout_same_migration(const struct layout_piece *a,
				 const struct layout_piece *b)
{
	return strcmp(a->version, b->version) == 0 && a->layout == b->layout &&
	       strcmp(a->name, b->name) == 0;
}

/* Does the version's group (n pieces) hold a piece of kind named name? */
static int layout_group_has(struct layout_piece **pieces, size_t n,
			    const char *name, dbshift__script_kind kind)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pieces[i]->kind == kind &&
		    strcmp(pieces[i]->name, name) == 0)
			return 1;
	return 0;
}

/*
 * Two migrations share a version (pieces[0] and pieces[i] differ). When
 * one name has only an up script and the other only a down script, the
 * names differ by a slip: say so rather than "duplicate version".
 */
static int layout_duplicate(struct layout_scan *scan,
			    struct layout_piece **pieces, size_t n, size_t i)
{
	const struct layout_piece *a = pieces[0], *b = pieces[i];
	int a_up = layout_group_has(pieces, n, a->name, DBSHIFT__SCRIPT_UP);
	int a_down = layout_group_has(pieces, n, a->name, DBSHIFT__SCRIPT_DOWN);
	int b_up = layout_group_has(pieces, n, b->name, DBSHIFT__SCRIPT_UP);
	int b_down = layout_group_has(pieces, n, b->name, DBSHIFT__SCRIPT_DOWN);

	if (a->layout == b->layout && a_up != a_down && b_up != b_down &&
	    a_up != b_up)
		return dbshift_catalog_fail(
			scan->cat, DBSHIFT_ESOURCE, a_up ? b->file : a->file,
			"up and down scripts of version %s have different "
			"names: '%s' and '%s' (rename one to match%s)",
			a->version, a_up ? a->file : b->file,
			a_up ? b->file : a->file,
			scan->layout->naming == DBSHIFT_NAMING_STEM ?
				"" :
				"; --naming stem pairs them");
	return dbshift_catalog_fail(
		scan->cat, DBSHIFT_ESOURCE, b->origin,
		"duplicate version %s: '%s' and '%s'%s", a->version, a->origin,
		b->origin,
		scan->layout->naming == DBSHIFT_NAMING_STEM ?
			"" :
			" (--naming stem takes the whole file name as the "
			"version)");
}

/*
 * Check one version's pieces (n of them, sorted): they must all belong to
 * one migration, and no slot (generic or dialect, up or down) may be
 * filled twice, as "pg/" and "postgres/" together would. Returns 0 or
 * DBSHIFT_ESOURCE (reported).
 */
static int layout_check_group(struct layout_scan *scan,
			      struct layout_piece **pieces, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (!layout_same_migration(pieces[0], pieces[i]))
			return layout_duplicate(scan, pieces, n, i);
		if (layout_dialect_cmp(pieces[i - 1]->dialect,
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
struct layout_migration {
	dbshift_migration_def def;
	dbshift_variant *variants;
	const char **dialects; /* dialects of variant ups, when no generic */
	char **texts;	       /* one per piece read from a file, or NULL */
};

static void layout_migration_clear(struct layout_migration *mig, size_t n)
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
 * The script of piece: its data when held in memory, else read through
 * the layout's reader into *owned (freed by the caller), except a down
 * script the layout defers, which stays unread (*text NULL). Returns 0 or
 * a negative code (reported).
 */
static int layout_read_script(struct layout_scan *scan,
			      const struct layout_piece *piece,
			      const char **text, size_t *len, char **owned)
{
	const dbshift__entry *entry = &scan->layout->entries[piece->entry];
	int rc;

	if (entry->data != NULL || scan->layout->read == NULL) {
		*text = entry->data != NULL ? entry->data : "";
		*len = entry->data != NULL ? entry->len : 0;
		return 0;
	}
	if (piece->kind == DBSHIFT__SCRIPT_DOWN && scan->layout->defer_down) {
		*text = NULL;
		*len = 0;
		return 0;
	}
	rc = scan->layout->read(piece->file, owned, len);
	if (rc == -ENOMEM)
		return layout_oom(scan);
	if (rc != 0)
		return dbshift_catalog_fail(scan->cat, DBSHIFT_ESOURCE,
					    piece->file, "cannot read '%s': %s",
					    piece->file, strerror(-rc));
	*text = *owned;
	return 0;
}

/*
 * Put the script of piece (text, len) into its slot of mig: the generic
 * up/down, or the variant of its dialect (pieces of one dialect are
 * adjacent, so a new dialect starts a new variant).
 */
static void layout_place_script(struct layout_migration *mig,
				const struct layout_piece *piece,
				const char *text, size_t len)
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
static int layout_finish_def(struct layout_scan *scan,
			     struct layout_migration *mig,
			     const struct layout_piece *first)
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
static int layout_add_migration(struct layout_scan *scan,
				struct layout_piece **pieces, size_t n)
{
	struct layout_migration mig;
	dbshift_migration_def def_init = DBSHIFT_MIGRATION_DEF_INIT;
	const char *text = NULL;
	size_t i, len = 0;
	int rc = 0;

	memset(&mig, 0, sizeof(mig));
	mig.def = def_init;
	mig.def.migration_version = pieces[0]->version;
	mig.def.name = pieces[0]->name;
	mig.texts = calloc(n, sizeof(*mig.texts));
	mig.variants = calloc(n, sizeof(*mig.variants));
	mig.dialects = calloc(n, sizeof(*mig.dialects));
	if (mig.texts == NULL || mig.variants == NULL || mig.dialects == NULL)
		rc = layout_oom(scan);
	for (i = 0; i < n && rc == 0; i++) {
		rc = layout_read_script(scan, pieces[i], &text, &len,
					&mig.texts[i]);
		if (rc == 0)
			layout_place_script(&mig, pieces[i], text, len);
	}
	mig.def.variants = mig.variants;
	if (rc == 0)
		rc = layout_finish_def(scan, &mig, pieces[0]);
	if (rc == 0)
		rc = dbshift__catalog_add_deferred(
			scan->cat, &mig.def,
			scan->layout->defer_down ? scan->layout->read : NULL);
	for (i = 0; i < n && rc == 0; i++)
		if (pieces[i]->autocommit)
			rc = dbshift__catalog_mark_no_transaction(
				scan->cat, pieces[i]->file);
	layout_migration_clear(&mig, n);
	return rc;
}

/* Is there a piece of version (as written) and kind, of dialect when
 * any_dialect is 0? */
static int layout_has_piece(const struct layout_scan *scan, const char *version,
			    dbshift__script_kind kind, const char *dialect,
			    int any_dialect)
{
	struct layout_piece *const *pieces =
		(struct layout_piece *const *)scan->pieces.items;
	size_t i;

	for (i = 0; i < scan->pieces.len; i++)
		if (pieces[i]->kind == kind &&
		    strcmp(pieces[i]->version, version) == 0 &&
		    (any_dialect ||
		     layout_dialect_cmp(pieces[i]->dialect, dialect) == 0))
			return 1;
	return 0;
}

/* Do versions a and b start with the same number? */
static int layout_same_number(const char *a, const char *b)
{
	size_t len = dbshift__version_number_len(a);

	return len > 0 && len == dbshift__version_number_len(b) &&
	       memcmp(a, b, len) == 0;
}

/*
 * Stem naming: the down script down, whose stem no up script has, goes
 * with the up script of the same leading number when exactly one such
 * has no down of its own: the two names differ by a slip. Several
 * candidates are an error; none leaves it for the usual message.
 */
static int layout_pair_down(struct layout_scan *scan, struct layout_piece *down)
{
	struct layout_piece *const *pieces =
		(struct layout_piece *const *)scan->pieces.items;
	const struct layout_piece *match = NULL;
	char *version, *name;
	size_t i;

	for (i = 0; i < scan->pieces.len; i++) {
		const struct layout_piece *up = pieces[i];

		if (up->kind != DBSHIFT__SCRIPT_UP ||
		    (match != NULL &&
		     strcmp(match->version, up->version) == 0) ||
		    !layout_same_number(up->version, down->version) ||
		    layout_has_piece(scan, up->version, DBSHIFT__SCRIPT_DOWN,
				     down->dialect, 0))
			continue;
		if (match != NULL)
			return dbshift_catalog_fail(
				scan->cat, DBSHIFT_ESOURCE, down->file,
				"'%s': down script without an up script of "
				"its name, and both '%s' and '%s' share its "
				"number",
				down->file, match->file, up->file);
		match = up;
	}
	if (match == NULL)
		return 0;
	version = dbshift__strdup(match->version);
	name = dbshift__strdup(match->name);
	if (version == NULL || name == NULL) {
		free(version);
		free(name);
		return layout_oom(scan);
	}
	free(down->version);
	free(down->name);
	down->version = version;
	down->name = name;
	return 0;
}

static int layout_pair_downs(struct layout_scan *scan)
{
	struct layout_piece **pieces =
		(struct layout_piece **)scan->pieces.items;
	size_t i;
	int first = 0;

	if (scan->layout->naming != DBSHIFT_NAMING_STEM)
		return 0;
	for (i = 0; i < scan->pieces.len; i++)
		if (pieces[i]->kind == DBSHIFT__SCRIPT_DOWN &&
		    !layout_has_piece(scan, pieces[i]->version,
				      DBSHIFT__SCRIPT_UP, NULL, 1) &&
		    !layout_go_on(layout_pair_down(scan, pieces[i]), &first))
			break;
	return first;
}

/* Group the sorted pieces by version and add one migration per group. */
static int layout_add_all(struct layout_scan *scan)
{
	struct layout_piece **pieces =
		(struct layout_piece **)scan->pieces.items;
	size_t n = scan->pieces.len;
	size_t start, end;
	int rc, first = 0;

	if (n > 1)
		dbshift__sort(pieces, n, sizeof(*pieces), layout_piece_cmp);
	for (start = 0; start < n; start = end) {
		end = start + 1;
		while (end < n &&
		       dbshift_version_compare(pieces[start]->version,
					       pieces[end]->version) == 0)
			end++;
		rc = layout_check_group(scan, pieces + start, end - start);
		if (rc == 0)
			rc = layout_add_migration(scan, pieces + start,
						  end - start);
		if (!layout_go_on(rc, &first))
			break;
	}
	return first;
}

/* The first failure of rc and next; out of memory wins. */
static int layout_first(int rc, int next)
{
	if (next == DBSHIFT_ENOMEM || rc == 0)
		return next;
	return rc;
}

int dbshift__layout_load(dbshift__layout *layout, dbshift_catalog *cat)
{
	struct layout_scan scan = {layout, cat, DBSHIFT__VEC_INIT};
	int rc;

	/* Each step goes on past bad files, so that every one is reported
	 * (the catalog keeps the first as its error). */
	rc = layout_prepare(&scan);
	if (rc == 0)
		rc = layout_scan_all(&scan);
	if (rc == 0 || rc == DBSHIFT_ESOURCE)
		rc = layout_first(rc, layout_pair_downs(&scan));
	if (rc == 0 || rc == DBSHIFT_ESOURCE)
		rc = layout_first(rc, layout_add_all(&scan));
	dbshift__vec_free(&scan.pieces, layout_piece_free);
	return rc;
}
