/* SPDX-License-Identifier: MIT */
/*
 * check_graph.c - the dependency graph and its deterministic order:
 * interleaving of sources, cross-source dependencies, the tie-break rule
 * (version, then source name), cycles, unknown dependencies, duplicates,
 * targets and closures.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "graph.h"
#include "suites.h"

#define MAX_MIGRATIONS 64

static dbshift__migration *items[MAX_MIGRATIONS];
static size_t n_items;
static dbshift__graph graph;
static dbshift__err err;

/* Add migration SOURCE/VERSION depending on the space-separated ids in
 * deps (may be NULL). */
static dbshift__migration *add(const char *source, const char *version,
			       const char *deps)
{
	dbshift__migration *m = calloc(1, sizeof(*m));
	char buf[256], *save = NULL, *tok;

	ck_assert(m != NULL && n_items < MAX_MIGRATIONS);
	m->source = strdup(source);
	m->version = strdup(version);
	m->name = strdup("");
	m->id = malloc(strlen(source) + strlen(version) + 2);
	snprintf(m->id, strlen(source) + strlen(version) + 2, "%s/%s", source,
		 version);
	if (deps != NULL) {
		snprintf(buf, sizeof(buf), "%s", deps);
		for (tok = strtok_r(buf, " ", &save); tok != NULL;
		     tok = strtok_r(NULL, " ", &save)) {
			m->depends_on =
				realloc(m->depends_on,
					(m->n_depends_on + 1) * sizeof(char *));
			m->depends_on[m->n_depends_on++] = strdup(tok);
		}
	}
	items[n_items++] = m;
	return m;
}

static void setup(void)
{
	n_items = 0;
	memset(&graph, 0, sizeof(graph));
	dbshift__err_init(&err);
}

static void teardown(void)
{
	size_t i;

	dbshift__graph_free(&graph);
	for (i = 0; i < n_items; i++)
		dbshift__migration_free(items[i]);
	n_items = 0;
}

static int build(void)
{
	return dbshift__graph_build(&graph, items, n_items, &err);
}

/* The plan order as "a/1 b/2 ...". */
static const char *order(void)
{
	static char buf[2048];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < graph.n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? " " : "", graph.order[i]->id);
	return buf;
}

START_TEST(test_graph_single_source_in_version_order)
{
	add("app", "10", NULL);
	add("app", "2", NULL);
	add("app", "001", NULL);
	add("app", "2024-01-01-120000", NULL);
	ck_assert_int_eq(build(), 0);
	ck_assert_str_eq(order(), "app/001 app/2 app/10 app/2024-01-01-120000");
	ck_assert_uint_eq(graph.order[2]->order, 2);
}
END_TEST

START_TEST(test_graph_sources_interleave_by_version_then_name)
{
	add("jobs", "1", NULL);
	add("auth", "1", NULL);
	add("auth", "3", NULL);
	add("jobs", "2", NULL);
	add("app", "2", NULL);
	ck_assert_int_eq(build(), 0);
	/* Ties broken by version, then source name. */
	ck_assert_str_eq(order(), "auth/1 jobs/1 app/2 jobs/2 auth/3");
}
END_TEST

START_TEST(test_graph_dependencies_override_versions)
{
	add("app", "1", "auth/5");
	add("app", "2", NULL);
	add("auth", "5", "jobs/9");
	add("jobs", "9", NULL);
	add("mail", "0", NULL);
	ck_assert_int_eq(build(), 0);
	ck_assert_str_eq(order(), "mail/0 jobs/9 auth/5 app/1 app/2");
}
END_TEST

