/* SPDX-License-Identifier: MIT */
/*
 * lock.h - the run lock that serialises concurrent runs on one database:
 * the driver's session lock, or a lease row in a lock table, kept alive by
 * a heartbeat and checked before each history write.
 */
#ifndef DBSHIFT_LOCK_H
#define DBSHIFT_LOCK_H

#include "runner.h"

#define DBSHIFT_LOCK_TABLE_NAME "dbshift_locks"
/* A lease lasts this long after its last renewal; the heartbeat renews it
 * every quarter of it. */
#define DBSHIFT_LOCK_LEASE_SECONDS_DEFAULT 120

struct dbshift__beat;

typedef struct dbshift__lock {
	int held;
	dbshift_lock_kind kind;	    /* ADVISORY or TABLE once chosen */
	char key[320];		    /* "dbshift:" + history table */
	char owner[256];	    /* leases: host:pid:time[ session TOKEN] */
	char *table_q;		    /* leases: quoted lock table */
	int lease_seconds;	    /* leases: length */
	struct dbshift__beat *beat; /* leases: the heartbeat, or NULL */
} dbshift__lock;

/**
 * Decide which lock r's commands take on its open connection, writing the
 * reason into r->lock_reason. DBSHIFT_EINVAL when a session lock is asked
 * of a driver without one.
 */
int dbshift__lock_choose(dbshift_runner *r, dbshift_lock_kind *kind);

/**
 * Take the run lock of r's history table on r's connection, waiting up to
 * r->lock_timeout seconds. Refuses a read-only server first (DBSHIFT_EDB).
 * DBSHIFT_ELOCK on timeout (naming the lock, the holder and the wait),
 * DBSHIFT_EINVAL when a session lock is asked of a driver without one,
 * DBSHIFT_EDB on database errors.
 */
int dbshift__lock_acquire(dbshift__lock *lock, dbshift_runner *r);

/** Extend a lease and check it is still ours (before each migration);
 * no-op for a session lock. */
int dbshift__lock_renew(dbshift__lock *lock, dbshift_runner *r);

/**
 * Fencing: check that a lease is still held by this run before the
 * history is written for migration id (may be NULL); DBSHIFT_ELOCK
 * naming the new holder when it is not. 0 for a session lock or NULL.
 */
int dbshift__lock_fence(const dbshift__lock *lock, dbshift_runner *r,
			const char *id);

/** Does dbshift__lock_fence() read anything for lock (a lease held)?
 * Where not, nothing needs to run between a script and its history
 * write. */
int dbshift__lock_fences(const dbshift__lock *lock);

/** Release the lock if held; errors are ignored (a lease expires). */
void dbshift__lock_release(dbshift__lock *lock, dbshift_runner *r);

/** Remove the lease on r's history table whoever holds it (unlock). */
int dbshift__lock_remove_lease(dbshift_runner *r, dbshift_change_fn fn,
			       void *payload, int *n_removed);

#endif
