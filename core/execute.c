/* SPDX-License-Identifier: MIT */
/*
 * execute.c - running one migration and recording it.
 *
 * The core decides how to run a migration from the driver's capabilities:
 * with transactional DDL, the script and its history row share one
 * transaction, so a failure rolls both back. Without it (MySQL DDL, or a
 * migration marked no-transaction) the history row is written "dirty"
 * before the script and marked "applied" after, so that a failure part way
 * is visible and blocks later runs until an operator resolves it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "execute.h"
#include "lock.h"
#include "preflight.h"
#include "split.h"

/* Report an event on m; attempt and delay_ms only for RETRY. */
static void emit(dbshift__run *run, dbshift_event_kind kind,
		 dbshift_direction dir, const dbshift__migration *m,
		 long long duration_us, int attempt, long long delay_ms)
{
	dbshift_runner *r = run->runner;
	dbshift_event ev;

	if (r->on_event == NULL)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.direction = dir;
	ev.id = m->id;
	ev.name = m->name;
	ev.duration_us = duration_us;
	ev.error = kind == DBSHIFT_EVENT_ERROR || kind == DBSHIFT_EVENT_RETRY ?
			   &r->err.pub :
			   NULL;
	if (kind == DBSHIFT_EVENT_RETRY) {
		ev.attempt = attempt;
		ev.attempts = r->ddl_lock_retries + 1;
		ev.delay_ms = delay_ms;
	}
	r->on_event(&ev, r->event_payload);
}

/* Pointer to the start of 1-based line in text, or NULL. */
static const char *line_start(const char *text, size_t len, int line)
{
	size_t i;
	int cur = 1;

	if (line <= 0)
		return NULL;
	for (i = 0; i < len && cur < line; i++)
		if (text[i] == '\n')
			cur++;
	return cur == line ? text + i : NULL;
}

/*
 * The line of the error itself, when the driver gave its position within
 * the failing statement (SQLite from 3.38 for syntax errors and unknown
 * names, PostgreSQL): the statement is found again with the dialect's
 * splitter by its index, checked against its line, and the lines counted
 * up to that character. 0 when unknown.
 */
static int error_line(const dbshift__run *run, const dbshift__script *script,
		      const dbshift_diag *diag)
{
	dbshift__split split;
	dbshift__stmt stmt;
	int32_t index = 0, chars = 0;
	size_t pos;
	int line;

	if (diag->position <= 0 || diag->statement_index < 0 ||
	    diag->line <= 0 || script->text == NULL)
		return 0;
	dbshift__split_init(&split, script->text, script->len,
			    run->runner->driver->split_flags);
	while (dbshift__split_next(&split, &stmt) &&
	       index++ != diag->statement_index)
		;
	if (index != diag->statement_index + 1 || stmt.line != diag->line)
		return 0;
	line = stmt.line;
	for (pos = stmt.start; pos < script->len; pos++) {
		if (((unsigned char)script->text[pos] & 0xC0) != 0x80 &&
		    ++chars == diag->position)
			return line;
		if (script->text[pos] == '\n')
			line++;
	}
	return 0;
}

/* Turn the driver's diagnostic of a failed script into the run's error. */
static int script_failed(dbshift__run *run, const dbshift__migration *m,
			 const dbshift__script *script, const char *what)
{
	dbshift__err *err = &run->runner->err;
	const dbshift_diag *diag = &run->runner->conn->diag;
	const char *file = script->file ? script->file : m->id;
	const char *stmt = line_start(script->text, script->len, diag->line);
	int at = error_line(run, script, diag);
	char where[96] = "";

	if (diag->statement_index >= 0 && at > diag->line)
		snprintf(where, sizeof(where),
			 ", statement %d from line %d, error at line %d",
			 (int)diag->statement_index + 1, (int)diag->line, at);
	else if (diag->statement_index >= 0 && diag->line > 0)
		snprintf(where, sizeof(where), ", statement %d at line %d",
			 (int)diag->statement_index + 1, (int)diag->line);
	else if (diag->statement_index >= 0)
		snprintf(where, sizeof(where), ", statement %d",
			 (int)diag->statement_index + 1);
	dbshift__err_from_diag(err, DBSHIFT_EMIGRATION, diag,
			       "%s: %s failed: %s%s", m->id, what, file, where);
	dbshift__err_set_migration(err, m->id);
	dbshift__err_set_file(err, script->file ? script->file : "");
	if (stmt != NULL)
		dbshift__err_set_statement(
			err, diag->statement_index + 1, stmt,
			script->len - (size_t)(stmt - script->text));
	return DBSHIFT_EMIGRATION;
}

