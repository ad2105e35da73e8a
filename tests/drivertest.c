/* SPDX-License-Identifier: MIT */
/*
 * drivertest.c - the driver under test and the helpers its suites share
 * (check_conformance.c and check_driver_<name>.c): loading a module from
 * the build tree the way the core loads it, never an installed copy;
 * opening, running scripts and queries through its slots with the test
 * failing on the driver's own message; collecting rows; values; time.
 */
#include "config.h"

#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drivertest.h"
#include "error.h"
#include "fixture.h"

void *dt_module;
dbshift_driver_init_fn dt_entry;
const dbshift_driver *dt_drv;
dbshift_driver_conn *dt_conn;
char dt_url[1024];
dbshift_diag dt_diag;
const char *dt_dir;

/* clang-format off */
const char dt_broken_script[] =
	"-- create and fill\n"			/* 1 */
	"CREATE TABLE a (x INTEGER);\n"		/* 2 */
	";\n"					/* 3 */
	"INSERT INTO a VALUES (1);\n"		/* 4 */
	"/* the next statement\n"		/* 5 */
	"   is broken */\n"			/* 6 */
	"  INSERT INTO a VALUES (1,, 2);\n"	/* 7 */
	"CREATE TABLE b (y INTEGER);\n";	/* 8 */
/* clang-format on */

/* ---- the driver under test ---- */

void dt_load(const char *name)
{
	char path[1024], symbol[128];

	snprintf(path, sizeof(path), "%s/driver_%s.so",
		 dt_dir != NULL ? dt_dir : fx_driver_dir(), name);
	dt_module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(dt_module != NULL, "dlopen %s: %s", path, dlerror());
	snprintf(symbol, sizeof(symbol), "dbshift_driver_%s_init", name);
	dt_entry = (dbshift_driver_init_fn)dlsym(dt_module, symbol);
	ck_assert_msg(dt_entry != NULL, "%s has no %s", path, symbol);
}

void dt_init(const char *name)
{
	dt_load(name);
	dt_drv = dt_entry(DBSHIFT_DRIVER_ABI_MAJOR, DBSHIFT_DRIVER_ABI_MINOR,
			  &dt_host);
	ck_assert_ptr_nonnull(dt_drv);
	dbshift__diag_init(&dt_diag);
}

void dt_start(const char *name, const char *url)
{
	dt_init(name);
	snprintf(dt_url, sizeof(dt_url), "%s", url);
	dt_conn = dt_open_ok(dt_url);
	dbshift__diag_init(&dt_diag);
}

void dt_stop(void)
{
	if (dt_drv != NULL)
		dt_drv->close(dt_conn);
	dt_conn = NULL;
	dt_drv = NULL;
}

/* ---- connections ---- */

dbshift_driver_conn *dt_open_ok(const char *url)
{
	dbshift_driver_conn *c = NULL;

	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->open(&c, url, &dt_diag) == 0, "open %s: %s", url,
		      dt_diag.message);
	ck_assert_ptr_nonnull(c);
	return c;
}

void dt_open_fails(const char *url)
{
	/* Not NULL, so that a driver leaving it unset is caught. */
	dbshift_driver_conn *c = (dbshift_driver_conn *)&c;

	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->open(&c, url, &dt_diag) != 0, "open %s succeeded",
		      url);
	ck_assert_ptr_null(c);
	dt_assert_one_line(dt_diag.message);
	ck_assert_msg(strstr(dt_diag.message, DT_PASSWORD) == NULL,
		      "password shown: %s", dt_diag.message);
}

void dt_assert_one_line(const char *msg)
{
	ck_assert_msg(msg[0] != '\0', "empty message");
	ck_assert_msg(strpbrk(msg, "\r\n") == NULL, "message spans lines: %s",
		      msg);
}

/* ---- scripts ---- */

void dt_exec_len_on(dbshift_driver_conn *c, const char *sql, size_t len)
{
	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->exec(c, sql, len, &dt_diag) == 0,
		      "exec '%.*s': %s", (int)len, sql, dt_diag.message);
}

void dt_exec_on(dbshift_driver_conn *c, const char *sql)
{
	dt_exec_len_on(c, sql, strlen(sql));
}

void dt_exec_ok(const char *sql)
{
	dt_exec_len_on(dt_conn, sql, strlen(sql));
}

void dt_exec_fails_len(const char *sql, size_t len)
{
	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->exec(dt_conn, sql, len, &dt_diag) != 0,
		      "exec '%.*s' succeeded", (int)len, sql);
	dt_assert_one_line(dt_diag.message);
}

void dt_exec_fails(const char *sql)
{
	dt_exec_fails_len(sql, strlen(sql));
}

/* ---- queries ---- */

int dt_collect(int32_t ncols, const dbshift_value *cols, void *payload)
{
	struct dt_rows *rows = payload;
	int r = rows->count++;
	int32_t i;

	ck_assert_int_lt(r, DT_MAX_ROWS);
	ck_assert_int_le(ncols, DT_MAX_COLS);
	rows->ncols = ncols;
	for (i = 0; i < ncols; i++) {
		rows->type[r][i] = cols[i].type;
		rows->i64[r][i] = cols[i].i64;
		rows->len[r][i] = cols[i].len;
		if (cols[i].type != DBSHIFT_VALUE_TEXT)
			continue;
		ck_assert_int_ge(cols[i].len, 0);
		ck_assert_int_lt(cols[i].len, DT_MAX_TEXT);
		if (cols[i].len > 0)
			memcpy(rows->text[r][i], cols[i].text,
			       (size_t)cols[i].len);
		rows->text[r][i][cols[i].len] = '\0';
	}
	return rows->stop_at == rows->count ? rows->stop_value : 0;
}

