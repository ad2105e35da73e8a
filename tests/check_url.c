/* SPDX-License-Identifier: MIT */
/*
 * check_url.c - tests of core/url.c: the scheme of a database URL, the
 * driver it selects, the rejection of schemes that cannot safely become a
 * file name, and password redaction (dbshift_url_redact).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "dbshift/dbshift.h"
#include "suites.h"
#include "url.h"
#include "urlparts.h"

/* Scheme of url, failing the test when it is rejected. Static buffer. */
static const char *scheme_of(const char *url)
{
	static char scheme[64];
	dbshift__err err;
	int rc;

	dbshift__err_init(&err);
	rc = dbshift__url_scheme(url, scheme, sizeof(scheme), &err);
	ck_assert_msg(rc == 0, "scheme of '%s': %d %s", url, rc,
		      err.pub.message);
	return scheme;
}

/* Expect url to be rejected with code; returns the message (static). */
static const char *scheme_error(const char *url, int code)
{
	static dbshift__err err;
	char scheme[64];
	int rc;

	dbshift__err_init(&err);
	rc = dbshift__url_scheme(url, scheme, sizeof(scheme), &err);
	ck_assert_msg(rc == code, "'%s': got %d (%s), expected %d", url, rc,
		      err.pub.message, code);
	ck_assert_int_eq(err.pub.code, code);
	ck_assert_str_eq(scheme, "");
	ck_assert_msg(strchr(err.pub.message, '\n') == NULL, "one line");
	return err.pub.message;
}

