/* SPDX-License-Identifier: MIT */
/*
 * execute.h - running one migration up or down together with its history
 * row, in a transaction where the dialect allows it.
 */
#ifndef DBSHIFT_EXECUTE_H
#define DBSHIFT_EXECUTE_H

#include "run.h"

/**
 * Apply m. With transactional DDL (and without no-transaction) the script
 * and its history row commit together and a failure leaves no trace.
 * Otherwise the row is written dirty first and marked applied after; a
 * failure leaves it dirty with the error and the failed statement.
 * Failures return DBSHIFT_EMIGRATION (the script) or DBSHIFT_EDB (the
 * history), with the error naming the migration and its file.
 */
int dbshift__execute_up(dbshift__run *run, dbshift__migration *m);

/** Roll m back with its down script and delete its history row, with the
 * same transaction rules as dbshift__execute_up(). */
int dbshift__execute_down(dbshift__run *run, dbshift__migration *m);

#endif
