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
#define DBSHIFT_DRIVER_ABI_MINOR 8

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
 * Splitter properties (dbshift_driver.split_flags, valid from 1.1): what
 * the dialect adds to standard SQL ('...' strings with '' inside, "..."
 * names, "--" line comments, block comments). The core's statement
 * splitter reads scripts with them, for the core and for drivers (through
 * dbshift_host.split_*), so no driver needs a splitter of its own.
 */
/** Block comments nest (PostgreSQL). */
#define DBSHIFT_SPLIT_NESTED_COMMENTS (UINT64_C(1) << 0)
/** $$...$$ and $tag$...$tag$ bodies (PostgreSQL dollar quotes). */
#define DBSHIFT_SPLIT_DOLLAR_QUOTES (UINT64_C(1) << 1)
/** E'...' strings take backslash escapes (PostgreSQL). */
#define DBSHIFT_SPLIT_E_STRINGS (UINT64_C(1) << 2)
/** Backslash escapes in every '...' and "..." (MySQL). */
#define DBSHIFT_SPLIT_BACKSLASH_ESCAPES (UINT64_C(1) << 3)
/** `...` quotes a name. */
#define DBSHIFT_SPLIT_BACKTICK_NAMES (UINT64_C(1) << 4)
/** [...] quotes a name (SQLite, SQL Server). */
#define DBSHIFT_SPLIT_BRACKET_NAMES (UINT64_C(1) << 5)
/** '#' starts a comment to the end of the line (MySQL). */
#define DBSHIFT_SPLIT_HASH_COMMENTS (UINT64_C(1) << 6)
/** "--" starts a comment only when white space follows it (MySQL). */
#define DBSHIFT_SPLIT_DASH_SPACE (UINT64_C(1) << 7)
/** A block comment opened by "/" "*!" is a statement, not filler
 * (MySQL's versioned comments, written by mysqldump). */
#define DBSHIFT_SPLIT_BANG_COMMENTS (UINT64_C(1) << 8)
/** ';' inside the BEGIN ... END body of CREATE TRIGGER/FUNCTION/
 * PROCEDURE/EVENT (CASE ... END counted) does not end the statement,
 * nor inside MariaDB's BEGIN NOT ATOMIC ... END. A 1.0 driver, which
 * cannot declare properties, is split with this one alone. */
#define DBSHIFT_SPLIT_ROUTINE_BODIES (UINT64_C(1) << 9)
/** The mysql client's DELIMITER command (valid from 1.5): at the start
 * of a statement, "DELIMITER xx" on a line of its own is not a statement
 * but makes xx end statements (outside strings and comments) until the
 * next DELIMITER command; each text xx ends is one statement, ';' and
 * all. split_next() returns -1 for a command the client would refuse.
 * The iterator's delimiter fields exist only for this property: a driver
 * declares the iterator from a 1.5 header whenever it passes it. */
#define DBSHIFT_SPLIT_DELIMITER_COMMAND (UINT64_C(1) << 10)

/** Longest delimiter DBSHIFT_SPLIT_DELIMITER_COMMAND accepts, in bytes
 * (the mysql client keeps 16). */
#define DBSHIFT_SPLIT_DELIMITER_MAX 16

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
	 * unknown or not applicable. (The core shows it to users counted
	 * from 1: dbshift_error.statement_index, failed_statement_index.) */
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
 * The state of the core's statement splitter over one script (valid from
 * 1.1). A driver declares one on its stack, fills it with
 * dbshift_host.split_init() and reads it with split_next() or
 * split_token(); only the core writes its fields. The script is read
 * where it lies: nothing is allocated.
 */
typedef struct dbshift_split {
	const char *sql; /**< the script, not necessarily NUL-terminated */
	size_t len;	 /**< its length in bytes */
	size_t pos;	 /**< where the search for the next statement starts */
	int32_t line;	 /**< the 1-based line of pos */
	uint32_t reserved;
	uint64_t flags; /**< DBSHIFT_SPLIT_* */
	/* Valid from 1.5, and read or written by the core only when flags
	 * has DBSHIFT_SPLIT_DELIMITER_COMMAND (an older driver's smaller
	 * iterator is never touched past flags). */
	/** Why split_next() returned -1 (a static string), else NULL. */
	const char *error;
	/** Length of the delimiter in force; 0 while ';' ends statements. */
	uint32_t delimiter_len;
	/** DELIMITER commands read so far: a driver that batches statements
	 * ends a batch where this changes. */
	uint32_t delimiter_changes;
	/** The delimiter in force, NUL-terminated; "" while it is ';'. */
	char delimiter[DBSHIFT_SPLIT_DELIMITER_MAX + 8];
} dbshift_split;

