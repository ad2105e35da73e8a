/* SPDX-License-Identifier: MIT */
/*
 * fuzz_url.c - a libFuzzer target for the URL readers: the core's
 * (core/urlparts.c) and the PostgreSQL and MySQL drivers' (pg_url.c,
 * mysql_url.c), and for the way a failed connection is reported
 * (core/conn.c). The promise tested: no output names the password, for
 * any password a user can write.
 *
 * Input: byte 0 chooses the scheme, whether the password is written raw
 * (only '%' encoded, as the README allows) or percent-encoded, or whether
 * the rest is taken as URL text as it is; then the user, the password and
 * the rest of the URL ("host:port/db?query"), split at 0xff bytes. The URL
 * is built twice, with the password P and with a password Q of as many
 * other bytes, and
 *   - the form messages show (dbshift_url_redact) is the same for both;
 *   - the driver's reading is the same for both except the password, which
 *     is P decoded (when no query could set another one); a refusal's
 *     message is the same for both;
 *   - a connection failure goes through the core (dbshift__conn_open) with
 *     a driver that reads the URL with the real reader and then fails the
 *     way a careless client library would: quoting every value it was
 *     given and the password raw, with quotes doubled and backslashed. The
 *     error the core reports holds P (decoded or as written) only where
 *     the report for Q holds it too (P is also a host name, say).
 * Passwords under 4 bytes are not quoted by the failing driver: scrubbing
 * leaves them (they would blank every message), so the drivers must never
 * quote them (they do not; tests/check_badinput.c checks real failures).
 *
 * Built with ./configure --enable-fuzzing (clang); `make fuzz` runs it.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conn.h"
#include "error.h"
#include "fuzz.h"
#include "host.h"
#include "urlparts.h"
#ifdef FUZZ_WITH_PG
#include "pg_url.h"
#endif
#ifdef FUZZ_WITH_MYSQL
#include "mysql_diag.h"
#include "mysql_url.h"
#endif

#define PIECE_MAX 160
#define URL_MAX (8 * PIECE_MAX)
#define OTHER_BYTE '\x01'

static const char *const schemes[] = {"postgres", "postgresql", "mysql",
				      "mariadb"};

/* A text buffer that is appended to, truncating safely. */
struct text {
	char *buf;
	size_t size, len;
};

static void text_add(struct text *t, const char *s, size_t n)
{
	for (; n > 0 && t->len + 1 < t->size; n--)
		t->buf[t->len++] = *s++;
	t->buf[t->len] = '\0';
}

static void text_str(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

/* Append s (n bytes), percent-encoding every byte outside [A-Za-z0-9-._~]
 * when all is set, else only '%'. */
static void text_encoded(struct text *t, const char *s, size_t n, int all)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3];
	unsigned char c;

	for (; n > 0; n--, s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL ||
		    (!all && c != '%')) {
			text_add(t, s, 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		text_add(t, esc, 3);
	}
}

/* Append s quoted by q, with q doubled inside. */
static void text_quoted(struct text *t, const char *s, char q)
{
	text_add(t, &q, 1);
	for (; *s; s++) {
		text_add(t, s, 1);
		if (*s == q)
			text_add(t, s, 1);
	}
	text_add(t, &q, 1);
}

/* Append s with a backslash before ' " and \. */
static void text_backslashed(struct text *t, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'' || *s == '"' || *s == '\\')
			text_add(t, "\\", 1);
		text_add(t, s, 1);
	}
}

/* The password the failing driver quotes, set before each connection. */
static const char *fail_password;

/* Fail like a client library that quotes everything: the values it was
 * given, then the password in every quoting. */
static void fail_quoting(dbshift_diag *diag, struct text *t)
{
	text_str(t, " password ");
	if (strlen(fail_password) >= 4) {
		text_str(t, fail_password);
		text_str(t, " ");
		text_quoted(t, fail_password, '\'');
		text_str(t, " ");
		text_quoted(t, fail_password, '"');
		text_str(t, " ");
		text_backslashed(t, fail_password);
	}
	memcpy(diag->sqlstate, "08001", 6);
}

#ifdef FUZZ_WITH_PG
/* A driver open() that reads url as the PostgreSQL driver does and then
 * fails, quoting what libpq would have been given. */
