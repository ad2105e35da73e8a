/* SPDX-License-Identifier: MIT */
/*
 * lock.c - the run lock.
 *
 * By default the lock is the driver's session lock (its lock/unlock slots:
 * a PostgreSQL advisory lock, MySQL's GET_LOCK, a file lock on a SQLite
 * database), keyed on the history table, so that two applications with
 * different history tables in one database do not block each other.
 * Session locks do not survive a connection pooler in transaction mode,
 * so the alternative is a lease: a row in the table dbshift_locks (beside
 * the history table) with an owner and an expiry time, renewed before each
 * migration. Expiry is judged by the clients' clocks.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "util.h"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static int timed_out(dbshift_runner *r, const dbshift__lock *lock)
{
	dbshift__err_set(&r->err, DBSHIFT_ELOCK,
			 "timed out after %d s waiting for lock '%s' held by "
			 "another run%s; raise --lock-timeout or find the "
			 "other run",
			 r->lock_timeout, lock->key,
			 lock->kind == DBSHIFT_LOCK_TABLE ?
				 " (a lease in " DBSHIFT_LOCK_TABLE_NAME
				 " expires 10 minutes after its last renewal)" :
				 "");
	return DBSHIFT_ELOCK;
}

static int acquire_advisory(dbshift__lock *lock, dbshift_runner *r)
{
	dbshift_conn *conn = r->conn;

	dbshift__diag_init(&conn->diag);
	if (conn->driver->lock(conn->handle, lock->key,
			       (int64_t)r->lock_timeout * 1000,
			       &conn->diag) != 0) {
		if (strcmp(conn->diag.sqlstate, "55P03") == 0 ||
		    strstr(conn->diag.message, "timed out") != NULL)
			return timed_out(r, lock);
		return dbshift__err_from_diag(
			&r->err, DBSHIFT_ELOCK, &conn->diag,
			"cannot take lock '%s'", lock->key);
	}
	return 0;
}

/* Quote the lock table, in the history table's schema when it has one. */
static int lock_table_name(dbshift__lock *lock, dbshift_runner *r)
{
	const char *dot = strchr(r->table, '.');
	char schema[256], schema_q[300], name_q[300];
	int rc;

	rc = dbshift__conn_quote(r->conn, DBSHIFT_LOCK_TABLE_NAME, name_q,
				 sizeof(name_q));
	if (rc != 0)
		return rc;
	if (dot == NULL) {
		lock->table_q = dbshift__strdup(name_q);
	} else {
		dbshift__strlcpy(schema, r->table,
				 (size_t)(dot - r->table) + 1);
		rc = dbshift__conn_quote(r->conn, schema, schema_q,
					 sizeof(schema_q));
		if (rc != 0)
			return rc;
		lock->table_q = dbshift__aprintf("%s.%s", schema_q, name_q);
	}
	if (lock->table_q == NULL)
		return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
					"out of memory");
	return 0;
}

static int lease_table_create(dbshift__lock *lock, dbshift_runner *r)
{
	char *sql =
		dbshift__aprintf("CREATE TABLE IF NOT EXISTS %s ("
				 "lock_key VARCHAR(255) NOT NULL PRIMARY KEY, "
				 "owner VARCHAR(255) NOT NULL, "
				 "expires_at BIGINT NOT NULL)",
				 lock->table_q);
	int rc, attempt;

	if (sql == NULL)
		return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
					"out of memory");
	/* Concurrent CREATE TABLE IF NOT EXISTS can still collide in some
	 * databases' catalogs; the loser retries once it can see the table. */
	for (attempt = 0; attempt < 3; attempt++) {
		rc = dbshift__conn_exec(r->conn, sql, strlen(sql));
		if (rc == 0)
			break;
		sleep_ms(100);
	}
	free(sql);
	return rc;
}

/* Run a lease statement "VERB lock-table REST" with params. */
static int lease_stmt(dbshift__lock *lock, dbshift_runner *r, const char *verb,
		      const char *rest, const dbshift_value *params, int32_t n)
{
	char *sql = dbshift__aprintf("%s %s %s", verb, lock->table_q, rest);
	int rc;

	if (sql == NULL)
		return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
					"out of memory");
	rc = dbshift__conn_query(r->conn, sql, params, n, NULL, NULL);
	free(sql);
	if (rc == DBSHIFT_EDB)
		dbshift__err_from_diag(&r->err, rc, &r->conn->diag,
				       "lock table " DBSHIFT_LOCK_TABLE_NAME
				       ", lease '%s'",
				       lock->key);
	return rc;
}

static int try_insert_lease(dbshift__lock *lock, dbshift_runner *r)
{
	dbshift_value params[3];

	params[0] = dbshift__value_text(lock->key);
	params[1] = dbshift__value_text(lock->owner);
	params[2] = dbshift__value_int((int64_t)time(NULL) +
				       DBSHIFT_LOCK_LEASE_SECONDS);
	return lease_stmt(lock, r, "INSERT INTO",
			  "(lock_key, owner, expires_at) VALUES (?, ?, ?)",
			  params, 3);
}

static int delete_expired_lease(dbshift__lock *lock, dbshift_runner *r)
{
	dbshift_value params[2];

	params[0] = dbshift__value_text(lock->key);
	params[1] = dbshift__value_int((int64_t)time(NULL));
	return lease_stmt(lock, r, "DELETE FROM",
			  "WHERE lock_key = ? AND expires_at < ?", params, 2);
}

