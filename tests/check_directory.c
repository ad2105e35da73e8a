/* SPDX-License-Identifier: MIT */
/*
 * check_directory.c - tests of the directory migration source
 * (sources/directory.c): the flat and folder layouts, dialect variants,
 * what is ignored and what is refused, and the real-world migration sets
 * when they are present.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "fixture.h"
#include "runner.h"
#include "suites.h"

#ifndef REALWORLD_DIR /* configure passes the sets it found */
#define REALWORLD_DIR TOP_SRCDIR "/../shared/realworld"
#endif

static dbshift__err err;
static dbshift_catalog cat;
static dbshift_source *src;

static void teardown(void)
{
	dbshift__catalog_clear(&cat);
	dbshift_source_free(src);
	src = NULL;
}

/*
 * Load the directory at path (absolute, or relative to the test's
 * directory) as source "app" into cat, and read the down scripts it
 * defers (a run reads them when it plans a down), so that the tests see
 * every script. Returns the load's result.
 */
static int load_path_named(const char *path, dbshift_naming naming)
{
	int rc;
	dbshift_source_options so = DBSHIFT_SOURCE_OPTIONS_INIT;

	teardown();
	dbshift__err_init(&err);
	so.naming = naming;
	ck_assert_int_eq(
		dbshift_source_dir_new_opts(&src, "app", fx_path(path), &so),
		0);
	dbshift__catalog_init(&cat, "app", &err);
	rc = src->ops->load(src->state, &cat);
	return rc == 0 ? dbshift__catalog_load_downs(&cat) : rc;
}

static int load_path(const char *path)
{
	return load_path_named(path, DBSHIFT_NAMING_STRICT);
}

/* Load a directory that must load; returns the number of migrations. */
static size_t load_ok(const char *path)
{
	int rc = load_path(path);

	ck_assert_msg(rc == 0, "load %s: %d %s", path, rc, err.pub.message);
	return cat.migrations.len;
}

/*
 * Load a directory that must fail with DBSHIFT_ESOURCE and a message
 * holding the path of rel (inside the test's directory).
 */
static void load_fails_naming(const char *dir, const char *rel)
{
	const char *path = fx_path(rel);

	ck_assert_int_eq(load_path(dir), DBSHIFT_ESOURCE);
	ck_assert_int_eq(err.pub.code, DBSHIFT_ESOURCE);
	ck_assert_msg(strstr(err.pub.message, path) != NULL,
		      "message '%s' does not name '%s'", err.pub.message, path);
}

static dbshift__migration *mig(size_t i)
{
	ck_assert_uint_lt(i, cat.migrations.len);
	return cat.migrations.items[i];
}

/* The variant of m for dialect, or NULL. */
static const dbshift__variant *variant(const dbshift__migration *m,
				       const char *dialect)
{
	size_t i;

	for (i = 0; i < m->n_variants; i++)
		if (strcmp(m->variants[i].dialect, dialect) == 0)
			return &m->variants[i];
	return NULL;
}

/* Comma-separated versions of the loaded migrations, in catalog order. */
static const char *versions(void)
{
	static char buf[1024];
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < cat.migrations.len && used < sizeof(buf); i++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s",
					 i ? "," : "", mig(i)->version);
	return buf;
}

START_TEST(test_directory_flat)
{
	dbshift__migration *m;

	fx_write("m/001_create_users.up.sql", "CREATE TABLE users (id INT);\n");
	fx_write("m/001_create_users.down.sql", "DROP TABLE users;\n");
	fx_write("m/002_add_email.up.sql", "ALTER TABLE users ADD email TEXT;");
	fx_write("m/003.up.sql", "SELECT 3;");

	ck_assert_uint_eq(load_ok("m"), 3);
	ck_assert_str_eq(versions(), "001,002,003");

	m = mig(0);
	ck_assert_str_eq(m->id, "app/001");
	ck_assert_str_eq(m->source, "app");
	ck_assert_str_eq(m->name, "create_users");
	ck_assert_str_eq(m->generic_up.text, "CREATE TABLE users (id INT);\n");
	ck_assert_uint_eq(m->generic_up.len, 29);
	ck_assert_str_eq(m->generic_up.file,
			 fx_path("m/001_create_users.up.sql"));
	ck_assert_str_eq(m->generic_down.text, "DROP TABLE users;\n");
	ck_assert_str_eq(m->generic_down.file,
			 fx_path("m/001_create_users.down.sql"));
	ck_assert_uint_eq(m->n_variants, 0);
	ck_assert_uint_eq(m->n_def_dialects, 0);

	m = mig(1);
	ck_assert_str_eq(m->name, "add_email");
	ck_assert_ptr_null(m->generic_down.text);
	ck_assert_str_eq(mig(2)->name, "");
}
END_TEST

START_TEST(test_directory_folders)
{
	dbshift__migration *m;

	fx_write("m/2024-01-01-120000_add_index/up.sql", "CREATE INDEX i;");
	fx_write("m/2024-01-01-120000_add_index/down.sql", "DROP INDEX i;");
	fx_write("m/2024-01-01-120000_add_index/README.md", "notes");
	fx_write("m/2024-01-02-000000/up.sql", "SELECT 2;");

	ck_assert_uint_eq(load_ok("m"), 2);
	ck_assert_str_eq(versions(), "2024-01-01-120000,2024-01-02-000000");
	m = mig(0);
	ck_assert_str_eq(m->name, "add_index");
	ck_assert_str_eq(m->generic_up.text, "CREATE INDEX i;");
	ck_assert_str_eq(m->generic_up.file,
			 fx_path("m/2024-01-01-120000_add_index/up.sql"));
	ck_assert_str_eq(m->generic_down.text, "DROP INDEX i;");
	ck_assert_str_eq(m->generic_down.file,
			 fx_path("m/2024-01-01-120000_add_index/down.sql"));
	m = mig(1);
	ck_assert_str_eq(m->name, "");
	ck_assert_ptr_null(m->generic_down.text);
}
END_TEST