/** One statement found by dbshift_host.split_next() (valid from 1.1). */
typedef struct dbshift_stmt {
	size_t start; /**< offset of its first token */
	size_t len;   /**< bytes up to the end of its last token: no
			 trailing ';', white space or comment */
	int32_t line; /**< 1-based line of its first token */
} dbshift_stmt;

/** Token kinds of dbshift_host.split_token() (valid from 1.1). */
#define DBSHIFT_TOKEN_SPACE 0	/**< white space */
#define DBSHIFT_TOKEN_COMMENT 1 /**< a comment (filler) */
#define DBSHIFT_TOKEN_QUOTED 2	/**< a string, quoted name or dollar body */
#define DBSHIFT_TOKEN_WORD 3	/**< a name, keyword or number */
#define DBSHIFT_TOKEN_SYMBOL 4	/**< any other single byte: ';' '(' '?' */

/**
 * A URL taken apart by dbshift_host.url_split() (valid from 1.2): each
 * part a pointer into the URL and a length, as written (not decoded).
 * The form is scheme:[//][USER[:PASSWORD]@]WHERE[?QUERY]; the user-info
 * ends at the last '@' of the URL, so a password may hold any character
 * ('@', ':', '/', '?', ...), and an '@' anywhere else must be written %40.
 * The core shows URLs rebuilt from these parts, so a driver that reads
 * its URL the same way can never disagree with it about which text is the
 * password.
 */
typedef struct dbshift_url_parts {
	const char *scheme; /**< NULL when the URL has no valid scheme */
	size_t scheme_len;
	int32_t authority; /**< 1 when "//" follows the scheme */
	const char *user;  /**< NULL when there is no user-info */
	size_t user_len;
	const char *password; /**< NULL when the user-info has no ':' */
	size_t password_len;
	const char *where; /**< host part and path, up to the '?' */
	size_t where_len;
	const char *query; /**< after the '?', or NULL */
} dbshift_url_parts;

#if defined(__GNUC__)
#define DBSHIFT_DRIVER_PRINTF(fmt, args)                                       \
	__attribute__((format(printf, fmt, args)))
#else
#define DBSHIFT_DRIVER_PRINTF(fmt, args)
#endif

