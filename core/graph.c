/* SPDX-License-Identifier: MIT */
/*
 * graph.c - the dependency graph of a run's migrations.
 *
 * Every migration depends on the previous version of its own source and
 * on what it declares. Kahn's algorithm with a binary heap of ready
 * migrations, keyed by (version, source name), gives the one deterministic
 * order design.md asks for in O((V + E) log V). Duplicates and unknown
 * dependencies are found through one sort by (source, version); a cycle is
 * found by walking unfinished dependencies backwards from any migration
 * left over.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "util.h"

static int key_compare(const dbshift__migration *a, const dbshift__migration *b)
{
	int c = strcmp(a->source, b->source);

	return c != 0 ? c : dbshift_version_compare(a->version, b->version);
}

static int by_key_cmp(const void *pa, const void *pb)
{
	const dbshift__migration *a = *(dbshift__migration *const *)pa;
	const dbshift__migration *b = *(dbshift__migration *const *)pb;
	int c = key_compare(a, b);

	/* Equal keys are duplicates, reported by the caller; order them by
	 * input position so that the message is stable. */
	if (c == 0)
		c = a->index < b->index ? -1 : a->index > b->index;
	return c;
}

/* Tie-break among ready migrations: version, then source name. */
static int ready_less(const dbshift__migration *a, const dbshift__migration *b)
{
	int c = dbshift_version_compare(a->version, b->version);

	if (c == 0)
		c = strcmp(a->source, b->source);
	if (c == 0)
		c = strcmp(a->version, b->version);
	return c < 0;
}

static const char *some_file(const dbshift__migration *m)
{
	if (m->up != NULL && m->up->file != NULL)
		return m->up->file;
	if (m->generic_up.file != NULL)
		return m->generic_up.file;
	return m->id;
}

static int check_duplicates(dbshift__graph *g, dbshift__err *err)
{
	size_t i;

	for (i = 1; i < g->n; i++) {
		const dbshift__migration *a = g->by_key[i - 1];
		const dbshift__migration *b = g->by_key[i];

		if (key_compare(a, b) != 0)
			continue;
		dbshift__err_set(err, DBSHIFT_EGRAPH,
				 "duplicate migration %s: %s and %s", b->id,
				 some_file(a), some_file(b));
		dbshift__err_set_migration(err, b->id);
		dbshift__err_set_file(err, some_file(b));
		return DBSHIFT_EGRAPH;
	}
	return 0;
}

