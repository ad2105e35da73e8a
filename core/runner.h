/* SPDX-License-Identifier: MIT */
/*
 * runner.h - the runner and source objects behind the public handles.
 */
#ifndef DBSHIFT_RUNNER_H
#define DBSHIFT_RUNNER_H

#include "dbshift/dbshift.h"
#include "dbshift/driver.h"
#include "catalog.h"
#include "conn.h"
#include "error.h"
#include "util.h"

struct dbshift_source {
	char *name;
	const dbshift_source_ops *ops;
	void *state;
};

struct dbshift_runner {
	dbshift__err err;
	char *url;
	char *table;
	char *driver_dir;
	int lock_timeout;
	unsigned int flags;
	char **contexts;
	size_t n_contexts;
	dbshift_event_fn on_event;
	void *event_payload;
	const dbshift_driver *driver;
	dbshift__vec sources; /* dbshift_source * */
	dbshift_lock_kind lock_kind;
	char lock_reason[320];	     /* why the lock kind was chosen */
	int64_t ddl_lock_timeout_ms; /* 0: the database's default */
	int ddl_lock_retries;
	dbshift_conn *conn; /* NULL until a command needs the database */
	/* Every problem of the sources found by the last preparation of a
	 * run (dbshift__problem *); err holds the first. */
	dbshift__vec problems;
	/* Where the last down chosen with DBSHIFT_OPT_DOWN_AS_FAR_AS_POSSIBLE
	 * stopped short and why, or "". */
	char down_stop[600];
};

/*
 * One error channel: the runner records its error in r->err while a call
 * runs (events point at it), and the public call that declared
 * DBSHIFT__RUNNER_CALL(r) first resets it and, however it returns, copies
 * it to the calling thread's last error (dbshift_error_last(), which
 * dbshift_runner_error() also reads). A NULL runner is reported there as
 * DBSHIFT_EINVAL. The cleanup attribute runs dbshift__runner_leave() on
 * every return path, so no path can forget to publish.
 */
dbshift_runner *dbshift__runner_enter(dbshift_runner *r);
void dbshift__runner_leave(dbshift_runner **call);
#define DBSHIFT__RUNNER_CALL(r)                                                \
	dbshift_runner *runner_call_                                           \
		__attribute__((cleanup(dbshift__runner_leave), unused)) =      \
			dbshift__runner_enter(r)

#endif
