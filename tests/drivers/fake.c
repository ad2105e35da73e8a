/* SPDX-License-Identifier: MIT */
/*
 * fake.c - a minimal driver for the loader tests, compiled several times
 * with -D flags (see the tests section of Makefile.am) into well-formed and
 * deliberately broken modules:
 *
 *   FAKE_NAME=x           the driver's name: entry dbshift_driver_x_init
 *   FAKE_GENERIC_ENTRY    export the generic dbshift_driver_init instead
 *   FAKE_MAJOR_DELTA=n    claim ABI major + n (rejected: newer major)
 *   FAKE_MINOR_DELTA=n    claim ABI minor + n (rejected: newer minor)
 *   FAKE_MINOR=n          claim ABI minor n (an older one: loads)
 *   FAKE_TRUNCATED        struct_size short of DBSHIFT_DRIVER_MIN_SIZE
 *   FAKE_REFUSE           the entry function returns NULL, as a driver
 *                         needing a newer core minor does
 *   FAKE_OLD_MINOR        built "against an older ABI minor" (must load)
 *   FAKE_NO_SLOT          the required exec slot is NULL (rejected)
 *   FAKE_SPLIT_FLAGS=f    declare splitter properties f
 *
 * FAKE_OLD_MINOR builds a real ABI 1.0 driver: its descriptor is the 1.0
 * struct (ending at unlock, without the 1.1 dialect_aliases and
 * split_flags), it claims abi_minor 0, and its entry accepts a host table
 * of the 1.0 size. The core must accept it, must not read past its end
 * (the fields of later minors then read as absent), and must dispatch its
 * scheme.
 * That is exactly the case of an old driver meeting a core whose
 * descriptor has grown.
 *
 * The slots are only loaded, never used for migrations: open fails with a
 * diagnostic set through the host table (which the tests check), the rest
 * fail or do nothing.
 */
#include <stddef.h>
#include <stdint.h>

#include "dbshift/driver.h"

#ifndef FAKE_NAME
#error "FAKE_NAME must be defined"
#endif
#ifndef FAKE_MAJOR_DELTA
#define FAKE_MAJOR_DELTA 0
#endif
#ifndef FAKE_MINOR_DELTA
#define FAKE_MINOR_DELTA 0
#endif
#ifndef FAKE_SPLIT_FLAGS
#define FAKE_SPLIT_FLAGS 0
#endif

#define FAKE_STR_(x) #x
#define FAKE_STR(x) FAKE_STR_(x)
#define FAKE_ENTRY_(name) dbshift_driver_##name##_init
#define FAKE_ENTRY_NAME(name) FAKE_ENTRY_(name)

#ifdef FAKE_GENERIC_ENTRY
#define FAKE_ENTRY dbshift_driver_init
#else
#define FAKE_ENTRY FAKE_ENTRY_NAME(FAKE_NAME)
#endif

static const dbshift_host *fake_host;

static void fake_fail(dbshift_diag *diag, const char *what)
{
	if (fake_host != NULL && diag != NULL)
		fake_host->diag_set(diag, "HY000", 42,
				    "fake driver %s: %s not supported",
				    FAKE_STR(FAKE_NAME), what);
}

static int fake_open(dbshift_driver_conn **out, const char *url,
		     dbshift_diag *diag)
{
	*out = NULL;
	fake_fail(diag, "open");
	return -1;
}

static void fake_close(dbshift_driver_conn *conn)
{
}

#ifndef FAKE_NO_SLOT
static int fake_exec(dbshift_driver_conn *conn, const char *sql, size_t sql_len,
		     dbshift_diag *diag)
{
	fake_fail(diag, "exec");
	return -1;
}
#endif

static int fake_query(dbshift_driver_conn *conn, const char *sql,
		      const dbshift_value *params, int32_t nparams,
		      dbshift_driver_row_fn row, void *payload,
		      dbshift_diag *diag)
{
	fake_fail(diag, "query");
	return -1;
}

static int fake_tx(dbshift_driver_conn *conn, dbshift_diag *diag)
{
	fake_fail(diag, "transactions");
	return -1;
}