dbshift__migration *dbshift__graph_find(const dbshift__graph *g, const char *id)
{
	const char *slash = strchr(id, '/');
	size_t lo = 0, hi = g->n, src_len;

	if (slash == NULL)
		return NULL;
	src_len = (size_t)(slash - id);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const dbshift__migration *m = g->by_key[mid];
		int c = strncmp(m->source, id, src_len);

		if (c == 0 && m->source[src_len] != '\0')
			c = 1;
		if (c == 0)
			c = dbshift_version_compare(m->version, slash + 1);
		if (c == 0)
			return g->by_key[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Fill each migration's dep_index: the previous version of its source,
 * then its declared dependencies. */
static int resolve_edges(dbshift__graph *g, dbshift__err *err)
{
	size_t i, j;

	for (i = 0; i < g->n; i++) {
		dbshift__migration *m = g->by_key[i];
		int has_prev = i > 0 &&
			       strcmp(g->by_key[i - 1]->source, m->source) == 0;

		free(m->dep_index);
		m->n_dep_index = 0;
		m->dep_index =
			malloc((m->n_depends_on + 1) * sizeof(*m->dep_index));
		if (m->dep_index == NULL)
			return dbshift__err_set(err, DBSHIFT_ENOMEM,
						"out of memory");
		if (has_prev)
			m->dep_index[m->n_dep_index++] =
				g->by_key[i - 1]->index;
		for (j = 0; j < m->n_depends_on; j++) {
			dbshift__migration *dep =
				dbshift__graph_find(g, m->depends_on[j]);

			if (dep == NULL) {
				dbshift__err_set(err, DBSHIFT_EGRAPH,
						 "%s: depends on unknown "
						 "migration '%s' (%s)",
						 m->id, m->depends_on[j],
						 some_file(m));
				dbshift__err_set_migration(err, m->id);
				dbshift__err_set_file(err, some_file(m));
				return DBSHIFT_EGRAPH;
			}
			m->dep_index[m->n_dep_index++] = dep->index;
		}
	}
	return 0;
}

/* Build the reverse adjacency (dependents) in CSR form. */
static int build_reverse(dbshift__graph *g, dbshift__err *err)
{
	size_t i, j, *fill;

	g->rev_start = calloc(g->n + 1, sizeof(*g->rev_start));
	fill = calloc(g->n + 1, sizeof(*fill));
	if (g->rev_start == NULL || fill == NULL) {
		free(fill);
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	}
	for (i = 0; i < g->n; i++)
		for (j = 0; j < g->items[i]->n_dep_index; j++)
			g->rev_start[g->items[i]->dep_index[j] + 1]++;
	for (i = 0; i < g->n; i++)
		g->rev_start[i + 1] += g->rev_start[i];
	g->rev = malloc((g->rev_start[g->n] + 1) * sizeof(*g->rev));
	if (g->rev == NULL) {
		free(fill);
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	}
	for (i = 0; i < g->n; i++) {
		for (j = 0; j < g->items[i]->n_dep_index; j++) {
			size_t d = g->items[i]->dep_index[j];

			g->rev[g->rev_start[d] + fill[d]++] = i;
		}
	}
	free(fill);
	return 0;
}

/* A binary min-heap of migrations, ordered by ready_less. */
typedef struct heap {
	dbshift__migration **items;
	size_t len;
} heap;

static void heap_push(heap *h, dbshift__migration *m)
{
	size_t i = h->len++;

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!ready_less(m, h->items[parent]))
			break;
		h->items[i] = h->items[parent];
		i = parent;
	}
	h->items[i] = m;
}

static dbshift__migration *heap_pop(heap *h)
{
	dbshift__migration *top = h->items[0];
	dbshift__migration *last = h->items[--h->len];
	size_t i = 0;

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= h->len)
			break;
		if (child + 1 < h->len &&
		    ready_less(h->items[child + 1], h->items[child]))
			child++;
		if (!ready_less(h->items[child], last))
			break;
		h->items[i] = h->items[child];
		i = child;
	}
	if (h->len > 0)
		h->items[i] = last;
	return top;
}

/* Describe a cycle among the migrations not ordered (indegree > 0). */
static int report_cycle(dbshift__graph *g, const size_t *indegree,
			dbshift__err *err)
{
	size_t *step = calloc(g->n, sizeof(*step));
	size_t *path = malloc(g->n * sizeof(*path));
	size_t cur = 0, len = 0, i, start;
	dbshift__buf msg = DBSHIFT__BUF_INIT;

	if (step == NULL || path == NULL)
		goto oom;
	while (indegree[cur] == 0)
		cur++;
	/* Walk to an unfinished dependency until a migration repeats. */
	while (step[cur] == 0) {
		path[len++] = cur;
		step[cur] = len;
		for (i = 0; i < g->items[cur]->n_dep_index; i++)
			if (indegree[g->items[cur]->dep_index[i]] > 0)
				break;
		cur = g->items[cur]->dep_index[i];
	}
	start = step[cur] - 1;
	dbshift__buf_puts(&msg, "dependency cycle: ");
	for (i = start; i < len; i++)
		dbshift__buf_printf(&msg, "%s -> ", g->items[path[i]]->id);
	dbshift__buf_puts(&msg, g->items[cur]->id);
	if (msg.oom)
		goto oom;
	dbshift__err_set(err, DBSHIFT_EGRAPH, "%s", msg.ptr);
	dbshift__err_set_migration(err, g->items[cur]->id);
	dbshift__err_set_file(err, some_file(g->items[cur]));
	dbshift__buf_free(&msg);
	free(step);
	free(path);
	return DBSHIFT_EGRAPH;
oom:
	dbshift__buf_free(&msg);
	free(step);
	free(path);
	return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
}

