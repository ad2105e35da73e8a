/* SPDX-License-Identifier: MIT */
/*
 * testing.c - the test API of dbshift/testing.h: a throwaway database
 * (SQLite in memory, or a database created on a PostgreSQL or MySQL
 * server and dropped afterwards), a code source to build migrations in,
 * and questions about the schema answered from a snapshot.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbshift/testing.h"
#include "runner.h"

struct dbshift_test_db {
	dbshift__err err;
	dbshift_runner *runner;
	dbshift_source *source; /* "test", owned by the runner */
	char *url;
	char *server_url; /* NULL for SQLite */
	char *name;	  /* the database created on the server */
	char *driver_dir; /* or NULL */
};

/* Keep the runner's error as the database's; returns its code. */
static int runner_failed(dbshift_test_db *db, dbshift_runner *r, int rc)
{
	if (r != NULL && r->err.pub.code != DBSHIFT_OK)
		dbshift__err_copy(&db->err, &r->err);
	else if (dbshift__err_last()->pub.code != DBSHIFT_OK)
		dbshift__err_copy(&db->err, dbshift__err_last());
	else if (db->err.pub.code == DBSHIFT_OK)
		dbshift__err_set(&db->err, rc, "%s", dbshift_code_name(rc));
	return rc;
}

/* Run "VERB DATABASE name" (CREATE or DROP) on the server. */
static int server_exec(dbshift_test_db *db, const char *verb)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *admin = NULL;
	char quoted[256], *sql = NULL;
	int rc;

	opts.url = db->server_url;
	opts.driver_dir = db->driver_dir;
	rc = dbshift_runner_new(&admin, &opts);
	if (rc == 0)
		rc = dbshift__conn_open(&admin->conn, admin->driver, admin->url,
					&admin->err);
	if (rc == 0)
		rc = dbshift__conn_quote(admin->conn, db->name, quoted,
					 sizeof(quoted));
	if (rc == 0 &&
	    (sql = dbshift__aprintf("%s DATABASE %s", verb, quoted)) == NULL)
		rc = dbshift__err_set(&admin->err, DBSHIFT_ENOMEM,
				      "out of memory");
	if (rc == 0)
		rc = dbshift__conn_exec(admin->conn, sql, strlen(sql));
	if (rc != 0)
		runner_failed(db, admin, rc);
	free(sql);
	dbshift_runner_free(admin);
	return rc;
}

/* server_url with its database replaced by name: the path after the
 * host, up to a '?', is the database in both server URL forms. */
static char *database_url(const char *server_url, const char *name)
{
	const char *host = strstr(server_url, "://");
	const char *path, *query;

	if (host == NULL)
		return NULL;
	host += 3;
	path = host + strcspn(host, "/?");
	query = path + strcspn(path, "?");
	return dbshift__aprintf("%.*s/%s%s", (int)(path - server_url),
				server_url, name, query);
}

/* Create the server database and point db->url at it. */
static int create_database(dbshift_test_db *db, const char *server_url)
{
	static unsigned counter;
	char name[64];
	int rc;

	snprintf(name, sizeof(name), "dbshift_test_%ld_%u", (long)getpid(),
		 ++counter);
	db->server_url = dbshift__strdup(server_url);
	db->name = dbshift__strdup(name);
	if (db->server_url == NULL || db->name == NULL)
		return dbshift__err_set(&db->err, DBSHIFT_ENOMEM,
					"out of memory");
	rc = server_exec(db, "CREATE");
	if (rc != 0) {
		free(db->name);
		db->name = NULL; /* nothing to drop */
		return rc;
	}
	db->url = database_url(server_url, name);
	return db->url != NULL ? 0 :
				 dbshift__err_set(&db->err, DBSHIFT_EURL,
						  "cannot make a database URL "
						  "from the server URL");
}

