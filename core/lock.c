/* SPDX-License-Identifier: MIT */
/*
 * lock.c - the run lock.
 *
 * Two kinds, keyed on the history table so that two applications with
 * different history tables in one database do not block each other:
 *  - the driver's session lock (its lock/unlock slots: a PostgreSQL
 *    advisory lock, MySQL's GET_LOCK, a file lock on a SQLite database);
 *  - a lease: a row in the table dbshift_locks (beside the history table)
 *    naming its owner and its expiry, for where a session lock does not
 *    serialise every client of the database: a Galera cluster (GET_LOCK
 *    is node-local) or a pooler in transaction mode (PgBouncer), which the
 *    driver reports after connecting (DBSHIFT_SESSION_LOCK_LOCAL).
 * A lease is only as good as its expiry, so: expiry is judged by the
 * database server's clock, never the clients'; a heartbeat thread renews
 * the lease on a connection of its own while one long migration runs; and
 * before each history write the run checks (fencing) that the lease is
 * still its own, stopping with an error when it is not. A lease whose
 * holder's session the database reports gone is taken over at once.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lock.h"
#include "util.h"

/* Marks where the holder's session token starts in the owner column. */
#define OWNER_SESSION " session "

/* The heartbeat: a thread renewing the lease on its own connection. */
struct dbshift__beat {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int stop;
	dbshift_conn *conn;
	dbshift__err err; /* its connection's last failure; not reported */
	char *renew_sql;
	const char *key;
	const char *owner;
	int lease_seconds;
};

/* The lease length: DBSHIFT_LOCK_LEASE_SECONDS (for tests: 2 or more),
 * else DBSHIFT_LOCK_LEASE_SECONDS_DEFAULT. */
static int lease_seconds(void)
{
	const char *env = getenv("DBSHIFT_LOCK_LEASE_SECONDS");
	char *end;
	long secs;

	if (env == NULL || env[0] == '\0')
		return DBSHIFT_LOCK_LEASE_SECONDS_DEFAULT;
	errno = 0;
	secs = strtol(env, &end, 10);
	if (*end != '\0' || errno != 0 || secs < 2 || secs > 86400)
		return DBSHIFT_LOCK_LEASE_SECONDS_DEFAULT;
	return (int)secs;
}

static int timed_out(dbshift_runner *r, const dbshift__lock *lock,
		     const char *holder)
{
	dbshift__err_set(&r->err, DBSHIFT_ELOCK,
			 "timed out after %d s waiting for lock '%s' held by "
			 "another run%s%s%s; raise --lock-timeout or find the "
			 "other run%s",
			 r->lock_timeout, lock->key, holder != NULL ? " (" : "",
			 holder != NULL ? holder : "",
			 holder != NULL ? ")" : "",
			 lock->kind == DBSHIFT_LOCK_TABLE ?
				 " (a lease in " DBSHIFT_LOCK_TABLE_NAME
				 " ends with its holder's session or expires "
				 "after its last renewal; 'dbshift unlock' "
				 "removes it)" :
				 "");
	return DBSHIFT_ELOCK;
}

int dbshift__lock_choose(dbshift_runner *r, dbshift_lock_kind *kind)
{
	const dbshift_conn *conn = r->conn;
	int has_session =
		conn->driver->lock != NULL && conn->driver->unlock != NULL;
	int local = (conn->info.flags & DBSHIFT_SESSION_LOCK_LOCAL) != 0;
	char *why = r->lock_reason;
	size_t size = sizeof(r->lock_reason);

	switch (r->lock_kind) {
	case DBSHIFT_LOCK_ADVISORY:
		if (!has_session)
			return dbshift__err_set(
				&r->err, DBSHIFT_EINVAL,
				"the %s driver has no session lock; "
				"use --lock=table or --lock=auto",
				conn->driver->name);
		*kind = DBSHIFT_LOCK_ADVISORY;
		snprintf(why, size,
			 "session lock, as asked (--lock=session)%s%s",
			 local ? "; it does not hold here: " : "",
			 local ? conn->info.note : "");
		return 0;
	case DBSHIFT_LOCK_TABLE:
		*kind = DBSHIFT_LOCK_TABLE;
		snprintf(why, size,
			 "lease row in " DBSHIFT_LOCK_TABLE_NAME
			 ", as asked (--lock=table)");
		return 0;
	default:
		break;
	}
	if (!has_session) {
		*kind = DBSHIFT_LOCK_TABLE;
		snprintf(why, size,
			 "lease row in " DBSHIFT_LOCK_TABLE_NAME
			 " (auto): the %s driver has no session lock",
			 conn->driver->name);
	} else if (local) {
		*kind = DBSHIFT_LOCK_TABLE;
		snprintf(why, size,
			 "lease row in " DBSHIFT_LOCK_TABLE_NAME " (auto): %s",
			 conn->info.note);
	} else {
		*kind = DBSHIFT_LOCK_ADVISORY;
		snprintf(why, size,
			 "session lock (auto): the %s driver's session lock "
			 "holds for every client of this database",
			 conn->driver->name);
	}
	return 0;
}