START_TEST(test_directory_mixed_layouts)
{
	fx_write("m/003_c.up.sql", "SELECT 3;");
	fx_write("m/002_b/up.sql", "SELECT 2;");
	fx_write("m/001_a.up.sql", "SELECT 1;");
	fx_write("m/001_a.down.sql", "SELECT -1;");
	fx_write("m/004_d/up.sql", "SELECT 4;");

	ck_assert_uint_eq(load_ok("m"), 4);
	ck_assert_str_eq(versions(), "001,002,003,004");
	ck_assert_str_eq(mig(1)->generic_up.text, "SELECT 2;");
	ck_assert_str_eq(mig(0)->generic_down.text, "SELECT -1;");
}
END_TEST

/* Down scripts are recorded by file and read only when asked for. */
START_TEST(test_directory_down_deferred)
{
	const dbshift__migration *m;

	fx_write("m/001_a.up.sql", "SELECT 1;");
	fx_write("m/001_a.down.sql", "SELECT -1;");
	fx_mkdir("m/002_b/postgres");
	fx_write("m/002_b/up.sql", "SELECT 2;");
	fx_write("m/002_b/postgres/down.sql", "SELECT -2;");
	teardown();
	dbshift__err_init(&err);
	ck_assert_int_eq(dbshift_source_dir_new(&src, "app", fx_path("m")), 0);
	dbshift__catalog_init(&cat, "app", &err);
	ck_assert_int_eq(src->ops->load(src->state, &cat), 0);
	m = mig(0);
	ck_assert_str_eq(m->generic_up.text, "SELECT 1;");
	ck_assert_ptr_null(m->generic_down.text);
	ck_assert_str_eq(m->generic_down.file, fx_path("m/001_a.down.sql"));
	ck_assert_int_eq(dbshift__script_present(&m->generic_down), 1);
	ck_assert_ptr_null(mig(1)->variants[0].down.text);
	ck_assert_int_eq(dbshift__script_present(&mig(1)->generic_down), 0);
	ck_assert_int_eq(dbshift__catalog_load_downs(&cat), 0);
	ck_assert_str_eq(m->generic_down.text, "SELECT -1;");
	ck_assert_str_eq(mig(1)->variants[0].down.text, "SELECT -2;");
	/* A script that went away meanwhile is named with the reason. */
	ck_assert_int_eq(load_path("m"), 0);
	teardown();
	dbshift__err_init(&err);
	ck_assert_int_eq(dbshift_source_dir_new(&src, "app", fx_path("m")), 0);
	dbshift__catalog_init(&cat, "app", &err);
	ck_assert_int_eq(src->ops->load(src->state, &cat), 0);
	ck_assert_int_eq(unlink(fx_path("m/001_a.down.sql")), 0);
	ck_assert_int_eq(dbshift__catalog_load_downs(&cat), DBSHIFT_ESOURCE);
	ck_assert_has(err.pub.message, fx_path("m/001_a.down.sql"));
	ck_assert_has(err.pub.message, strerror(ENOENT));
	ck_assert_str_eq(err.pub.file, fx_path("m/001_a.down.sql"));
}
END_TEST

START_TEST(test_directory_flat_dialect_variants)
{
	const dbshift__migration *m;
	const dbshift__variant *v;

	fx_write("m/001_x.up.sql", "generic up");
	fx_write("m/001_x.down.sql", "generic down");
	fx_write("m/001_x.postgres.up.sql", "pg up");
	fx_write("m/001_x.mariadb.down.sql", "mysql down");
	fx_write("m/001_x.sqlite.up.sql", "sqlite up");
	fx_write("m/001_x.sqlite.down.sql", "sqlite down");

	ck_assert_uint_eq(load_ok("m"), 1);
	m = mig(0);
	ck_assert_str_eq(m->generic_up.text, "generic up");
	ck_assert_str_eq(m->generic_down.text, "generic down");
	ck_assert_uint_eq(m->n_variants, 3);
	ck_assert_uint_eq(m->n_def_dialects, 0);
	/* Variants come in dialect order, tokens as written. */
	ck_assert_str_eq(m->variants[0].dialect, "mariadb");
	ck_assert_str_eq(m->variants[1].dialect, "postgres");
	ck_assert_str_eq(m->variants[2].dialect, "sqlite");

	v = variant(m, "postgres");
	ck_assert_str_eq(v->up.text, "pg up");
	ck_assert_str_eq(v->up.file, fx_path("m/001_x.postgres.up.sql"));
	ck_assert_ptr_null(v->down.text);
	v = variant(m, "mariadb");
	ck_assert_ptr_null(v->up.text);
	ck_assert_str_eq(v->down.text, "mysql down");
	ck_assert_str_eq(v->down.file, fx_path("m/001_x.mariadb.down.sql"));
	v = variant(m, "sqlite");
	ck_assert_str_eq(v->up.text, "sqlite up");
	ck_assert_str_eq(v->down.text, "sqlite down");
}
END_TEST