/* Redact url into a roomy buffer and compare with want. */
static void check_redact(const char *url, const char *want)
{
	char buf[512];

	ck_assert_int_eq(dbshift_url_redact(url, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, want);
}

START_TEST(test_url_scheme_mapping)
{
	static const struct {
		const char *url, *scheme;
	} cases[] = {
		{"sqlite:foo.db", "sqlite"},
		{"sqlite::memory:", "sqlite"},
		{"sqlite3:/var/db/app.db", "sqlite3"},
		{"file:app.db", "file"},
		{"postgres://u:p@h:5432/db", "postgres"},
		{"postgresql://h/db", "postgresql"},
		{"mysql://u@h:3306/db", "mysql"},
		{"mariadb://h/db", "mariadb"},
		{"cockroach://h/db", "cockroach"},
		{"spanner-pg://x", "spanner-pg"},
		{"x1:y", "x1"},
	};
	size_t i;

	/* Which driver takes a scheme is the loader's business (the
	 * drivers declare their schemes; check_loader.c). */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_str_eq(scheme_of(cases[i].url), cases[i].scheme);
}
END_TEST

START_TEST(test_url_uppercase_scheme)
{
	ck_assert_str_eq(scheme_of("SQLite:Foo.DB"), "sqlite");
	ck_assert_str_eq(scheme_of("POSTGRES://h/d"), "postgres");
	ck_assert_str_eq(scheme_of("MariaDB://h/d"), "mariadb");
	ck_assert_str_eq(scheme_of("My-DB://h"), "my-db");
}
END_TEST

START_TEST(test_url_no_scheme)
{
	/* Not shown: text without a scheme may be a libpq keyword string
	 * such as "host=h password=x". */
	ck_assert_str_eq(scheme_error("foo.db", DBSHIFT_EURL),
			 "URL has no scheme; expected e.g. sqlite:dbshift.db "
			 "or postgres://user@host/db");
	ck_assert_ptr_nonnull(
		strstr(scheme_error(":memory:", DBSHIFT_EURL), "no scheme"));
	ck_assert_ptr_null(
		strstr(scheme_error("host=h password=s3cret:x", DBSHIFT_EURL),
		       "s3cret"));
	ck_assert_ptr_nonnull(
		strstr(scheme_error("", DBSHIFT_EURL), "URL is empty"));
	scheme_error(NULL, DBSHIFT_EINVAL);
}
END_TEST

START_TEST(test_url_bad_scheme_chars)
{
	static const char *const bad[] = {
		"../x:", "a/b:", "../../etc/passwd:x", "1abc:x", "a_b:x",
		"a b:x", "-x:y", "sq\xc3\xa9:x",       "a\\b:c", "x\ty:z",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_ptr_nonnull(strstr(scheme_error(bad[i], DBSHIFT_EURL),
					     "invalid scheme"));
	ck_assert_str_eq(scheme_error("a/b:", DBSHIFT_EURL),
			 "URL has an invalid scheme: a scheme is a letter "
			 "followed by letters, digits, '+', '-' or '.', then "
			 "':'");
}
END_TEST

START_TEST(test_url_plus_dot_scheme)
{
	const char *msg;

	msg = scheme_error("postgresql+psycopg://u:secret@h/db", DBSHIFT_EURL);
	ck_assert_ptr_nonnull(strstr(msg, "cannot name a driver"));
	ck_assert_ptr_nonnull(strstr(msg, "postgresql+psycopg://u:***@h/db"));
	ck_assert_ptr_null(strstr(msg, "secret"));
	msg = scheme_error("x.y:z", DBSHIFT_EURL);
	ck_assert_ptr_nonnull(strstr(msg, "'x.y'"));
}
END_TEST

START_TEST(test_url_error_redacted)
{
	const char *msg;

	msg = scheme_error("a/b://u:secret@h/db", DBSHIFT_EURL);
	ck_assert_ptr_null(strstr(msg, "secret"));
	msg = scheme_error("h/db?password=secret", DBSHIFT_EURL);
	ck_assert_ptr_null(strstr(msg, "secret"));
}
END_TEST

START_TEST(test_url_scheme_too_long)
{
	char scheme[8];
	dbshift__err err;

	dbshift__err_init(&err);
	ck_assert_int_eq(dbshift__url_scheme("postgresql://u:secret@h", scheme,
					     sizeof(scheme), &err),
			 DBSHIFT_EURL);
	ck_assert_ptr_nonnull(strstr(err.pub.message, "too long"));
	ck_assert_ptr_null(strstr(err.pub.message, "secret"));
	ck_assert_int_eq(
		dbshift__url_scheme("sqlite:x", scheme, sizeof(scheme), &err),
		0);
	ck_assert_str_eq(scheme, "sqlite");
}
END_TEST

START_TEST(test_url_thread_error_when_no_err)
{
	char scheme[16];

	ck_assert_int_eq(
		dbshift__url_scheme("nope", scheme, sizeof(scheme), NULL),
		DBSHIFT_EURL);
	ck_assert_int_eq(dbshift_error_last()->code, DBSHIFT_EURL);
	ck_assert_ptr_nonnull(
		strstr(dbshift_error_last()->message, "has no scheme"));
}
END_TEST

START_TEST(test_url_redact_postgres)
{
	check_redact("postgres://u:secret@h/db", "postgres://u:***@h/db");
	check_redact("postgresql://app:s3cr3t@db.example.com:5432/app?sslmode"
		     "=require",
		     "postgresql://app:***@db.example.com:5432/app");
}
END_TEST

START_TEST(test_url_redact_mysql)
{
	check_redact("mysql://u:secret@h:3306/db", "mysql://u:***@h:3306/db");
}
END_TEST

START_TEST(test_url_redact_no_password)
{
	check_redact("postgres://h:5432/db", "postgres://h:5432/db");
	/* The query is never shown: any parameter may carry a secret. */
	check_redact("mysql://h/db?charset=utf8mb4", "mysql://h/db");
	check_redact("nothing-like-a-url", "(URL without a scheme)");
	check_redact("", "(URL without a scheme)");
}
END_TEST

START_TEST(test_url_redact_user_only)
{
	check_redact("postgres://u@h/db", "postgres://u@h/db");
	check_redact("postgres://u:@h/db", "postgres://u:@h/db");
}
END_TEST

START_TEST(test_url_redact_special_password)
{
	/* The last '@' of the URL ends the userinfo; the first ':' in it
	 * ends the user. */
	check_redact("postgres://u:p@ss:w@rd@h:5432/db",
		     "postgres://u:***@h:5432/db");
	check_redact("mysql://u::@@h/db", "mysql://u:***@h/db");
	/* An unencoded '/' or '#' in a password must not leak either. */
	check_redact("postgres://u:pa/ss@h/db", "postgres://u:***@h/db");
	check_redact("postgres://u:pa#ss@h/db", "postgres://u:***@h/db");
	/* Nor a '?' (libpq accepts such URLs), whatever follows it. */
	check_redact("postgres://u:S3c?retPW@h:5/db",
		     "postgres://u:***@h:5/db");
	check_redact("mysql://u:a?b=c&d@h/db?x=1", "mysql://u:***@h/db");
	/* An '@' elsewhere must be written %40: a raw one ends the
	 * userinfo, and what comes before it is never shown. */
	check_redact("postgres://u:pw@h/db?application_name=a@b",
		     "postgres://u:***@b");
	check_redact("postgres://u:pw@h/db?application_name=a%40b",
		     "postgres://u:***@h/db");
}
END_TEST

START_TEST(test_url_redact_sqlite_untouched)
{
	check_redact("sqlite:/tmp/x.db", "sqlite:/tmp/x.db");
	check_redact("sqlite::memory:", "sqlite::memory:");
	check_redact("file://data/x.db", "file://data/x.db");
	/* One rule for every scheme: an '@' in a file name hides what
	 * comes before it up to the first ':'. */
	check_redact("sqlite:///srv/a:b@c.db", "sqlite:///srv/a:***@c.db");
	check_redact("SQLite3:/a:b@c", "SQLite3:/a:***@c");
}
END_TEST

START_TEST(test_url_redact_query_password)
{
	check_redact("postgres://h/db?user=u&password=secret",
		     "postgres://h/db");
	check_redact("postgres://h/db?pass%77ord=secret", "postgres://h/db");
	check_redact("postgres://h/db?PASSWORD=secret&pwd=x&passwd=y",
		     "postgres://h/db");
	check_redact("postgres://u:a@h/db?password=b", "postgres://u:***@h/db");
	check_redact("sqlite:x.db?password=k", "sqlite:x.db");
}
END_TEST

START_TEST(test_url_redact_buffer_too_small)
{
	const char *url = "postgres://u:secret@h/db";
	const char *want = "postgres://u:***@h/db";
	size_t need = strlen(want) + 1;
	char buf[64];

	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(dbshift_url_redact(url, buf, need - 1),
			 DBSHIFT_EINVAL);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(dbshift_error_last()->code, DBSHIFT_EINVAL);
	ck_assert_ptr_nonnull(
		strstr(dbshift_error_last()->message, "too small"));
	ck_assert_int_eq(dbshift_url_redact(url, buf, 1), DBSHIFT_EINVAL);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(dbshift_url_redact(url, buf, need), 0);
	ck_assert_str_eq(buf, want);
}
END_TEST

START_TEST(test_url_redact_bad_args)
{
	char buf[16];

	ck_assert_int_eq(dbshift_url_redact(NULL, buf, sizeof(buf)),
			 DBSHIFT_EINVAL);
	ck_assert_int_eq(dbshift_url_redact("sqlite:x", NULL, 16),
			 DBSHIFT_EINVAL);
	ck_assert_int_eq(dbshift_url_redact("sqlite:x", buf, 0),
			 DBSHIFT_EINVAL);
	ck_assert_int_eq(dbshift_error_last()->code, DBSHIFT_EINVAL);
}
END_TEST

/* scrub(): the secret as written and in the quoted forms client
 * libraries use; short secrets are left alone. */
START_TEST(test_url_scrub_forms)
{
	char msg[256];

	snprintf(msg, sizeof(msg),
		 "a p'w\"d b 'p''w\"d' \"p'w\"\"d\" p\\'w\\\"d");
	dbshift__secret_scrub(msg, sizeof(msg), "p'w\"d", 5);
	ck_assert_str_eq(msg, "a *** b '***' \"***\" ***");
	snprintf(msg, sizeof(msg), "abc abc");
	dbshift__secret_scrub(msg, sizeof(msg), "abc", 3);
	ck_assert_str_eq(msg, "abc abc");
}
END_TEST

/* url_scrub(): the user-info password raw and decoded, and password-like
 * parameters whatever the case or encoding of their names. */
START_TEST(test_url_scrub_url)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "x S3c?ret@PW y S3c?ret%%40PW z");
	dbshift__url_scrub(msg, sizeof(msg), "mysql://u:S3c?ret%40PW@h/db");
	ck_assert_str_eq(msg, "x *** y *** z");
	snprintf(msg, sizeof(msg), "x s3cretpw y 0therpw z Keyphrase");
	dbshift__url_scrub(msg, sizeof(msg),
			   "postgres://h/db?pass%77ord=s3cretpw&PWD=0therpw&"
			   "sslpassword=Keyphrase");
	ck_assert_str_eq(msg, "x *** y *** z ***");
}
END_TEST