static int acquire_advisory(dbshift__lock *lock, dbshift_runner *r)
{
	dbshift_conn *conn = r->conn;

	dbshift__diag_init(&conn->diag);
	if (conn->driver->lock(conn->handle, lock->key,
			       (int64_t)r->lock_timeout * 1000,
			       &conn->diag) != 0) {
		if (strcmp(conn->diag.sqlstate,
			   DBSHIFT_SQLSTATE_LOCK_TIMEOUT) == 0 ||
		    strstr(conn->diag.message, "timed out") != NULL)
			return timed_out(r, lock, NULL);
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
	const char *options = dbshift__conn_table_options(r->conn);
	char *sql = dbshift__aprintf(
		"CREATE TABLE IF NOT EXISTS %s ("
		"lock_key VARCHAR(255) NOT NULL PRIMARY KEY, "
		"owner VARCHAR(255) NOT NULL, "
		"expires_at BIGINT NOT NULL)%s%s",
		lock->table_q, options[0] != '\0' ? " " : "", options);
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
		dbshift__sleep_ms(100);
	}
	free(sql);
	return rc;
}

/* Run a lease statement "VERB lock-table REST" with params on conn. */
static int lease_stmt(const dbshift__lock *lock, dbshift_conn *conn,
		      const char *verb, const char *rest,
		      const dbshift_value *params, int32_t n,
		      dbshift_driver_row_fn row, void *payload)
{
	char *sql = dbshift__aprintf("%s %s %s", verb, lock->table_q, rest);
	int rc;

	if (sql == NULL)
		return dbshift__err_set(conn->err, DBSHIFT_ENOMEM,
					"out of memory");
	rc = dbshift__conn_query(conn, sql, params, n, row, payload);
	free(sql);
	if (rc == DBSHIFT_EDB)
		dbshift__err_from_diag(conn->err, rc, &conn->diag,
				       "lock table " DBSHIFT_LOCK_TABLE_NAME
				       ", lease '%s'",
				       lock->key);
	return rc;
}

/* The server's clock in whole seconds (leases count in seconds). */
static int server_seconds(dbshift_conn *conn, int64_t *secs)
{
	int64_t ms;
	int rc = dbshift__conn_server_time(conn, &ms);

	if (rc == 0)
		*secs = ms / 1000;
	return rc;
}

static int try_insert_lease(dbshift__lock *lock, dbshift_runner *r)
{
	dbshift_value params[3];
	int64_t now;
	int rc = server_seconds(r->conn, &now);

	if (rc != 0)
		return rc;
	params[0] = dbshift__value_text(lock->key);
	params[1] = dbshift__value_text(lock->owner);
	params[2] = dbshift__value_int(now + lock->lease_seconds);
	return lease_stmt(lock, r->conn, "INSERT INTO",
			  "(lock_key, owner, expires_at) VALUES (?, ?, ?)",
			  params, 3, NULL, NULL);
}

/* The lease row as read: its owner and expiry, found or not. */
struct lease_row {
	int found;
	char owner[256];
	int64_t expires_at;
};

static int lease_row_read(int32_t ncols, const dbshift_value *cols,
			  void *payload)
{
	struct lease_row *row = payload;
	size_t len;

	if (ncols < 2 || cols[0].type != DBSHIFT_VALUE_TEXT)
		return 0;
	len = (size_t)cols[0].len < sizeof(row->owner) - 1 ?
		      (size_t)cols[0].len :
		      sizeof(row->owner) - 1;
	memcpy(row->owner, cols[0].text, len);
	row->owner[len] = '\0';
	if (cols[1].type == DBSHIFT_VALUE_INT64) {
		row->expires_at = cols[1].i64;
	} else if (cols[1].type == DBSHIFT_VALUE_TEXT) {
		char buf[32];

		len = (size_t)cols[1].len < sizeof(buf) - 1 ?
			      (size_t)cols[1].len :
			      sizeof(buf) - 1;
		memcpy(buf, cols[1].text, len);
		buf[len] = '\0';
		row->expires_at = strtoll(buf, NULL, 10);
	}
	row->found = 1;
	return 0;
}