static int open_runner(dbshift_test_db *db, const char *dialect,
		       const char *driver_dir)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_source *source = NULL;
	int rc;

	opts.url = db->url;
	opts.driver_dir = driver_dir;
	rc = dbshift_runner_new(&db->runner, &opts);
	if (rc != 0)
		return runner_failed(db, db->runner, rc);
	if (strcmp(dbshift_runner_dialect(db->runner), dialect) != 0)
		return dbshift__err_set(
			&db->err, DBSHIFT_EINVAL, "the database is %s, not %s",
			dbshift_runner_dialect(db->runner), dialect);
	rc = dbshift_source_code_new(&source, "test");
	if (rc != 0) {
		dbshift__err_copy(&db->err, dbshift__err_last());
		return rc;
	}
	db->source = source;
	rc = dbshift_runner_add_source(db->runner, source);
	return rc != 0 ? runner_failed(db, db->runner, rc) : 0;
}

static int test_db_init(dbshift_test_db *db, const char *dialect,
			const char *server_url, const char *driver_dir)
{
	int rc;

	if (driver_dir != NULL &&
	    (db->driver_dir = dbshift__strdup(driver_dir)) == NULL)
		return dbshift__err_set(&db->err, DBSHIFT_ENOMEM,
					"out of memory");
	if (dialect == NULL ||
	    (strcmp(dialect, "sqlite") != 0 &&
	     strcmp(dialect, "postgres") != 0 && strcmp(dialect, "mysql") != 0))
		return dbshift__err_set(&db->err, DBSHIFT_EINVAL,
					"unknown test dialect '%s' (sqlite, "
					"postgres or mysql)",
					dialect ? dialect : "");
	if (strcmp(dialect, "sqlite") == 0) {
		db->url = dbshift__strdup("sqlite::memory:");
		if (db->url == NULL)
			return dbshift__err_set(&db->err, DBSHIFT_ENOMEM,
						"out of memory");
	} else if (server_url == NULL || server_url[0] == '\0') {
		return dbshift__err_set(&db->err, DBSHIFT_EINVAL,
					"a %s test database needs a server URL",
					dialect);
	} else {
		rc = create_database(db, server_url);
		if (rc != 0)
			return rc;
	}
	return open_runner(db, dialect, driver_dir);
}

/* On failure nothing is returned: the reason is the thread's last error. */
int dbshift_test_db_open(dbshift_test_db **out, const char *dialect,
			 const char *server_url, const char *driver_dir)
{
	dbshift__err *last = dbshift__err_last();
	dbshift__err why;
	dbshift_test_db *db;
	int rc;

	dbshift__err_init(last);
	if (out == NULL)
		return dbshift__err_set(last, DBSHIFT_EINVAL,
					"dbshift_test_db_open: out is NULL");
	*out = NULL;
	db = calloc(1, sizeof(*db));
	if (db == NULL)
		return dbshift__err_set(last, DBSHIFT_ENOMEM, "out of memory");
	dbshift__err_init(&db->err);
	rc = test_db_init(db, dialect, server_url, driver_dir);
	if (rc != 0) {
		/* Dropping the database may report too: keep why the open
		 * failed. */
		dbshift__err_copy(&why, &db->err);
		dbshift_test_db_free(db);
		dbshift__err_copy(last, &why);
		return rc;
	}
	*out = db;
	return 0;
}

const char *dbshift_test_db_url(const dbshift_test_db *db)
{
	return db != NULL && db->url != NULL ? db->url : "";
}

dbshift_runner *dbshift_test_db_runner(dbshift_test_db *db)
{
	return db != NULL ? db->runner : NULL;
}

/* Check db is usable and reset its error. */
static int begin(dbshift_test_db *db)
{
	if (db == NULL)
		return DBSHIFT_EINVAL;
	if (db->runner == NULL || db->source == NULL)
		return db->err.pub.code != DBSHIFT_OK ? db->err.pub.code :
							DBSHIFT_EINVAL;
	dbshift__err_init(&db->err);
	return 0;
}

int dbshift_test_db_add(dbshift_test_db *db, const char *version,
			const char *up, const char *down)
{
	dbshift_migration_def def = DBSHIFT_MIGRATION_DEF_INIT;
	int rc = begin(db);

	if (rc != 0)
		return rc;
	def.migration_version = version;
	def.up = up != NULL ? up : "";
	def.up_len = strlen(def.up);
	def.down = down;
	def.down_len = down != NULL ? strlen(down) : 0;
	rc = dbshift_source_code_add(db->source, &def);
	if (rc != 0)
		dbshift__err_copy(&db->err, dbshift__err_last());
	return rc;
}

