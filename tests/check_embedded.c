/* SPDX-License-Identifier: MIT */
/*
 * check_embedded.c - tests of the embedded source (sources/embedded.c),
 * its generator (dbshift_embed_write() and `dbshift embed`) and the
 * example that composes embedded and directory sources
 * (examples/authjobs, examples/host). The code source has its own file,
 * check_code.c.
 *
 * The embedded source must read files exactly as the directory source
 * does: every fixture below is loaded both ways and the two catalogs (or
 * the two errors) are compared field by field. The generated C file is
 * compiled with the strictest warnings, linked against the built
 * libdbshift and run, and its history compared with the directory's.
 * Scenarios that touch a database run on every dialect.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catalog.h"
#include "dbshift/dbshift.h"
#include "dialects.h"
#include "fixture.h"
#include "runner.h"
#include "suites.h"

#ifndef BUILD_LINK_FLAGS /* sanitizer and coverage flags of the build */
#define BUILD_LINK_FLAGS ""
#endif

/* ------------------------------------------------------------------ */
/* Fixtures: the same files, in a directory and in an embedded array. */

struct fx_file {
	const char *path;
	const char *content;
};

struct fixture {
	const char *name;
	struct fx_file files[18]; /* up to the first NULL path */
};

static const struct fixture fixtures[] = {
	{"flat",
	 {{"001_create_users.up.sql", "CREATE TABLE users (id INT);\n"},
	  {"001_create_users.down.sql", "DROP TABLE users;\n"},
	  {"002_add_email.up.sql", "ALTER TABLE users ADD email TEXT;"},
	  {"003.up.sql", "SELECT 3;"}}},
	{"folders",
	 {{"2024-01-01-120000_add_index/up.sql", "CREATE INDEX i;"},
	  {"2024-01-01-120000_add_index/down.sql", "DROP INDEX i;"},
	  {"2024-01-01-120000_add_index/README.md", "notes"},
	  {"2024-01-02-000000/up.sql", "SELECT 2;"}}},
	{"mixed",
	 {{"003_c.up.sql", "SELECT 3;"},
	  {"002_b/up.sql", "SELECT 2;"},
	  {"001_a.up.sql", "SELECT 1;"},
	  {"001_a.down.sql", "SELECT -1;"},
	  {"004_d/up.sql", "SELECT 4;"}}},
	{"flat_variants",
	 {{"001_x.up.sql", "generic up"},
	  {"001_x.down.sql", "generic down"},
	  {"001_x.postgres.up.sql", "pg up"},
	  {"001_x.mariadb.down.sql", "mysql down"},
	  {"001_x.sqlite.up.sql", "sqlite up"},
	  {"001_x.sqlite.down.sql", "sqlite down"}}},
	{"folder_variants",
	 {{"001_x/up.sql", "generic up"},
	  {"001_x/pg/up.sql", "pg up"},
	  {"001_x/pg/down.sql", "pg down"},
	  {"001_x/pg/notes.txt", "ignored"},
	  {"001_x/mariadb/up.sql", "mysql up"},
	  {"001_x/sqlite/down.sql", "sqlite down"},
	  {"001_x/data/seed.csv", "an unrelated folder is ignored"},
	  {"001_x/pg/deeper/up.sql", "below a dialect folder: ignored"}}},
	{"variant_only",
	 {{"001_pg_only.postgres.up.sql", "pg up"},
	  {"001_pg_only.postgres.down.sql", "pg down"},
	  {"002_two/mysql/up.sql", "mysql up"},
	  {"002_two/postgres/up.sql", "pg up 2"},
	  {"002_two/down.sql", "generic down"}}},
	{"natural_order",
	 {{"10_j.up.sql", "10"},
	  {"9_i.up.sql", "9"},
	  {"0100_z/up.sql", "0100"},
	  {"1_a.up.sql", "1"},
	  {"2_b.up.sql", "2"},
	  {"011_k/up.sql", "011"},
	  {"20_t.up.sql", "20"}}},
	{"ignored",
	 {{"001_a.up.sql", "SELECT 1;"},
	  {"README", "read me"},
	  {"README.md", "read me"},
	  {".keep", ""},
	  {"atlas.sum", "h1:abc="},
	  {".hidden.sql", "not a migration"},
	  {".git/objects/x.sql", "not a migration"},
	  {"001_a.up.sql~", "editor backup"},
	  {"001_a.up.sql.bak", "backup"},
	  {"002_b/up.sql", "SELECT 2;"},
	  {"002_b/.hidden/up.sql", "hidden dialect-like folder"},
	  {"002_b/postgres/.up.sql", "hidden in a dialect folder"},
	  {"003_c/up.sql", "SELECT 3;"},
	  {"003_c/.DS_Store.sql", "hidden in a folder"},
	  {"003_c/up.sql.orig", "ignored"},
	  {"003_c/Makefile", "ignored"}}},
	{"empty_up",
	 {{"001_noop.up.sql", ""},
	  {"002_noop/up.sql", ""},
	  {"002_noop/down.sql", ""}}},
	{"crlf_directives",
	 {{"001_a.up.sql", "-- dbshift:no-transaction\r\nSELECT 1;\r\n"},
	  {"002_b.up.sql", "-- dbshift:depends-on lib/1\nSELECT 2;\n"}}},
	/* Refused, with the same message both ways. */
	{"variant_down_without_up",
	 {{"001_x.pg.up.sql", "pg up"}, {"001_x.mysql.down.sql", "down"}}},
	{"alias_twice_folder",
	 {{"001_x/up.sql", "up"},
	  {"001_x/pg/up.sql", "pg up"},
	  {"001_x/postgres/up.sql", "postgres up"}}},
	{"alias_twice_flat",
	 {{"001_x.pg.up.sql", "pg up"},
	  {"001_x.postgres.up.sql", "postgres up"}}},
	{"malformed_name",
	 {{"001_a.up.sql", "SELECT 1;"}, {"002-create.sql", "SELECT 2;"}}},
	{"flyway_name", {{"V1__init.sql", "SELECT 1;"}}},
	{"unknown_dialect", {{"001_x.oracle.up.sql", "SELECT 1;"}}},
	{"upper_case", {{"001_X.UP.SQL", "SELECT 1;"}}},
	{"bare_up", {{"up.sql", "SELECT 1;"}}},
	{"duplicate_names",
	 {{"001_a.up.sql", "SELECT 1;"}, {"001_b.up.sql", "SELECT 1;"}}},
	{"duplicate_layouts",
	 {{"001_a.up.sql", "SELECT 1;"}, {"001_a/up.sql", "SELECT 1;"}}},
	{"duplicate_spelling",
	 {{"001_a.up.sql", "SELECT 1;"}, {"1_a.down.sql", "SELECT 1;"}}},
	{"duplicate_folders",
	 {{"002_a/up.sql", "SELECT 1;"}, {"2_b/up.sql", "SELECT 1;"}}},
	{"down_without_up",
	 {{"001_a.up.sql", "SELECT 1;"}, {"002_b.down.sql", "SELECT 2;"}}},
	{"folder_without_up", {{"001_a/down.sql", "SELECT 1;"}}},
	{"folder_of_notes", {{"001_a/notes.txt", "no scripts"}}},
	{"not_a_folder_name",
	 {{"001_a.up.sql", "SELECT 1;"}, {"_drafts/up.sql", "SELECT 2;"}}},
	{"other_folder", {{"docs/README.md", "a folder that is no migration"}}},
	{"unknown_script",
	 {{"001_a/up.sql", "SELECT 1;"}, {"001_a/seed.sql", "INSERT;"}}},
	{"unknown_dialect_script",
	 {{"001_a/up.sql", "SELECT 1;"},
	  {"001_a/postgres/seed.sql", "INSERT;"}}},
	{"misspelt_dialect_folder",
	 {{"001_a/up.sql", "SELECT 1;"},
	  {"001_a/postgre/up.sql", "misspelt dialect"}}},
};