/**
 * Functions the core lends to a driver, passed to the entry function. The
 * table is owned by the core and lives as long as the process. Like
 * SQLite's sqlite3_api_routines, it only grows at the end; a driver reads
 * a slot only when size covers it (DBSHIFT_DRIVER_ENTRY() refuses a core
 * whose table is shorter than the header the driver was built with). The
 * functions are safe to call from any thread.
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
		DBSHIFT_DRIVER_PRINTF(4, 5);

	/* Valid from 1.1. */

	/** diag_set() that returns -1, the failure value of every slot, so
	 * that a slot can "return host->fail(...)". Accepts a NULL diag. */
	int (*fail)(dbshift_diag *diag, const char *sqlstate,
		    int64_t native_code, const char *fmt, ...)
		DBSHIFT_DRIVER_PRINTF(4, 5);
	/** Prepare s to iterate over the len bytes of sql with the splitter
	 * properties flags (DBSHIFT_SPLIT_*). sql must outlive s. */
	void (*split_init)(dbshift_split *s, const char *sql, size_t len,
			   uint64_t flags);
	/** Find the next statement: fill *stmt and return 1, or return 0
	 * when only white space, comments and ';' are left. Empty
	 * statements are skipped, so the n-th call that returns 1 gives
	 * statement index n-1 as the core numbers them in diagnostics.
	 * With DBSHIFT_SPLIT_DELIMITER_COMMAND (1.5) it returns -1 for a
	 * DELIMITER command the mysql client would refuse: *stmt is that
	 * command, s->error says why, and the iterator is at the end. */
	int (*split_next)(dbshift_split *s, dbshift_stmt *stmt);
	/** Read the token at offset pos (< s->len): store its
	 * DBSHIFT_TOKEN_* kind in *kind and return the offset past it. An
	 * open string or comment runs to the end. s itself is unchanged. */
	size_t (*split_token)(const dbshift_split *s, size_t pos,
			      int32_t *kind);
	/** The 1-based line of byte offset pos of sql. */
	int32_t (*line_at)(const char *sql, size_t pos);
	/** Percent-decode the len bytes at s into buf (len + 1 bytes at
	 * least), NUL-terminated; store the decoded length in *out_len
	 * (may be NULL). Returns 0, or -1 for a '%' not followed by two hex
	 * digits or one that decodes to NUL. */
	int (*url_decode)(const char *s, size_t len, char *buf,
			  size_t *out_len);

	/* Valid from 1.2. */

	/** Take url apart (dbshift_url_parts); never fails. */
	void (*url_split)(dbshift_url_parts *parts, const char *url);
	/** Replace in msg (NUL-terminated, in a buffer of size bytes) every
	 * copy of the len-byte secret with "***", also quoted with ' or "
	 * doubled or backslash-escaped. Secrets under 4 bytes are left. */
	void (*scrub)(char *msg, size_t size, const char *secret, size_t len);
	/** scrub() msg of url's password, as written and percent-decoded,
	 * and of every password-like query value (password, pass, passwd,
	 * pwd, sslpassword; names compared percent-decoded). */
	void (*url_scrub)(char *msg, size_t size, const char *url);

	/* Valid from 1.7. */

	/** The quote_ident slot for a dialect whose identifiers are quoted
	 * with the character quote, an inner quote doubled ("a""b" for
	 * a"b, `a``b` for a`b): writes the quoted ident, NUL-terminated,
	 * into buf of size bytes and returns 0; fails (-1, diag set, buf ""
	 * when size > 0) for a NULL or empty ident or a too small buf. */
	int (*quote_ident)(char quote, const char *ident, char *buf,
			   size_t size, dbshift_diag *diag);
	/** The size quoting the len bytes of ident with quote needs, NUL
	 * included; writes it into buf when size is enough (like snprintf,
	 * nothing otherwise). For names the driver builds SQL with. */
	size_t (*quote_into)(char quote, const char *ident, size_t len,
			     char *buf, size_t size);
	/** A NUL-terminated copy of the len bytes of a script for the
	 * client library, to be released with free(); NULL after setting
	 * diag when the script holds a NUL byte (which would silently end
	 * it for the client: SQLSTATE DBSHIFT_SQLSTATE_NOT_RUN, the line
	 * named) or memory ran out. */
	char *(*script_dup)(const char *sql, size_t len, dbshift_diag *diag);
	/** 0, or -1 with diag set as script_dup() does when the len bytes
	 * of sql hold a NUL byte. */
	int (*refuse_nul)(const char *sql, size_t len, dbshift_diag *diag);
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

/** SQLSTATE that exec() puts in its diagnostic when it refused the script
 * before sending any of it (a client-side command it cannot read, such as
 * a malformed DELIMITER). The core then removes the dirty history row it
 * wrote for the migration: nothing ran, so nothing needs repair. A driver
 * that never uses it is still correct (the row stays dirty). */
#define DBSHIFT_SQLSTATE_NOT_RUN "ZD001"

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

/*
 * Schema introspection (optional slot schema, valid from 1.3).
 *
 * The driver reports the objects of the connection's default schema
 * (SQLite: main; PostgreSQL: current_schema(); MySQL: DATABASE()) as rows
 * through the ordinary row callback, one object per row, with the columns
 * below (ncols is at least DBSHIFT_SCHEMA_NCOLS; the core ignores columns
 * past those it knows, and rows of kinds it does not know, so both may
 * grow). The driver leaves out the database's own objects (sqlite_*
 * tables, pg_catalog, information_schema) but not the history or lock
 * tables: the core, which knows their names, drops them. Order does not
 * matter; the core sorts and normalises the snapshot (white space runs of
 * text become one space).
 *
 *   column  type   meaning
 *   KIND    INT64  DBSHIFT_SCHEMA_* below
 *   TABLE   TEXT   the table the object belongs to; for a table or a view,
 *                  its own name
 *   NAME    TEXT   the object's name (a column, index, constraint, view or
 *                  trigger name; a table's own name). Unique per (KIND,
 *                  TABLE); for objects the database leaves unnamed
 *                  (SQLite keys) a name made from its definition, with
 *                  a space in it ("foreign key (team_id)").
 *   TYPE    TEXT   column: its type as the database spells it; index:
 *                  "index" or "unique index" (or "fulltext index", ...);
 *                  constraint: "primary key", "unique", "foreign key",
 *                  "check", "exclude"; view: "view" or "materialized
 *                  view"; trigger: its timing and event when known. NULL
 *                  when it does not apply.
 *   NULLABLE INT64 column: 1 when it accepts NULL, 0 when NOT NULL; other
 *                  kinds 0.
 *   DEFAULT TEXT   column: the default expression, NULL when none
 *   DETAIL  TEXT   SQL in the database's dialect that defines the
 *                  object: index: its CREATE INDEX statement; constraint:
 *                  its clause as in CREATE TABLE ("PRIMARY KEY (id)");
 *                  view, trigger: its CREATE statement; column: extras
 *                  (identity, generated, auto_increment). NULL when none.
 *   POSITION INT64 column: 1-based position among the table's columns;
 *                  other kinds 0
 */