START_TEST(test_directory_folder_dialect_variants)
{
	const dbshift__migration *m;
	const dbshift__variant *v;

	fx_write("m/001_x/up.sql", "generic up");
	fx_write("m/001_x/pg/up.sql", "pg up");
	fx_write("m/001_x/pg/down.sql", "pg down");
	fx_write("m/001_x/pg/notes.txt", "ignored");
	fx_write("m/001_x/mariadb/up.sql", "mysql up");
	fx_write("m/001_x/sqlite/down.sql", "sqlite down");
	fx_write("m/001_x/data/seed.csv", "an unrelated folder is ignored");

	ck_assert_uint_eq(load_ok("m"), 1);
	m = mig(0);
	ck_assert_str_eq(m->generic_up.text, "generic up");
	ck_assert_ptr_null(m->generic_down.text);
	ck_assert_uint_eq(m->n_variants, 3);
	v = variant(m, "pg");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v->up.text, "pg up");
	ck_assert_str_eq(v->up.file, fx_path("m/001_x/pg/up.sql"));
	ck_assert_str_eq(v->down.text, "pg down");
	v = variant(m, "mariadb");
	ck_assert_ptr_nonnull(v);
	ck_assert_str_eq(v->up.text, "mysql up");
	v = variant(m, "sqlite");
	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_null(v->up.text);
	ck_assert_str_eq(v->down.text, "sqlite down");
}
END_TEST

START_TEST(test_directory_variant_only)
{
	static const char *const pg_aliases[] = {"pg", NULL};
	const dbshift__dialect sqlite = {"sqlite", NULL};
	const dbshift__dialect postgres = {"postgres", pg_aliases};
	dbshift__migration *m;

	fx_write("m/001_pg_only.postgres.up.sql", "pg up");
	fx_write("m/001_pg_only.postgres.down.sql", "pg down");
	fx_write("m/002_two/mysql/up.sql", "mysql up");
	fx_write("m/002_two/postgres/up.sql", "pg up 2");
	fx_write("m/002_two/down.sql", "generic down");

	ck_assert_uint_eq(load_ok("m"), 2);
	m = mig(0);
	ck_assert_ptr_null(m->generic_up.text);
	ck_assert_uint_eq(m->n_def_dialects, 1);
	ck_assert_str_eq(m->def_dialects[0], "postgres");

	/* The core runs it on postgres only. */
	ck_assert_int_eq(dbshift__migration_resolve(m, &sqlite, NULL, 0, &err),
			 0);
	ck_assert_int_eq(m->skipped, 1);
	ck_assert_int_eq(
		dbshift__migration_resolve(m, &postgres, NULL, 0, &err), 0);
	ck_assert_int_eq(m->skipped, 0);
	ck_assert_str_eq(m->up->text, "pg up");
	ck_assert_str_eq(m->down->text, "pg down");

	m = mig(1);
	ck_assert_ptr_null(m->generic_up.text);
	ck_assert_str_eq(m->generic_down.text, "generic down");
	ck_assert_uint_eq(m->n_def_dialects, 2);
	ck_assert_str_eq(m->def_dialects[0], "mysql");
	ck_assert_str_eq(m->def_dialects[1], "postgres");
}
END_TEST

START_TEST(test_directory_variant_down_without_up)
{
	fx_write("m/001_x.pg.up.sql", "pg up");
	fx_write("m/001_x.mysql.down.sql", "mysql down");
	load_fails_naming("m", "m/001_x.mysql.down.sql");
	ck_assert_ptr_nonnull(strstr(err.pub.message, "without an up"));
}
END_TEST

/* Two spellings of one dialect load (the source does not know they are
 * one); resolving for that dialect refuses them, naming both files. */
START_TEST(test_directory_alias_twice)
{
	static const char *const pg_aliases[] = {"pg", NULL};
	const dbshift__dialect postgres = {"postgres", pg_aliases};
	const dbshift__dialect sqlite = {"sqlite", NULL};

	fx_write("m/001_x/up.sql", "up");
	fx_write("m/001_x/pg/up.sql", "pg up");
	fx_write("m/001_x/postgres/up.sql", "postgres up");
	ck_assert_uint_eq(load_ok("m"), 1);
	ck_assert_int_eq(
		dbshift__migration_resolve(mig(0), &sqlite, NULL, 0, &err), 0);
	ck_assert_int_eq(
		dbshift__migration_resolve(mig(0), &postgres, NULL, 0, &err),
		DBSHIFT_ESOURCE);
	ck_assert_ptr_nonnull(
		strstr(err.pub.message, fx_path("m/001_x/pg/up.sql")));
	ck_assert_ptr_nonnull(
		strstr(err.pub.message, fx_path("m/001_x/postgres/up.sql")));
	ck_assert_ptr_nonnull(
		strstr(err.pub.message, "two scripts for dialect postgres"));

	/* The same in the flat layout. */
	fx_write("n/001_x.pg.up.sql", "pg up");
	fx_write("n/001_x.postgres.up.sql", "postgres up");
	ck_assert_uint_eq(load_ok("n"), 1);
	ck_assert_int_eq(
		dbshift__migration_resolve(mig(0), &postgres, NULL, 0, &err),
		DBSHIFT_ESOURCE);
	ck_assert_ptr_nonnull(
		strstr(err.pub.message, fx_path("n/001_x.postgres.up.sql")));
}
END_TEST

