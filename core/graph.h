/* SPDX-License-Identifier: MIT */
/*
 * graph.h - dependency graph of a run's migrations and its deterministic
 * topological order.
 */
#ifndef DBSHIFT_GRAPH_H
#define DBSHIFT_GRAPH_H

#include "catalog.h"
#include "error.h"

typedef struct dbshift__graph {
	dbshift__migration **items; /* the run's migrations (borrowed) */
	size_t n;
	dbshift__migration **order;  /* plan order */
	dbshift__migration **by_key; /* sorted by source, then version */
	size_t *rev_start;	     /* dependents of item i: */
	size_t *rev;		     /* rev[rev_start[i] .. rev_start[i+1]) */
} dbshift__graph;

/**
 * Build the graph of items (n migrations, already resolved for the run's
 * dialect) and order it: within a source by version; across sources by
 * declared dependencies; ties among ready migrations broken by version,
 * then source name. O((V + E) log V). Errors (DBSHIFT_EGRAPH): a version a
 * source holds twice (naming both files), a dependency on an unknown
 * migration, a cycle (printed as "a/1 -> b/2 -> a/1", each arrow read
 * "depends on").
 */
int dbshift__graph_build(dbshift__graph *g, dbshift__migration **items,
			 size_t n, dbshift__err *err);
void dbshift__graph_free(dbshift__graph *g);

/** The migration with id "SOURCE/VERSION" (versions compare naturally), or
 * NULL. O(log V). */
dbshift__migration *dbshift__graph_find(const dbshift__graph *g,
					const char *id);

/**
 * Resolve a command-line target: "SOURCE/VERSION", or "VERSION" when
 * exactly one source has it. Errors: DBSHIFT_ENOTFOUND, or DBSHIFT_EINVAL
 * for an ambiguous bare version (listing the candidates).
 */
int dbshift__graph_target(const dbshift__graph *g, const char *target,
			  dbshift__migration **out, dbshift__err *err);

/**
 * Mark in mark[] (size n, zeroed by the caller) target and everything it
 * depends on (direction DBSHIFT_UP) or everything depending on it
 * (DBSHIFT_DOWN), transitively. O(V + E).
 */
int dbshift__graph_closure(const dbshift__graph *g,
			   const dbshift__migration *target,
			   dbshift_direction direction, unsigned char *mark);

#endif