int dbshift_test_db_up(dbshift_test_db *db, const char *target)
{
	int rc = begin(db);

	if (rc == 0 && (rc = dbshift_runner_up(db->runner, target, NULL)) != 0)
		runner_failed(db, db->runner, rc);
	return rc;
}

int dbshift_test_db_down(dbshift_test_db *db, int count)
{
	int rc = begin(db);

	if (rc == 0 &&
	    (rc = dbshift_runner_down(db->runner, count, NULL, NULL)) != 0)
		runner_failed(db, db->runner, rc);
	return rc;
}

int dbshift_test_db_exec(dbshift_test_db *db, const char *sql)
{
	dbshift_runner *r;
	int rc = begin(db);

	if (rc != 0)
		return rc;
	if (sql == NULL)
		return dbshift__err_set(&db->err, DBSHIFT_EINVAL, "no SQL");
	r = db->runner;
	dbshift__err_init(&r->err);
	if (r->conn == NULL)
		rc = dbshift__conn_open(&r->conn, r->driver, r->url, &r->err);
	if (rc == 0)
		rc = dbshift__conn_exec(r->conn, sql, strlen(sql));
	return rc != 0 ? runner_failed(db, r, rc) : 0;
}

/* A key backing a constraint counts as an index (PostgreSQL and SQLite
 * report it as the constraint only). */
static int is_key(const dbshift_schema_object *o)
{
	return o != NULL && (strcmp(o->type, "unique") == 0 ||
			     strcmp(o->type, "primary key") == 0);
}

/* Is there an object of kind named name on table (for an index, also a
 * key of that name)? 1, 0 or a negative code. */
static int has(dbshift_test_db *db, dbshift_object_kind kind, const char *table,
	       const char *name)
{
	dbshift_schema *schema = NULL;
	int rc = begin(db), found;

	if (rc != 0)
		return rc;
	if (name == NULL || (kind != DBSHIFT_OBJECT_TABLE && table == NULL))
		return dbshift__err_set(&db->err, DBSHIFT_EINVAL,
					"no name given");
	rc = dbshift_runner_schema(db->runner, &schema);
	if (rc != 0)
		return runner_failed(db, db->runner, rc);
	found = dbshift_schema_find(schema, kind, table, name) != NULL;
	if (!found && kind == DBSHIFT_OBJECT_TABLE)
		found = dbshift_schema_find(schema, DBSHIFT_OBJECT_VIEW, NULL,
					    name) != NULL;
	if (!found && kind == DBSHIFT_OBJECT_INDEX)
		found = is_key(dbshift_schema_find(
			schema, DBSHIFT_OBJECT_CONSTRAINT, table, name));
	dbshift_schema_free(schema);
	return found;
}

int dbshift_test_db_has_table(dbshift_test_db *db, const char *table)
{
	return has(db, DBSHIFT_OBJECT_TABLE, NULL, table);
}

int dbshift_test_db_has_column(dbshift_test_db *db, const char *table,
			       const char *column)
{
	return has(db, DBSHIFT_OBJECT_COLUMN, table, column);
}

int dbshift_test_db_has_index(dbshift_test_db *db, const char *table,
			      const char *index)
{
	return has(db, DBSHIFT_OBJECT_INDEX, table, index);
}

const dbshift_error *dbshift_test_db_error(const dbshift_test_db *db)
{
	return db != NULL ? &db->err.pub : dbshift_error_last();
}

void dbshift_test_db_free(dbshift_test_db *db)
{
	if (db == NULL)
		return;
	dbshift_runner_free(db->runner);
	db->runner = NULL;
	if (db->name != NULL)
		server_exec(db, "DROP");
	free(db->url);
	free(db->server_url);
	free(db->name);
	free(db->driver_dir);
	free(db);
}
