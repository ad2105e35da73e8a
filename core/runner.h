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

#endif