#define DBSHIFT_SCHEMA_TABLE 1
#define DBSHIFT_SCHEMA_COLUMN 2
#define DBSHIFT_SCHEMA_INDEX 3
#define DBSHIFT_SCHEMA_CONSTRAINT 4
#define DBSHIFT_SCHEMA_VIEW 5
#define DBSHIFT_SCHEMA_TRIGGER 6

#define DBSHIFT_SCHEMA_COL_KIND 0
#define DBSHIFT_SCHEMA_COL_TABLE 1
#define DBSHIFT_SCHEMA_COL_NAME 2
#define DBSHIFT_SCHEMA_COL_TYPE 3
#define DBSHIFT_SCHEMA_COL_NULLABLE 4
#define DBSHIFT_SCHEMA_COL_DEFAULT 5
#define DBSHIFT_SCHEMA_COL_DETAIL 6
#define DBSHIFT_SCHEMA_COL_POSITION 7
#define DBSHIFT_SCHEMA_NCOLS 8

/**
 * Report the schema through row (see above), payload passed along. A
 * non-zero return of row stops the call, which then returns that value
 * without filling diag. Must not start or end a transaction, so that the
 * core may call it inside one.
 */
typedef int (*dbshift_driver_schema_fn)(dbshift_driver_conn *conn,
					dbshift_driver_row_fn row,
					void *payload, dbshift_diag *diag);
/** SQLSTATE a driver puts in its diagnostic when a statement failed
 * because it waited longer for a lock than set_lock_wait() allows
 * (PostgreSQL's lock_not_available). The core retries such a migration. */
#define DBSHIFT_SQLSTATE_LOCK_TIMEOUT "55P03"

/*
 * Session facts (dbshift_session_info.flags), ABI 1.4.
 */
/** The server accepts no writes on this session: a hot standby, a
 * replica, a server or database set read-only. */
#define DBSHIFT_SESSION_READ_ONLY (UINT32_C(1) << 0)
/** The session lock does not serialise every client of this database: a
 * cluster where it is node-local (Galera), or a pooler that shares server
 * sessions between clients (PgBouncer in transaction mode). The core then
 * uses the lease row unless the user insists. */
#define DBSHIFT_SESSION_LOCK_LOCAL (UINT32_C(1) << 1)

/**
 * What the driver found out about a session right after connecting,
 * filled by session_info(). The core zeroes it and sets size; a driver
 * writes only the fields of the header it was built against. Strings are
 * NUL-terminated and truncated to fit.
 */
typedef struct dbshift_session_info {
	/** sizeof(dbshift_session_info) as the core allocated it. */
	uint32_t size;
	/** DBSHIFT_SESSION_* flags. */
	uint32_t flags;
	/** Why the flags are set, for people: "Galera cluster node (wsrep_on
	 * is ON): GET_LOCK is node-local", "hot standby (in recovery)"; ""
	 * when no flag is set. */
	char note[256];
	/** The server's identity of this session (server and connection or
	 * backend id), which session_alive() on another connection to the
	 * same database can check; "" when there is none worth recording
	 * (behind a pooler, an embedded database). */
	char token[128];
} dbshift_session_info;

/**
 * Describe conn's session (see dbshift_session_info). Called once, right
 * after open(). It may also set the session up for what it found (the
 * MySQL driver makes a Galera node wait for replication before reads).
 */
typedef int (*dbshift_driver_session_info_fn)(dbshift_driver_conn *conn,
					      dbshift_session_info *info,
					      dbshift_diag *diag);

