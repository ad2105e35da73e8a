/* SPDX-License-Identifier: MIT */
/*
 * plan.c - a measurement, not a test: how long the runner takes to load,
 * resolve and order a large migration graph, and how much memory it
 * needs. A custom source type generates 50,000 migrations spread over 200
 * sources with 100,000 dependencies between sources (each on a migration
 * of another source with a smaller global index, so the graph is
 * acyclic); dbshift_runner_status() on a fresh SQLite :memory: database
 * then loads every source, resolves each migration, builds and orders the
 * graph and reads an empty history. Prints the elapsed time and the peak
 * resident set size (getrusage). Run it with `make bench-plan`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <dbshift/dbshift.h>

#define N_SOURCES 200
#define N_MIGRATIONS 50000
#define N_DEPS 100000
#define MAX_DEPS 4 /* per migration */

/* The dependencies of every migration, by global index. */
struct bench_graph {
	int first[N_MIGRATIONS + 1]; /* deps of g: dep[first[g]..first[g+1]) */
	int dep[N_DEPS];
};

/* One generated source: its index among the N_SOURCES. */
struct bench_source {
	const struct bench_graph *graph;
	int index;
};

/* Migration g belongs to source g % N_SOURCES, as its version g / N + 1. */
static void bench_id(char *buf, size_t size, int g)
{
	snprintf(buf, size, "s%03d/%06d", g % N_SOURCES, g / N_SOURCES + 1);
}

/* A small deterministic generator (no dependence on the C library). */
static unsigned long bench_random(unsigned long long *state)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned long)(*state >> 33);
}

/*
 * Give each migration from the second round on two dependencies (the
 * last 200 four, to reach exactly N_DEPS), each on a distinct earlier
 * migration of another source.
 */
static void bench_graph_build(struct bench_graph *graph)
{
	unsigned long long state = 42;
	int g, k, n, pick, used = 0, i, dup;

	for (g = 0; g < N_MIGRATIONS; g++) {
		graph->first[g] = used;
		n = g < N_SOURCES ? 0 : g >= N_MIGRATIONS - N_SOURCES ? 4 : 2;
		for (k = 0; k < n;) {
			pick = (int)(bench_random(&state) % (unsigned long)g);
			dup = pick % N_SOURCES == g % N_SOURCES;
			for (i = graph->first[g]; i < used && !dup; i++)
				dup = graph->dep[i] == pick;
			if (dup)
				continue;
			graph->dep[used++] = pick;
			k++;
		}
	}
	graph->first[N_MIGRATIONS] = used;
}

/* The load callback: every migration of the source, in version order. */
static int bench_load(void *state, dbshift_catalog *catalog)
{
	const struct bench_source *src = state;
	const struct bench_graph *graph = src->graph;
	dbshift_migration_def def = DBSHIFT_MIGRATION_DEF_INIT;
	char version[16], name[16], ids[MAX_DEPS][24];
	const char *deps[MAX_DEPS];
	int g, i, n, rc;

	for (g = src->index; g < N_MIGRATIONS; g += N_SOURCES) {
		snprintf(version, sizeof(version), "%06d", g / N_SOURCES + 1);
		snprintf(name, sizeof(name), "m%d", g);
		n = graph->first[g + 1] - graph->first[g];
		for (i = 0; i < n; i++) {
			bench_id(ids[i], sizeof(ids[i]),
				 graph->dep[graph->first[g] + i]);
			deps[i] = ids[i];
		}
		def.migration_version = version;
		def.name = name;
		def.up = "SELECT 1;";
		def.up_len = 9;
		def.depends_on = deps;
		def.n_depends_on = (size_t)n;
		rc = dbshift_catalog_add(catalog, &def);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static const dbshift_source_ops bench_ops = {
	DBSHIFT_SOURCE_OPS_VERSION,
	bench_load,
	NULL,
};

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A runner on SQLite :memory: with the N_SOURCES generated sources. */
static int bench_runner(dbshift_runner **runner, struct bench_source *sources)
{
	dbshift_runner_options opts = {.version =
					       DBSHIFT_RUNNER_OPTIONS_VERSION};
	dbshift_source *src;
	char name[8];
	int i, rc;

	opts.url = "sqlite::memory:";
	rc = dbshift_runner_new(runner, &opts);
	for (i = 0; i < N_SOURCES && rc == 0; i++) {
		snprintf(name, sizeof(name), "s%03d", i);
		rc = dbshift_source_new(&src, name, &bench_ops, &sources[i]);
		if (rc == 0)
			rc = dbshift_runner_add_source(*runner, src);
	}
	return rc;
}

int main(void)
{
	static struct bench_graph graph;
	static struct bench_source sources[N_SOURCES];
	dbshift_runner *runner = NULL;
	dbshift_status *status = NULL;
	struct rusage usage;
	double start, elapsed;
	int i, rc;

	bench_graph_build(&graph);
	for (i = 0; i < N_SOURCES; i++) {
		sources[i].graph = &graph;
		sources[i].index = i;
	}
	rc = bench_runner(&runner, sources);
	if (rc == 0) {
		start = bench_now();
		rc = dbshift_runner_status(runner, &status);
		elapsed = bench_now() - start;
	}
	if (rc != 0) {
		fprintf(stderr, "bench-plan: %s\n",
			runner != NULL ? dbshift_runner_error(runner)->message :
					 dbshift_error_last()->message);
		dbshift_runner_free(runner);
		return 1;
	}
	if (dbshift_status_count(status) != N_MIGRATIONS)
		fprintf(stderr, "bench-plan: %lu entries, expected %d\n",
			(unsigned long)dbshift_status_count(status),
			N_MIGRATIONS);
	getrusage(RUSAGE_SELF, &usage);
	printf("migrations:   %d in %d sources, %d cross-source "
	       "dependencies\n",
	       N_MIGRATIONS, N_SOURCES, graph.first[N_MIGRATIONS]);
	printf("status:       %lu entries in %.3f s (load, resolve, order, "
	       "empty history)\n",
	       (unsigned long)dbshift_status_count(status), elapsed);
	printf("peak RSS:     %.1f MiB\n", (double)usage.ru_maxrss / 1024.0);
	dbshift_status_free(status);
	dbshift_runner_free(runner);
	return 0;
}