START_TEST(test_directory_natural_order)
{
	static const char *const files[] = {
		"10_j.up.sql", "9_i.up.sql",   "0100_z/up.sql", "1_a.up.sql",
		"2_b.up.sql",  "011_k/up.sql", "20_t.up.sql",
	};
	size_t i;

	/* The same files created in two opposite orders. */
	for (i = 0; i < 7; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "a/%s", files[i]);
		fx_write(rel, files[i]);
		snprintf(rel, sizeof(rel), "b/%s", files[6 - i]);
		fx_write(rel, files[6 - i]);
	}
	ck_assert_uint_eq(load_ok("a"), 7);
	ck_assert_str_eq(versions(), "1,2,9,10,011,20,0100");
	ck_assert_uint_eq(load_ok("b"), 7);
	ck_assert_str_eq(versions(), "1,2,9,10,011,20,0100");
	ck_assert_str_eq(mig(4)->generic_up.text, "011_k/up.sql");
}
END_TEST

START_TEST(test_directory_ignored_entries)
{
	fx_write("m/001_a.up.sql", "SELECT 1;");
	fx_write("m/README", "read me");
	fx_write("m/README.md", "read me");
	fx_write("m/.keep", "");
	fx_write("m/atlas.sum", "h1:abc=");
	fx_write("m/.hidden.sql", "not a migration");
	fx_write("m/.git/objects/x.sql", "not a migration");
	fx_write("m/001_a.up.sql~", "editor backup");
	fx_write("m/001_a.up.sql.bak", "backup");
	fx_write("m/002_b/up.sql", "SELECT 2;");
	fx_write("m/002_b/.hidden/up.sql", "hidden dialect-like folder");
	fx_write("m/002_b/postgres/.up.sql", "hidden in a dialect folder");
	fx_write("m/003_c/up.sql", "SELECT 3;");
	fx_write("m/003_c/.DS_Store.sql", "hidden in a folder");
	fx_write("m/003_c/up.sql.orig", "ignored");
	fx_write("m/003_c/Makefile", "ignored");

	ck_assert_uint_eq(load_ok("m"), 3);
	ck_assert_str_eq(versions(), "001,002,003");
	ck_assert_uint_eq(mig(1)->n_variants, 0);
}
END_TEST

START_TEST(test_directory_malformed_sql_name)
{
	fx_write("m/001_a.up.sql", "SELECT 1;");
	fx_write("m/002-create.sql", "SELECT 2;");
	load_fails_naming("m", "m/002-create.sql");
	ck_assert_str_eq(err.pub.file, fx_path("m/002-create.sql"));
	ck_assert_ptr_nonnull(strstr(err.pub.message, "expected"));
}
END_TEST

START_TEST(test_directory_malformed_names_more)
{
	fx_write("a/V1__init.sql", "SELECT 1;");
	load_fails_naming("a", "a/V1__init.sql");

	fx_write("b/001_x.Oracle.up.sql", "SELECT 1;");
	load_fails_naming("b", "b/001_x.Oracle.up.sql");
	ck_assert_ptr_nonnull(strstr(err.pub.message, "invalid dialect"));

	/* Upper-case .SQL is not silently skipped either. */
	fx_write("c/001_X.UP.SQL", "SELECT 1;");
	load_fails_naming("c", "c/001_X.UP.SQL");

	fx_write("d/up.sql", "SELECT 1;");
	load_fails_naming("d", "d/up.sql");
}
END_TEST

START_TEST(test_directory_duplicate_versions)
{
	char quoted[1100];

	fx_write("a/001_a.up.sql", "SELECT 1;");
	fx_write("a/001_b.up.sql", "SELECT 1;");
	load_fails_naming("a", "a/001_a.up.sql");
	ck_assert_ptr_nonnull(
		strstr(err.pub.message, fx_path("a/001_b.up.sql")));
	ck_assert_ptr_nonnull(strstr(err.pub.message, "duplicate version"));

	fx_write("b/001_a.up.sql", "SELECT 1;");
	fx_write("b/001_a/up.sql", "SELECT 1;");
	load_fails_naming("b", "b/001_a.up.sql");
	snprintf(quoted, sizeof(quoted), "'%s'", fx_path("b/001_a"));
	ck_assert_ptr_nonnull(strstr(err.pub.message, quoted));

	fx_write("c/001_a.up.sql", "SELECT 1;");
	fx_write("c/1_a.down.sql", "SELECT 1;");
	load_fails_naming("c", "c/001_a.up.sql");
	ck_assert_ptr_nonnull(
		strstr(err.pub.message, fx_path("c/1_a.down.sql")));

	fx_write("d/002_a/up.sql", "SELECT 1;");
	fx_write("d/2_b/up.sql", "SELECT 1;");
	load_fails_naming("d", "d/002_a");
	ck_assert_ptr_nonnull(strstr(err.pub.message, fx_path("d/2_b")));
}
END_TEST

START_TEST(test_directory_down_without_up)
{
	fx_write("m/001_a.up.sql", "SELECT 1;");
	fx_write("m/002_b.down.sql", "SELECT 2;");
	load_fails_naming("m", "m/002_b.down.sql");
	ck_assert_ptr_nonnull(strstr(err.pub.message, "without an up"));
	ck_assert_str_eq(err.pub.file, fx_path("m/002_b.down.sql"));
}
END_TEST

START_TEST(test_directory_empty_up)
{
	dbshift__migration *m;

	fx_write("m/001_noop.up.sql", "");
	fx_write("m/002_noop/up.sql", "");
	fx_write("m/002_noop/down.sql", "");

	ck_assert_uint_eq(load_ok("m"), 2);
	m = mig(0);
	ck_assert_ptr_nonnull(m->generic_up.text);
	ck_assert_str_eq(m->generic_up.text, "");
	ck_assert_uint_eq(m->generic_up.len, 0);
	ck_assert_ptr_null(m->generic_down.text);
	m = mig(1);
	ck_assert_ptr_nonnull(m->generic_up.text);
	ck_assert_uint_eq(m->generic_up.len, 0);
	ck_assert_ptr_nonnull(m->generic_down.text);
}
END_TEST

