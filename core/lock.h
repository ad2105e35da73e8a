/* SPDX-License-Identifier: MIT */
/*
 * lock.h - the run lock that serialises concurrent runs on one database:
 * the driver's session lock, or a lease row in a lock table.
 */
#ifndef DBSHIFT_LOCK_H
#define DBSHIFT_LOCK_H

#include "runner.h"

#define DBSHIFT_LOCK_TABLE_NAME "dbshift_locks"
#define DBSHIFT_LOCK_LEASE_SECONDS 600

typedef struct dbshift__lock {
	int held;
	dbshift_lock_kind kind; /* ADVISORY or TABLE once chosen */
	char key[320];		/* "dbshift:" + history table */
	char owner[160];	/* table leases: host:pid:random */
	char *table_q;		/* table leases: quoted lock table */
} dbshift__lock;

/**
 * Take the run lock of r's history table on r's connection, waiting up to
 * r->lock_timeout seconds. DBSHIFT_ELOCK on timeout (naming the lock and
 * the wait), DBSHIFT_EINVAL when an advisory lock is asked of a driver
 * without one, DBSHIFT_EDB on database errors.
 */
int dbshift__lock_acquire(dbshift__lock *lock, dbshift_runner *r);

/** Extend a table lease (before each migration); no-op otherwise. */
int dbshift__lock_renew(dbshift__lock *lock, dbshift_runner *r);

/** Release the lock if held; errors are ignored (a lease expires). */
void dbshift__lock_release(dbshift__lock *lock, dbshift_runner *r);

#endif