/**
 * Is the session named token (another connection's session_info token)
 * still connected? Called on a connection whose session_info ran. *alive gets 1
 * (connected, or cannot be ruled out), 0 (gone for certain) or -1 (cannot tell
 * from this session: another node, another server, no right to see it).
 */
typedef int (*dbshift_driver_session_alive_fn)(dbshift_driver_conn *conn,
					       const char *token,
					       int32_t *alive,
					       dbshift_diag *diag);

/** The database server's clock: *unix_ms gets milliseconds since the
 * epoch. Must not start or end a transaction. */
typedef int (*dbshift_driver_server_time_fn)(dbshift_driver_conn *conn,
					     int64_t *unix_ms,
					     dbshift_diag *diag);

/**
 * From now on, let a statement wait at most timeout_ms milliseconds for a
 * lock another session holds (0: the database's default), failing with
 * SQLSTATE DBSHIFT_SQLSTATE_LOCK_TIMEOUT when it waited too long
 * (PostgreSQL lock_timeout, MySQL lock_wait_timeout, SQLite busy
 * timeout).
 */
typedef int (*dbshift_driver_set_lock_wait_fn)(dbshift_driver_conn *conn,
					       int64_t timeout_ms,
					       dbshift_diag *diag);

/** Steps of exec_recorded() (valid from 1.6), for *failed_step. */
#define DBSHIFT_RECORDED_BEGIN 0  /**< beginning the transaction */
#define DBSHIFT_RECORDED_SCRIPT 1 /**< a statement of the script */
#define DBSHIFT_RECORDED_RECORD 2 /**< the history statement */
#define DBSHIFT_RECORDED_COMMIT 3 /**< committing */

/**
 * Run a migration and its history write as one transaction, in as few
 * round trips as the database allows (PostgreSQL: one). It does what
 * begin(), exec(conn, sql, sql_len), query(conn, record, params,
 * nparams, NULL, NULL) and commit() would do one after the other, with
 * the same rules (set_lock_wait()'s setting, statement numbering and
 * lines in diag, a script's own COMMIT), but may send them together.
 * When elapsed_param >= 0, params[elapsed_param] stands for the script's
 * execution time in milliseconds: the driver puts there the time the
 * script took, measured where it likes (the server's clock, when the
 * statements are sent before any has run); the core's value there is a
 * placeholder. -1: no parameter is the time (a delete). On failure diag is
 * filled, *failed_step says which step failed (DBSHIFT_RECORDED_*), nothing of
 * the transaction is committed and none is left open. The core calls it only
 * for a migration that runs in a transaction with a script, and only where it
 * needs no other statement between script and history write; otherwise it uses
 * the slots above.
 */
typedef int (*dbshift_driver_exec_recorded_fn)(
	dbshift_driver_conn *conn, const char *sql, size_t sql_len,
	const char *record, const dbshift_value *params, int32_t nparams,
	int32_t elapsed_param, int32_t *failed_step, dbshift_diag *diag);

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
	 * "mysql"): lower-case letters, digits and '_'. */
	const char *dialect;
	/** NULL-terminated list of URL schemes the driver accepts, without
	 * the colon, lower-case. The core picks the driver of a URL by its
	 * scheme from this list (see docs/ABI.md, "Dispatch"). */
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

	/* Valid from 1.1. */

	/** NULL-terminated list of other tokens that name the dialect in
	 * migration file names, dialect folders and the dialects directive
	 * ("pg", "postgresql" for "postgres"); NULL for none. Tokens are
	 * lower-case letters, digits and '_'. */
	const char *const *dialect_aliases;
	/** DBSHIFT_SPLIT_* properties of the dialect's SQL. */
	uint64_t split_flags;

	/* Valid from 1.3 (struct_size tells; NULL: not supported). */
	/** Schema introspection for verify, dump and the test API. */
	dbshift_driver_schema_fn schema;
	/* Valid from 1.4: optional slots for clusters, poolers and DDL
	 * locks. */
	dbshift_driver_session_info_fn session_info;
	dbshift_driver_session_alive_fn session_alive;
	dbshift_driver_server_time_fn server_time;
	dbshift_driver_set_lock_wait_fn set_lock_wait;
	/* Valid from 1.6 (NULL: the core runs begin, exec, query and
	 * commit one after the other). */
	dbshift_driver_exec_recorded_fn exec_recorded;

	/* Valid from 1.8. */

	/** Table options the core appends, after a space, to the CREATE
	 * TABLE statements of its own tables (the history and the lease lock
	 * table): "WITHOUT ROWID" on SQLite, which keeps each table in one
	 * b-tree. NULL or "" for none. Existing tables are left as they are. */
	const char *table_options;
} dbshift_driver;

