/* SPDX-License-Identifier: MIT */
/*
 * check_badinput.c - bad connection input through the CLI on every
 * dialect: a wrong password, an unreachable host, a missing database and
 * an unknown URL parameter each end in one clear line, the exit status
 * design.md gives (1 for a failed connection, 2 for a URL at fault), no
 * hang, and never the password in any output.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dialects.h"
#include "fixture.h"
#include "suites.h"

#define SECRET "s3cr3t-Pw"

/* Run `dbshift -u URL status` and check the outcome. */
static void expect_status(const char *url, int want_exit, const char *needle)
{
	time_t start = time(NULL);
	fx_run run;

	fx_mkdir("migrations");
	run = fx_cli("-u", url, "status", NULL);
	ck_assert_msg(run.status == want_exit, "%s: exit %d (wanted %d): %s",
		      url, run.status, want_exit, run.err);
	ck_assert_msg(strstr(run.out, SECRET) == NULL &&
			      strstr(run.err, SECRET) == NULL,
		      "password printed: %s%s", run.out, run.err);
	ck_assert_msg(needle == NULL || strstr(run.err, needle) != NULL,
		      "'%s' not in: %s", needle, run.err);
	ck_assert_msg(strchr(run.err, '\n') == strrchr(run.err, '\n'),
		      "more than one line: %s", run.err);
	ck_assert_msg(time(NULL) - start < 30, "took %ld s",
		      (long)(time(NULL) - start));
	fx_run_free(&run);
}

/* host:port of a server admin URL "scheme://user[:pw]@host:port/..." */
static const char *host_port(const char *admin)
{
	static char buf[256];
	const char *at = strrchr(admin, '@');
	const char *slash = strchr(at, '/');

	snprintf(buf, sizeof(buf), "%.*s", (int)(slash - at - 1), at + 1);
	return buf;
}

START_TEST(test_badinput_unreachable_host)
{
	static const char *const urls[] = {
		"postgres://app:" SECRET "@127.0.0.1:1/app",
		"mysql://app:" SECRET "@127.0.0.1:1/app",
	};

	expect_status(urls[_i], 1, "127.0.0.1");
}
END_TEST

START_TEST(test_badinput_unknown_parameter)
{
	static const char *const urls[] = {
		"postgres://app:" SECRET "@127.0.0.1:1/app?nosuchparam=1",
		"mysql://app:" SECRET "@127.0.0.1:1/app?nosuchparam=1",
		"sqlite:",
	};

	expect_status(urls[_i], 2, _i < 2 ? "nosuchparam" : NULL);
}
END_TEST

START_TEST(test_badinput_wrong_password)
{
	const char *user = getenv("DBSHIFT_TEST_PG_PASSWORD_USER");
	char url[512];

	if (_i == 0) {
		if (!fx_dialect_ready(FX_POSTGRES))
			return;
		/* Only with-servers.sh's own server has a password role; in
		 * CI it always runs that server. */
		ck_assert_msg(user != NULL ||
				      getenv("DBSHIFT_TEST_REQUIRE_SERVERS") ==
					      NULL,
			      "DBSHIFT_TEST_PG_PASSWORD_USER is not set");
		if (user == NULL)
			return;
		snprintf(url, sizeof(url),
			 "postgres://%s:" SECRET "@%s/postgres", user,
			 host_port(getenv("DBSHIFT_TEST_PG_URL")));
		expect_status(url, 1, "password authentication failed");
		return;
	}
	if (!fx_dialect_ready(FX_MYSQL))
		return;
	snprintf(url, sizeof(url), "mysql://dbshift:" SECRET "@%s/mysql",
		 host_port(getenv("DBSHIFT_TEST_MYSQL_URL")));
	expect_status(url, 1, "Access denied");
}
END_TEST

START_TEST(test_badinput_missing_database)
{
	const char *admin;
	char url[512];

	if (!fx_dialect_ready(_i == 0 ? FX_POSTGRES : FX_MYSQL))
		return;
	if (_i == 0) {
		admin = getenv("DBSHIFT_TEST_PG_URL");
		snprintf(url, sizeof(url),
			 "postgres://postgres:" SECRET "@%s/nosuchdb_here",
			 host_port(admin));
	} else {
		admin = getenv("DBSHIFT_TEST_MYSQL_URL");
		snprintf(url, sizeof(url),
			 "mysql://dbshift:dbshift@%s/nosuchdb_here",
			 host_port(admin));
	}
	expect_status(url, 1, "nosuchdb_here");
}
END_TEST

Suite *badinput_suite(void)
{
	Suite *s = suite_create("badinput");
	TCase *tc = tcase_create("connection input");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_badinput_unreachable_host, 0, 2);
	tcase_add_loop_test(tc, test_badinput_unknown_parameter, 0, 3);
	tcase_add_loop_test(tc, test_badinput_wrong_password, 0, 2);
	tcase_add_loop_test(tc, test_badinput_missing_database, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
