/* SPDX-License-Identifier: MIT */
/*
 * session.h - what the commands that work on a database share: a runner
 * opened from the command line's options, with every --source added. The
 * command files (cli/cmd_*.c) call these and never each other.
 */
#ifndef DBSHIFT_CLI_SESSION_H
#define DBSHIFT_CLI_SESSION_H

#include "cli.h"

/**
 * Build a runner from the options: URL, table, driver directory, lock
 * and DDL settings, sources and the progress callback. Returns 0 or an
 * exit status (after printing the error); on success the caller frees
 * *out.
 */
int cli_runner_open(dbshift_runner **out, const struct cli_options *opts);

/**
 * cli_runner_open() on the database that verify and dump work on: --url
 * when given, else a fresh SQLite in-memory database ($DBSHIFT_URL and
 * $DATABASE_URL are ignored: they usually name a database worth
 * keeping).
 */
int cli_throwaway_open(dbshift_runner **out, const struct cli_options *opts);

/**
 * cli_report() for a runner's failure; when the sources are at fault,
 * also print every other problem of the sources (from validate), so that
 * one run names every bad file. Returns the exit status.
 */
int cli_report_runner(int rc, dbshift_runner *runner);

/** With -v: say which run lock the runner's commands take, and why. */
void cli_verbose_lock(dbshift_runner *runner, const struct cli_options *opts);

#endif
