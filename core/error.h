/* SPDX-License-Identifier: MIT */
/*
 * error.h - the error object behind dbshift_error: fixed buffers, so that
 * recording an error never needs memory.
 */
#ifndef DBSHIFT_ERROR_H
#define DBSHIFT_ERROR_H

#include <stdarg.h>

#include "dbshift/dbshift.h"
#include "dbshift/driver.h"

typedef struct dbshift__err {
	dbshift_error pub; /* strings point into the buffers below */
	char message[2048];
	char sqlstate[8];
	char migration[512];
	char file[1024];
	char statement[512];
} dbshift__err;

/**
 * Check the version field of a caller's struct (what: "runner options")
 * against the newest version this library knows: 0 and newer versions are
 * DBSHIFT_EINVAL, recorded in err with a message naming what; else 0.
 */
int dbshift__err_version(dbshift__err *err, const char *what,
			 unsigned int version, unsigned int known);

/** Reset to "no error" and point pub's strings at the buffers. */
void dbshift__err_init(dbshift__err *err);

/** Record code and a printf-style message; keeps migration/file fields.
 * Returns code. */
int dbshift__err_set(dbshift__err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int dbshift__err_vset(dbshift__err *err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/**
 * Record a database failure: message is "PREFIX: DIAG-MESSAGE" (plus the
 * detail in parentheses when there is one); sqlstate, native code and
 * statement (diag's 0-based index as the public 1-based number) are
 * copied from diag. Returns code.
 */
int dbshift__err_from_diag(dbshift__err *err, int code,
			   const dbshift_diag *diag, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

void dbshift__err_set_migration(dbshift__err *err, const char *id);
void dbshift__err_set_file(dbshift__err *err, const char *file);
/** Record the failed statement: its number (1-based, as messages count;
 * 0 when unknown) and its first line. */
void dbshift__err_set_statement(dbshift__err *err, int number, const char *text,
				size_t len);

/** Copy src into dst (fixing dst's pointers). */
void dbshift__err_copy(dbshift__err *dst, const dbshift__err *src);

/** The thread's error for functions without a runner. */
dbshift__err *dbshift__err_last(void);

/** Prepare a diag for a driver call (zeroed, size set, index -1). */
void dbshift__diag_init(dbshift_diag *diag);

/** The dbshift_host.diag_set implementation. */
void dbshift__diag_set(dbshift_diag *diag, const char *sqlstate,
		       int64_t native_code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