START_TEST(test_directory_missing)
{
	ck_assert_int_eq(load_path("nowhere"), DBSHIFT_ESOURCE);
	ck_assert_ptr_nonnull(strstr(err.pub.message, fx_path("nowhere")));
	ck_assert_ptr_nonnull(strstr(err.pub.message, strerror(ENOENT)));
	ck_assert_str_eq(err.pub.file, fx_path("nowhere"));

	fx_write("file", "not a directory");
	ck_assert_int_eq(load_path("file"), DBSHIFT_ESOURCE);
	ck_assert_ptr_nonnull(strstr(err.pub.message, strerror(ENOTDIR)));
}
END_TEST

START_TEST(test_directory_empty)
{
	fx_mkdir("m");
	ck_assert_uint_eq(load_ok("m"), 0);
}
END_TEST

START_TEST(test_directory_trailing_slash_paths)
{
	fx_write("m/001_a.up.sql", "SELECT 1;");
	fx_write("m/002_b/up.sql", "SELECT 2;");
	ck_assert_uint_eq(load_ok("m//"), 2);
	ck_assert_str_eq(mig(0)->generic_up.file, fx_path("m/001_a.up.sql"));
	ck_assert_str_eq(mig(1)->generic_up.file, fx_path("m/002_b/up.sql"));
}
END_TEST

START_TEST(test_directory_default_name)
{
	dbshift_source *s = NULL;

	fx_mkdir("migrations");
	ck_assert_int_eq(chdir(fx_tmpdir()), 0);

	ck_assert_int_eq(dbshift_source_dir_new(&s, NULL, "./migrations/"), 0);
	ck_assert_str_eq(dbshift_source_name(s), "migrations");
	dbshift_source_free(s);

	ck_assert_int_eq(
		dbshift_source_dir_new(&s, NULL, fx_path("migrations")), 0);
	ck_assert_str_eq(dbshift_source_name(s), "migrations");
	dbshift_source_free(s);

	ck_assert_int_eq(dbshift_source_dir_new(&s, NULL, "migrations"), 0);
	ck_assert_str_eq(dbshift_source_name(s), "migrations");
	dbshift_source_free(s);

	ck_assert_int_eq(chdir("migrations"), 0);
	ck_assert_int_eq(dbshift_source_dir_new(&s, NULL, "."), 0);
	ck_assert_str_eq(dbshift_source_name(s), "migrations");
	dbshift_source_free(s);

	ck_assert_int_eq(dbshift_source_dir_new(&s, "auth", "."), 0);
	ck_assert_str_eq(dbshift_source_name(s), "auth");
	dbshift_source_free(s);
}
END_TEST