/* Fill in which statement failed when the driver gave only a line. */
static void locate_statement(const dbshift__run *run,
			     const dbshift__script *script, dbshift_diag *diag)
{
	dbshift__split split;
	dbshift__stmt stmt;
	int index = 0, found = -1, found_line = 0;

	if (diag->statement_index >= 0 || diag->line <= 0)
		return;
	dbshift__split_init(&split, script->text, script->len,
			    run->runner->driver->split_flags);
	while (dbshift__split_next(&split, &stmt) > 0) {
		if (stmt.line > diag->line)
			break;
		found = index++;
		found_line = stmt.line;
	}
	if (found >= 0) {
		diag->statement_index = found;
		diag->line = found_line;
	}
}

/*
 * Run a script one statement at a time, for drivers that cannot run a
 * multi-statement script outside a transaction (PostgreSQL turns one into
 * an implicit transaction, which CREATE INDEX CONCURRENTLY refuses). The
 * diagnostic of a failure is made relative to the whole script.
 */
static int exec_split(dbshift__run *run, const dbshift__script *script)
{
	dbshift_conn *conn = run->runner->conn;
	dbshift__split split;
	dbshift__stmt stmt;
	int index = 0;

	dbshift__split_init(&split, script->text, script->len,
			    conn->driver->split_flags);
	while (dbshift__split_next(&split, &stmt) > 0) {
		if (dbshift__conn_exec(conn, script->text + stmt.start,
				       stmt.len) != 0) {
			conn->diag.statement_index = index;
			conn->diag.line = stmt.line;
			return DBSHIFT_EMIGRATION;
		}
		index++;
	}
	return 0;
}

static int exec_script(dbshift__run *run, const dbshift__script *script,
		       int transactional)
{
	dbshift_conn *conn = run->runner->conn;

	if (!transactional &&
	    dbshift__conn_has(conn, DBSHIFT_CAP_SPLIT_STATEMENTS))
		return exec_split(run, script);
	if (dbshift__conn_exec(conn, script->text, script->len) == 0)
		return 0;
	return DBSHIFT_EMIGRATION;
}

/* The script of m failed (the driver's diagnostic in conn->diag): name
 * the statement as the file numbers it, and make the run's error. */
static int script_error(dbshift__run *run, const dbshift__migration *m,
			dbshift_direction dir, const dbshift__script *script)
{
	dbshift_conn *conn = run->runner->conn;
	const dbshift__script *file = dir == DBSHIFT_UP ? m->up : m->down;

	locate_statement(run, script, &conn->diag);
	if (script != file) {
		/* The wrapper's BEGIN was blanked: count statements as the
		 * file has them. */
		conn->diag.statement_index = -1;
		locate_statement(run, file, &conn->diag);
	}
	return script_failed(run, m, script, dir == DBSHIFT_UP ? "up" : "down");
}

/* Run m's up or down: a C callback or script (the script to run, as
 * the preflight left it). */