static int pg_fail_open(dbshift_driver_conn **handle, const char *url,
			dbshift_diag *diag)
{
	struct text t = {diag->message, sizeof(diag->message), 0};
	dbshift__pg_url u;
	size_t i;
	int rc;

	*handle = NULL;
	rc = dbshift__pg_url_parse(&u, dbshift__host(), url, diag->message,
				   sizeof(diag->message));
	if (rc == 0) {
		text_str(&t, "connection failed:");
		/* libpq quotes host names and the like, never the password
		 * (fail_quoting() does that). */
		for (i = 0; i < u.n; i++) {
			if (strcmp(u.keys[i], "password") == 0)
				continue;
			text_str(&t, " ");
			text_str(&t, u.keys[i]);
			text_str(&t, "=");
			text_quoted(&t, u.values[i], '"');
		}
		fail_quoting(diag, &t);
	} else {
		memcpy(diag->sqlstate, DBSHIFT_SQLSTATE_BAD_URL,
		       sizeof(DBSHIFT_SQLSTATE_BAD_URL));
	}
	dbshift__pg_url_free(&u);
	return -1;
}
#endif

#ifdef FUZZ_WITH_MYSQL
static void text_value(struct text *t, const char *name, const char *value)
{
	text_str(t, " ");
	text_str(t, name);
	text_str(t, " ");
	text_quoted(t, value != NULL ? value : "", '\'');
}

/* Append every value of m but the password, quoted. */
static void text_mysql_target(struct text *t, const dbshift__mysql_target *m)
{
	int i;

	text_value(t, "user", m->user);
	text_value(t, "host", m->host);
	text_value(t, "database", m->database);
	text_value(t, "where", m->where);
	for (i = 0; i < DBSHIFT__MYSQL_PARAMS; i++)
		text_value(t, "param", m->values[i]);
}

/* A driver open() that reads url as the MySQL driver does and then fails,
 * quoting what the client library would have been given. */
static int mysql_fail_open(dbshift_driver_conn **handle, const char *url,
			   dbshift_diag *diag)
{
	struct text t = {diag->message, sizeof(diag->message), 0};
	dbshift__mysql_target m;

	*handle = NULL;
	if (dbshift__mysql_url_parse(&m, url, diag) == 0) {
		text_str(&t, "Access denied:");
		text_mysql_target(&t, &m);
		fail_quoting(diag, &t);
	}
	dbshift__mysql_url_free(&m);
	return -1;
}
#endif

/* What the reading and a failed connection of one URL produced. */
struct outcome {
	char shown[URL_MAX + 64];
	int shown_rc;
	char reading[4096]; /* the driver's reading, password left out */
	char password[3 * PIECE_MAX + 1]; /* the password it read */
	int has_password;
	char report[sizeof(((dbshift__err *)0)->message)];
};

#ifdef FUZZ_WITH_PG
static void pg_reading(struct outcome *o, const char *url)
{
	struct text t = {o->reading, sizeof(o->reading), 0};
	char err[512];
	dbshift__pg_url u;
	size_t i;

	if (dbshift__pg_url_parse(&u, dbshift__host(), url, err, sizeof(err)) !=
	    0) {
		text_str(&t, "refused: ");
		text_str(&t, err);
	}
	for (i = 0; i < u.n; i++) {
		if (strcmp(u.keys[i], "password") == 0) {
			snprintf(o->password, sizeof(o->password), "%s",
				 u.values[i]);
			o->has_password = 1;
			continue;
		}
		text_str(&t, u.keys[i]);
		text_str(&t, "=");
		text_quoted(&t, u.values[i], '"');
	}
	dbshift__pg_url_free(&u);
}
#endif

#ifdef FUZZ_WITH_MYSQL
static void mysql_reading(struct outcome *o, const char *url)
{
	struct text t = {o->reading, sizeof(o->reading), 0};
	dbshift__mysql_target m;
	dbshift_diag diag;
	char num[64];

	dbshift__diag_init(&diag);
	if (dbshift__mysql_url_parse(&m, url, &diag) != 0) {
		text_str(&t, "refused: ");
		text_str(&t, diag.message);
	} else {
		text_mysql_target(&t, &m);
		snprintf(num, sizeof(num), " %u %d %u %u %u", m.port,
			 (int)m.tls, m.connect_timeout, m.read_timeout,
			 m.write_timeout);
		text_str(&t, num);
		if (m.password != NULL) {
			snprintf(o->password, sizeof(o->password), "%s",
				 m.password);
			o->has_password = 1;
		}
	}
	dbshift__mysql_url_free(&m);
}
#endif

/* Read url as the driver of scheme s would, then fail to connect to it
 * through the core, quoting password. */
static void run(struct outcome *o, int s, const char *url, const char *password)
{
	dbshift_driver driver;
	dbshift_conn *conn = NULL;
	dbshift__err err;

	memset(o, 0, sizeof(*o));
	o->shown_rc = dbshift_url_redact(url, o->shown, sizeof(o->shown));
	memset(&driver, 0, sizeof(driver));
	driver.name = "fuzz";
#ifdef FUZZ_WITH_PG
	if (s < 2) {
		pg_reading(o, url);
		driver.open = pg_fail_open;
	}
#endif
#ifdef FUZZ_WITH_MYSQL
	if (s >= 2) {
		mysql_reading(o, url);
		driver.open = mysql_fail_open;
	}
#endif
	if (driver.open == NULL)
		return;
	fail_password = password;
	dbshift__err_init(&err);
	FUZZ_CHECK(dbshift__conn_open(&conn, &driver, url, &err) != 0,
		   "a driver that fails is reported as failing");
	snprintf(o->report, sizeof(o->report), "%s", err.message);
}