static int lease_read(const dbshift__lock *lock, dbshift_conn *conn,
		      struct lease_row *row)
{
	dbshift_value param = dbshift__value_text(lock->key);

	memset(row, 0, sizeof(*row));
	return lease_stmt(lock, conn, "SELECT owner, expires_at FROM",
			  "WHERE lock_key = ?", &param, 1, lease_row_read, row);
}

/* The session token recorded in an owner, or NULL. */
static const char *owner_token(const char *owner)
{
	const char *p = strstr(owner, OWNER_SESSION);

	return p != NULL && p[strlen(OWNER_SESSION)] != '\0' ?
		       p + strlen(OWNER_SESSION) :
		       NULL;
}

/* 1 when the database says the holder's session is gone, else 0. */
static int holder_gone(dbshift_runner *r, const char *owner)
{
	dbshift_conn *conn = r->conn;
	const char *token = owner_token(owner);
	int32_t alive = 1;

	if (token == NULL || conn->driver->session_alive == NULL)
		return 0;
	dbshift__diag_init(&conn->diag);
	if (conn->driver->session_alive(conn->handle, token, &alive,
					&conn->diag) != 0)
		return 0;
	return alive == 0;
}

/* Remove the lease row just read, when it is expired or its holder is
 * gone; 1 when it was judged removable (the next insert may win). */
static int lease_clear_stale(dbshift__lock *lock, dbshift_runner *r,
			     const struct lease_row *row)
{
	dbshift_value params[3];
	int64_t now;
	int rc = server_seconds(r->conn, &now);

	if (rc != 0)
		return rc;
	if (row->expires_at >= now && !holder_gone(r, row->owner))
		return 0;
	/* Only the lease as read: a renewal in between keeps it. */
	params[0] = dbshift__value_text(lock->key);
	params[1] = dbshift__value_text(row->owner);
	params[2] = dbshift__value_int(row->expires_at);
	rc = lease_stmt(lock, r->conn, "DELETE FROM",
			"WHERE lock_key = ? AND owner = ? AND expires_at = ?",
			params, 3, NULL, NULL);
	return rc != 0 ? rc : 1;
}

static void owner_make(dbshift__lock *lock, const dbshift_runner *r)
{
	char host[64] = "";

	gethostname(host, sizeof(host) - 1);
	snprintf(lock->owner, sizeof(lock->owner), "%s:%ld:%lld%s%s", host,
		 (long)getpid(), dbshift__now_us(),
		 r->conn->info.token[0] != '\0' ? OWNER_SESSION : "",
		 r->conn->info.token);
}

/* The lease row could not be read after the insert failed (a lock table
 * of another layout, a lost connection): both errors say why. */
static int lease_unreadable(dbshift_runner *r, const dbshift__err *insert_err)
{
	char read_msg[sizeof(r->err.message)];

	snprintf(read_msg, sizeof(read_msg), "%s", r->err.message);
	return dbshift__err_set(&r->err, r->err.pub.code,
				"%s (inserting it: %.900s)", read_msg,
				insert_err->message);
}

static int acquire_lease(dbshift__lock *lock, dbshift_runner *r)
{
	struct lease_row row;
	dbshift__err insert_err;
	long long deadline;
	int rc, tries;

	owner_make(lock, r);
	lock->lease_seconds = lease_seconds();
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
		dbshift__err_copy(&insert_err, &r->err);
		if (lease_read(lock, r->conn, &row) != 0)
			return lease_unreadable(r, &insert_err);
		if (row.found) {
			rc = lease_clear_stale(lock, r, &row);
			if (rc < 0)
				return rc;
			if (rc > 0)
				continue; /* taken over: insert at once */
		}
		if (dbshift__now_us() < deadline)
			;
		else if (row.found)
			return timed_out(r, lock, row.owner);
		else if (tries > 0) { /* no holder: the insert's own error */
			dbshift__err_copy(&r->err, &insert_err);
			return insert_err.pub.code;
		}
		dbshift__sleep_ms(200 + (long)(dbshift__now_us() % 100));
	}
}

