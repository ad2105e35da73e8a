/* SPDX-License-Identifier: MIT */
/*
 * dbshift/driver.h - the driver ABI.
 *
 * This is the only header a dbshift database driver needs. A driver is a
 * loadable module (driver_<name>.so) that exports exactly one symbol, its
 * entry function, which returns a descriptor: a struct of plain C values and
 * function pointers. The core loads drivers with dlopen() and talks to them
 * only through the descriptor.
 *
 * Stability rules (see docs/ABI.md for the promise and its history):
 *  - The core accepts a driver whose abi_major equals the core's and whose
 *    abi_minor is less than or equal to the core's.
 *  - Structs that cross the boundary begin with their size or version and
 *    only ever grow at the end. A zero or NULL field means "not supported",
 *    so a driver built against an older minor keeps loading.
 *  - Only fixed-width integers, pointers to char with a length, opaque
 *    handles and callbacks with a trailing void *payload cross the boundary.
 *  - Memory is freed by whoever allocated it. The driver never frees what
 *    the core passes in, and the core never frees what the driver returns.
 *
 * Return convention for every function slot: 0 on success, non-zero on
 * failure, in which case the driver has filled the diagnostic passed in.
 *
 * This header is C89 and C++ clean.
 */
#ifndef DBSHIFT_DRIVER_H
#define DBSHIFT_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ABI version this header describes. */
#define DBSHIFT_DRIVER_ABI_MAJOR 1
#define DBSHIFT_DRIVER_ABI_MINOR 0

/** Mark the entry function so that it stays visible when the module is
 * compiled with -fvisibility=hidden. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define DBSHIFT_DRIVER_EXPORT __attribute__((visibility("default")))
#else
#define DBSHIFT_DRIVER_EXPORT
#endif

/*
 * Capability flags (dbshift_driver.capabilities). The core decides how to
 * run a migration from these, never from the driver's name.
 */
/** DDL statements take part in transactions and roll back with them. */
#define DBSHIFT_CAP_TRANSACTIONAL_DDL (UINT64_C(1) << 0)
/** lock/unlock implement a session lock that does not hold a transaction. */
#define DBSHIFT_CAP_SESSION_LOCK (UINT64_C(1) << 1)
/** The database supports SAVEPOINT. */
#define DBSHIFT_CAP_SAVEPOINTS (UINT64_C(1) << 2)
/** exec() cannot run several statements in one call outside a transaction
 * the way a no-transaction migration needs (PostgreSQL turns a multi-
 * statement string into one implicit transaction); the core splits such
 * scripts and calls exec() once per statement. */
#define DBSHIFT_CAP_SPLIT_STATEMENTS (UINT64_C(1) << 3)

/*
 * A diagnostic, filled by the driver when a call fails. The core allocates
 * it, zeroes it and sets size; a driver writes only the fields that exist in
 * the header it was built against. Strings are NUL-terminated and truncated
 * to fit.
 */
typedef struct dbshift_diag {
	/** sizeof(dbshift_diag) as the core allocated it. */
	uint32_t size;
	/** Index (0-based) of the failing statement within a script; -1 when
	 * unknown or not applicable. */
	int32_t statement_index;
	/** 1-based line of the failing statement's start in the script passed
	 * to exec(); 0 when unknown. */
	int32_t line;
	/** 1-based character position of the error within the failing
	 * statement when the database reports one; 0 when unknown. */
	int32_t position;
	/** Native error code of the database or client library; 0 if none. */
	int64_t native_code;
	/** Five-character SQLSTATE when the database gave one, else "". */
	char sqlstate[8];
	/** One-line message, without a trailing newline. */
	char message[1024];
	/** Extra detail or hint from the database, else "". */
	char detail[512];
} dbshift_diag;

/** Type tags of dbshift_value. */
#define DBSHIFT_VALUE_NULL 0
#define DBSHIFT_VALUE_INT64 1
#define DBSHIFT_VALUE_TEXT 2

/** A parameter or a column value. For TEXT, text points to len bytes (not
 * necessarily NUL-terminated when it comes from a driver). */
typedef struct dbshift_value {
	int32_t type;
	int64_t i64;
	const char *text;
	int64_t len;
} dbshift_value;

/**
 * Functions the core lends to a driver, passed to the entry function. The
 * table is owned by the core and lives as long as the process.
 */
typedef struct dbshift_host {
	/** sizeof(dbshift_host) as the core built it. */
	uint32_t size;
	uint32_t abi_major;
	uint32_t abi_minor;
	/** Fill diag: sets sqlstate (may be NULL), native code and a printf-
	 * style one-line message, truncating safely. */
	void (*diag_set)(dbshift_diag *diag, const char *sqlstate,
			 int64_t native_code, const char *fmt, ...)
#if defined(__GNUC__)
		__attribute__((format(printf, 4, 5)))
#endif
		;
} dbshift_host;

/** Opaque connection handle, defined by each driver. */
typedef struct dbshift_driver_conn dbshift_driver_conn;

/**
 * Row callback of query(). cols holds ncols values valid only during the
 * call. Return 0 to continue, non-zero to stop (query() then returns that
 * value without filling diag).
 */
typedef int (*dbshift_driver_row_fn)(int32_t ncols, const dbshift_value *cols,
				     void *payload);

/** SQLSTATE that open() puts in its diagnostic when the URL itself is at
 * fault (malformed, an unknown parameter, a bad value), found before any
 * server was contacted. The core then reports bad input (exit status 2)
 * rather than a failed connection. */