static int run_body(dbshift__run *run, dbshift__migration *m,
		    dbshift_direction dir, const dbshift__script *script,
		    int transactional)
{
	dbshift_conn *conn = run->runner->conn;
	dbshift_migration_fn fn = dir == DBSHIFT_UP ? m->up_fn : m->down_fn;
	const char *what = dir == DBSHIFT_UP ? "up" : "down";
	dbshift__err *err = &run->runner->err;
	int rc;

	if (script == NULL && fn != NULL) {
		dbshift__err_init(err);
		rc = fn(conn, m->fn_payload);
		if (rc == 0)
			return 0;
		if (err->pub.code == DBSHIFT_OK) {
			dbshift__err_set(err, DBSHIFT_EMIGRATION,
					 "%s: %s callback failed (%d)", m->id,
					 what, rc);
		} else {
			dbshift__err cause;

			dbshift__err_copy(&cause, err);
			dbshift__err_set(err, DBSHIFT_EMIGRATION,
					 "%s: %s callback failed: %s", m->id,
					 what, cause.message);
		}
		dbshift__err_set_migration(err, m->id);
		return DBSHIFT_EMIGRATION;
	}
	if (exec_script(run, script, transactional) != 0)
		return script_error(run, m, dir, script);
	return 0;
}

static int in_transaction(const dbshift__run *run, const dbshift__migration *m)
{
	return !m->no_transaction &&
	       dbshift__conn_has(run->runner->conn,
				 DBSHIFT_CAP_TRANSACTIONAL_DDL);
}

/* A failed commit (a full disk, a file size limit, a serialisation
 * failure) is the migration's failure: name it in front of the database's
 * words, keeping the code and SQLSTATE. */
static void commit_failed(dbshift__run *run, const dbshift__migration *m)
{
	dbshift__err *err = &run->runner->err;
	dbshift__err cause;

	dbshift__err_copy(&cause, err);
	dbshift__err_set(err, cause.pub.code, "%s: %s", m->id, cause.message);
	dbshift__err_set_migration(err, m->id);
}

/*
 * One migration in one transaction with its history change, handed to the
 * driver as one batch (exec_recorded): begin, script, history write and
 * commit in one round trip where the database allows. Failures are
 * reported as step_transactional() reports them.
 */
static int step_batched(dbshift__run *run, dbshift__migration *m,
			dbshift_direction dir, const dbshift__script *script,
			long long *elapsed_us)
{
	dbshift_conn *conn = run->runner->conn;
	dbshift__history_write w;
	int32_t failed_step = DBSHIFT_RECORDED_BEGIN;
	long long start;
	int rc;

	rc = dbshift__history_write_prepare(&w, &run->history, conn, m,
					    dir == DBSHIFT_UP);
	if (rc != 0) {
		dbshift__history_write_done(&w, &run->history, 0);
		return rc;
	}
	start = dbshift__now_us();
	rc = dbshift__conn_exec_recorded(conn, script->text, script->len, w.sql,
					 w.params, w.nparams, w.elapsed_param,
					 &failed_step);
	*elapsed_us = dbshift__now_us() - start;
	dbshift__history_write_done(&w, &run->history, rc == 0);
	if (rc == 0)
		return 0;
	if (failed_step == DBSHIFT_RECORDED_SCRIPT)
		rc = script_error(run, m, dir, script);
	else if (failed_step == DBSHIFT_RECORDED_RECORD)
		rc = dbshift__err_from_diag(conn->err, DBSHIFT_EDB, &conn->diag,
					    "%s: cannot %s history row", m->id,
					    dir == DBSHIFT_UP ? "insert" :
								"delete");
	else if (failed_step == DBSHIFT_RECORDED_COMMIT)
		commit_failed(run, m);
	dbshift__conn_rollback(conn);
	return rc;
}

/* One migration in one transaction with its history change. */
static int step_transactional(dbshift__run *run, dbshift__migration *m,
			      dbshift_direction dir,
			      const dbshift__script *script,
			      long long *elapsed_us)
{
	dbshift_conn *conn = run->runner->conn;
	long long start;
	int rc;

	if (script != NULL && conn->driver->exec_recorded != NULL &&
	    !dbshift__lock_fences(run->lock))
		return step_batched(run, m, dir, script, elapsed_us);
	rc = dbshift__conn_begin(conn);
	if (rc != 0)
		return rc;
	start = dbshift__now_us();
	rc = run_body(run, m, dir, script, 1);
	*elapsed_us = dbshift__now_us() - start;
	if (rc == 0)
		rc = dbshift__lock_fence(run->lock, run->runner, m->id);
	if (rc == 0 && dir == DBSHIFT_UP)
		rc = dbshift__history_insert(&run->history, conn, m, 0,
					     *elapsed_us / 1000);
	else if (rc == 0)
		rc = dbshift__history_delete(&run->history, conn, m->id);
	if (rc == 0) {
		rc = dbshift__conn_commit(conn);
		if (rc != 0)
			commit_failed(run, m);
	}
	if (rc != 0)
		dbshift__conn_rollback(conn);
	return rc;
}

