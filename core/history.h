/* SPDX-License-Identifier: MIT */
/*
 * history.h - the history table: one row per applied (or dirty)
 * migration, read once per run.
 */
#ifndef DBSHIFT_HISTORY_H
#define DBSHIFT_HISTORY_H

#include <stdint.h>

#include "catalog.h"
#include "conn.h"
#include "error.h"

#define DBSHIFT_DEFAULT_TABLE "dbshift_migrations"

typedef struct dbshift__history_row {
	char *id;
	char *source;
	char *version;
	char *name;
	char *checksum;
	char *applied_at;
	int64_t execution_ms;
	int64_t seq;
	int dirty;
	char *error;	      /* dirty rows: what failed, or "" */
	int64_t failed_index; /* dirty rows: statement number (1-based), or 0 */
	char *failed_statement; /* dirty rows: its first line, or "" */
	int matched;		/* set by the planner: found in a source */
} dbshift__history_row;

typedef struct dbshift__history {
	dbshift__history_row *rows; /* in application order (seq) */
	size_t n;
	size_t cap;
	dbshift__history_row **by_id; /* sorted by id */
	int exists;		      /* the table exists */
	int64_t max_seq;
	char *table;   /* as given */
	char *table_q; /* quoted for the dialect */
} dbshift__history;

/** Is name a valid history table name: IDENT or SCHEMA.IDENT, each
 * [A-Za-z_][A-Za-z0-9_]*, at most 63 characters? */
int dbshift__history_name_valid(const char *name);

/** Quote name (IDENT or SCHEMA.IDENT) for conn's dialect into a new
 * string *out (caller frees). */
int dbshift__history_quote_name(dbshift_conn *conn, const char *name,
				char **out);

/**
 * Read the history of table through conn into h (zeroed first). A missing
 * table gives an empty history with exists = 0 and creates nothing.
 */
int dbshift__history_read(dbshift__history *h, dbshift_conn *conn,
			  const char *table);

/** Create the table when it does not exist yet. */
int dbshift__history_ensure(dbshift__history *h, dbshift_conn *conn);

/** The row of id, or NULL. O(log n). */
dbshift__history_row *dbshift__history_find(const dbshift__history *h,
					    const char *id);

/**
 * Insert the row of m with the next sequence number, state applied or
 * dirty. Does not change h's rows (only max_seq).
 */
int dbshift__history_insert(dbshift__history *h, dbshift_conn *conn,
			    const dbshift__migration *m, int dirty,
			    int64_t execution_ms);

/**
 * A history write prepared for a driver that sends it together with the
 * script (dbshift_driver.exec_recorded): the statement with '?'
 * parameters. params point into the struct and at the migration, so it
 * must stay where it was filled while they are in use.
 */
typedef struct dbshift__history_write {
	char *sql;
	dbshift_value params[9];
	int32_t nparams;
	int32_t elapsed_param; /* execution_ms, filled by the driver */
	int insert;	       /* an insert: max_seq grows once done */
	char now[32];
} dbshift__history_write;

/**
 * Prepare in w the insert of m's row (up, state applied, the next
 * sequence number) or the delete of it (down), the statements
 * dbshift__history_insert() and dbshift__history_delete() run. On a
 * delete elapsed_param is -1. Free w with dbshift__history_write_done().
 */
int dbshift__history_write_prepare(dbshift__history_write *w,
				   dbshift__history *h, dbshift_conn *conn,
				   const dbshift__migration *m, int up);

/** Free w's statement; when committed (non-zero), account for the row it
 * wrote in h as the direct calls do. */
void dbshift__history_write_done(dbshift__history_write *w, dbshift__history *h,
				 int committed);

/** Mark the row of id applied with its execution time. */
int dbshift__history_mark_applied(dbshift__history *h, dbshift_conn *conn,
				  const char *id, int64_t execution_ms);

/** Mark the row of id dirty, recording what failed (err's message and
 * statement). */
int dbshift__history_mark_dirty(dbshift__history *h, dbshift_conn *conn,
				const char *id, const dbshift__err *failure);

/** Record checksum as the row of id's checksum (repair). */
int dbshift__history_set_checksum(dbshift__history *h, dbshift_conn *conn,
				  const char *id, const char *checksum);

/** Delete the row of id. */
int dbshift__history_delete(dbshift__history *h, dbshift_conn *conn,
			    const char *id);

void dbshift__history_free(dbshift__history *h);

#endif