/* Copy the next piece of *data (up to a 0xff byte) into buf, leaving out
 * NUL, OTHER_BYTE and the bytes in drop. */
static size_t take_piece(const uint8_t **data, size_t *size, char *buf,
			 const char *drop)
{
	size_t n = 0;

	while (*size > 0 && **data != 0xff) {
		if (**data != 0 && **data != (uint8_t)OTHER_BYTE &&
		    strchr(drop, **data) == NULL && n < PIECE_MAX)
			buf[n++] = (char)**data;
		(*data)++;
		(*size)--;
	}
	if (*size > 0) {
		(*data)++;
		(*size)--;
	}
	buf[n] = '\0';
	return n;
}

static void build_url(char *url, int s, const char *user, const char *pw,
		      size_t pw_len, int encode_all, const char *rest)
{
	struct text t = {url, URL_MAX, 0};

	text_str(&t, schemes[s]);
	text_str(&t, "://");
	text_encoded(&t, user, strlen(user), 1);
	text_str(&t, ":");
	text_encoded(&t, pw, pw_len, encode_all);
	text_str(&t, "@");
	text_str(&t, rest);
}

/* P must not be in report unless it is in the report made with Q. */
static void check_absent(const char *p, const char *report_p,
			 const char *report_q, const char *what)
{
	FUZZ_CHECK(p[0] == '\0' || strstr(report_p, p) == NULL ||
			   strstr(report_q, p) != NULL,
		   what);
}

/* Any URL text: what is shown does not depend on the password's bytes. */
static void any_text(const uint8_t *data, size_t size)
{
	char url[URL_MAX], other[URL_MAX], shown[URL_MAX + 64];
	char shown2[URL_MAX + 64];
	dbshift__url_parts u;

	if (size >= sizeof(url))
		return;
	memcpy(url, data, size);
	url[size] = '\0';
	dbshift__url_split(&u, url);
	if (u.password == NULL)
		return;
	dbshift__url_display(url, shown, sizeof(shown));
	memcpy(other, url, sizeof(url));
	memset(other + (u.password - url), 'A', u.password_len);
	dbshift__url_display(other, shown2, sizeof(shown2));
	FUZZ_CHECK(strcmp(shown, shown2) == 0,
		   "the shown form does not depend on the password");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct outcome with_p, with_q;
	char user[PIECE_MAX + 1], pw[PIECE_MAX + 1], rest[PIECE_MAX + 1];
	char other[PIECE_MAX + 1], url_p[URL_MAX], url_q[URL_MAX];
	char written[3 * PIECE_MAX + 1];
	struct text w = {written, sizeof(written), 0};
	size_t pw_len;
	int s, encode_all;

#ifdef FUZZ_WITH_MYSQL
	dbshift__mysql_host = dbshift__host();
#endif
	if (size < 1)
		return 0;
	if (data[0] & 8) {
		any_text(data + 1, size - 1);
		return 0;
	}
	s = data[0] & 3;
	encode_all = (data[0] & 4) != 0;
	data++;
	size--;
	take_piece(&data, &size, user, "");
	pw_len = take_piece(&data, &size, pw, "");
	/* An '@' after the password would end the user-info later. */
	take_piece(&data, &size, rest, "@");
	memset(other, OTHER_BYTE, pw_len);
	other[pw_len] = '\0';
	build_url(url_p, s, user, pw, pw_len, encode_all, rest);
	build_url(url_q, s, user, other, pw_len, encode_all, rest);
	text_encoded(&w, pw, pw_len, encode_all);

	run(&with_p, s, url_p, pw);
	run(&with_q, s, url_q, other);
	FUZZ_CHECK(with_p.shown_rc == with_q.shown_rc &&
			   strcmp(with_p.shown, with_q.shown) == 0,
		   "the shown form does not depend on the password");
	FUZZ_CHECK(strcmp(with_p.reading, with_q.reading) == 0 &&
			   with_p.has_password == with_q.has_password,
		   "the driver's reading does not depend on the password");
	FUZZ_CHECK(!with_p.has_password || strchr(rest, '?') != NULL ||
			   strcmp(with_p.password, pw) == 0,
		   "the driver reads the password as written");
	check_absent(pw, with_p.report, with_q.report,
		     "the connection report does not hold the password");
	check_absent(written, with_p.report, with_q.report,
		     "the connection report does not hold the password "
		     "as written");
	return 0;
}