/** Size of the ABI 1.0 descriptor: everything up to and including
 * table_exists must be present for the core to accept a driver. */
#define DBSHIFT_DRIVER_MIN_SIZE                                                \
	(offsetof(dbshift_driver, table_exists) +                              \
	 sizeof(dbshift_driver_table_exists_fn))

/** Size of the ABI 1.0 descriptor: abi_major through unlock. */
#define DBSHIFT_DRIVER_SIZE_1_0 offsetof(dbshift_driver, dialect_aliases)

/** Size of the ABI 1.1 and 1.2 descriptor: abi_major through
 * split_flags. */
#define DBSHIFT_DRIVER_SIZE_1_1 offsetof(dbshift_driver, schema)

/** Size of the ABI 1.3 descriptor: abi_major through schema. */
#define DBSHIFT_DRIVER_SIZE_1_3 offsetof(dbshift_driver, session_info)

/** Size of the ABI 1.4 and 1.5 descriptor: abi_major through
 * set_lock_wait. */
#define DBSHIFT_DRIVER_SIZE_1_4 offsetof(dbshift_driver, exec_recorded)

/** Size of the ABI 1.6 and 1.7 descriptor: abi_major through
 * exec_recorded. */
#define DBSHIFT_DRIVER_SIZE_1_6 offsetof(dbshift_driver, table_options)

/** Size of the ABI 1.0 host table: size, the ABI and diag_set. */
#define DBSHIFT_HOST_SIZE_1_0 offsetof(dbshift_host, fail)

/** Size of the ABI 1.1 host table: up to url_decode. */
#define DBSHIFT_HOST_SIZE_1_1 offsetof(dbshift_host, url_split)

/** Size of the ABI 1.2 to 1.6 host table: up to url_scrub. */
#define DBSHIFT_HOST_SIZE_1_6 offsetof(dbshift_host, quote_ident)

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

/**
 * Define the entry function of driver NAME (a C identifier: the module is
 * driver_NAME.so), exported as dbshift_driver_NAME_init. It refuses (NULL)
 * a core of another ABI major, an older minor than this header's, or a
 * host table shorter than this header's; otherwise it stores the core's
 * table in host_var (an lvalue of type const dbshift_host *, usually a
 * static of the driver) and returns describe, an expression of type
 * const dbshift_driver * evaluated after host_var is set (usually
 * &my_driver; a function call when the descriptor is completed at load
 * time). Use it once, at file scope:
 *
 *   static const dbshift_host *host;
 *   static const dbshift_driver my_driver = { ... };
 *   DBSHIFT_DRIVER_ENTRY(my, host, &my_driver)
 */
#define DBSHIFT_DRIVER_ENTRY(name, host_var, describe)                         \
	DBSHIFT_DRIVER_ENTRY_(name, host_var, describe)
/* A second level, so that a name given as a macro is expanded first. */
#define DBSHIFT_DRIVER_ENTRY_(name, host_var, describe)                        \
	DBSHIFT_DRIVER_EXPORT const dbshift_driver                             \
		*dbshift_driver_##name##_init(uint32_t core_abi_major,         \
					      uint32_t core_abi_minor,         \
					      const dbshift_host *core_host);  \
	DBSHIFT_DRIVER_EXPORT const dbshift_driver                             \
		*dbshift_driver_##name##_init(uint32_t core_abi_major,         \
					      uint32_t core_abi_minor,         \
					      const dbshift_host *core_host)   \
	{                                                                      \
		if (core_abi_major != DBSHIFT_DRIVER_ABI_MAJOR ||              \
		    core_abi_minor < DBSHIFT_DRIVER_ABI_MINOR ||               \
		    core_host == NULL ||                                       \
		    core_host->size < sizeof(dbshift_host))                    \
			return NULL;                                           \
		(host_var) = core_host;                                        \
		return (describe);                                             \
	}

#ifdef __cplusplus
}
#endif

#endif /* DBSHIFT_DRIVER_H */