/*
 * The driver refused m's script before sending any of it: take back the
 * dirty marker, so that nothing needs repair (up: delete the row; down:
 * the row is applied again, as it was). Returns rc, the error kept.
 */
static int undo_marker(dbshift__run *run, dbshift__migration *m,
		       dbshift_direction dir, int rc)
{
	dbshift_conn *conn = run->runner->conn;
	const dbshift__history_row *row;
	dbshift__err kept;

	dbshift__err_copy(&kept, &run->runner->err);
	if (dir == DBSHIFT_UP) {
		dbshift__history_delete(&run->history, conn, m->id);
	} else {
		row = dbshift__history_find(&run->history, m->id);
		dbshift__history_mark_applied(&run->history, conn, m->id,
					      row != NULL ? row->execution_ms :
							    0);
	}
	dbshift__err_copy(&run->runner->err, &kept);
	return rc;
}

/* One migration outside a transaction, guarded by a dirty history row. */
static int step_guarded(dbshift__run *run, dbshift__migration *m,
			dbshift_direction dir, const dbshift__script *script,
			long long *elapsed_us)
{
	dbshift_conn *conn = run->runner->conn;
	dbshift__err marker;
	long long start;
	int rc;

	rc = dbshift__lock_fence(run->lock, run->runner, m->id);
	if (rc != 0)
		return rc;
	if (dir == DBSHIFT_UP) {
		rc = dbshift__history_insert(&run->history, conn, m, 1, 0);
	} else {
		dbshift__err_init(&marker);
		dbshift__err_set(&marker, DBSHIFT_EMIGRATION,
				 "interrupted while rolling back");
		rc = dbshift__history_mark_dirty(&run->history, conn, m->id,
						 &marker);
	}
	if (rc != 0)
		return rc;
	start = dbshift__now_us();
	rc = run_body(run, m, dir, script, 0);
	*elapsed_us = dbshift__now_us() - start;
	if (rc != 0 &&
	    strcmp(conn->diag.sqlstate, DBSHIFT_SQLSTATE_NOT_RUN) == 0)
		return undo_marker(run, m, dir, rc);
	if (rc != 0) {
		dbshift__err_copy(&marker, &run->runner->err);
		dbshift__history_mark_dirty(&run->history, conn, m->id,
					    &marker);
		dbshift__err_copy(&run->runner->err, &marker);
		return rc;
	}
	rc = dbshift__lock_fence(run->lock, run->runner, m->id);
	if (rc != 0)
		return rc;
	if (dir == DBSHIFT_UP)
		return dbshift__history_mark_applied(&run->history, conn, m->id,
						     *elapsed_us / 1000);
	return dbshift__history_delete(&run->history, conn, m->id);
}

/*
 * Did m fail because a statement waited longer for a lock than
 * --ddl-lock-timeout allows, with nothing of it left behind? A
 * transaction was rolled back; without one, an up whose first statement
 * failed has changed nothing, and its dirty row is removed here.
 */
static int lock_wait_undone(dbshift__run *run, dbshift__migration *m,
			    dbshift_direction dir, int transactional)
{
	dbshift_runner *r = run->runner;
	dbshift__err failure;
	int rc;

	if (r->ddl_lock_timeout_ms <= 0 ||
	    strcmp(r->err.pub.sqlstate, DBSHIFT_SQLSTATE_LOCK_TIMEOUT) != 0)
		return 0;
	if (transactional)
		return 1;
	if (dir != DBSHIFT_UP || r->err.pub.statement_index != 1)
		return 0;
	dbshift__err_copy(&failure, &r->err);
	rc = dbshift__history_delete(&run->history, r->conn, m->id);
	if (rc == 0)
		dbshift__err_copy(&r->err, &failure);
	return rc == 0;
}