/* Extend the lease on conn: 0, or a negative code. */
static int lease_renew(const dbshift__lock *lock, dbshift_conn *conn,
		       const char *sql)
{
	dbshift_value params[3];
	int64_t now;
	int rc = server_seconds(conn, &now);

	if (rc != 0)
		return rc;
	params[0] = dbshift__value_int(now + lock->lease_seconds);
	params[1] = dbshift__value_text(lock->key);
	params[2] = dbshift__value_text(lock->owner);
	return dbshift__conn_query(conn, sql, params, 3, NULL, NULL);
}

static void *beat_main(void *arg)
{
	dbshift__lock *lock = arg;
	struct dbshift__beat *beat = lock->beat;
	int interval =
		beat->lease_seconds / 4 > 0 ? beat->lease_seconds / 4 : 1;
	struct timespec until;

	pthread_mutex_lock(&beat->mu);
	while (!beat->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += interval;
		while (!beat->stop &&
		       pthread_cond_timedwait(&beat->cond, &beat->mu, &until) !=
			       ETIMEDOUT)
			;
		if (beat->stop)
			break;
		pthread_mutex_unlock(&beat->mu);
		/* A failure is retried at the next beat; a lease lost for
		 * good is found by the fencing check. */
		lease_renew(lock, beat->conn, beat->renew_sql);
		pthread_mutex_lock(&beat->mu);
	}
	pthread_mutex_unlock(&beat->mu);
	return NULL;
}

static void beat_free(struct dbshift__beat *beat)
{
	if (beat == NULL)
		return;
	dbshift__conn_close(beat->conn);
	free(beat->renew_sql);
	free(beat);
}

/*
 * Start the heartbeat. Without it (no second connection possible) the
 * run goes on: the lease is then renewed only between migrations, and
 * the fencing check still stops a run that lost it.
 */
static void beat_start(dbshift__lock *lock, dbshift_runner *r)
{
	struct dbshift__beat *beat = calloc(1, sizeof(*beat));

	if (beat == NULL)
		return;
	dbshift__err_init(&beat->err);
	beat->lease_seconds = lock->lease_seconds;
	beat->renew_sql = dbshift__aprintf(
		"UPDATE %s SET expires_at = ? WHERE lock_key = ? AND owner = ?",
		lock->table_q);
	if (beat->renew_sql == NULL ||
	    dbshift__conn_open(&beat->conn, r->driver, r->url, &beat->err) !=
		    0) {
		beat_free(beat);
		return;
	}
	pthread_mutex_init(&beat->mu, NULL);
	pthread_cond_init(&beat->cond, NULL);
	lock->beat = beat;
	if (pthread_create(&beat->thread, NULL, beat_main, lock) != 0) {
		pthread_mutex_destroy(&beat->mu);
		pthread_cond_destroy(&beat->cond);
		lock->beat = NULL;
		beat_free(beat);
	}
}

static void beat_stop(dbshift__lock *lock)
{
	struct dbshift__beat *beat = lock->beat;

	if (beat == NULL)
		return;
	pthread_mutex_lock(&beat->mu);
	beat->stop = 1;
	pthread_cond_signal(&beat->cond);
	pthread_mutex_unlock(&beat->mu);
	pthread_join(beat->thread, NULL);
	pthread_mutex_destroy(&beat->mu);
	pthread_cond_destroy(&beat->cond);
	beat_free(beat);
	lock->beat = NULL;
}

/* Refuse a read-only server before anything is written. */
static int refuse_read_only(dbshift_runner *r)
{
	if (!(r->conn->info.flags & DBSHIFT_SESSION_READ_ONLY))
		return 0;
	return dbshift__err_set(
		&r->err, DBSHIFT_EDB,
		"the database server accepts no writes (%s); nothing was "
		"changed: connect to the primary (PostgreSQL: list every "
		"host in the URL and add target_session_attrs=read-write)",
		r->conn->info.note[0] ? r->conn->info.note : "read-only");
}

int dbshift__lock_acquire(dbshift__lock *lock, dbshift_runner *r)
{
	int rc;

	memset(lock, 0, sizeof(*lock));
	snprintf(lock->key, sizeof(lock->key), "dbshift:%s", r->table);
	rc = refuse_read_only(r);
	if (rc == 0)
		rc = dbshift__lock_choose(r, &lock->kind);
	if (rc != 0)
		return rc;
	if (lock->kind == DBSHIFT_LOCK_ADVISORY)
		rc = acquire_advisory(lock, r);
	else
		rc = acquire_lease(lock, r);
	lock->held = rc == 0;
	if (lock->held && lock->kind == DBSHIFT_LOCK_TABLE)
		beat_start(lock, r);
	return rc;
}