/* url_split(): the user-info ends at the last '@', whatever precedes. */
START_TEST(test_url_split_parts)
{
	dbshift__url_parts p;

	dbshift__url_split(&p, "postgres://u:a@b/c?d@h:5/db?x=1");
	ck_assert_int_eq(p.authority, 1);
	ck_assert_int_eq((int)p.user_len, 1);
	ck_assert_int_eq(strncmp(p.password, "a@b/c?d", p.password_len), 0);
	ck_assert_int_eq((int)p.password_len, 7);
	ck_assert_int_eq(strncmp(p.where, "h:5/db", p.where_len), 0);
	ck_assert_str_eq(p.query, "x=1");
	dbshift__url_split(&p, "1x:y");
	ck_assert_ptr_null(p.scheme);
	dbshift__url_split(&p, "sqlite::memory:");
	ck_assert_ptr_null(p.user);
	ck_assert_int_eq(strncmp(p.where, ":memory:", p.where_len), 0);
}
END_TEST

Suite *url_suite(void)
{
	Suite *s = suite_create("url");
	TCase *tc = tcase_create("url");

	tcase_add_test(tc, test_url_scheme_mapping);
	tcase_add_test(tc, test_url_uppercase_scheme);
	tcase_add_test(tc, test_url_no_scheme);
	tcase_add_test(tc, test_url_bad_scheme_chars);
	tcase_add_test(tc, test_url_plus_dot_scheme);
	tcase_add_test(tc, test_url_error_redacted);
	tcase_add_test(tc, test_url_scheme_too_long);
	tcase_add_test(tc, test_url_thread_error_when_no_err);
	tcase_add_test(tc, test_url_redact_postgres);
	tcase_add_test(tc, test_url_redact_mysql);
	tcase_add_test(tc, test_url_redact_no_password);
	tcase_add_test(tc, test_url_redact_user_only);
	tcase_add_test(tc, test_url_redact_special_password);
	tcase_add_test(tc, test_url_redact_sqlite_untouched);
	tcase_add_test(tc, test_url_redact_query_password);
	tcase_add_test(tc, test_url_redact_buffer_too_small);
	tcase_add_test(tc, test_url_redact_bad_args);
	tcase_add_test(tc, test_url_scrub_forms);
	tcase_add_test(tc, test_url_scrub_url);
	tcase_add_test(tc, test_url_split_parts);
	suite_add_tcase(s, tc);
	return s;
}