static int fake_quote(dbshift_driver_conn *conn, const char *ident, char *buf,
		      size_t buf_size, dbshift_diag *diag)
{
	fake_fail(diag, "quote_ident");
	return -1;
}

static int fake_table_exists(dbshift_driver_conn *conn, const char *table,
			     int32_t *exists, dbshift_diag *diag)
{
	fake_fail(diag, "table_exists");
	return -1;
}

static const char *const fake_schemes[] = {FAKE_STR(FAKE_NAME), NULL};

#ifdef FAKE_OLD_MINOR
/* dbshift_driver as ABI 1.0 defined it. */
struct fake_1_0_driver {
	uint32_t abi_major;
	uint32_t abi_minor;
	uint32_t struct_size;
	uint32_t reserved;
	const char *name;
	const char *dialect;
	const char *const *schemes;
	const char *version;
	uint64_t capabilities;
	dbshift_driver_open_fn open;
	dbshift_driver_close_fn close;
	dbshift_driver_exec_fn exec;
	dbshift_driver_query_fn query;
	dbshift_driver_tx_fn begin;
	dbshift_driver_tx_fn commit;
	dbshift_driver_tx_fn rollback;
	dbshift_driver_quote_fn quote_ident;
	dbshift_driver_table_exists_fn table_exists;
	dbshift_driver_lock_fn lock;
	dbshift_driver_unlock_fn unlock;
};

_Static_assert(sizeof(struct fake_1_0_driver) == DBSHIFT_DRIVER_SIZE_1_0,
	       "the 1.0 descriptor must be a prefix of dbshift_driver");

static const struct fake_1_0_driver fake_desc = {
	.abi_minor = 0,
#else
static const dbshift_driver fake_desc = {
#ifdef FAKE_MINOR
	.abi_minor = FAKE_MINOR,
#else
	.abi_minor = DBSHIFT_DRIVER_ABI_MINOR + FAKE_MINOR_DELTA,
#endif
#endif
	.abi_major = DBSHIFT_DRIVER_ABI_MAJOR + FAKE_MAJOR_DELTA,
#if defined(FAKE_OLD_MINOR)
	.struct_size = sizeof(struct fake_1_0_driver),
#elif defined(FAKE_TRUNCATED)
	.struct_size = offsetof(dbshift_driver, table_exists),
#else
	.struct_size = sizeof(dbshift_driver),
#endif
	.name = FAKE_STR(FAKE_NAME),
	.dialect = "fake",
	.schemes = fake_schemes,
	.version = "0.0.1-fake",
	.open = fake_open,
	.close = fake_close,
#ifndef FAKE_NO_SLOT
	.exec = fake_exec,
#endif
	.query = fake_query,
	.begin = fake_tx,
	.commit = fake_tx,
	.rollback = fake_tx,
	.quote_ident = fake_quote,
	.table_exists = fake_table_exists,
#ifndef FAKE_OLD_MINOR
	.split_flags = FAKE_SPLIT_FLAGS,
#endif
};

DBSHIFT_DRIVER_EXPORT const dbshift_driver *
FAKE_ENTRY(uint32_t core_abi_major, uint32_t core_abi_minor,
	   const dbshift_host *host);

DBSHIFT_DRIVER_EXPORT const dbshift_driver *FAKE_ENTRY(uint32_t core_abi_major,
						       uint32_t core_abi_minor,
						       const dbshift_host *host)
{
#ifdef FAKE_REFUSE
	/* Needs a core minor that does not exist yet. */
	if (core_abi_minor < DBSHIFT_DRIVER_ABI_MINOR + 1)
		return NULL;
#endif
#ifdef FAKE_OLD_MINOR
	/* What a 1.0 driver checked: the 1.0 table is enough. */
	if (host == NULL || host->size < DBSHIFT_HOST_SIZE_1_0)
		return NULL;
#else
	if (host == NULL || host->size < sizeof(dbshift_host))
		return NULL;
#endif
	fake_host = host;
	return (const dbshift_driver *)(const void *)&fake_desc;
}