START_TEST(test_directory_bad_arguments)
{
	dbshift_source *s = (dbshift_source *)&s;

	ck_assert_int_eq(dbshift_source_dir_new(&s, NULL, ""), DBSHIFT_EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(dbshift_source_dir_new(&s, "app", NULL),
			 DBSHIFT_EINVAL);
	ck_assert_int_eq(dbshift_source_dir_new(NULL, "app", "m"),
			 DBSHIFT_EINVAL);

	ck_assert_int_eq(dbshift_source_dir_new(&s, NULL, "/tmp/my migrations"),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(
		strstr(dbshift_error_last()->message, "pass a name"));

	ck_assert_int_eq(dbshift_source_dir_new(&s, "bad name", "m"),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_directory_folder_without_up)
{
	fx_write("a/001_a/down.sql", "SELECT 1;");
	load_fails_naming("a", "a/001_a");
	ck_assert_ptr_nonnull(strstr(err.pub.message, "without up.sql"));
	ck_assert_str_eq(err.pub.file, fx_path("a/001_a"));

	fx_mkdir("b/001_empty");
	load_fails_naming("b", "b/001_empty");

	fx_write("c/001_a/notes.txt", "no scripts");
	load_fails_naming("c", "c/001_a");
}
END_TEST

START_TEST(test_directory_bad_folder_name)
{
	fx_write("m/001_a.up.sql", "SELECT 1;");
	fx_write("m/_drafts/up.sql", "SELECT 2;");
	load_fails_naming("m", "m/_drafts");
	ck_assert_ptr_nonnull(
		strstr(err.pub.message, "not a migration folder"));
}
END_TEST

START_TEST(test_directory_unknown_sql_in_folder)
{
	fx_write("a/001_a/up.sql", "SELECT 1;");
	fx_write("a/001_a/seed.sql", "INSERT;");
	load_fails_naming("a", "a/001_a/seed.sql");

	fx_write("b/001_a/up.sql", "SELECT 1;");
	fx_write("b/001_a/postgres/seed.sql", "INSERT;");
	load_fails_naming("b", "b/001_a/postgres/seed.sql");

	fx_write("c/001_a/up.sql", "SELECT 1;");
	fx_write("c/001_a/Postgres/up.sql", "not a dialect name");
	load_fails_naming("c", "c/001_a/Postgres");
	ck_assert_ptr_nonnull(
		strstr(err.pub.message, "holds scripts but is not a dialect"));
}
END_TEST

START_TEST(test_directory_dangling_link)
{
	fx_write("m/001_a.up.sql", "SELECT 1;");
	ck_assert_int_eq(symlink("nowhere.sql", fx_path("m/002_b.up.sql")), 0);
	load_fails_naming("m", "m/002_b.up.sql");

	ck_assert_int_eq(unlink(fx_path("m/002_b.up.sql")), 0);
	ck_assert_int_eq(symlink("nowhere", fx_path("m/NOTES")), 0);
	ck_assert_uint_eq(load_ok("m"), 1);
}
END_TEST

START_TEST(test_directory_reload)
{
	fx_write("m/001_a.up.sql", "SELECT 1;");
	ck_assert_uint_eq(load_ok("m"), 1);
	fx_write("m/002_b.up.sql", "SELECT 2;");
	/* The directory is read at each load, not when the source is made. */
	dbshift__catalog_clear(&cat);
	dbshift__catalog_init(&cat, "app", &err);
	ck_assert_int_eq(src->ops->load(src->state, &cat), 0);
	ck_assert_str_eq(versions(), "001,002");
}
END_TEST

/*
 * Load a real-world set and check the count, that the versions strictly
 * increase and that every migration has an up and a down.
 */
static void realworld_check(const char *set, size_t expected)
{
	char path[1024];
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", REALWORLD_DIR, set);
	ck_assert_uint_eq(load_ok(path), expected);
	for (i = 0; i < cat.migrations.len; i++) {
		ck_assert_msg(mig(i)->generic_up.text != NULL, "%s: %s no up",
			      set, mig(i)->version);
		ck_assert_msg(mig(i)->generic_down.text != NULL,
			      "%s: %s has no down", set, mig(i)->version);
		if (i > 0)
			ck_assert_int_lt(
				dbshift_version_compare(mig(i - 1)->version,
							mig(i)->version),
				0);
	}
}

START_TEST(test_directory_realworld)
{
	struct stat st;

	if (stat(REALWORLD_DIR, &st) != 0)
		return;
	realworld_check("openmeter-postgres", 269);
	ck_assert_str_eq(mig(0)->version, "20240826120919");
	ck_assert_str_eq(mig(0)->name, "init");
	realworld_check("chirpstack-postgres", 31);
	ck_assert_str_eq(mig(0)->version, "00000000000000");
	ck_assert_str_eq(mig(30)->name,
			 "add_tenant_user_app_and_device_profile_admin");
	realworld_check("chirpstack-sqlite", 14);
	ck_assert_str_eq(mig(13)->version, "2026-06-30-150641-0000");
}
END_TEST

/* The shapes of a set written for a runner that takes the whole stem as
 * the version and orders by file name. */
static void write_stem_set(void)
{
	fx_write("m/0001_create_table_a_principals.up.sql", "CREATE a;");
	fx_write("m/0001_create_table_a_principals.down.sql", "DROP a;");
	fx_write("m/0001_create_table_b_spaces.up.sql", "CREATE b;");
	fx_write("m/0001_create_table_b_spaces.down.sql", "DROP b;");
	fx_write("m/0002_seed_up.sql", "INSERT seed;");
	fx_write("m/0002_seed_down.sql", "DELETE seed;");
	fx_write("m/0003_add_index.up.sql", "CREATE INDEX;");
	fx_write("m/0003_add_idnex.down.sql", "DROP INDEX;"); /* the slip */
	fx_write("m/0004_x.up.sql", "X;");
	fx_write("m/0004_x.postgres.up.sql", "X PG;");
	fx_write("m/0157.up.sql", "-- only a comment\n");
	fx_write("m/0158_noop_up.sql", "");
	fx_write("m/0158_noop_down.sql", "-- nothing to undo\n");
}

START_TEST(test_directory_stem_naming)
{
	dbshift__migration *m;

	write_stem_set();
	ck_assert_int_eq(load_path_named("m", DBSHIFT_NAMING_STEM), 0);
	ck_assert_uint_eq(cat.migrations.len, 7);
	ck_assert_str_eq(versions(),
			 "0001_create_table_a_principals,"
			 "0001_create_table_b_spaces,0002_seed,0003_add_index,"
			 "0004_x,0157,0158_noop");
	m = mig(0);
	ck_assert_str_eq(m->id, "app/0001_create_table_a_principals");
	ck_assert_str_eq(m->name, "create_table_a_principals");
	ck_assert_str_eq(m->generic_down.text, "DROP a;");
	m = mig(2);
	ck_assert_str_eq(m->name, "seed");
	ck_assert_str_eq(m->generic_up.text, "INSERT seed;");
	ck_assert_str_eq(m->generic_down.file, fx_path("m/0002_seed_down.sql"));
	/* The down file of 0003 goes with the up file of that number. */
	m = mig(3);
	ck_assert_str_eq(m->generic_down.text, "DROP INDEX;");
	ck_assert_str_eq(m->generic_down.file,
			 fx_path("m/0003_add_idnex.down.sql"));
	m = mig(4);
	ck_assert_uint_eq(m->n_variants, 1);
	ck_assert_str_eq(variant(m, "postgres")->up.text, "X PG;");
	m = mig(5);
	ck_assert_str_eq(m->name, "");
	ck_assert_str_eq(m->generic_up.text, "-- only a comment\n");
	ck_assert_ptr_null(m->generic_down.text);
	m = mig(6);
	ck_assert_uint_eq(m->generic_up.len, 0);
	ck_assert_str_eq(m->generic_down.text, "-- nothing to undo\n");
}
END_TEST

/* Strict naming refuses those shapes, saying which option reads them. */
START_TEST(test_directory_stem_shapes_in_strict)
{
	fx_write("a/0001_a.up.sql", "SELECT 1;");
	fx_write("a/0001_b.up.sql", "SELECT 1;");
	load_fails_naming("a", "a/0001_b.up.sql");
	ck_assert_ptr_nonnull(strstr(err.pub.message, "--naming stem"));

	fx_write("b/0002_seed_up.sql", "SELECT 1;");
	load_fails_naming("b", "b/0002_seed_up.sql");
	ck_assert_ptr_nonnull(strstr(err.pub.message, "NAME_up.sql"));
	ck_assert_ptr_nonnull(strstr(err.pub.message, "--naming stem"));

	fx_write("c/0003_add_index.up.sql", "SELECT 1;");
	fx_write("c/0003_add_idnex.down.sql", "SELECT 1;");
	load_fails_naming("c", "c/0003_add_index.up.sql");
	ck_assert_ptr_nonnull(strstr(err.pub.message, "different names"));
	ck_assert_ptr_nonnull(
		strstr(err.pub.message, fx_path("c/0003_add_idnex.down.sql")));
	ck_assert_ptr_nonnull(strstr(err.pub.message, "--naming stem"));
	ck_assert_ptr_null(strstr(err.pub.message, "duplicate"));
	ck_assert_str_eq(err.pub.file, fx_path("c/0003_add_idnex.down.sql"));
}
END_TEST

START_TEST(test_directory_stem_errors)
{
	dbshift_source_options so = DBSHIFT_SOURCE_OPTIONS_INIT;
	dbshift_source *bad = NULL;

	/* Two up files share the number of an unpaired down file. */
	fx_write("a/0005_a.up.sql", "SELECT 1;");
	fx_write("a/0005_b.up.sql", "SELECT 1;");
	fx_write("a/0005_c.down.sql", "SELECT 1;");
	ck_assert_int_eq(load_path_named("a", DBSHIFT_NAMING_STEM),
			 DBSHIFT_ESOURCE);
	ck_assert_ptr_nonnull(strstr(err.pub.message, "share its number"));
	ck_assert_str_eq(err.pub.file, fx_path("a/0005_c.down.sql"));
	/* A down file that no number pairs stays an error. */
	fx_write("b/0006_a.up.sql", "SELECT 1;");
	fx_write("b/0007_b.down.sql", "SELECT 1;");
	ck_assert_int_eq(load_path_named("b", DBSHIFT_NAMING_STEM),
			 DBSHIFT_ESOURCE);
	ck_assert_ptr_nonnull(strstr(err.pub.message, "without an up"));
	fx_write("c/x y.up.sql", "SELECT 1;");
	ck_assert_int_eq(load_path_named("c", DBSHIFT_NAMING_STEM),
			 DBSHIFT_ESOURCE);
	ck_assert_ptr_nonnull(strstr(err.pub.message, fx_path("c/x y.up.sql")));
	fx_write("d/0001_a.sql", "SELECT 1;");
	ck_assert_int_eq(load_path_named("d", DBSHIFT_NAMING_STEM),
			 DBSHIFT_ESOURCE);
	ck_assert_ptr_nonnull(strstr(err.pub.message, "_up.sql"));

	so.naming = (dbshift_naming)7;
	ck_assert_int_eq(dbshift_source_dir_new_opts(&bad, "x", "m", &so),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_null(bad);
	so.version = 0;
	so.naming = DBSHIFT_NAMING_STEM;
	ck_assert_int_eq(dbshift_source_dir_new_opts(&bad, "x", "m", &so),
			 DBSHIFT_EINVAL);
	ck_assert_int_eq(
		dbshift_source_embedded_new_opts(&bad, "x", NULL, 0, &so),
		DBSHIFT_EINVAL);
}
END_TEST

/* The embedded source reads the same names the same way. */
START_TEST(test_directory_stem_embedded)
{
	static const dbshift_embedded_file files[] = {
		{"0001_a.up.sql", "A;", 2},
		{"0001_b_up.sql", "B;", 2},
		{"0001_b_down.sql", "-B;", 3},
		{"0157.up.sql", "", 0},
	};
	dbshift_source_options so = DBSHIFT_SOURCE_OPTIONS_INIT;

	teardown();
	dbshift__err_init(&err);
	so.naming = DBSHIFT_NAMING_STEM;
	ck_assert_int_eq(
		dbshift_source_embedded_new_opts(&src, "app", files, 4, &so),
		0);
	dbshift__catalog_init(&cat, "app", &err);
	ck_assert_int_eq(src->ops->load(src->state, &cat), 0);
	ck_assert_str_eq(versions(), "0001_a,0001_b,0157");
	ck_assert_str_eq(mig(1)->generic_down.text, "-B;");
	ck_assert_str_eq(mig(1)->generic_down.file, "app:0001_b_down.sql");
}
END_TEST

/* The ".autocommit." files of one set, as check_autocommit expects. */
static const dbshift_embedded_file autocommit_files[] = {
	{"001_a.autocommit.up.sql", "A;", 2},
	{"001_a.down.sql", "-A;", 3},
	{"002_b.up.sql", "B;", 2},
	{"002_b.postgres.autocommit.up.sql", "B PG;", 5},
	{"002_b.autocommit.sqlite.down.sql", "-B SQLITE;", 10},
	{"003_c.up.sql", "C;", 2},
};

/* Each script marks itself: the generic up of 001, the postgres up and
 * the sqlite down of 002, nothing of 003 (loaded as source "app"). */
static void check_autocommit(const char *v1, const char *v2, const char *v3)
{
	dbshift__migration *m;

	ck_assert_msg(cat.migrations.len == 3, "%s", err.pub.message);
	m = mig(0);
	ck_assert_str_eq(m->version, v1);
	ck_assert_int_eq(m->generic_up.no_transaction, 1);
	ck_assert_int_eq(m->generic_down.no_transaction, 0);
	ck_assert_int_eq(m->def_no_transaction, 0);
	m = mig(1);
	ck_assert_str_eq(m->version, v2);
	ck_assert_int_eq(m->generic_up.no_transaction, 0);
	ck_assert_str_eq(variant(m, "postgres")->up.text, "B PG;");
	ck_assert_int_eq(variant(m, "postgres")->up.no_transaction, 1);
	ck_assert_int_eq(variant(m, "sqlite")->down.no_transaction, 1);
	m = mig(2);
	ck_assert_str_eq(m->version, v3);
	ck_assert_int_eq(m->generic_up.no_transaction, 0);
}

/* VERSION_NAME[.DIALECT].autocommit.up.sql (either order) is read in both
 * namings, from a directory and from memory, and marks its script. */
START_TEST(test_directory_autocommit)
{
	dbshift_source_options so = DBSHIFT_SOURCE_OPTIONS_INIT;
	char rel[256];
	size_t i, n = sizeof(autocommit_files) / sizeof(autocommit_files[0]);

	for (i = 0; i < n; i++) {
		snprintf(rel, sizeof(rel), "m/%s", autocommit_files[i].path);
		fx_write(rel, autocommit_files[i].data);
	}
	ck_assert_int_eq(load_path("m"), 0);
	check_autocommit("001", "002", "003");
	ck_assert_int_eq(load_path_named("m", DBSHIFT_NAMING_STEM), 0);
	check_autocommit("001_a", "002_b", "003_c");

	teardown();
	dbshift__err_init(&err);
	ck_assert_int_eq(
		dbshift_source_embedded_new(&src, "app", autocommit_files, n),
		0);
	dbshift__catalog_init(&cat, "app", &err);
	ck_assert_int_eq(src->ops->load(src->state, &cat), 0);
	check_autocommit("001", "002", "003");
	teardown();
	dbshift__err_init(&err);
	so.naming = DBSHIFT_NAMING_STEM;
	ck_assert_int_eq(dbshift_source_embedded_new_opts(
				 &src, "app", autocommit_files, n, &so),
			 0);
	dbshift__catalog_init(&cat, "app", &err);
	ck_assert_int_eq(src->ops->load(src->state, &cat), 0);
	check_autocommit("001_a", "002_b", "003_c");
}
END_TEST

/* A '.' inside a name is named as such, with the file, not as a dialect. */
START_TEST(test_directory_dot_in_name)
{
	fx_write("m/001_a.up.sql", "SELECT 1;");
	fx_write("m/003_fix.2_fix.up.sql", "SELECT 3;");
	load_fails_naming("m", "m/003_fix.2_fix.up.sql");
	ck_assert_ptr_nonnull(
		strstr(err.pub.message, "rename the file to 003_fix_2_fix"));
	ck_assert_ptr_null(strstr(err.pub.message, "invalid dialect"));
	ck_assert_str_eq(err.pub.file, fx_path("m/003_fix.2_fix.up.sql"));
}
END_TEST

Suite *directory_suite(void)
{
	Suite *s = suite_create("directory");
	TCase *tc = tcase_create("layouts");
	TCase *tc_err = tcase_create("errors");
	TCase *tc_real = tcase_create("realworld");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_directory_flat);
	tcase_add_test(tc, test_directory_folders);
	tcase_add_test(tc, test_directory_mixed_layouts);
	tcase_add_test(tc, test_directory_down_deferred);
	tcase_add_test(tc, test_directory_flat_dialect_variants);
	tcase_add_test(tc, test_directory_folder_dialect_variants);
	tcase_add_test(tc, test_directory_variant_only);
	tcase_add_test(tc, test_directory_natural_order);
	tcase_add_test(tc, test_directory_ignored_entries);
	tcase_add_test(tc, test_directory_empty_up);
	tcase_add_test(tc, test_directory_empty);
	tcase_add_test(tc, test_directory_trailing_slash_paths);
	tcase_add_test(tc, test_directory_default_name);
	tcase_add_test(tc, test_directory_reload);
	tcase_add_test(tc, test_directory_stem_naming);
	tcase_add_test(tc, test_directory_stem_embedded);
	tcase_add_test(tc, test_directory_autocommit);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tc_err, NULL, teardown);
	tcase_add_test(tc_err, test_directory_variant_down_without_up);
	tcase_add_test(tc_err, test_directory_alias_twice);
	tcase_add_test(tc_err, test_directory_malformed_sql_name);
	tcase_add_test(tc_err, test_directory_malformed_names_more);
	tcase_add_test(tc_err, test_directory_duplicate_versions);
	tcase_add_test(tc_err, test_directory_down_without_up);
	tcase_add_test(tc_err, test_directory_missing);
	tcase_add_test(tc_err, test_directory_bad_arguments);
	tcase_add_test(tc_err, test_directory_folder_without_up);
	tcase_add_test(tc_err, test_directory_bad_folder_name);
	tcase_add_test(tc_err, test_directory_unknown_sql_in_folder);
	tcase_add_test(tc_err, test_directory_dangling_link);
	tcase_add_test(tc_err, test_directory_stem_shapes_in_strict);
	tcase_add_test(tc_err, test_directory_stem_errors);
	tcase_add_test(tc_err, test_directory_dot_in_name);
	suite_add_tcase(s, tc_err);

	tcase_add_checked_fixture(tc_real, NULL, teardown);
	tcase_set_timeout(tc_real, 60);
	tcase_add_test(tc_real, test_directory_realworld);
	suite_add_tcase(s, tc_real);
	return s;
}