static int lease_found(int32_t ncols, const dbshift_value *cols, void *payload)
{
	(void)ncols;
	(void)cols;
	*(int *)payload = 1;
	return 0;
}

/* Does the lock table hold a lease on the key, live or expired? 1, 0 or
 * a negative code. */
static int lease_recorded(dbshift__lock *lock, dbshift_runner *r)
{
	dbshift_value param = dbshift__value_text(lock->key);
	char *sql = dbshift__aprintf("SELECT 1 FROM %s WHERE lock_key = ?",
				     lock->table_q);
	int rc, found = 0;

	if (sql == NULL)
		return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
					"out of memory");
	rc = dbshift__conn_query(r->conn, sql, &param, 1, lease_found, &found);
	free(sql);
	return rc != 0 ? rc : found;
}

/* Out of time after the insert failed (its error in r->err): another run
 * holds the lease, or the insert failed for a reason of its own, which is
 * then the error. */
static int lease_not_taken(dbshift__lock *lock, dbshift_runner *r)
{
	dbshift__err insert_err;
	int rc;

	dbshift__err_copy(&insert_err, &r->err);
	rc = lease_recorded(lock, r);
	if (rc < 0)
		return rc;
	if (rc > 0)
		return timed_out(r, lock);
	dbshift__err_copy(&r->err, &insert_err);
	return insert_err.pub.code;
}

static int acquire_lease(dbshift__lock *lock, dbshift_runner *r)
{
	char host[64] = "";
	long long deadline;
	int rc, tries;

	gethostname(host, sizeof(host) - 1);
	snprintf(lock->owner, sizeof(lock->owner), "%s:%ld:%lld", host,
		 (long)getpid(), dbshift__now_us());
	rc = lock_table_name(lock, r);
	if (rc == 0)
		rc = lease_table_create(lock, r);
	if (rc != 0)
		return rc;
	deadline = dbshift__now_us() + (long long)r->lock_timeout * 1000000;
	for (tries = 0;; tries++) {
		if (try_insert_lease(lock, r) == 0) {
			dbshift__err_init(&r->err); /* earlier tries failed */
			return 0;
		}
		/* The second try follows the removal of an expired lease at
		 * once, so that even a zero timeout takes over the lease of a
		 * run that died. */
		if (tries > 0 && dbshift__now_us() >= deadline)
			return lease_not_taken(lock, r);
		/* Held by someone: take it over only once it has expired. */
		rc = delete_expired_lease(lock, r);
		if (rc != 0)
			return rc;
		if (tries > 0)
			sleep_ms(100 + (long)(dbshift__now_us() % 100));
	}
}

int dbshift__lock_acquire(dbshift__lock *lock, dbshift_runner *r)
{
	int has_session = r->conn->driver->lock != NULL &&
			  r->conn->driver->unlock != NULL;
	int rc;

	memset(lock, 0, sizeof(*lock));
	snprintf(lock->key, sizeof(lock->key), "dbshift:%s", r->table);
	lock->kind = r->lock_kind;
	if (lock->kind == DBSHIFT_LOCK_DEFAULT)
		lock->kind = has_session ? DBSHIFT_LOCK_ADVISORY :
					   DBSHIFT_LOCK_TABLE;
	if (lock->kind == DBSHIFT_LOCK_ADVISORY && !has_session)
		return dbshift__err_set(&r->err, DBSHIFT_EINVAL,
					"the %s driver has no advisory lock; "
					"use --lock=table",
					r->conn->driver->name);
	if (lock->kind == DBSHIFT_LOCK_ADVISORY)
		rc = acquire_advisory(lock, r);
	else
		rc = acquire_lease(lock, r);
	lock->held = rc == 0;
	return rc;
}

int dbshift__lock_renew(dbshift__lock *lock, dbshift_runner *r)
{
	dbshift_value params[3];

	if (!lock->held || lock->kind != DBSHIFT_LOCK_TABLE)
		return 0;
	params[0] = dbshift__value_int((int64_t)time(NULL) +
				       DBSHIFT_LOCK_LEASE_SECONDS);
	params[1] = dbshift__value_text(lock->key);
	params[2] = dbshift__value_text(lock->owner);
	return lease_stmt(lock, r, "UPDATE",
			  "SET expires_at = ? WHERE lock_key = ? AND owner = ?",
			  params, 3);
}

void dbshift__lock_release(dbshift__lock *lock, dbshift_runner *r)
{
	dbshift_value params[2];
	dbshift__err saved;
	dbshift_diag diag;

	if (lock->held) {
		/* Releasing must not overwrite the error of the run. */
		dbshift__err_copy(&saved, &r->err);
		if (lock->kind == DBSHIFT_LOCK_ADVISORY) {
			dbshift__diag_init(&diag);
			r->conn->driver->unlock(r->conn->handle, lock->key,
						&diag);
		} else {
			params[0] = dbshift__value_text(lock->key);
			params[1] = dbshift__value_text(lock->owner);
			lease_stmt(lock, r, "DELETE FROM",
				   "WHERE lock_key = ? AND owner = ?", params,
				   2);
		}
		dbshift__err_copy(&r->err, &saved);
	}
	free(lock->table_q);
	memset(lock, 0, sizeof(*lock));
}
