/* SPDX-License-Identifier: MIT */
/*
 * findings.h - the report of validate and verify: a list of findings,
 * each with its kind, the migration and a one-line message.
 */
#ifndef DBSHIFT_FINDINGS_H
#define DBSHIFT_FINDINGS_H

#include "dbshift/dbshift.h"
#include "util.h"

struct dbshift_findings {
	dbshift_finding *items;
	size_t n;
	size_t cap;
	dbshift__vec strings;
};

/** Append a finding with a printf-style message; -1 when out of memory. */
int dbshift__findings_add(dbshift_findings *f, dbshift_finding_kind kind,
			  int warning, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/** Number of findings that are not warnings. */
int dbshift__findings_problems(const dbshift_findings *f);

#endif