START_TEST(test_graph_is_deterministic_whatever_the_input_order)
{
	const char *first;
	char saved[2048];
	int round;

	for (round = 0; round < 2; round++) {
		if (round == 0) {
			add("b", "1", NULL);
			add("a", "2", "b/1");
			add("c", "1", NULL);
			add("a", "1", NULL);
		} else {
			add("a", "1", NULL);
			add("c", "1", NULL);
			add("a", "2", "b/1");
			add("b", "1", NULL);
		}
		ck_assert_int_eq(build(), 0);
		first = order();
		if (round == 0)
			snprintf(saved, sizeof(saved), "%s", first);
		else
			ck_assert_str_eq(first, saved);
		teardown();
		setup();
	}
	ck_assert_str_eq(saved, "a/1 b/1 c/1 a/2");
}
END_TEST

START_TEST(test_graph_two_node_cycle)
{
	add("a", "1", "b/1");
	add("b", "1", "a/1");
	ck_assert_int_eq(build(), DBSHIFT_EGRAPH);
	ck_assert_ptr_nonnull(strstr(err.message, "dependency cycle: "));
	ck_assert(strstr(err.message, "a/1 -> b/1 -> a/1") != NULL ||
		  strstr(err.message, "b/1 -> a/1 -> b/1") != NULL);
}
END_TEST

START_TEST(test_graph_longer_cycle_through_version_order)
{
	/* auth/2 follows auth/1 implicitly; the cycle runs through it. */
	add("auth", "1", "app/1");
	add("auth", "2", NULL);
	add("app", "1", "jobs/1");
	add("jobs", "1", "auth/2");
	add("mail", "1", NULL);
	ck_assert_int_eq(build(), DBSHIFT_EGRAPH);
	ck_assert_ptr_nonnull(strstr(err.message, "auth/2 -> auth/1"));
	ck_assert_ptr_nonnull(strstr(err.message, "jobs/1 -> auth/2"));
	ck_assert_ptr_nonnull(strstr(err.message, "app/1 -> jobs/1"));
	ck_assert_ptr_null(strstr(err.message, "mail"));
}
END_TEST

START_TEST(test_graph_self_dependency)
{
	add("a", "1", "a/1");
	ck_assert_int_eq(build(), DBSHIFT_EGRAPH);
	ck_assert_ptr_nonnull(strstr(err.message, "a/1 -> a/1"));
}
END_TEST

START_TEST(test_graph_unknown_dependency)
{
	add("a", "1", NULL);
	add("a", "2", "lib/7");
	ck_assert_int_eq(build(), DBSHIFT_EGRAPH);
	ck_assert_ptr_nonnull(strstr(err.message, "a/2"));
	ck_assert_ptr_nonnull(strstr(err.message, "'lib/7'"));
	ck_assert_str_eq(err.migration, "a/2");
	teardown();
	setup();
	add("a", "1", "nosuchsource/1");
	add("b", "1", "a/9");
	ck_assert_int_eq(build(), DBSHIFT_EGRAPH);
}
END_TEST

START_TEST(test_graph_duplicates)
{
	add("a", "1", NULL);
	add("a", "001", NULL);
	ck_assert_int_eq(build(), DBSHIFT_EGRAPH);
	ck_assert_ptr_nonnull(strstr(err.message, "duplicate migration"));
	/* The same version in two sources is fine. */
	teardown();
	setup();
	add("a", "1", NULL);
	add("b", "1", NULL);
	ck_assert_int_eq(build(), 0);
}
END_TEST

