/* SPDX-License-Identifier: MIT */
/*
 * run.h - one run of the runner: its migrations (loaded from every
 * source and resolved for the dialect), their order, the history, and the
 * state of each migration against it.
 */
#ifndef DBSHIFT_RUN_H
#define DBSHIFT_RUN_H

#include "catalog.h"
#include "graph.h"
#include "history.h"
#include "runner.h"

typedef struct dbshift__run {
	dbshift_runner *runner;
	dbshift__vec migrations; /* dbshift__migration *, owned */
	dbshift__graph graph;
	dbshift__history history;
	int history_read;
	size_t last_applied_order;	  /* highest order among applied, + 1 */
	const struct dbshift__lock *lock; /* held by this run, or NULL */
} dbshift__run;

/**
 * Load every source, resolve each migration for the dialect and contexts,
 * and order them. Touches no database. On failure the run must still be
 * freed with dbshift__run_free().
 */
int dbshift__run_prepare(dbshift__run *run, dbshift_runner *runner);

/**
 * The start of every command: check the runner is usable (its driver
 * loaded), reset its error, prepare the run and read the history.
 */
int dbshift__run_begin(dbshift__run *run, dbshift_runner *runner);

/** Connect (once per runner) and read the history (once per call). */
int dbshift__run_read_history(dbshift__run *run);

/** State of migration m against the history read; *row (may be NULL)
 * receives its history row. */
dbshift_state dbshift__run_state(const dbshift__run *run,
				 const dbshift__migration *m,
				 dbshift__history_row **row);

/** Does the history hold a dirty row? It may be another run's migration in
 * flight, so only a run holding the lock may refuse because of it. */
int dbshift__run_has_dirty(const dbshift__run *run);

/**
 * Refuse to go on when the history has a dirty row (DBSHIFT_EDIRTY naming
 * the migration, the failed statement and both ways out; check_dirty) or,
 * when check_checksums is set and the runner does not ignore checksums, an
 * applied migration whose script changed (DBSHIFT_ECHECKSUM with both
 * checksums).
 */
int dbshift__run_check_history(dbshift__run *run, int check_dirty,
			       int check_checksums);

struct dbshift__lock;

/** Take the run lock, then read the history again: another run may have
 * changed it while this one waited. */
int dbshift__run_lock(dbshift__run *run, struct dbshift__lock *lock);

void dbshift__run_free(dbshift__run *run);

#endif