#define N_FIXTURES ((int)(sizeof(fixtures) / sizeof(fixtures[0])))

/* Number of files of fixture f. */
static size_t fixture_count(const struct fixture *f)
{
	size_t n = 0;

	while (n < sizeof(f->files) / sizeof(f->files[0]) &&
	       f->files[n].path != NULL)
		n++;
	return n;
}

/* Write fixture f's files below dir (in the test's directory). */
static void fixture_write(const struct fixture *f, const char *dir)
{
	char rel[512];
	size_t i;

	fx_mkdir(dir);
	for (i = 0; i < fixture_count(f); i++) {
		snprintf(rel, sizeof(rel), "%s/%s", dir, f->files[i].path);
		fx_write(rel, f->files[i].content);
	}
}

/* Fixture f's files as an embedded array (static storage). */
static const dbshift_embedded_file *fixture_array(const struct fixture *f)
{
	static dbshift_embedded_file files[18];
	size_t i;

	for (i = 0; i < fixture_count(f); i++) {
		files[i].path = f->files[i].path;
		files[i].data = f->files[i].content;
		files[i].len = strlen(f->files[i].content);
	}
	return files;
}

/* One source loaded into a catalog, with its result and error. */
struct loaded {
	dbshift_source *src;
	dbshift_catalog cat;
	dbshift__err err;
	int rc;
};

static void load_source(struct loaded *l, dbshift_source *src)
{
	l->src = src;
	dbshift__err_init(&l->err);
	dbshift__catalog_init(&l->cat, dbshift_source_name(src), &l->err);
	l->rc = src->ops->load(src->state, &l->cat);
	/* The directory source defers its down scripts; compare them. */
	if (l->rc == 0)
		l->rc = dbshift__catalog_load_downs(&l->cat);
}

static void loaded_free(struct loaded *l)
{
	dbshift__catalog_clear(&l->cat);
	dbshift_source_free(l->src);
	l->src = NULL;
}

/* Load the directory dir (in the test's directory) as source "app". */
static void load_dir(struct loaded *l, const char *dir)
{
	dbshift_source *src = NULL;

	ck_assert_int_eq(dbshift_source_dir_new(&src, "app", fx_path(dir)), 0);
	load_source(l, src);
}

/* Load n files held in memory as the embedded source "app". */
static void load_embedded(struct loaded *l, const dbshift_embedded_file *files,
			  size_t n)
{
	dbshift_source *src = NULL;

	ck_assert_int_eq(dbshift_source_embedded_new(&src, "app", files, n), 0);
	load_source(l, src);
}

/* s with every from replaced by to (malloc'd). */
static char *replace_all(const char *s, const char *from, const char *to)
{
	size_t from_len = strlen(from), to_len = strlen(to), n = 0;
	const char *p, *hit;
	char *out, *q;

	for (p = s; (hit = strstr(p, from)) != NULL; p = hit + from_len)
		n++;
	out = malloc(strlen(s) + n * to_len + 1);
	ck_assert_ptr_nonnull(out);
	for (p = s, q = out; (hit = strstr(p, from)) != NULL;
	     p = hit + from_len) {
		memcpy(q, p, (size_t)(hit - p));
		q += hit - p;
		memcpy(q, to, to_len);
		q += to_len;
	}
	memcpy(q, p, strlen(p) + 1);
	return out;
}

/* The directory's display prefix: its path and a slash (static). */
static const char *dir_prefix(const char *dir)
{
	static char prefix[1100];

	snprintf(prefix, sizeof(prefix), "%s/", fx_path(dir));
	return prefix;
}

/* Both scripts absent, or the same bytes from the same relative file. */
static void script_eq(const char *what, const dbshift__script *d,
		      const dbshift__script *e, const char *prefix)
{
	ck_assert_msg((d->text == NULL) == (e->text == NULL), "%s: presence",
		      what);
	if (d->text == NULL)
		return;
	ck_assert_msg(d->len == e->len, "%s: length %lu vs %lu", what,
		      (unsigned long)d->len, (unsigned long)e->len);
	ck_assert_msg(memcmp(d->text, e->text, d->len) == 0, "%s: text", what);
	ck_assert_msg(strncmp(d->file, prefix, strlen(prefix)) == 0,
		      "%s: file %s", what, d->file);
	ck_assert_msg(strncmp(e->file, "app:", 4) == 0, "%s: file %s", what,
		      e->file);
	ck_assert_str_eq(d->file + strlen(prefix), e->file + 4);
}