int dbshift__lock_renew(dbshift__lock *lock, dbshift_runner *r)
{
	char *sql;
	int rc;

	if (!lock->held || lock->kind != DBSHIFT_LOCK_TABLE)
		return 0;
	sql = dbshift__aprintf(
		"UPDATE %s SET expires_at = ? WHERE lock_key = ? AND owner = ?",
		lock->table_q);
	if (sql == NULL)
		return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
					"out of memory");
	rc = lease_renew(lock, r->conn, sql);
	free(sql);
	if (rc == DBSHIFT_EDB)
		dbshift__err_from_diag(&r->err, rc, &r->conn->diag,
				       "lock table " DBSHIFT_LOCK_TABLE_NAME
				       ", lease '%s'",
				       lock->key);
	return rc != 0 ? rc : dbshift__lock_fence(lock, r, NULL);
}

int dbshift__lock_fences(const dbshift__lock *lock)
{
	return lock != NULL && lock->held && lock->kind == DBSHIFT_LOCK_TABLE;
}

int dbshift__lock_fence(const dbshift__lock *lock, dbshift_runner *r,
			const char *id)
{
	struct lease_row row;
	int rc;

	if (!dbshift__lock_fences(lock))
		return 0;
	rc = lease_read(lock, r->conn, &row);
	if (rc != 0)
		return rc;
	if (row.found && strcmp(row.owner, lock->owner) == 0)
		return 0;
	dbshift__err_set(
		&r->err, DBSHIFT_ELOCK,
		"lost the run lock%s%s: the lease '%s' "
		"in " DBSHIFT_LOCK_TABLE_NAME " %s%s (it expired without "
		"renewal, or an operator removed it); stopped so "
		"that two runs never write the history at once",
		id != NULL ? " before recording " : "", id != NULL ? id : "",
		lock->key, row.found ? "is now held by " : "is gone",
		row.found ? row.owner : "");
	if (id != NULL)
		dbshift__err_set_migration(&r->err, id);
	return DBSHIFT_ELOCK;
}

void dbshift__lock_release(dbshift__lock *lock, dbshift_runner *r)
{
	dbshift_value params[2];
	dbshift__err saved;
	dbshift_diag diag;

	beat_stop(lock);
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
			lease_stmt(lock, r->conn, "DELETE FROM",
				   "WHERE lock_key = ? AND owner = ?", params,
				   2, NULL, NULL);
		}
		dbshift__err_copy(&r->err, &saved);
	}
	free(lock->table_q);
	memset(lock, 0, sizeof(*lock));
}

int dbshift__lock_remove_lease(dbshift_runner *r, dbshift_change_fn fn,
			       void *payload, int *n_removed)
{
	const char *dot = strchr(r->table, '.');
	dbshift__lock lock;
	struct lease_row row;
	dbshift_value params[2];
	char *table;
	int exists = 0, rc;

	memset(&lock, 0, sizeof(lock));
	snprintf(lock.key, sizeof(lock.key), "dbshift:%s", r->table);
	table = dbshift__aprintf("%.*s" DBSHIFT_LOCK_TABLE_NAME,
				 dot != NULL ? (int)(dot - r->table) + 1 : 0,
				 r->table);
	if (table == NULL)
		return dbshift__err_set(&r->err, DBSHIFT_ENOMEM,
					"out of memory");
	rc = lock_table_name(&lock, r);
	if (rc == 0)
		rc = dbshift__conn_table_exists(r->conn, table, &exists);
	if (rc == 0 && exists)
		rc = lease_read(&lock, r->conn, &row);
	if (rc == 0 && exists && row.found) {
		params[0] = dbshift__value_text(lock.key);
		params[1] = dbshift__value_text(row.owner);
		rc = lease_stmt(&lock, r->conn, "DELETE FROM",
				"WHERE lock_key = ? AND owner = ?", params, 2,
				NULL, NULL);
		if (rc == 0) {
			if (fn != NULL)
				fn(lock.key, row.owner, payload);
			(*n_removed)++;
		}
	}
	free(table);
	free(lock.table_q);
	return rc;
}
