/* SPDX-License-Identifier: MIT */
/*
 * select.h - choosing the migrations a command works on.
 */
#ifndef DBSHIFT_SELECT_H
#define DBSHIFT_SELECT_H

#include "run.h"

/**
 * For up to a target: mark (a new array of graph.n bytes, caller frees)
 * the target and everything it depends on. *mark stays NULL without a
 * target. Errors: DBSHIFT_ENOTFOUND, DBSHIFT_EINVAL (ambiguous).
 */
int dbshift__select_marks(dbshift__run *run, const char *target,
			  unsigned char **mark);

/**
 * Fill pending (emptied first) with what up would apply, in plan order,
 * restricted to mark when not NULL, after checking the history (dirty rows
 * only when locked: before the lock a dirty row may be another run's
 * migration in flight; changed scripts always). Out-of-order migrations
 * are refused with --strict-order (DBSHIFT_ESTATE).
 */
int dbshift__select_pending(dbshift__run *run, const unsigned char *mark,
			    int locked, dbshift__vec *pending);

/**
 * Append to victims what down would roll back, newest first: the last
 * count applied migrations (all when count < 0), or with a target, the
 * target and every applied migration that depends on it. Each must be in
 * the sources (DBSHIFT_ENOTFOUND) and have a down (DBSHIFT_ENODOWN),
 * checked for all before anything changes. With as_far_as_possible, the
 * first one that fails those two checks ends the choice instead, and the
 * runner's down_stop says which and why.
 */
int dbshift__select_victims(dbshift__run *run, int count, const char *target,
			    int as_far_as_possible, dbshift__vec *victims);

#endif