static void strv_eq(char **a, size_t n_a, char **b, size_t n_b)
{
	size_t i;

	ck_assert_uint_eq(n_a, n_b);
	for (i = 0; i < n_a; i++)
		ck_assert_str_eq(a[i], b[i]);
}

/* Every field a source sets must be the same both ways. */
static void migration_eq(const dbshift__migration *d,
			 const dbshift__migration *e, const char *prefix)
{
	size_t i;

	ck_assert_str_eq(d->id, e->id);
	ck_assert_str_eq(d->source, e->source);
	ck_assert_str_eq(d->version, e->version);
	ck_assert_str_eq(d->name, e->name);
	script_eq("generic up", &d->generic_up, &e->generic_up, prefix);
	script_eq("generic down", &d->generic_down, &e->generic_down, prefix);
	ck_assert_uint_eq(d->n_variants, e->n_variants);
	for (i = 0; i < d->n_variants; i++) {
		ck_assert_str_eq(d->variants[i].dialect,
				 e->variants[i].dialect);
		script_eq("variant up", &d->variants[i].up, &e->variants[i].up,
			  prefix);
		script_eq("variant down", &d->variants[i].down,
			  &e->variants[i].down, prefix);
	}
	strv_eq(d->def_dialects, d->n_def_dialects, e->def_dialects,
		e->n_def_dialects);
	strv_eq(d->def_depends_on, d->n_def_depends_on, e->def_depends_on,
		e->n_def_depends_on);
	strv_eq(d->def_contexts, d->n_def_contexts, e->def_contexts,
		e->n_def_contexts);
	ck_assert_int_eq(d->def_no_transaction, e->def_no_transaction);
	ck_assert_ptr_null(e->up_fn);
	ck_assert_ptr_null(e->code_checksum);
}

/*
 * The same result from the directory (d) and the embedded array (e): the
 * same migrations, or the same error once the directory's path is read
 * as "app:".
 */
static void loaded_eq(const struct loaded *d, const struct loaded *e,
		      const char *prefix)
{
	char *msg, *file;
	size_t i;

	ck_assert_msg(d->rc == e->rc, "directory %d (%s), embedded %d (%s)",
		      d->rc, d->err.pub.message, e->rc, e->err.pub.message);
	if (d->rc != 0) {
		msg = replace_all(d->err.pub.message, prefix, "app:");
		file = replace_all(d->err.pub.file, prefix, "app:");
		ck_assert_str_eq(msg, e->err.pub.message);
		ck_assert_str_eq(file, e->err.pub.file);
		free(msg);
		free(file);
		return;
	}
	ck_assert_uint_eq(d->cat.migrations.len, e->cat.migrations.len);
	for (i = 0; i < d->cat.migrations.len; i++)
		migration_eq(d->cat.migrations.items[i],
			     e->cat.migrations.items[i], prefix);
}

/* Generate the C file for dir into a new string (*len bytes). */
static int embed_to_string(const char *dir, const char *name,
			   const char *function, char **text, size_t *len)
{
	FILE *mem = open_memstream(text, len);
	int rc;

	ck_assert_ptr_nonnull(mem);
	rc = dbshift_embed_write(dir, name, function, mem);
	ck_assert_int_eq(fclose(mem), 0);
	return rc;
}