START_TEST(test_graph_find_and_targets)
{
	dbshift__migration *m = NULL;

	add("auth", "001", NULL);
	add("auth", "2", NULL);
	add("jobs", "2", NULL);
	ck_assert_int_eq(build(), 0);
	ck_assert_ptr_eq(dbshift__graph_find(&graph, "auth/1"), items[0]);
	ck_assert_ptr_eq(dbshift__graph_find(&graph, "auth/001"), items[0]);
	ck_assert_ptr_null(dbshift__graph_find(&graph, "aut/1"));
	ck_assert_ptr_null(dbshift__graph_find(&graph, "authx/1"));
	ck_assert_ptr_null(dbshift__graph_find(&graph, "nosource"));
	ck_assert_int_eq(dbshift__graph_target(&graph, "001", &m, &err), 0);
	ck_assert_ptr_eq(m, items[0]);
	ck_assert_int_eq(dbshift__graph_target(&graph, "jobs/2", &m, &err), 0);
	ck_assert_ptr_eq(m, items[2]);
	ck_assert_int_eq(dbshift__graph_target(&graph, "2", &m, &err),
			 DBSHIFT_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "auth/2, jobs/2"));
	ck_assert_int_eq(dbshift__graph_target(&graph, "9", &m, &err),
			 DBSHIFT_ENOTFOUND);
	ck_assert_int_eq(dbshift__graph_target(&graph, "x/9", &m, &err),
			 DBSHIFT_ENOTFOUND);
}
END_TEST

START_TEST(test_graph_closures)
{
	unsigned char mark[8];

	add("auth", "1", NULL);	   /* 0 */
	add("auth", "2", NULL);	   /* 1 */
	add("app", "1", "auth/1"); /* 2 */
	add("app", "2", NULL);	   /* 3 */
	add("mail", "1", NULL);	   /* 4 */
	ck_assert_int_eq(build(), 0);
	memset(mark, 0, sizeof(mark));
	ck_assert_int_eq(
		dbshift__graph_closure(&graph, items[3], DBSHIFT_UP, mark), 0);
	ck_assert(mark[3] && mark[2] && mark[0]);
	ck_assert(!mark[1] && !mark[4]);
	memset(mark, 0, sizeof(mark));
	ck_assert_int_eq(
		dbshift__graph_closure(&graph, items[0], DBSHIFT_DOWN, mark),
		0);
	ck_assert(mark[0] && mark[1] && mark[2] && mark[3]);
	ck_assert(!mark[4]);
}
END_TEST

/* A wide graph exercises the heap: many sources ready at once. */
START_TEST(test_graph_many_sources)
{
	char source[16], version[16], dep[32];
	int s, v;

	for (s = 19; s >= 0; s--) {
		for (v = 3; v >= 1; v--) {
			snprintf(source, sizeof(source), "s%02d", s);
			snprintf(version, sizeof(version), "%d", v);
			snprintf(dep, sizeof(dep), "s%02d/%d", (s + 1) % 20, v);
			add(source, version, v == 3 && s % 2 ? dep : NULL);
		}
	}
	ck_assert_int_eq(build(), 0);
	ck_assert_str_eq(graph.order[0]->id, "s00/1");
	ck_assert_str_eq(graph.order[19]->id, "s19/1");
	ck_assert_str_eq(graph.order[20]->id, "s00/2");
	/* s01/3 depends on s02/3, which sorts after it by name. */
	ck_assert_uint_lt(dbshift__graph_find(&graph, "s02/3")->order,
			  dbshift__graph_find(&graph, "s01/3")->order);
}
END_TEST

Suite *graph_suite(void)
{
	Suite *s = suite_create("graph");
	TCase *tc = tcase_create("order");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_graph_single_source_in_version_order);
	tcase_add_test(tc, test_graph_sources_interleave_by_version_then_name);
	tcase_add_test(tc, test_graph_dependencies_override_versions);
	tcase_add_test(tc,
		       test_graph_is_deterministic_whatever_the_input_order);
	tcase_add_test(tc, test_graph_two_node_cycle);
	tcase_add_test(tc, test_graph_longer_cycle_through_version_order);
	tcase_add_test(tc, test_graph_self_dependency);
	tcase_add_test(tc, test_graph_unknown_dependency);
	tcase_add_test(tc, test_graph_duplicates);
	tcase_add_test(tc, test_graph_find_and_targets);
	tcase_add_test(tc, test_graph_closures);
	tcase_add_test(tc, test_graph_many_sources);
	suite_add_tcase(s, tc);
	return s;
}