static int topo_sort(dbshift__graph *g, dbshift__err *err)
{
	size_t *indegree = malloc((g->n + 1) * sizeof(*indegree));
	heap ready = {NULL, 0};
	size_t i, j, done = 0;
	int rc = 0;

	ready.items = malloc((g->n + 1) * sizeof(*ready.items));
	if (indegree == NULL || ready.items == NULL) {
		rc = dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < g->n; i++) {
		indegree[i] = g->items[i]->n_dep_index;
		if (indegree[i] == 0)
			heap_push(&ready, g->items[i]);
	}
	while (ready.len > 0) {
		dbshift__migration *m = heap_pop(&ready);

		m->order = done;
		g->order[done++] = m;
		for (j = g->rev_start[m->index]; j < g->rev_start[m->index + 1];
		     j++)
			if (--indegree[g->rev[j]] == 0)
				heap_push(&ready, g->items[g->rev[j]]);
	}
	if (done < g->n)
		rc = report_cycle(g, indegree, err);
out:
	free(indegree);
	free(ready.items);
	return rc;
}

int dbshift__graph_build(dbshift__graph *g, dbshift__migration **items,
			 size_t n, dbshift__err *err)
{
	size_t i;
	int rc;

	memset(g, 0, sizeof(*g));
	g->items = items;
	g->n = n;
	g->order = malloc((n + 1) * sizeof(*g->order));
	g->by_key = malloc((n + 1) * sizeof(*g->by_key));
	if (g->order == NULL || g->by_key == NULL)
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		items[i]->index = i;
		g->by_key[i] = items[i];
	}
	dbshift__sort(g->by_key, n, sizeof(*g->by_key), by_key_cmp);
	rc = check_duplicates(g, err);
	if (rc == 0)
		rc = resolve_edges(g, err);
	if (rc == 0)
		rc = build_reverse(g, err);
	if (rc == 0)
		rc = topo_sort(g, err);
	return rc;
}

void dbshift__graph_free(dbshift__graph *g)
{
	free(g->order);
	free(g->by_key);
	free(g->rev_start);
	free(g->rev);
	memset(g, 0, sizeof(*g));
}

int dbshift__graph_target(const dbshift__graph *g, const char *target,
			  dbshift__migration **out, dbshift__err *err)
{
	dbshift__migration *found = NULL;
	dbshift__buf names = DBSHIFT__BUF_INIT;
	size_t i, count = 0;

	*out = NULL;
	if (strchr(target, '/') != NULL) {
		found = dbshift__graph_find(g, target);
		count = found != NULL;
	} else {
		for (i = 0; i < g->n; i++) {
			if (dbshift_version_compare(g->items[i]->version,
						    target) != 0)
				continue;
			found = g->items[i];
			dbshift__buf_printf(&names, "%s%s", count ? ", " : "",
					    found->id);
			count++;
		}
	}
	if (count == 1) {
		dbshift__buf_free(&names);
		*out = found;
		return 0;
	}
	if (count == 0)
		dbshift__err_set(err, DBSHIFT_ENOTFOUND,
				 "no migration '%s' in the sources", target);
	else
		dbshift__err_set(
			err, DBSHIFT_EINVAL,
			"ambiguous target '%s': %s; write SOURCE/VERSION",
			target, names.ptr ? names.ptr : "");
	dbshift__buf_free(&names);
	return err->pub.code;
}

int dbshift__graph_closure(const dbshift__graph *g,
			   const dbshift__migration *target,
			   dbshift_direction direction, unsigned char *mark)
{
	size_t *stack = malloc((g->n + 1) * sizeof(*stack));
	size_t len = 0, i;

	if (stack == NULL)
		return DBSHIFT_ENOMEM;
	mark[target->index] = 1;
	stack[len++] = target->index;
	while (len > 0) {
		size_t cur = stack[--len];
		const dbshift__migration *m = g->items[cur];
		size_t from, to;
		const size_t *next;

		if (direction == DBSHIFT_UP) {
			next = m->dep_index;
			from = 0;
			to = m->n_dep_index;
		} else {
			next = g->rev;
			from = g->rev_start[cur];
			to = g->rev_start[cur + 1];
		}
		for (i = from; i < to; i++) {
			if (mark[next[i]])
				continue;
			mark[next[i]] = 1;
			stack[len++] = next[i];
		}
	}
	free(stack);
	return 0;
}
