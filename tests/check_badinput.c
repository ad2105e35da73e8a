/* SPDX-License-Identifier: MIT */
/*
 * check_badinput.c - bad connection input through the CLI on every
 * dialect: a wrong password, an unreachable host, a missing database and
 * an unknown URL parameter each end in one clear line, the exit status
 * design.md gives (1 for a failed connection, 2 for a URL at fault), no
 * hang, and never the password in any output: also for generated
 * passwords holding every character URL readers trip on, raw or
 * percent-encoded, in the user-info or a query parameter.
 */
#include "config.h"

#include <check.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

	FX_NEED_DRIVER(_i == 0 ? FX_POSTGRES : FX_MYSQL);
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

	FX_NEED_DRIVER(_i == 0 ? FX_POSTGRES : _i == 1 ? FX_MYSQL : FX_SQLITE);
	expect_status(urls[_i], 2, _i < 2 ? "nosuchparam" : NULL);
}
END_TEST

/* A password with '?', '@', '/', '#' and ':' unencoded logs in (libpq
 * alone would end the user-info at the first '@' or '/'). The role's
 * password is changed for the test and put back. */
START_TEST(test_badinput_pg_raw_password)
{
	static const char pw[] = "S3c?re@t/P:W#x";
	const char *user = getenv("DBSHIFT_TEST_PG_PASSWORD_USER");
	const char *admin = getenv("DBSHIFT_TEST_PG_URL");
	char url[512], sql[256];
	fx_run run;

	if (!fx_dialect_ready(FX_POSTGRES) || user == NULL)
		return;
	snprintf(sql, sizeof(sql), "ALTER ROLE %s PASSWORD '%s'", user, pw);
	fx_db_exec(admin, sql);
	snprintf(url, sizeof(url), "postgres://%s:%s@%s/postgres", user, pw,
		 host_port(admin));
	fx_mkdir("migrations");
	run = fx_cli("-v", "-u", url, "status", NULL);
	snprintf(sql, sizeof(sql), "ALTER ROLE %s PASSWORD '%s'", user, user);
	fx_db_exec(admin, sql);
	ck_assert_msg(run.status == 0, "exit %d: %s", run.status, run.err);
	ck_assert_msg(strstr(run.err, "S3c") == NULL, "%s", run.err);
	ck_assert_msg(strstr(run.err, "***@") != NULL, "%s", run.err);
	fx_run_free(&run);
}
END_TEST

/* ---- passwords kept out of argv ---- */

/* Run `dbshift -v -u url status` with env added and expect success (the
 * test servers' passwords equal the user names, which output shows). */
static void expect_login(const char *const *env, const char *url)
{
	const char *argv[] = {"-v", "-u", url, "status", NULL};
	fx_run run;

	fx_mkdir("migrations");
	run = fx_cli_env(env, argv);
	ck_assert_msg(run.status == 0, "%s: exit %d: %s", url, run.status,
		      run.err);
	fx_run_free(&run);
}

/* PostgreSQL: a URL without a password logs in with the password from
 * $PGPASSFILE (or ~/.pgpass), read by libpq. */
START_TEST(test_badinput_pgpassfile)
{
	const char *user = getenv("DBSHIFT_TEST_PG_PASSWORD_USER");
	const char *admin = getenv("DBSHIFT_TEST_PG_URL");
	char line[300], url[300], env_var[1200];
	const char *env[] = {env_var, NULL};

	if (!fx_dialect_ready(FX_POSTGRES) || user == NULL)
		return;
	snprintf(line, sizeof(line), "%s:*:%s:%s\n", host_port(admin), user,
		 user);
	fx_write("pgpass", line);
	ck_assert_int_eq(chmod(fx_path("pgpass"), 0600), 0);
	snprintf(env_var, sizeof(env_var), "PGPASSFILE=%s", fx_path("pgpass"));
	snprintf(url, sizeof(url), "postgres://%s@%s/postgres", user,
		 host_port(admin));
	expect_login(env, url);
	/* Without it, the same URL is refused. */
	expect_status(url, 1, "password");
}
END_TEST

/* MySQL: $MYSQL_PWD, or an option file named by option-file=PATH. */
START_TEST(test_badinput_mysql_pwd_and_option_file)
{
	static const char *const env[] = {"MYSQL_PWD=dbshift", NULL};
	const char *admin = getenv("DBSHIFT_TEST_MYSQL_URL");
	char url[1300];

	if (!fx_dialect_ready(FX_MYSQL))
		return;
	snprintf(url, sizeof(url), "mysql://dbshift@%s/mysql",
		 host_port(admin));
	expect_login(env, url);
	expect_status(url, 1, "Access denied");
	fx_write("my.cnf", "[client]\nuser=dbshift\npassword=dbshift\n");
	snprintf(url, sizeof(url), "mysql://%s/mysql?option-file=%s",
		 host_port(admin), fx_path("my.cnf"));
	expect_login(NULL, url);
	snprintf(url, sizeof(url), "mysql://%s/mysql?option-file=%s",
		 host_port(admin), fx_path("nosuch.cnf"));
	expect_status(url, 2, "option-file");
}
END_TEST