START_TEST(test_embedded_same_as_directory)
{
	const struct fixture *f = &fixtures[_i];
	struct loaded d, e;
	size_t len;
	char *text;
	int rc;

	fixture_write(f, "d");
	load_dir(&d, "d");
	load_embedded(&e, fixture_array(f), fixture_count(f));
	loaded_eq(&d, &e, dir_prefix("d"));

	/* The generator refuses what the directory source refuses, with
	 * the same message. */
	rc = embed_to_string(fx_path("d"), "app", NULL, &text, &len);
	ck_assert_int_eq(rc, d.rc);
	if (rc != 0)
		ck_assert_str_eq(dbshift_error_last()->message,
				 d.err.pub.message);
	else
		ck_assert_has(text, "dbshift_source_embedded_new(out, \"app\"");
	free(text);
	loaded_free(&d);
	loaded_free(&e);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The embedded source's own rules. */

/* Load the files as "app" and expect DBSHIFT_ESOURCE with these words. */
static void embedded_fails(const dbshift_embedded_file *files, size_t n,
			   const char *words, const char *file)
{
	struct loaded l;

	load_embedded(&l, files, n);
	ck_assert_int_eq(l.rc, DBSHIFT_ESOURCE);
	ck_assert_has(l.err.pub.message, words);
	if (file != NULL)
		ck_assert_str_eq(l.err.pub.file, file);
	loaded_free(&l);
}

START_TEST(test_embedded_bad_paths)
{
	static const char *const bad[] = {
		"/001_a.up.sql",       "001_a//up.sql", "../001_a.up.sql",
		"./001_a.up.sql",      "001_a/",	"",
		"001_a/../002.up.sql",
	};
	dbshift_embedded_file files[2] = {{"001_a.up.sql", "SELECT 1;", 9},
					  {NULL, "x", 1}};
	char named[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		files[1].path = bad[i];
		snprintf(named, sizeof(named), "app:%s", bad[i]);
		embedded_fails(files, 2, "invalid path", named);
	}
	files[1].path = NULL;
	embedded_fails(files, 2, "no path", NULL);

	files[1].path = "001_a.up.sql";
	embedded_fails(files, 2, "'app:001_a.up.sql': given twice",
		       "app:001_a.up.sql");

	files[0].path = "001_a";
	files[1].path = "001_a/up.sql";
	embedded_fails(files, 2, "both a file and a folder", "app:001_a");

	files[0].path = "001_a.up.sql";
	files[0].data = NULL;
	embedded_fails(files, 1, "no data for 9 bytes", "app:001_a.up.sql");
}
END_TEST

START_TEST(test_embedded_data)
{
	/* Bytes are kept as they are: NUL, CR, bytes above 0x7f. */
	static const char binary[] = "SELECT 1;\r\n\0\xff tail";
	dbshift_embedded_file files[3] = {
		{"001_bin.up.sql", binary, sizeof(binary) - 1},
		{"002_empty.up.sql", NULL, 0},
		{"002_empty.down.sql", "", 0},
	};
	const dbshift__migration *m;
	struct loaded l;

	load_embedded(&l, files, 3);
	ck_assert_int_eq(l.rc, 0);
	ck_assert_uint_eq(l.cat.migrations.len, 2);
	m = l.cat.migrations.items[0];
	ck_assert_uint_eq(m->generic_up.len, sizeof(binary) - 1);
	ck_assert(memcmp(m->generic_up.text, binary, sizeof(binary) - 1) == 0);
	ck_assert_str_eq(m->generic_up.file, "app:001_bin.up.sql");
	m = l.cat.migrations.items[1];
	ck_assert_ptr_nonnull(m->generic_up.text);
	ck_assert_uint_eq(m->generic_up.len, 0);
	ck_assert_ptr_nonnull(m->generic_down.text);
	/* The array is read at each load: a reload gives the same. */
	dbshift__catalog_clear(&l.cat);
	dbshift__catalog_init(&l.cat, "app", &l.err);
	ck_assert_int_eq(l.src->ops->load(l.src->state, &l.cat), 0);
	ck_assert_uint_eq(l.cat.migrations.len, 2);
	loaded_free(&l);
}
END_TEST

START_TEST(test_embedded_new_arguments)
{
	static const dbshift_embedded_file one = {"001_a.up.sql", "S", 1};
	dbshift_source *src = (dbshift_source *)&src;
	struct loaded l;

	ck_assert_int_eq(dbshift_source_embedded_new(NULL, "app", &one, 1),
			 DBSHIFT_EINVAL);
	ck_assert_int_eq(dbshift_source_embedded_new(&src, "app", NULL, 1),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_null(src);
	ck_assert_int_eq(dbshift_source_embedded_new(&src, "bad name", &one, 1),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_null(src);
	ck_assert_int_eq(dbshift_source_embedded_new(&src, NULL, &one, 1),
			 DBSHIFT_EINVAL);
	ck_assert_int_eq(dbshift_source_embedded_new(&src, "auth", &one, 1), 0);
	ck_assert_str_eq(dbshift_source_name(src), "auth");
	dbshift_source_free(src);

	/* No files at all: a valid, empty source. */
	load_embedded(&l, NULL, 0);
	ck_assert_int_eq(l.rc, 0);
	ck_assert_uint_eq(l.cat.migrations.len, 0);
	loaded_free(&l);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The generator. */

/*
 * A source that runs on every dialect: a folder with a postgres variant,
 * CRLF line ends and characters that need escaping in C, a MySQL-only
 * migration, a script longer than C99's 4095-character literals, and
 * files that are not embedded (README, hidden).
 */
static const struct fx_file rich_files[] = {
	{"001_users/up.sql",
	 "-- the generic script\n"
	 "CREATE TABLE users (id INTEGER PRIMARY KEY, made_by VARCHAR(16));\n"
	 "INSERT INTO users (id, made_by) VALUES (1, 'generic');\n"},
	{"001_users/postgres/up.sql",
	 "CREATE TABLE users (id SERIAL PRIMARY KEY, made_by VARCHAR(16));\n"
	 "INSERT INTO users (id, made_by) VALUES (1, 'postgres');\n"},
	{"001_users/down.sql", "DROP TABLE users;\n"},
	{"002_posts.up.sql",
	 "CREATE TABLE posts (id INTEGER PRIMARY KEY, body VARCHAR(200));\r\n"
	 "INSERT INTO posts (id, body) VALUES "
	 "(1, 'it''s \"quoted\" ?\?= /* not a comment */ \xc3\xa9\t?');\r\n"},
	{"002_posts.down.sql", "DROP TABLE posts;\r\n"},
	{"003_mysql_only.mysql.up.sql", "CREATE TABLE mysql_only (a INT);\n"},
	{"003_mysql_only.mysql.down.sql", "DROP TABLE mysql_only;\n"},
	{"004_big.down.sql", "DROP TABLE big;\n"},
	{"README.md", "# not a migration\n"},
	{".hidden/001_x.up.sql", "not a migration"},
};

#define N_RICH (sizeof(rich_files) / sizeof(rich_files[0]))

/* 004_big.up.sql: a table and 300 rows, about 10 kB. */
static char *big_script(void)
{
	static char script[16384];
	size_t used;
	int i;

	used = (size_t)snprintf(script, sizeof(script),
				"CREATE TABLE big (n INT);\n");
	for (i = 1; i <= 300; i++)
		used += (size_t)snprintf(script + used, sizeof(script) - used,
					 "INSERT INTO big (n) VALUES (%d);\n",
					 i);
	ck_assert_uint_lt(used, sizeof(script) - 1);
	return script;
}

/* Write the rich source below dir. */
static void rich_write(const char *dir)
{
	char rel[512];
	size_t i;

	for (i = 0; i < N_RICH; i++) {
		snprintf(rel, sizeof(rel), "%s/%s", dir, rich_files[i].path);
		fx_write(rel, rich_files[i].content);
	}
	snprintf(rel, sizeof(rel), "%s/004_big.up.sql", dir);
	fx_write(rel, big_script());
}

/* The rich source as an embedded array (static storage). */
static const dbshift_embedded_file *rich_array(size_t *n)
{
	static dbshift_embedded_file files[N_RICH + 1];
	size_t i;

	for (i = 0; i < N_RICH; i++) {
		files[i].path = rich_files[i].path;
		files[i].data = rich_files[i].content;
		files[i].len = strlen(rich_files[i].content);
	}
	files[N_RICH].path = "004_big.up.sql";
	files[N_RICH].data = big_script();
	files[N_RICH].len = strlen(files[N_RICH].data);
	*n = N_RICH + 1;
	return files;
}

/* How many times needle occurs in haystack. */
static int count_of(const char *haystack, const char *needle)
{
	int n = 0;

	while ((haystack = strstr(haystack, needle)) != NULL) {
		n++;
		haystack += strlen(needle);
	}
	return n;
}

/* The widest line of text, in columns (a tab to the next multiple of 8). */
static int widest_line(const char *text)
{
	int col = 0, widest = 0;

	for (; *text != '\0'; text++) {
		if (*text == '\n')
			col = 0;
		else if (*text == '\t')
			col = (col / 8 + 1) * 8;
		else
			col++;
		if (col > widest)
			widest = col;
	}
	return widest;
}

START_TEST(test_embed_write_deterministic)
{
	char *a, *b;
	size_t a_len, b_len;

	rich_write("rich");
	ck_assert_int_eq(
		embed_to_string(fx_path("rich"), "app", NULL, &a, &a_len), 0);
	/* Another spelling of the directory, another time: same bytes. */
	ck_assert_int_eq(chdir(fx_tmpdir()), 0);
	ck_assert_int_eq(embed_to_string("./rich//", "app", NULL, &b, &b_len),
			 0);
	ck_assert_uint_eq(a_len, b_len);
	ck_assert(memcmp(a, b, a_len) == 0);

	ck_assert_msg(strncmp(a, "/*\n * Generated by `dbshift embed`", 34) ==
			      0,
		      "%.200s", a);
	ck_assert_has(a, "Do not edit");
	ck_assert_int_eq(count_of(a, "#include"), 1);
	ck_assert_has(a, "#include <dbshift/dbshift.h>\n");
	ck_assert_ptr_null(strstr(a, fx_tmpdir()));
	ck_assert_has(a, "int app_migrations_source(dbshift_source **out)");
	/* Only the scripts that make migrations, in path order. */
	ck_assert_int_eq(count_of(a, "(const char *)"), 9);
	ck_assert_ptr_null(strstr(a, "README"));
	ck_assert_ptr_null(strstr(a, "hidden"));
	ck_assert_ptr_nonnull(strstr(a, "\"001_users/down.sql\""));
	ck_assert(strstr(a, "\"001_users/down.sql\"") <
		  strstr(a, "\"001_users/postgres/up.sql\""));
	ck_assert(strstr(a, "\"001_users/postgres/up.sql\"") <
		  strstr(a, "\"001_users/up.sql\""));
	ck_assert_int_le(widest_line(a), 80);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_embed_write_names)
{
	char *text;
	size_t len;

	fx_write("auth-v2.x/001_a.up.sql", "SELECT 1;");
	/* The name defaults to the directory's base name. */
	ck_assert_int_eq(
		embed_to_string(fx_path("auth-v2.x"), NULL, NULL, &text, &len),
		0);
	ck_assert_has(text, "int auth_v2_x_migrations_source(dbshift_source");
	ck_assert_has(text, "dbshift_source_embedded_new(out, \"auth-v2.x\"");
	free(text);

	ck_assert_int_eq(
		embed_to_string(fx_path("auth-v2.x"), "2fa", NULL, &text, &len),
		0);
	ck_assert_has(text, "int src_2fa_migrations_source(dbshift_source");
	free(text);

	ck_assert_int_eq(embed_to_string(fx_path("auth-v2.x"), "auth",
					 "mylib_auth", &text, &len),
			 0);
	ck_assert_has(text, "int mylib_auth(dbshift_source **out)");
	ck_assert_has(text, "static const unsigned char mylib_auth_data0[]");
	free(text);

	ck_assert_int_eq(embed_to_string(fx_path("auth-v2.x"), "auth", "1fn",
					 &text, &len),
			 DBSHIFT_EINVAL);
	ck_assert_has(dbshift_error_last()->message, "invalid C function");
	free(text);
	ck_assert_int_eq(embed_to_string(fx_path("auth-v2.x"), "auth", "my-fn",
					 &text, &len),
			 DBSHIFT_EINVAL);
	free(text);
	ck_assert_int_eq(embed_to_string(fx_path("auth-v2.x"), "bad name", NULL,
					 &text, &len),
			 DBSHIFT_EINVAL);
	free(text);
	ck_assert_int_eq(
		embed_to_string(fx_path("nowhere"), "app", NULL, &text, &len),
		DBSHIFT_ESOURCE);
	ck_assert_has(dbshift_error_last()->message,
		      "cannot read migration directory");
	ck_assert_uint_eq(len, 0);
	free(text);
	ck_assert_int_eq(
		dbshift_embed_write(fx_path("auth-v2.x"), "a", NULL, NULL),
		DBSHIFT_EINVAL);
	ck_assert_int_eq(dbshift_embed_write(NULL, "a", NULL, stdout),
			 DBSHIFT_EINVAL);
}
END_TEST

START_TEST(test_embed_write_checks_directives)
{
	char *text;
	size_t len;

	/* The directory source loads it; the run would refuse it. */
	fx_write("m/001_a.up.sql", "SELECT 1;");
	fx_write("m/002_b/up.sql", "SELECT 2;");
	fx_write("m/002_b/mysql/up.sql", "-- dbshift:no-such-thing\nSELECT 2;");
	ck_assert_int_eq(
		embed_to_string(fx_path("m"), "app", NULL, &text, &len),
		DBSHIFT_ESOURCE);
	ck_assert_has(dbshift_error_last()->message, "app/002");
	ck_assert_has(dbshift_error_last()->message, "dbshift:no-such-thing");
	ck_assert_str_eq(dbshift_error_last()->file,
			 fx_path("m/002_b/mysql/up.sql"));
	ck_assert_uint_eq(len, 0); /* nothing written */
	free(text);
}
END_TEST

/*
 * Run cmd with /bin/sh in the test's directory. Returns the exit status;
 * *log (may be NULL) receives stdout and stderr together.
 */
static int sh(const char *cmd, char **log)
{
	const char *dir = fx_tmpdir(); /* the child is not its owner */
	char path[1100];
	pid_t pid;
	int status, fd;

	snprintf(path, sizeof(path), "%s/.sh-log", dir);
	pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || chdir(dir) != 0)
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	ck_assert(waitpid(pid, &status, 0) == pid);
	if (log != NULL)
		*log = fx_read(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Run cmd and fail the test, showing its output, unless it succeeds. */
static void sh_ok(const char *cmd)
{
	char *log = NULL;
	int status = sh(cmd, &log);

	ck_assert_msg(status == 0, "%s\nexit %d:\n%s", cmd, status, log);
	free(log);
}

static const char *cc(void)
{
	const char *env = getenv("CC");

	return env != NULL && env[0] != '\0' ? env : "cc";
}

/* Write the generated file for dir (name "app") to rel; returns rel. */
static void embed_to_file(const char *dir, const char *rel)
{
	FILE *out = fopen(fx_path(rel), "w");

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(dbshift_embed_write(fx_path(dir), "app", NULL, out),
			 0);
	ck_assert_int_eq(fclose(out), 0);
}

START_TEST(test_embed_output_compiles)
{
	const char *cxx = getenv("CXX");
	char cmd[4096];

	rich_write("rich");
	embed_to_file("rich", "rich.c");
	fx_mkdir("empty");
	embed_to_file("empty", "empty.c");
	snprintf(cmd, sizeof(cmd),
		 "%s -std=c99 -Wall -Wextra -Werror -Wpedantic "
		 "-Woverlength-strings -Wmissing-prototypes -Wshadow "
		 "-Wwrite-strings -I'%s/include' -c rich.c -o rich.o && "
		 "%s -std=c99 -Wall -Wextra -Werror -Wpedantic "
		 "-I'%s/include' -c empty.c -o empty.o && "
		 "%s -std=c89 -Wall -Wextra -Werror -pedantic "
		 "-I'%s/include' -c rich.c -o rich89.o",
		 cc(), TOP_SRCDIR, cc(), TOP_SRCDIR, cc(), TOP_SRCDIR);
	sh_ok(cmd);
	/* As C++ too, where a C++ compiler is at hand. */
	if (cxx == NULL || cxx[0] == '\0')
		cxx = "c++";
	snprintf(cmd, sizeof(cmd), "%s --version >/dev/null 2>&1", cxx);
	if (sh(cmd, NULL) != 0)
		return;
	snprintf(cmd, sizeof(cmd),
		 "%s -x c++ -Wall -Wextra -Werror -pedantic -I'%s/include' "
		 "-c rich.c -o rich_cxx.o",
		 cxx, TOP_SRCDIR);
	sh_ok(cmd);
}
END_TEST

/* A program that applies the embedded source and prints its history. */
static const char linked_main[] =
	"#include <stdio.h>\n"
	"#include <dbshift/dbshift.h>\n"
	"int app_migrations_source(dbshift_source **out);\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\tdbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;\n"
	"\tdbshift_runner *r = NULL;\n"
	"\tdbshift_source *src = NULL;\n"
	"\tint n = -1, rc;\n"
	"\n"
	"\t(void)argc;\n"
	"\topts.url = argv[1];\n"
	"\trc = dbshift_runner_new(&r, &opts);\n"
	"\tif (rc == 0)\n"
	"\t\trc = app_migrations_source(&src);\n"
	"\tif (rc == 0)\n"
	"\t\trc = dbshift_runner_add_source(r, src);\n"
	"\tif (rc == 0)\n"
	"\t\trc = dbshift_runner_up(r, NULL, &n);\n"
	"\tif (rc != 0)\n"
	"\t\tfprintf(stderr, \"%s\\n\", r ? dbshift_runner_error(r)->message\n"
	"\t\t\t\t\t   : dbshift_error_last()->message);\n"
	"\telse\n"
	"\t\tprintf(\"applied %d\\n\", n);\n"
	"\tdbshift_runner_free(r);\n"
	"\treturn rc == 0 ? 0 : 1;\n"
	"}\n";

/* Apply the directory dir as source "app" to url in this process. */
static int apply_dir(const char *url, const char *dir)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r = NULL;
	dbshift_source *src = NULL;
	int n = -1;

	opts.url = url;
	opts.driver_dir = fx_driver_dir();
	ck_assert_int_eq(dbshift_runner_new(&r, &opts), 0);
	ck_assert_int_eq(dbshift_source_dir_new(&src, "app", fx_path(dir)), 0);
	ck_assert_int_eq(dbshift_runner_add_source(r, src), 0);
	ck_assert_msg(dbshift_runner_up(r, NULL, &n) == 0, "up: %s",
		      dbshift_runner_error(r)->message);
	dbshift_runner_free(r);
	return n;
}

#define HISTORY_IDS "SELECT id FROM dbshift_migrations ORDER BY seq"
#define HISTORY_SUMS "SELECT checksum FROM dbshift_migrations ORDER BY seq"

/* The same history (ids and checksums) in two databases. */
static void same_history(const char *url_a, const char *url_b)
{
	char *a = fx_db_query(url_a, HISTORY_IDS);
	char *b = fx_db_query(url_b, HISTORY_IDS);

	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	a = fx_db_query(url_a, HISTORY_SUMS);
	b = fx_db_query(url_b, HISTORY_SUMS);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
}

START_TEST(test_embed_output_links_and_migrates)
{
	char cmd[4096], linked_url[1100], dir_url[1100], *log = NULL;
	int status;

	rich_write("rich");
	embed_to_file("rich", "gen.c");
	fx_write("main.c", linked_main);
	snprintf(cmd, sizeof(cmd),
		 "%s -std=c99 -Wall -Wextra -Werror -Wpedantic %s "
		 "-I'%s/include' -o linked main.c gen.c -L'%s/.libs' "
		 "-ldbshift -Wl,-rpath,'%s/.libs'",
		 cc(), BUILD_LINK_FLAGS, TOP_SRCDIR, TOP_BUILDDIR,
		 TOP_BUILDDIR);
	sh_ok(cmd);
	snprintf(linked_url, sizeof(linked_url), "%s",
		 fx_sqlite_url("linked.db"));
	snprintf(cmd, sizeof(cmd),
		 "DBSHIFT_DRIVER_PATH='%s' ./linked '%s' && "
		 "DBSHIFT_DRIVER_PATH='%s' ./linked '%s'",
		 fx_driver_dir(), linked_url, fx_driver_dir(), linked_url);
	status = sh(cmd, &log);
	ck_assert_msg(status == 0, "linked program: %d\n%s", status, log);
	ck_assert_str_eq(log, "applied 3\napplied 0\n");
	free(log);

	snprintf(dir_url, sizeof(dir_url), "%s", fx_sqlite_url("dir.db"));
	ck_assert_int_eq(apply_dir(dir_url, "rich"), 3);
	same_history(linked_url, dir_url);
	log = fx_db_query(linked_url, "SELECT made_by FROM users");
	ck_assert_str_eq(log, "generic");
	free(log);
	log = fx_db_query(linked_url, "SELECT count(*) FROM big");
	ck_assert_str_eq(log, "300");
	free(log);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Through the runner, on every dialect. */

static char url[1024];

#define USE_DIALECT() FX_USE_DIALECT(url)

#define ck_query(db_url, sql, expected)                                        \
	do {                                                                   \
		char *got_ = fx_db_query((db_url), (sql));                     \
		ck_assert_str_eq(got_, (expected));                            \
		free(got_);                                                    \
	} while (0)

START_TEST(test_embedded_runner_each_dialect)
{
	const dbshift_embedded_file *files;
	dbshift_source *src = NULL;
	dbshift_runner *r;
	char dir_url[1024];
	size_t n;
	int expected = _i == FX_MYSQL ? 4 : 3;

	USE_DIALECT();
	snprintf(dir_url, sizeof(dir_url), "%s", fx_fresh_url(_i));
	rich_write("rich");
	files = rich_array(&n);

	r = fx_open_runner(url);
	ck_assert_int_eq(dbshift_source_embedded_new(&src, "app", files, n), 0);
	fx_add_source(r, src);
	ck_assert_int_eq(fx_up(r), expected);
	ck_assert_int_eq(fx_up(r), 0);
	ck_query(url, "SELECT made_by FROM users",
		 _i == FX_POSTGRES ? "postgres" : "generic");
	ck_query(url, "SELECT count(*) FROM big", "300");
	ck_assert_int_eq(fx_db_has_table(url, "mysql_only"), _i == FX_MYSQL);

	/* The directory gives the same history, checksums included. */
	ck_assert_int_eq(apply_dir(dir_url, "rich"), expected);
	same_history(url, dir_url);

	/* And the embedded downs undo it all. */
	ck_assert_int_eq(dbshift_runner_down(r, -1, NULL, NULL), 0);
	ck_query(url, "SELECT count(*) FROM dbshift_migrations", "0");
	ck_assert(!fx_db_has_table(url, "users"));
	ck_assert(!fx_db_has_table(url, "big"));
	dbshift_runner_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* `dbshift embed`. */

/* How many entries the directory rel holds (hidden ones included). */
static int entries_in(const char *rel)
{
	DIR *dir = opendir(fx_path(rel));
	struct dirent *entry;
	int n = 0;

	ck_assert_ptr_nonnull(dir);
	while ((entry = readdir(dir)) != NULL)
		n += strcmp(entry->d_name, ".") != 0 &&
		     strcmp(entry->d_name, "..") != 0;
	closedir(dir);
	return n;
}

START_TEST(test_embed_cli_writes_file)
{
	fx_run run;
	char *expected, *got;
	size_t len;
	struct stat st;
	mode_t mask;

	rich_write("rich");
	fx_mkdir("gen");
	run = fx_cli("embed", "rich", "--name", "app", "-o", "gen/app.c", NULL);
	ck_assert_exit(run, 0);
	ck_assert_str_eq(run.out, "");
	ck_assert_str_eq(run.err, "");
	fx_run_free(&run);
	ck_assert_int_eq(
		embed_to_string(fx_path("rich"), "app", NULL, &expected, &len),
		0);
	got = fx_read(fx_path("gen/app.c"));
	ck_assert_str_eq(got, expected);
	free(got);
	ck_assert_int_eq(entries_in("gen"), 1); /* no temporary file left */
	mask = umask(0);
	umask(mask);
	ck_assert_int_eq(stat(fx_path("gen/app.c"), &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0666 & ~mask);

	/* Options anywhere; "-o -" writes to standard output; an existing
	 * file is replaced. */
	run = fx_cli("--name", "app", "-o", "-", "embed", "rich", NULL);
	ck_assert_exit(run, 0);
	ck_assert_str_eq(run.out, expected);
	fx_run_free(&run);
	fx_write("gen/app.c", "old");
	run = fx_cli("embed", "rich", "--name=app", "--output", "gen/app.c",
		     "--function", "my_source", NULL);
	ck_assert_exit(run, 0);
	fx_run_free(&run);
	got = fx_read(fx_path("gen/app.c"));
	ck_assert_has(got, "int my_source(dbshift_source **out)");
	free(got);
	free(expected);
}
END_TEST

START_TEST(test_embed_cli_bad_files)
{
	fx_run run;
	char *got;

	fx_write("bad/001_a.up.sql", "SELECT 1;");
	fx_write("bad/002-create.sql", "SELECT 2;");
	fx_write("out.c", "old");
	run = fx_cli("embed", "bad", "--name", "app", "-o", "out.c", NULL);
	ck_assert_exit(run, 2);
	ck_assert_has(run.err, "bad/002-create.sql");
	ck_assert_has(run.err, "expected");
	fx_run_free(&run);
	/* The old file is untouched and no temporary file is left. */
	got = fx_read(fx_path("out.c"));
	ck_assert_str_eq(got, "old");
	free(got);
	ck_assert_int_eq(entries_in("."), 4); /* bad, out.c, .cli-std* */

	fx_expect_err(2, "cannot read migration directory", "embed", "nowhere",
		      "-o", "x.c", NULL);

	fx_write("ok/001_a.up.sql", "SELECT 1;");
	fx_expect_err(1, "cannot create no/such/dir/x.c", "embed", "ok", "-o",
		      "no/such/dir/x.c", NULL);
}
END_TEST

START_TEST(test_embed_cli_usage)
{
	static const char *const cases[][7] = {
		{"embed", "-o", "x.c", NULL},
		{"embed", "ok", NULL},
		{"embed", "ok", "other", "-o", "x.c", NULL},
		{"embed", "ok", "-o", "x.c", "--function", "1x", NULL},
		{"embed", "ok", "-o", "x.c", "--name", "bad name", NULL},
		{"embed", "ok", "-o", "", NULL},
		{"status", "--name", "app", NULL},
		{"up", "-o", "x.c", NULL},
		{"new", "x", "--function", "f", NULL},
	};
	static const char *const words[] = {
		"needs a migration directory",
		"needs -o",
		"unexpected argument 'other'",
		"invalid C function name",
		"invalid source name",
		"non-empty",
		"'--name' is only valid with 'embed'",
		"'--output' is only valid with 'embed'",
		"'--function' is only valid with 'embed'",
	};
	fx_run run;
	size_t i;

	fx_write("ok/001_a.up.sql", "SELECT 1;");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run = fx_cli_env(NULL, cases[i]);
		ck_assert_exit(run, 2);
		ck_assert_has(run.err, words[i]);
		fx_run_free(&run);
	}
	ck_assert_int_eq(entries_in("."), 3); /* ok, .cli-std* */

	run = fx_cli("embed", "--help", NULL);
	ck_assert_exit(run, 0);
	ck_assert_has(run.out, "embed DIR --name N -o F");
	ck_assert_has(run.out, "Exit status:");
	fx_run_free(&run);
	fx_expect_out(0, "embed DIR --name N -o F", "--help", NULL);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The example: libauthjobs and the host program, on every dialect. */

/* Run the built host on url; returns its exit status, output in *out. */
static int run_host(const char *db_url, char **out)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
		 "DBSHIFT_DRIVER_PATH='%s' '%s/examples/host/host' '%s' "
		 "'%s/examples/host/migrations'",
		 fx_driver_dir(), TOP_BUILDDIR, db_url, TOP_SRCDIR);
	return sh(cmd, out);
}

START_TEST(test_example_host)
{
	char host[1100], *out = NULL;
	int status;

	USE_DIALECT();
	snprintf(host, sizeof(host), "%s/examples/host/host", TOP_BUILDDIR);
	ck_assert_msg(access(host, X_OK) == 0,
		      "%s is missing: it is built by make check", host);
	status = run_host(url, &out);
	ck_assert_msg(status == 0, "host: %d\n%s", status, out);
	ck_assert_has(out, "applied 7 migrations\n");
	ck_assert_has(out, "auth/001         applied      users\n");
	ck_assert_has(out, "app/002          applied      nightly_report\n");
	free(out);
	/* The host's migrations come after the library tables they use. */
	ck_query(url, HISTORY_IDS,
		 "auth/001,app/001,jobs/001,app/002,auth/002,jobs/002,"
		 "auth/003");
	ck_query(url, "SELECT queue FROM jobs", "reports");
	ck_assert(fx_db_has_table(url, "auth_password_resets"));
	ck_assert(fx_db_has_table(url, "profiles"));

	status = run_host(url, &out);
	ck_assert_msg(status == 0, "host again: %d\n%s", status, out);
	ck_assert_has(out, "applied 0 migrations\n");
	free(out);
}
END_TEST

/* The host's own migration test, written with <dbshift/testing.h>. */
START_TEST(test_example_host_test)
{
	static const char *const server_env[FX_N_DIALECTS] = {
		NULL, "DBSHIFT_TEST_PG_URL", "DBSHIFT_TEST_MYSQL_URL"};
	const char *server = "";
	char cmd[4096], *out = NULL;
	int status;

	if (!fx_dialect_ready(_i))
		return;
	if (server_env[_i] != NULL)
		server = getenv(server_env[_i]);
	snprintf(cmd, sizeof(cmd),
		 "DBSHIFT_DRIVER_PATH='%s' '%s/examples/host/host_test' "
		 "'%s/examples/host/migrations' %s '%s'",
		 fx_driver_dir(), TOP_BUILDDIR, TOP_SRCDIR, fx_dialect_name(_i),
		 server);
	status = sh(cmd, &out);
	ck_assert_msg(status == 0, "host_test: %d\n%s", status, out);
	ck_assert_has(out, "host_test: ok\n");
	free(out);
}
END_TEST

Suite *embedded_suite(void)
{
	Suite *s = suite_create("embedded");
	TCase *same = tcase_create("same_as_directory");
	TCase *emb = tcase_create("embedded");
	TCase *gen = tcase_create("generator");
	TCase *dialects = tcase_create("dialects");
	TCase *cli = tcase_create("cli");

	tcase_add_loop_test(same, test_embedded_same_as_directory, 0,
			    N_FIXTURES);
	suite_add_tcase(s, same);

	tcase_add_test(emb, test_embedded_bad_paths);
	tcase_add_test(emb, test_embedded_data);
	tcase_add_test(emb, test_embedded_new_arguments);
	suite_add_tcase(s, emb);

	tcase_set_timeout(gen, 120);
	tcase_add_test(gen, test_embed_write_deterministic);
	tcase_add_test(gen, test_embed_write_names);
	tcase_add_test(gen, test_embed_write_checks_directives);
	tcase_add_test(gen, test_embed_output_compiles);
	tcase_add_test(gen, test_embed_output_links_and_migrates);
	suite_add_tcase(s, gen);

	tcase_set_timeout(dialects, 60);
	tcase_add_loop_test(dialects, test_embedded_runner_each_dialect, 0,
			    FX_N_DIALECTS);
	tcase_add_loop_test(dialects, test_example_host, 0, FX_N_DIALECTS);
	tcase_add_loop_test(dialects, test_example_host_test, 0, FX_N_DIALECTS);
	suite_add_tcase(s, dialects);

	tcase_set_timeout(cli, 30);
	tcase_add_test(cli, test_embed_cli_writes_file);
	tcase_add_test(cli, test_embed_cli_bad_files);
	tcase_add_test(cli, test_embed_cli_usage);
	suite_add_tcase(s, cli);
	return s;
}