#define DBSHIFT_SQLSTATE_BAD_URL "22023"

/**
 * Open a connection for url (the full URL as the user gave it). On success
 * store the handle in *out. On failure fill diag, with the SQLSTATE
 * DBSHIFT_SQLSTATE_BAD_URL when the URL is at fault; the message must
 * never contain the password from the URL.
 */
typedef int (*dbshift_driver_open_fn)(dbshift_driver_conn **out,
				      const char *url, dbshift_diag *diag);

/** Close a connection and free it. Accepts NULL. */
typedef void (*dbshift_driver_close_fn)(dbshift_driver_conn *conn);

/**
 * Execute a script of sql_len bytes holding zero or more statements,
 * returning no rows. On failure set statement_index and line in diag when
 * known.
 */
typedef int (*dbshift_driver_exec_fn)(dbshift_driver_conn *conn,
				      const char *sql, size_t sql_len,
				      dbshift_diag *diag);

/**
 * Run one statement with nparams positional parameters written as '?' in
 * sql (the driver maps them to its own placeholder syntax), calling row for
 * each result row when row is not NULL.
 */
typedef int (*dbshift_driver_query_fn)(dbshift_driver_conn *conn,
				       const char *sql,
				       const dbshift_value *params,
				       int32_t nparams,
				       dbshift_driver_row_fn row, void *payload,
				       dbshift_diag *diag);

/** Begin, commit or roll back a transaction. */
typedef int (*dbshift_driver_tx_fn)(dbshift_driver_conn *conn,
				    dbshift_diag *diag);

/**
 * Quote an identifier (one name, no dots) for this dialect into buf of
 * buf_size bytes, NUL-terminated. Fail (with diag) when it does not fit or
 * cannot be quoted.
 */
typedef int (*dbshift_driver_quote_fn)(dbshift_driver_conn *conn,
				       const char *ident, char *buf,
				       size_t buf_size, dbshift_diag *diag);

/**
 * Tell whether table (a name as the user wrote it; the driver may accept a
 * "schema.table" form) exists: set *exists to 1 or 0. Must not start or
 * end a transaction.
 */
typedef int (*dbshift_driver_table_exists_fn)(dbshift_driver_conn *conn,
					      const char *table,
					      int32_t *exists,
					      dbshift_diag *diag);

/**
 * Take a run lock named key, waiting up to timeout_ms milliseconds. Returns
 * 0 when held; non-zero with diag filled on timeout or error.
 */
typedef int (*dbshift_driver_lock_fn)(dbshift_driver_conn *conn,
				      const char *key, int64_t timeout_ms,
				      dbshift_diag *diag);

/** Release the run lock named key. */
typedef int (*dbshift_driver_unlock_fn)(dbshift_driver_conn *conn,
					const char *key, dbshift_diag *diag);

/**
 * The descriptor a driver's entry function returns. It is owned by the
 * driver and must stay valid while the module is loaded (a static const
 * object is the usual choice).
 */
typedef struct dbshift_driver {
	/** ABI the driver was built against: DBSHIFT_DRIVER_ABI_MAJOR/MINOR. */
	uint32_t abi_major;
	uint32_t abi_minor;
	/** sizeof(dbshift_driver) as the driver was built. */
	uint32_t struct_size;
	uint32_t reserved;

	/** Driver name, as in driver_<name>.so ("sqlite"). */
	const char *name;
	/** Dialect token used in migration file names ("sqlite", "postgres",
	 * "mysql"). */
	const char *dialect;
	/** NULL-terminated list of URL schemes the driver accepts, without
	 * the colon. */
	const char *const *schemes;
	/** The driver's own version string. */
	const char *version;
	/** DBSHIFT_CAP_* flags. */
	uint64_t capabilities;

	/* Required slots. */
	dbshift_driver_open_fn open;
	dbshift_driver_close_fn close;
	dbshift_driver_exec_fn exec;
	dbshift_driver_query_fn query;
	dbshift_driver_tx_fn begin;
	dbshift_driver_tx_fn commit;
	dbshift_driver_tx_fn rollback;
	dbshift_driver_quote_fn quote_ident;
	dbshift_driver_table_exists_fn table_exists;

	/* Optional slots (NULL: not supported). */
	dbshift_driver_lock_fn lock;
	dbshift_driver_unlock_fn unlock;
} dbshift_driver;

/** Size of the ABI 1.0 descriptor: everything up to and including
 * table_exists must be present for the core to accept a driver. */
#define DBSHIFT_DRIVER_MIN_SIZE                                                \
	(offsetof(dbshift_driver, table_exists) +                              \
	 sizeof(dbshift_driver_table_exists_fn))

/**
 * Entry function. A driver built as driver_<name>.so exports
 * dbshift_driver_<name>_init; the core falls back to dbshift_driver_init when
 * that is absent. The driver returns NULL when it cannot work with the
 * core's ABI (for example a core_minor lower than it needs).
 */
typedef const dbshift_driver *(*dbshift_driver_init_fn)(
	uint32_t core_abi_major, uint32_t core_abi_minor,
	const dbshift_host *host);

/** Name of the fallback entry symbol. */
#define DBSHIFT_DRIVER_INIT_SYMBOL "dbshift_driver_init"

#ifdef __cplusplus
}
#endif

#endif /* DBSHIFT_DRIVER_H */