void dt_query_on(dbshift_driver_conn *c, const char *sql,
		 const dbshift_value *params, int32_t nparams,
		 struct dt_rows *rows)
{
	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->query(c, sql, params, nparams,
				    rows ? dt_collect : NULL, rows,
				    &dt_diag) == 0,
		      "query '%s': %s", sql, dt_diag.message);
}

void dt_query_ok(const char *sql, const dbshift_value *params, int32_t nparams,
		 struct dt_rows *rows)
{
	dt_query_on(dt_conn, sql, params, nparams, rows);
}

void dt_query_fails(const char *sql, const dbshift_value *params,
		    int32_t nparams)
{
	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->query(dt_conn, sql, params, nparams, NULL, NULL,
				    &dt_diag) != 0,
		      "query '%s' succeeded", sql);
	dt_assert_one_line(dt_diag.message);
}

int64_t dt_int_of(const struct dt_rows *rows, int r, int c)
{
	const char *text = rows->text[r][c];
	char *end;
	long long v;

	if (rows->type[r][c] == DBSHIFT_VALUE_INT64)
		return rows->i64[r][c];
	ck_assert_msg(rows->type[r][c] == DBSHIFT_VALUE_TEXT,
		      "row %d column %d: type %d, not an integer", r, c,
		      (int)rows->type[r][c]);
	errno = 0;
	v = strtoll(text, &end, 10);
	ck_assert_msg(text[0] != '\0' && *end == '\0' && errno == 0,
		      "row %d column %d: '%s' is not an integer", r, c, text);
	return v;
}

/* Run sql on c into rows (static storage), which must hold one row. */
static const struct dt_rows *query_one(dbshift_driver_conn *c, const char *sql)
{
	static struct dt_rows rows;

	memset(&rows, 0, sizeof(rows));
	dt_query_on(c, sql, NULL, 0, &rows);
	ck_assert_int_eq(rows.count, 1);
	return &rows;
}

int64_t dt_query_int(const char *sql)
{
	return dt_int_of(query_one(dt_conn, sql), 0, 0);
}

int64_t dt_query_int64(const char *sql)
{
	const struct dt_rows *rows = query_one(dt_conn, sql);

	ck_assert_int_eq(rows->type[0][0], DBSHIFT_VALUE_INT64);
	return rows->i64[0][0];
}

const char *dt_text_on(dbshift_driver_conn *c, const char *sql)
{
	const struct dt_rows *rows = query_one(c, sql);

	ck_assert_int_eq(rows->type[0][0], DBSHIFT_VALUE_TEXT);
	return rows->text[0][0];
}

const char *dt_value_on(dbshift_driver_conn *c, const char *sql)
{
	static char buf[DT_MAX_TEXT];
	const struct dt_rows *rows = query_one(c, sql);

	if (rows->type[0][0] == DBSHIFT_VALUE_NULL)
		snprintf(buf, sizeof(buf), "NULL");
	else if (rows->type[0][0] == DBSHIFT_VALUE_INT64)
		snprintf(buf, sizeof(buf), "%lld", (long long)rows->i64[0][0]);
	else
		snprintf(buf, sizeof(buf), "%s", rows->text[0][0]);
	return buf;
}

const char *dt_value_of(const char *sql)
{
	return dt_value_on(dt_conn, sql);
}

/* ---- the catalog ---- */

int32_t dt_table_exists_on(dbshift_driver_conn *c, const char *table)
{
	int32_t exists = -1;

	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->table_exists(c, table, &exists, &dt_diag) == 0,
		      "table_exists %s: %s", table, dt_diag.message);
	ck_assert(exists == 0 || exists == 1);
	return exists;
}

int32_t dt_table_exists(const char *table)
{
	return dt_table_exists_on(dt_conn, table);
}

void dt_table_exists_fails(const char *table)
{
	int32_t exists = -1;

	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->table_exists(dt_conn, table, &exists, &dt_diag) !=
			      0,
		      "table_exists '%s' succeeded", table);
	dt_assert_one_line(dt_diag.message);
}

/* ---- values ---- */

dbshift_value dt_int_value(int64_t i64)
{
	dbshift_value v = {DBSHIFT_VALUE_INT64, i64, NULL, 0};

	return v;
}

dbshift_value dt_text_value(const char *text, int64_t len)
{
	dbshift_value v = {DBSHIFT_VALUE_TEXT, 0, text, len};

	return v;
}

dbshift_value dt_null_value(void)
{
	dbshift_value v = {DBSHIFT_VALUE_NULL, 0, NULL, 0};

	return v;
}

/* ---- time and the run lock ---- */

double dt_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void *dt_unlock_later(void *arg)
{
	struct dt_delayed_unlock *d = arg;
	struct timespec ts = {0, 300 * 1000000L};
	dbshift_diag local;

	nanosleep(&ts, NULL);
	dbshift__diag_init(&local);
	d->rc = dt_drv->unlock(d->conn, d->key, &local);
	return NULL;
}