/* Pause before attempt n + 1: 1 s, 2 s, 4 s, ... up to 30 s, and a
 * little jitter so that runners do not retry in step. */
static long long backoff_ms(int attempt)
{
	long long ms = 1000;

	while (--attempt > 0 && ms < 30000)
		ms *= 2;
	if (ms > 30000)
		ms = 30000;
	return ms + dbshift__now_us() % 250;
}

/* Say in the error of the last attempt how many there were. */
static void gave_up(dbshift__run *run, int attempts)
{
	dbshift__err *err = &run->runner->err;
	char message[sizeof(err->message)];

	snprintf(message, sizeof(message), "%s", err->message);
	dbshift__err_set(err, err->pub.code,
			 "%s (gave up after %d attempt%s; --ddl-lock-timeout)",
			 message, attempts, attempts == 1 ? "" : "s");
}

/* Run m's step, again while it waited too long for a lock and the
 * retries allow. */
static int step_attempts(dbshift__run *run, dbshift__migration *m,
			 dbshift_direction dir, const dbshift__script *script,
			 long long *elapsed_us)
{
	int transactional = in_transaction(run, m);
	long long delay;
	int rc, attempt;

	for (attempt = 1;; attempt++) {
		if (transactional)
			rc = step_transactional(run, m, dir, script,
						elapsed_us);
		else
			rc = step_guarded(run, m, dir, script, elapsed_us);
		if (rc == 0 || !lock_wait_undone(run, m, dir, transactional))
			return rc;
		if (attempt > run->runner->ddl_lock_retries) {
			gave_up(run, attempt);
			return rc;
		}
		delay = backoff_ms(attempt);
		emit(run, DBSHIFT_EVENT_RETRY, dir, m, 0, attempt, delay);
		dbshift__sleep_ms(delay);
	}
}

static int step(dbshift__run *run, dbshift__migration *m, dbshift_direction dir)
{
	const dbshift__script *script = dir == DBSHIFT_UP ? m->up : m->down;
	long long elapsed_us = 0, start = dbshift__now_us();
	int transactional = in_transaction(run, m), rc = 0;
	dbshift__script prepared;
	char *run_text = NULL;

	emit(run, DBSHIFT_EVENT_BEFORE, dir, m, 0, 0, 0);
	/* Before the transaction or the dirty row: nothing to undo. */
	if (script != NULL)
		rc = dbshift__preflight(
			&run_text, script, run->runner->driver->split_flags,
			transactional, m->id, &run->runner->err);
	if (run_text != NULL) {
		prepared = *script;
		prepared.text = run_text;
		script = &prepared;
	}
	if (rc == 0)
		rc = step_attempts(run, m, dir, script, &elapsed_us);
	free(run_text);
	if (rc != 0) {
		if (run->runner->err.migration[0] == '\0')
			dbshift__err_set_migration(&run->runner->err, m->id);
		emit(run, DBSHIFT_EVENT_ERROR, dir, m,
		     dbshift__now_us() - start, 0, 0);
		return rc;
	}
	emit(run, DBSHIFT_EVENT_AFTER, dir, m, dbshift__now_us() - start, 0, 0);
	return 0;
}

int dbshift__execute_up(dbshift__run *run, dbshift__migration *m)
{
	return step(run, m, DBSHIFT_UP);
}

int dbshift__execute_down(dbshift__run *run, dbshift__migration *m)
{
	int rc = 0;

	/* Choosing the victims read the script already; this is for a
	 * caller that did not. */
	if (m->down != NULL)
		rc = dbshift__script_load(m->down, &run->runner->err);
	return rc != 0 ? rc : step(run, m, DBSHIFT_DOWN);
}
