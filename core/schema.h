/* SPDX-License-Identifier: MIT */
/*
 * schema.h - schema snapshots read through a driver's schema slot, and
 * the differences between two of them.
 */
#ifndef DBSHIFT_SCHEMA_H
#define DBSHIFT_SCHEMA_H

#include "dbshift/dbshift.h"
#include "runner.h"

struct dbshift_schema {
	char *dialect;
	dbshift_schema_object *items; /* sorted by kind, table, name */
	size_t n;
	size_t cap;
	dbshift__vec strings; /* every string of items */
};

/** 0 when the runner's driver can read the schema, else DBSHIFT_EDRIVER
 * naming the driver and its ABI. */
int dbshift__schema_supported(dbshift_runner *runner);

/**
 * Read the schema of the runner's connection (which must be open),
 * without the history and lock tables. Errors: DBSHIFT_EDRIVER (no schema
 * slot), DBSHIFT_EDB, DBSHIFT_ENOMEM, recorded in the runner's error.
 */
int dbshift__schema_read(dbshift_schema **out, dbshift_runner *runner);

/**
 * Called by dbshift__schema_diff() for each difference: an object only in
 * a (b is NULL), only in b (a is NULL), or in both but different. Return 0
 * to go on, non-zero to stop (the diff returns that value).
 */
typedef int (*dbshift__diff_fn)(const dbshift_schema_object *a,
				const dbshift_schema_object *b, void *payload);

/** Compare two snapshots object by object, in their order. */
int dbshift__schema_diff(const dbshift_schema *a, const dbshift_schema *b,
			 dbshift__diff_fn fn, void *payload);

/** "index users_email_idx on users", "column users.email", "table users"
 * into buf. */
const char *dbshift__schema_describe(const dbshift_schema_object *o, char *buf,
				     size_t size);

/** What differs between two versions of one object: "type text (was
 * integer), not null (was null)" into buf. */
const char *dbshift__schema_changes(const dbshift_schema_object *was,
				    const dbshift_schema_object *now, char *buf,
				    size_t size);

#endif