/* Bad parts of a PostgreSQL URL are bad input (exit 2), as for MySQL. */
START_TEST(test_badinput_pg_bad_parts)
{
	static const struct {
		const char *url, *needle;
	} cases[] = {
		{"postgres://app:" SECRET "@127.0.0.1:99999/app", "bad port"},
		{"postgres://app:" SECRET "@127.0.0.1:abc/app", "bad port"},
		{"postgres://app:" SECRET "@127.0.0.1:0/app", "bad port"},
		{"postgres://app:" SECRET "@h1:5432,h2:x/app", "bad port"},
		{"postgres://app:" SECRET "@127.0.0.1/app?port=70000",
		 "bad port"},
		{"postgres://app:" SECRET "@127.0.0.1:1/app?search_path=",
		 "empty search_path"},
		{"postgres://app:" SECRET "@127.0.0.1:1/app?search_path=a,,b",
		 "empty schema name"},
		{"postgres://app:" SECRET "@127.0.0.1:1/app?sslmode",
		 "has no '='"},
		{"postgres://app:" SECRET "@127.0.0.1:1/a%zzb",
		 "percent-encoding in the database name"},
	};

	FX_NEED_DRIVER(FX_POSTGRES);
	expect_status(cases[_i].url, 2, cases[_i].needle);
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

/* ---- generated passwords ---- */

/* How many passwords each generated-password test tries. */
#define N_PASSWORDS 160

/* Longest window of a password that may appear in output by chance. */
#define WINDOW 6

/* What passwords are made of: letters and digits, and every character
 * URL readers trip on. */
static const char pw_chars[] =
	"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	"@:/?#%&=+ '\"\\[]{}$;,!~*.-_<>|^`";

/*
 * The n-th generated password into pw (a fixed sequence, so a failure
 * can be replayed): 10 to 29 characters, always at least one of '@', '?',
 * '/', '#', '%' or ':'.
 */
static void make_password(unsigned n, char *pw, size_t size)
{
	uint32_t state = n * 2654435761u + 12345u;
	size_t len = 10 + n % 20, i;

	ck_assert_uint_lt(len, size);
	for (i = 0; i < len; i++) {
		state = state * 1103515245u + 12345u;
		pw[i] = pw_chars[(state >> 8) % (sizeof(pw_chars) - 1)];
	}
	pw[n % len] = "@?/#%:"[n % 6];
	pw[len] = '\0';
}

/* pw percent-encoded: every byte but letters and digits. */
static void encode(const char *pw, char *out, size_t size)
{
	size_t o = 0;

	for (; *pw != '\0' && o + 4 < size; pw++) {
		if (isalnum((unsigned char)*pw))
			out[o++] = *pw;
		else
			o += (size_t)snprintf(out + o, size - o, "%%%02X",
					      (unsigned char)*pw);
	}
	out[o] = '\0';
}

/* Fail unless text holds no WINDOW bytes in a row of secret. */
static void assert_hidden(const char *text, const char *secret, const char *url)
{
	size_t len = strlen(secret), i;
	char window[WINDOW + 1];

	for (i = 0; i + WINDOW <= len; i++) {
		memcpy(window, secret + i, WINDOW);
		window[WINDOW] = '\0';
		ck_assert_msg(strstr(text, window) == NULL,
			      "'%s' of the password of %s shown: %s", window,
			      url, text);
	}
}

/* Open url through the library, expect a failure, and check that its
 * message shows nothing of pw. */
static void expect_hidden(const char *url, const char *pw, const char *encoded)
{
	dbshift_runner_options opts = DBSHIFT_RUNNER_OPTIONS_INIT;
	dbshift_runner *r = NULL;
	dbshift_status *st = NULL;
	const dbshift_error *err;
	char shown[1024];
	int rc;

	opts.url = url;
	rc = dbshift_runner_new(&r, &opts);
	if (rc == 0)
		rc = dbshift_runner_status(r, &st);
	ck_assert_msg(rc != 0, "%s: connected", url);
	err = r != NULL ? dbshift_runner_error(r) : dbshift_error_last();
	assert_hidden(err->message, pw, url);
	assert_hidden(err->message, encoded, url);
	ck_assert_msg(strchr(err->message, '\n') == NULL, "%s", err->message);
	ck_assert_int_eq(dbshift_url_redact(url, shown, sizeof(shown)), 0);
	assert_hidden(shown, pw, url);
	assert_hidden(shown, encoded, url);
	dbshift_status_free(st);
	dbshift_runner_free(r);
}

/*
 * Generated passwords, raw and percent-encoded, in the user-info and as a
 * password parameter (its name percent-encoded too), through URLs that
 * fail in every way the readers know: refused connection, bad port,
 * unknown parameter. Nothing of any password may reach a message.
 */
START_TEST(test_badinput_generated_passwords)
{
	/* Each URL: scheme, before, password, after. */
	static const struct {
		const char *before, *after;
	} forms[] = {
		{"://u:", "@127.0.0.1:1/db"},
		{"://u:", "@127.0.0.1:99999/db"},
		{"://u:", "@127.0.0.1:1/db?nosuchparam=1"},
		{"://u:", "@[::1/db"},
		{":u:", "@127.0.0.1:1/db"},
	};
	const char *scheme = _i == 0 ? "postgres" : "mysql";
	char pw[64], enc[256], url[1024];
	unsigned n;
	size_t f;

	for (n = 0; n < N_PASSWORDS; n++) {
		make_password(n, pw, sizeof(pw));
		encode(pw, enc, sizeof(enc));
		for (f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
			snprintf(url, sizeof(url), "%s%s%s%s", scheme,
				 forms[f].before, pw, forms[f].after);
			expect_hidden(url, pw, enc);
			snprintf(url, sizeof(url), "%s%s%s%s", scheme,
				 forms[f].before, enc, forms[f].after);
			expect_hidden(url, pw, enc);
		}
		snprintf(url, sizeof(url),
			 "%s://u@127.0.0.1:1/db?pass%%77ord=%s&sslpassword=%s",
			 scheme, enc, enc);
		expect_hidden(url, pw, enc);
	}
}
END_TEST

/* Generated passwords refused by the real servers: the client library's
 * message (which names the user) shows nothing of them. */
START_TEST(test_badinput_generated_passwords_server)
{
	const char *user =
		_i == 0 ? getenv("DBSHIFT_TEST_PG_PASSWORD_USER") : "dbshift";
	const char *admin = getenv(_i == 0 ? "DBSHIFT_TEST_PG_URL" :
					     "DBSHIFT_TEST_MYSQL_URL");
	char pw[64], enc[256], url[1024], hp[256];
	unsigned n;

	if (!fx_dialect_ready(_i == 0 ? FX_POSTGRES : FX_MYSQL))
		return;
	ck_assert_msg(user != NULL ||
			      getenv("DBSHIFT_TEST_REQUIRE_SERVERS") == NULL,
		      "DBSHIFT_TEST_PG_PASSWORD_USER is not set");
	if (user == NULL)
		return;
	snprintf(hp, sizeof(hp), "%s", host_port(admin));
	for (n = 0; n < N_PASSWORDS / 4; n++) {
		make_password(n, pw, sizeof(pw));
		encode(pw, enc, sizeof(enc));
		snprintf(url, sizeof(url), "%s://%s:%s@%s/%s",
			 _i == 0 ? "postgres" : "mysql", user, n % 2 ? pw : enc,
			 hp, _i == 0 ? "postgres" : "mysql");
		expect_hidden(url, pw, enc);
	}
}
END_TEST

/* The same through the program: errors, -v and --json show nothing of a
 * password with every awkward character. */
START_TEST(test_badinput_generated_passwords_cli)
{
	const char *scheme = _i == 0 ? "postgres" : "mysql";
	char pw[64], enc[256], url[512];
	fx_run run;
	unsigned n;

	fx_mkdir("migrations");
	for (n = 0; n < 12; n++) {
		make_password(n, pw, sizeof(pw));
		encode(pw, enc, sizeof(enc));
		snprintf(url, sizeof(url), "%s://u:%s@127.0.0.1:%s/db", scheme,
			 pw, n % 2 ? "1" : "99999");
		run = fx_cli("-v", "-u", url, n % 3 ? "status" : "plan",
			     n % 4 ? "--json" : "-q", NULL);
		ck_assert_msg(run.status != 0, "%s: %s", url, run.err);
		assert_hidden(run.out, pw, url);
		assert_hidden(run.err, pw, url);
		assert_hidden(run.err, enc, url);
		fx_run_free(&run);
	}
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
	tcase_add_loop_test(tc, test_badinput_pg_bad_parts, 0, 9);
	tcase_add_test(tc, test_badinput_pg_raw_password);
	tcase_add_test(tc, test_badinput_pgpassfile);
	tcase_add_test(tc, test_badinput_mysql_pwd_and_option_file);
	tcase_add_loop_test(tc, test_badinput_missing_database, 0, 2);
	suite_add_tcase(s, tc);
	tc = tcase_create("generated passwords");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_badinput_generated_passwords, 0, 2);
	tcase_add_loop_test(tc, test_badinput_generated_passwords_server, 0, 2);
	tcase_add_loop_test(tc, test_badinput_generated_passwords_cli, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}
