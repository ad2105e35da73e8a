/* SPDX-License-Identifier: MIT */
/*
 * check_driver_mysql.c - what is particular to the MySQL/MariaDB driver:
 * the descriptor (no transactional DDL), URL forms and parameters, errors
 * that never show the password, a failed script's statement and line
 * when the server runs the script whole, results read to the end, routine
 * bodies and the mysql client's DELIMITER, parameters and result types
 * (long TEXT too), the catalog check with schemas, and the GET_LOCK run
 * lock. The cases every driver passes live in the shared conformance
 * suite.
 *
 * The server is the one in $DBSHIFT_TEST_MYSQL_URL (tests/with-servers.sh
 * starts one); every test gets a new database of its own, dropped when
 * the test ends. Without the variable only the cases that need no server
 * run, plus one that fails unless DBSHIFT_TEST_SKIP_MYSQL=1 says the
 * server is absent on purpose.
 */
#include "config.h"

#include <arpa/inet.h>
#include <check.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dbshift/driver.h"
#include "dialects.h"
#include "drivertest.h"
#include "error.h"
#include "fixture.h"
#include "suites.h"

/* The password of URLs that must fail; no message may show it. */
#define PASSWORD DT_PASSWORD

static char db_name[128]; /* the test database's name */

/* ---- helpers ---- */

/* The driver alone, for cases that need no server. */
static void setup_driver(void)
{
	dt_init("mysql");
}

/* The driver and a connection to a fresh database. */
static void setup(void)
{
	const char *slash;

	dt_start("mysql", fx_fresh_url(FX_MYSQL));
	slash = strrchr(dt_url, '/');
	ck_assert_ptr_nonnull(slash);
	snprintf(db_name, sizeof(db_name), "%s", slash + 1);
}

/* HOST[:PORT] of the admin URL, into buf. */
static void server_address(char *buf, size_t size)
{
	const char *url = getenv("DBSHIFT_TEST_MYSQL_URL");
	const char *start = strstr(url, "://"), *p, *end;

	ck_assert_ptr_nonnull(start);
	start += 3;
	end = start + strcspn(start, "/?");
	for (p = start; p < end; p++)
		if (*p == '@')
			start = p + 1;
	snprintf(buf, size, "%.*s", (int)(end - start), start);
}

/* ---- the descriptor (no server) ---- */

START_TEST(test_driver_mysql_descriptor)
{
	ck_assert_uint_eq(dt_drv->abi_major, DBSHIFT_DRIVER_ABI_MAJOR);
	ck_assert_uint_eq(dt_drv->struct_size, sizeof(dbshift_driver));
	ck_assert_str_eq(dt_drv->name, "mysql");
	ck_assert_str_eq(dt_drv->dialect, "mysql");
	ck_assert_str_eq(dt_drv->schemes[0], "mysql");
	ck_assert_str_eq(dt_drv->schemes[1], "mariadb");
	ck_assert_ptr_null(dt_drv->schemes[2]);
	ck_assert_ptr_nonnull(strstr(dt_drv->version, PACKAGE_VERSION));
	/* DDL commits implicitly: the core must guard migrations with a
	 * dirty history row, not a transaction. */
	ck_assert(dt_drv->capabilities ==
		  (DBSHIFT_CAP_SESSION_LOCK | DBSHIFT_CAP_SAVEPOINTS));
	ck_assert_ptr_nonnull(dt_drv->lock);
	ck_assert_ptr_nonnull(dt_drv->unlock);
}
END_TEST

START_TEST(test_driver_mysql_abi)
{
	ck_assert_ptr_null(dt_entry(DBSHIFT_DRIVER_ABI_MAJOR + 1, 0, &dt_host));
	ck_assert_ptr_eq(dt_entry(DBSHIFT_DRIVER_ABI_MAJOR,
				  DBSHIFT_DRIVER_ABI_MINOR + 3, &dt_host),
			 dt_drv);
	/* Nothing but the entry is visible. */
	ck_assert_ptr_null(dlsym(dt_module, "mysql_driver"));
	ck_assert_ptr_null(dlsym(dt_module, "fail_state"));
	ck_assert_ptr_null(dlsym(dt_module, "dbshift__mysql_fail"));
	ck_assert_ptr_null(dlsym(dt_module, "dbshift__mysql_url_parse"));
	ck_assert_ptr_null(dlsym(dt_module, "dbshift__split_next"));
	ck_assert_ptr_null(dlsym(dt_module, DBSHIFT_DRIVER_INIT_SYMBOL));
}
END_TEST

/* ---- URLs and connections (no server) ---- */

/* A bad URL and a word its message must hold. */
struct bad_url {
	const char *url;
	const char *says;
};

static const struct bad_url bad_urls[] = {
	{"mysql://u:" PASSWORD "@h:99999/db", "bad port '99999'"},
	{"mysql://u:" PASSWORD "@h:33x/db", "bad port '33x'"},
	{"mysql://u:" PASSWORD "@h/db?nosuch=1", "unknown parameter 'nosuch'"},
	{"mysql://u:" PASSWORD "@h/db?socket", "'socket' of MySQL URL has no"},
	{"mysql://u:" PASSWORD "@h/db?socket=", "socket of MySQL URL is empty"},
	{"mysql://u:" PASSWORD "@localhost/db?socket=/a&socket=/b",
	 "socket given twice"},
	{"mysql://u:" PASSWORD "@db.example/db?socket=/a", "both the host"},
	{"mysql://u:" PASSWORD "@h/db?connect-timeout=0",
	 "connect-timeout '0'"},
	{"mysql://u:" PASSWORD "@h/db?connect_timeout=1s", "connect-timeout"},
	{"mysql://u:" PASSWORD "@h/db?read-timeout=-1", "read-timeout '-1'"},
	{"mysql://u:" PASSWORD "@h/db?write-timeout=99999999999",
	 "write-timeout"},
	{"mysql://u:" PASSWORD "@h/db?ssl-mode=maybe", "ssl-mode 'maybe'"},
	{"mysql://u:" PASSWORD "@h/db?tls=yes", "tls 'yes'"},
	{"mysql://u:" PASSWORD "@h/db?tls=true&ssl-mode=required",
	 "both ssl-mode and tls"},
	{"mysql://u:" PASSWORD "@h/db?ssl-ca=/ca.pem&ssl-mode=disabled",
	 "disables TLS"},
	{"mysql://u:" PASSWORD "@h/db?charset=utf8;x", "charset 'utf8;x'"},
	{"mysql://u:" PASSWORD "%zz@h/db", "percent-encoding in the password"},
	{"mysql://u%0:" PASSWORD "@h/db", "percent-encoding in the user name"},
	{"mysql://u:" PASSWORD "@h/d%00b", "percent-encoding in the database"},
	{"mysql://u:" PASSWORD "@h/a/b", "one database name"},
	{"mysql://u:" PASSWORD "@[::1/db", "bad IPv6 host"},
	{"mysql://u:" PASSWORD "@[::1]x/db", "bad IPv6 host"},
	{"mysql:u:" PASSWORD "@h/db", "mysql:// or mariadb://"},
	{"postgres://u:" PASSWORD "@h/db", "scheme 'postgres'"},
	{"u:" PASSWORD "@h/db", "scheme 'u'"},
	{"no-scheme", "not a MySQL URL"},
};

START_TEST(test_driver_mysql_bad_urls)
{
	size_t i;

	for (i = 0; i < sizeof(bad_urls) / sizeof(bad_urls[0]); i++) {
		dt_open_fails(bad_urls[i].url);
		ck_assert_msg(strstr(dt_diag.message, bad_urls[i].says) != NULL,
			      "%s: '%s' does not say '%s'", bad_urls[i].url,
			      dt_diag.message, bad_urls[i].says);
	}
	dt_open_fails(NULL);
}
END_TEST

/* A closed port fails at once; the message names the server, never the
 * password. */
START_TEST(test_driver_mysql_unreachable)
{
	double start = dt_now_s();

	dt_open_fails("mysql://u:" PASSWORD "@127.0.0.1:1/db");
	ck_assert_msg(dt_now_s() - start < 5, "took %.1f s",
		      dt_now_s() - start);
	ck_assert_msg(strstr(dt_diag.message, "127.0.0.1:1:") != NULL, "%s",
		      dt_diag.message);
	ck_assert_int_ne(dt_diag.native_code, 0);
	ck_assert_str_eq(dt_diag.sqlstate, "HY000");

	dt_open_fails("mariadb://u:" PASSWORD "@[::1]:1/db");
	ck_assert_msg(strstr(dt_diag.message, "[::1]:1:") != NULL, "%s",
		      dt_diag.message);
	dt_open_fails("mysql://u:" PASSWORD "@localhost/db?socket=/nonexistent/"
		      "mysqld.sock");
	ck_assert_msg(strstr(dt_diag.message,
			     "socket /nonexistent/mysqld.sock") != NULL,
		      "%s", dt_diag.message);
}
END_TEST

/* A server that accepts the connection but never speaks: connect-timeout
 * covers the handshake, so open fails instead of hanging. */
START_TEST(test_driver_mysql_silent_server)
{
	struct sockaddr_in addr;
	socklen_t addr_len = sizeof(addr);
	char url[256];
	double start;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&addr, &addr_len),
			 0);
	snprintf(url, sizeof(url),
		 "mysql://u:" PASSWORD "@127.0.0.1:%d/db?connect-timeout=1",
		 (int)ntohs(addr.sin_port));
	start = dt_now_s();
	dt_open_fails(url);
	ck_assert_msg(dt_now_s() - start < 5, "took %.1f s",
		      dt_now_s() - start);
	ck_assert_msg(strstr(dt_diag.message, "127.0.0.1:") != NULL, "%s",
		      dt_diag.message);
	close(fd);
}
END_TEST

START_TEST(test_driver_mysql_quote_ident)
{
	char buf[32] = "junk";

	ck_assert_int_eq(
		dt_drv->quote_ident(NULL, "plain", buf, sizeof(buf), &dt_diag),
		0);
	ck_assert_str_eq(buf, "`plain`");
	ck_assert_int_eq(
		dt_drv->quote_ident(NULL, "a`b``c", buf, sizeof(buf), &dt_diag),
		0);
	ck_assert_str_eq(buf, "`a``b````c`");
	/* Dots and double quotes are part of the name. */
	ck_assert_int_eq(dt_drv->quote_ident(NULL, "s.t \"x\"", buf,
					     sizeof(buf), &dt_diag),
			 0);
	ck_assert_str_eq(buf, "`s.t \"x\"`");
	/* Exactly big enough, then one byte short. */
	ck_assert_int_eq(dt_drv->quote_ident(NULL, "a`b", buf, 7, &dt_diag), 0);
	ck_assert_str_eq(buf, "`a``b`");
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->quote_ident(NULL, "a`b", buf, 6, &dt_diag), 0);
	ck_assert_str_eq(buf, "");
	dt_assert_one_line(dt_diag.message);
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(
		dt_drv->quote_ident(NULL, "", buf, sizeof(buf), &dt_diag), 0);
	dt_assert_one_line(dt_diag.message);
	ck_assert_int_ne(
		dt_drv->quote_ident(NULL, NULL, buf, sizeof(buf), &dt_diag), 0);
}
END_TEST

/* ---- connections (server) ---- */

/* A user of this test process with a password that needs encoding, and
 * rights on the test's database; dropped at exit. */
static char url_user[64];
#define URL_PASSWORD "p@ss:w/rd%?x"
#define URL_PASSWORD_ENC "p%40ss%3Aw%2Frd%25%3Fx"

static void drop_url_user(void)
{
	const dbshift_driver *d = dt_drv;
	dbshift_driver_conn *admin = NULL;
	dbshift_diag local;
	char sql[160];

	dbshift__diag_init(&local);
	if (d == NULL ||
	    d->open(&admin, getenv("DBSHIFT_TEST_MYSQL_URL"), &local) != 0)
		return;
	snprintf(sql, sizeof(sql), "DROP USER IF EXISTS '%s'@'%%'", url_user);
	d->exec(admin, sql, strlen(sql), &local);
	d->close(admin);
}

static void make_url_user(void)
{
	dbshift_driver_conn *admin =
		dt_open_ok(getenv("DBSHIFT_TEST_MYSQL_URL"));
	char sql[512];

	snprintf(url_user, sizeof(url_user), "dbshift u%ld", (long)getpid());
	snprintf(sql, sizeof(sql),
		 "CREATE USER '%s'@'%%' IDENTIFIED BY '%s';"
		 "GRANT ALL ON `%s`.* TO '%s'@'%%'",
		 url_user, URL_PASSWORD, db_name, url_user);
	atexit(drop_url_user);
	dt_exec_on(admin, sql);
	dt_drv->close(admin);
}

/* Open url and check who and where the session is. */
static void check_session(const char *url, const char *database)
{
	dbshift_driver_conn *c = dt_open_ok(url);
	char user[80];

	snprintf(user, sizeof(user), "%s@%%", url_user);
	ck_assert_str_eq(dt_value_on(c, "SELECT CURRENT_USER()"), user);
	ck_assert_str_eq(dt_value_on(c, "SELECT DATABASE()"), database);
	ck_assert_str_eq(dt_value_on(c, "SELECT @@character_set_client"),
			 "utf8mb4");
	dt_drv->close(c);
}

/* Copy s into buf, percent-encoding the byte c. */
static void encode_byte(char *buf, size_t size, const char *s, char c)
{
	size_t o = 0;

	for (; *s != '\0' && o + 4 < size; s++)
		o += (size_t)snprintf(buf + o, size - o,
				      *s == c ? "%%%02X" : "%c", *s);
	buf[o] = '\0';
}

START_TEST(test_driver_mysql_url_forms)
{
	char address[256], url[1024], auth[160], enc[256], sock[256];
	dbshift_driver_conn *c;

	make_url_user();
	server_address(address, sizeof(address));
	/* "dbshift u123" with the space encoded, the password too. */
	snprintf(auth, sizeof(auth), "dbshift%%20u%ld:%s", (long)getpid(),
		 URL_PASSWORD_ENC);
	snprintf(url, sizeof(url), "mysql://%s@%s/%s", auth, address, db_name);
	check_session(url, db_name);
	/* mariadb:, any case, and a database name with encoded bytes. */
	encode_byte(enc, sizeof(enc), db_name, '_');
	snprintf(url, sizeof(url), "MariaDB://%s@%s/%s", auth, address, enc);
	check_session(url, db_name);
	/* The user part ends at the last '@': '/', ':', '@' and '?' need no
	 * encoding in the password (only the '%' of this one does). */
	snprintf(url, sizeof(url), "mysql://dbshift%%20u%ld:%s@%s/%s",
		 (long)getpid(), "p@ss:w/rd%25%3Fx", address, db_name);
	check_session(url, db_name);
	snprintf(url, sizeof(url), "mysql://dbshift%%20u%ld:%s@%s/%s",
		 (long)getpid(), "p@ss:w/rd%25?x", address, db_name);
	check_session(url, db_name);
	/* Every parameter the driver knows, harmless ones. */
	snprintf(url, sizeof(url),
		 "mysql://%s@%s/%s?connect-timeout=5&read_timeout=30&"
		 "WRITE-TIMEOUT=0&charset=latin1&ssl-mode=DISABLED&",
		 auth, address, db_name);
	c = dt_open_ok(url);
	ck_assert_str_eq(dt_value_on(c, "SELECT @@character_set_client"),
			 "latin1");
	dt_drv->close(c);

	/* Through the server's unix socket: as a parameter, or as the
	 * encoded host. */
	snprintf(sock, sizeof(sock), "%s", dt_value_of("SELECT @@socket"));
	if (access(sock, F_OK) != 0)
		return; /* a server on another machine */
	snprintf(url, sizeof(url), "mysql://%s@localhost/%s?socket=%s", auth,
		 db_name, sock);
	check_session(url, db_name);
	snprintf(url, sizeof(url), "mysql://%s@/%s?socket=%s", auth, db_name,
		 sock);
	c = dt_open_ok(url);
	ck_assert_str_eq(dt_value_on(c,
				     "SELECT host FROM information_schema."
				     "processlist WHERE id = CONNECTION_ID()"),
			 "localhost");
	dt_drv->close(c);
	encode_byte(enc, sizeof(enc), sock, '/');
	snprintf(url, sizeof(url), "mysql://%s@%s/%s", auth, enc, db_name);
	check_session(url, db_name);
	/* A port means TCP, even to localhost. */
	if (strchr(address, ':') == NULL)
		return;
	snprintf(url, sizeof(url), "mysql://%s@localhost%s/%s", auth,
		 strchr(address, ':'), db_name);
	c = dt_open_ok(url);
	ck_assert_msg(
		strchr(dt_value_on(c, "SELECT host FROM information_schema."
				      "processlist WHERE id = "
				      "CONNECTION_ID()"),
		       ':') != NULL,
		"not TCP");
	dt_drv->close(c);
}
END_TEST

/* Without a database in the URL none is selected: server-wide statements
 * work, and table_exists wants a schema. */
START_TEST(test_driver_mysql_no_database)
{
	char address[256], url[512], table[256];
	const char *admin = getenv("DBSHIFT_TEST_MYSQL_URL");
	dbshift_driver_conn *c;
	int32_t exists = 0;

	dt_exec_ok("CREATE TABLE t (x INT)");
	server_address(address, sizeof(address));
	snprintf(url, sizeof(url), "%.*s",
		 (int)(strstr(admin, address) - admin + strlen(address)),
		 admin);
	c = dt_open_ok(url); /* no '/' at all */
	ck_assert_str_eq(dt_value_on(c, "SELECT DATABASE()"), "NULL");
	dt_drv->close(c);
	c = dt_open_ok(admin);
	ck_assert_str_eq(dt_value_on(c, "SELECT DATABASE()"), "NULL");
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->table_exists(c, "t", &exists, &dt_diag), 0);
	ck_assert_msg(strstr(dt_diag.message, "no database selected") != NULL,
		      "%s", dt_diag.message);
	snprintf(table, sizeof(table), "%s.t", db_name);
	ck_assert_int_eq(dt_table_exists_on(c, table), 1);
	dt_drv->close(c);
}
END_TEST

START_TEST(test_driver_mysql_wrong_password)
{
	char address[256], url[512];

	server_address(address, sizeof(address));
	snprintf(url, sizeof(url), "mysql://dbshift:" PASSWORD "@%s/%s",
		 address, db_name);
	dt_open_fails(url);
	ck_assert_int_eq(dt_diag.native_code, 1045);
	ck_assert_str_eq(dt_diag.sqlstate, "28000");
	ck_assert_msg(strstr(dt_diag.message, "Access denied") != NULL &&
			      strstr(dt_diag.message, address) != NULL,
		      "%s", dt_diag.message);
}
END_TEST

START_TEST(test_driver_mysql_unknown_database)
{
	char url[1100];

	snprintf(url, sizeof(url), "%s_nope", dt_url);
	dt_open_fails(url);
	ck_assert_int_eq(dt_diag.native_code, 1049);
	ck_assert_msg(strstr(dt_diag.message, "_nope") != NULL, "%s",
		      dt_diag.message);
}
END_TEST

/* ssl-mode=required and stronger refuse a server without TLS; preferred
 * takes what there is. */
START_TEST(test_driver_mysql_tls_modes)
{
	int have_tls = strcmp(dt_value_of("SELECT @@have_ssl"), "YES") == 0;
	dbshift_driver_conn *c;
	char url[1200];

	snprintf(url, sizeof(url), "%s?ssl-mode=preferred", dt_url);
	dt_drv->close(dt_open_ok(url));
	snprintf(url, sizeof(url), "%s?tls=false", dt_url);
	c = dt_open_ok(url);
	ck_assert_str_eq(dt_value_on(c,
				     "SELECT COUNT(*) FROM information_schema."
				     "session_status WHERE variable_name = "
				     "'Ssl_cipher' AND variable_value <> ''"),
			 "0");
	dt_drv->close(c);
	snprintf(url, sizeof(url), "%s?ssl-mode=required", dt_url);
	if (have_tls) {
		dt_drv->close(dt_open_ok(url));
	} else {
		dt_open_fails(url);
		ck_assert_msg(strstr(dt_diag.message, "TLS") != NULL, "%s",
			      dt_diag.message);
	}
	/* Verification without a CA that signed the server's certificate
	 * cannot succeed. */
	snprintf(url, sizeof(url), "%s?tls=true", dt_url);
	dt_open_fails(url);
}
END_TEST

/* ---- scripts ---- */

/* The failing statement's index counts non-empty statements only, and its
 * line is that of its first token, not of the comment before it. */
/* clang-format off */
static const char broken_script[] =
	"-- create and fill\n"		/* 1 */
	"CREATE TABLE a (x INT);\n"	/* 2 */
	";\n"				/* 3 */
	"INSERT INTO a VALUES (1);\n"	/* 4 */
	"/* the next statement\n"	/* 5 */
	"   is broken */\n"		/* 6 */
	"  INSERT INTO a VALUES (1,\n"	/* 7 */
	"    , 2);\n"			/* 8 */
	"CREATE TABLE b (y INT);\n";	/* 9 */
/* clang-format on */

START_TEST(test_driver_mysql_exec_error_line)
{
	dt_exec_fails(broken_script);
	ck_assert_int_eq(dt_diag.statement_index, 2);
	ck_assert_int_eq(dt_diag.line, 7);
	ck_assert_int_eq(dt_diag.native_code, 1064);
	ck_assert_str_eq(dt_diag.sqlstate, "42000");
	/* The server's "at line N" is the script's line too. */
	ck_assert_msg(strstr(dt_diag.message, "at line 8") != NULL, "%s",
		      dt_diag.message);
	/* Earlier statements ran, later ones did not. */
	ck_assert_int_eq(dt_query_int64("SELECT COUNT(*) FROM a"), 1);
	ck_assert_int_eq(dt_table_exists("b"), 0);

	/* A runtime error, third statement on one line. */
	dt_exec_fails(
		"INSERT INTO a VALUES (2); INSERT INTO a VALUES (3); "
		"INSERT INTO nosuch VALUES (4); INSERT INTO a VALUES (5)");
	ck_assert_int_eq(dt_diag.statement_index, 2);
	ck_assert_int_eq(dt_diag.line, 1);
	ck_assert_int_eq(dt_diag.native_code, 1146);
	ck_assert_str_eq(dt_diag.sqlstate, "42S02");
	ck_assert_int_eq(dt_query_int64("SELECT COUNT(*) FROM a"), 3);

	/* The first statement, and after an empty statement. */
	dt_exec_fails("\n\nSELEC 1;\nSELECT 2");
	ck_assert_int_eq(dt_diag.statement_index, 0);
	ck_assert_int_eq(dt_diag.line, 3);
	dt_exec_fails("SELECT 1;;\n;\nSELECT 2;\nSELEC 3");
	ck_assert_int_eq(dt_diag.statement_index, 2);
	ck_assert_int_eq(dt_diag.line, 4);
}
END_TEST

/* Every result is read, whatever the script returns, so the connection
 * stays usable. */
START_TEST(test_driver_mysql_exec_results)
{
	dt_exec_ok("CREATE TABLE n (i INT);"
		   "INSERT INTO n VALUES (1), (2), (3);"
		   "SELECT * FROM n; SHOW TABLES; SELECT 1 FROM DUAL WHERE 0;"
		   "INSERT INTO n SELECT i + 3 FROM n;"
		   "SELECT * FROM n a, n b, n c;" /* 216 rows */
		   "INSERT INTO n VALUES (7)");
	ck_assert_int_eq(dt_query_int64("SELECT COUNT(*) FROM n"), 7);
	dt_exec_ok("SELECT * FROM n");
	dt_exec_ok("SELECT * FROM n; DO 1");
	ck_assert_int_eq(dt_query_int64("SELECT MAX(i) FROM n"), 7);
	/* Also after a failure part way through. */
	dt_exec_fails("SELECT * FROM n; SELECT nosuch FROM n; SELECT * FROM n");
	ck_assert_int_eq(dt_diag.statement_index, 1);
	ck_assert_int_eq(dt_query_int64("SELECT COUNT(*) FROM n"), 7);
}
END_TEST

/* A CALL may send result sets before its own result; it still counts as
 * one statement. */
START_TEST(test_driver_mysql_exec_call)
{
	dt_exec_ok(
		"CREATE TABLE t (x INT);"
		"CREATE PROCEDURE two_sets() BEGIN\n  SELECT 1; SELECT 2, 3;\n"
		"END;\nCREATE PROCEDURE fails_late() BEGIN\n"
		"  SELECT 1;\n  INSERT INTO nosuch VALUES (1);\nEND");
	dt_exec_fails("CALL two_sets();\n"
		      "CALL two_sets();\nINSERT INTO t VALUES (1);\n"
		      "INSERT INTO nosuch VALUES (2)");
	ck_assert_int_eq(dt_diag.statement_index, 3);
	ck_assert_int_eq(dt_diag.line, 4);
	dt_exec_fails("CALL two_sets();\n"
		      "CALL fails_late();\nINSERT INTO t VALUES (3)");
	ck_assert_int_eq(dt_diag.statement_index, 1);
	ck_assert_int_eq(dt_diag.line, 2);
	ck_assert_int_eq(dt_query_int64("SELECT COUNT(*) FROM t"), 1);
}
END_TEST

/* A script longer than the server takes in one packet runs in several
 * batches; statements keep their index and line across them. */
START_TEST(test_driver_mysql_exec_long_script)
{
	/* 6000 statements of 236 bytes: 1.4 MB. */
	static const char row[] = "INSERT INTO t VALUES (%4d, '%0200d');\n";
	size_t size = 6000 * 256, o = 0;
	char *script = malloc(size);
	int i;

	ck_assert_ptr_nonnull(script);
	o += (size_t)snprintf(script, size,
			      "CREATE TABLE t (i INT, s TEXT);\n");
	for (i = 1; i < 6000; i++)
		o += (size_t)snprintf(script + o, size - o, row, i, i);
	ck_assert_uint_lt(o, size - 64);
	snprintf(script + o, size - o, "INSERT INTO nosuch VALUES (1);\n");
	dt_exec_fails(script);
	ck_assert_int_eq(dt_diag.statement_index, 6000);
	ck_assert_int_eq(dt_diag.line, 6001);
	ck_assert_int_eq(dt_query_int64("SELECT COUNT(*) FROM t"), 5999);
	free(script);
}
END_TEST

START_TEST(test_driver_mysql_exec_empty)
{
	static const char *const scripts[] = {
		"",
		"  \n\t\r\n",
		"-- only a comment",
		"# a hash comment\n-- and a dash one\n/* and a block\n */\n",
		";\n;;  ;",
		"/* never closed ; CREATE TABLE x (y INT);",
	};
	size_t i;

	for (i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++)
		dt_exec_ok(scripts[i]);
	dbshift__diag_init(&dt_diag);
	ck_assert_int_eq(dt_drv->exec(dt_conn, NULL, 0, &dt_diag), 0);
	ck_assert_int_eq(dt_table_exists("x"), 0);
	/* Empty statements between others are skipped, and "--" without a
	 * space is not a comment. */
	dt_exec_ok("CREATE TABLE t (x INT);;\n; INSERT INTO t VALUES (1 "
		   "--1);#\n;");
	ck_assert_int_eq(dt_query_int64("SELECT x FROM t"), 2);
	/* mysqldump's executable comments are statements. */
	dt_exec_ok("/*!40101 INSERT INTO t VALUES (3) */;\n"
		   "/*M!100100 INSERT INTO t VALUES (4) */;");
	ck_assert_int_eq(dt_query_int64("SELECT COUNT(*) FROM t"), 3);
}
END_TEST

START_TEST(test_driver_mysql_exec_nul)
{
	static const char script[] = "CREATE TABLE a (x INT);\n"
				     "CREATE TABLE b (x INT);\0\n"
				     "CREATE TABLE c (x INT);\n";

	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(
		dt_drv->exec(dt_conn, script, sizeof(script) - 1, &dt_diag), 0);
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "line 2"));
	ck_assert_int_eq(dt_table_exists("a"), 0);
}
END_TEST

/* Routine and trigger bodies need no DELIMITER: the server reads the
 * script; each body counts as one statement. */
/* clang-format off */
static const char routines[] =
	"CREATE TABLE t (x INT, note VARCHAR(20));\n"		/* 1 */
	"CREATE TRIGGER tn BEFORE INSERT ON t FOR EACH ROW\n"	/* 2 */
	"BEGIN\n"						/* 3 */
	"  IF NEW.x > 1 THEN SET NEW.note = 'big;'; END IF;\n"	/* 4 */
	"  CASE WHEN NEW.x = 0 THEN SET NEW.note = 'zero';\n"	/* 5 */
	"  ELSE BEGIN END; END CASE;\n"				/* 6 */
	"END;\n"						/* 7 */
	"CREATE FUNCTION twice(n INT) RETURNS INT\n"		/* 8 */
	"DETERMINISTIC RETURN n * 2;\n"				/* 9 */
	"INSERT INTO t (x) VALUES (twice(1)), (0);\n"		/* 10 */
	"INSERT INTO t (x) VALUES (twice('x', 1));\n";		/* 11 */
/* clang-format on */

START_TEST(test_driver_mysql_exec_routines)
{
	dt_exec_fails(routines);
	ck_assert_int_eq(dt_diag.statement_index, 4);
	ck_assert_int_eq(dt_diag.line, 11);
	ck_assert_str_eq(dt_value_of("SELECT GROUP_CONCAT(note ORDER BY x) "
				     "FROM t"),
			 "zero,big;");
}
END_TEST

/* The mysql client's DELIMITER: the script of a migration set written for
 * that client runs as it would there. */
/* clang-format off */
static const char delimited[] =
	"CREATE TABLE t (x INT);\n"		/* 1 */
	"DELIMITER $$\n"			/* 2 */
	"CREATE PROCEDURE add_one()\n"		/* 3 */
	"BEGIN\n"				/* 4 */
	"  INSERT INTO t VALUES (1);\n"		/* 5 */
	"  SELECT '$$ in a string';\n"		/* 6 */
	"END$$\n"				/* 7 */
	"-- a comment $$ too\n"			/* 8 */
	"CALL add_one(); CALL add_one()$$\n"	/* 9 */
	"delimiter //\n"			/* 10 */
	"CALL add_one() //\n"			/* 11 */
	"DELIMITER ';' -- back\n"		/* 12 */
	"INSERT INTO t VALUES (2);\n"		/* 13 */
	"INSERT INTO t VALUES (2,\n"		/* 14 */
	"  3);\n";				/* 15 */
/* clang-format on */

START_TEST(test_driver_mysql_delimiter)
{
	dt_exec_fails(delimited);
	/* CREATE TABLE, CREATE PROCEDURE, 3 CALLs, INSERT, bad INSERT. */
	ck_assert_int_eq(dt_diag.statement_index, 6);
	ck_assert_int_eq(dt_diag.line, 14);
	ck_assert_int_eq(dt_query_int64("SELECT COUNT(*) FROM t WHERE x = 1"),
			 3);
	ck_assert_int_eq(dt_query_int64("SELECT COUNT(*) FROM t WHERE x = 2"),
			 1);

	/* A failure under a custom delimiter. */
	dt_exec_fails("DELIMITER ;;\n"
		      "INSERT INTO t VALUES (5);;\n\n"
		      "INSERT INTO nosuch VALUES (5);;\n");
	ck_assert_int_eq(dt_diag.statement_index, 1);
	ck_assert_int_eq(dt_diag.line, 4);

	/* Misuse names the line. */
	dt_exec_fails("SELECT 1;\nDELIMITER\nSELECT 2");
	ck_assert_msg(strstr(dt_diag.message, "line 2") != NULL, "%s",
		      dt_diag.message);
	dt_exec_fails("DELIMITER a\\b\n");
	ck_assert_msg(strstr(dt_diag.message, "line 1") != NULL, "%s",
		      dt_diag.message);
	dt_exec_fails("\nDELIMITER $$ and more\nSELECT 1$$");
	ck_assert_msg(strstr(dt_diag.message, "line 2") != NULL, "%s",
		      dt_diag.message);
	dt_exec_fails("DELIMITER '$$\nSELECT 1$$");
	ck_assert_int_eq(dt_query_int64("SELECT COUNT(*) FROM t"), 5);
}
END_TEST

/* ---- transactions ---- */

/* MySQL commits DDL implicitly, which is why the driver does not declare
 * DBSHIFT_CAP_TRANSACTIONAL_DDL; data changes do roll back. */
START_TEST(test_driver_mysql_transactions)
{
	dt_exec_ok("CREATE TABLE kept (x INT) ENGINE=InnoDB");
	ck_assert_msg(dt_drv->rollback(dt_conn, &dt_diag) == 0, "%s",
		      dt_diag.message);
	ck_assert_msg(dt_drv->commit(dt_conn, &dt_diag) == 0, "%s",
		      dt_diag.message);

	ck_assert_int_eq(dt_drv->begin(dt_conn, &dt_diag), 0);
	dt_exec_ok("INSERT INTO kept VALUES (1)");
	ck_assert_int_eq(dt_drv->rollback(dt_conn, &dt_diag), 0);
	ck_assert_int_eq(dt_query_int64("SELECT COUNT(*) FROM kept"), 0);

	ck_assert_int_eq(dt_drv->begin(dt_conn, &dt_diag), 0);
	dt_exec_ok("INSERT INTO kept VALUES (1); CREATE TABLE ddl (x INT)");
	ck_assert_int_eq(dt_drv->rollback(dt_conn, &dt_diag), 0);
	ck_assert_int_eq(dt_table_exists("ddl"), 1);
	ck_assert_int_eq(dt_query_int64("SELECT COUNT(*) FROM kept"), 1);

	ck_assert_int_eq(dt_drv->begin(dt_conn, &dt_diag), 0);
	dt_exec_ok("INSERT INTO kept VALUES (2); SAVEPOINT s1;"
		   "INSERT INTO kept VALUES (3); ROLLBACK TO SAVEPOINT s1");
	ck_assert_int_eq(dt_drv->commit(dt_conn, &dt_diag), 0);
	ck_assert_str_eq(dt_value_of("SELECT SUM(x) FROM kept"), "3");
}
END_TEST

/* ---- queries ---- */

START_TEST(test_driver_mysql_query_params)
{
	static const char binary[] = "a\0b'\\\"c";
	dbshift_value in[3], key;
	struct dt_rows rows = {0};

	dt_exec_ok("CREATE TABLE p (id BIGINT, name TEXT, note BLOB)");
	in[0] = dt_int_value(INT64_MIN);
	in[1] = dt_text_value("hello world", 5); /* only "hello" */
	in[2] = dt_null_value();
	dt_query_ok("INSERT INTO p (id, name, note) VALUES (?, ?, ?)", in, 3,
		    NULL);
	in[0] = dt_int_value(INT64_MAX);
	in[1] = dt_text_value(NULL, 0); /* '', not NULL */
	in[2] = dt_text_value(binary, sizeof(binary) - 1);
	dt_query_ok("INSERT INTO p (id, name, note) VALUES (?, ?, ?);", in, 3,
		    NULL);

	key = dt_int_value(INT64_MIN);
	dt_query_ok("SELECT id, name, note FROM p WHERE id = ?", &key, 1,
		    &rows);
	ck_assert_int_eq(rows.count, 1);
	ck_assert_int_eq(rows.ncols, 3);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_INT64);
	ck_assert(rows.i64[0][0] == INT64_MIN);
	ck_assert_int_eq(rows.type[0][1], DBSHIFT_VALUE_TEXT);
	ck_assert_str_eq(rows.text[0][1], "hello");
	ck_assert_int_eq(rows.type[0][2], DBSHIFT_VALUE_NULL);

	memset(&rows, 0, sizeof(rows));
	key = dt_text_value(binary, sizeof(binary) - 1);
	dt_query_ok("SELECT id, name, note, name IS NULL FROM p WHERE note = ? "
		    "-- binary-safe",
		    &key, 1, &rows);
	ck_assert_int_eq(rows.count, 1);
	ck_assert(rows.i64[0][0] == INT64_MAX);
	ck_assert_int_eq(rows.len[0][1], 0);
	ck_assert_int_eq(rows.len[0][2], sizeof(binary) - 1);
	ck_assert(memcmp(rows.text[0][2], binary, sizeof(binary) - 1) == 0);
	ck_assert_int_eq(rows.i64[0][3], 0);

	/* '?' inside strings, names and comments is not a parameter. */
	memset(&rows, 0, sizeof(rows));
	key = dt_int_value(7);
	dt_query_ok("SELECT '?', `?`.`?` /* ? */ FROM (SELECT ? AS `?`) AS `?`",
		    &key, 1, &rows);
	ck_assert_str_eq(rows.text[0][0], "?");
	ck_assert_int_eq(rows.i64[0][1], 7);

	dt_query_fails("SELECT ?, ?", &key, 1);
	dt_query_fails("SELECT 1", &key, 1);
	in[0].type = 99;
	dt_query_fails("SELECT ?", in, 1);
	in[0] = dt_text_value(NULL, 3);
	dt_query_fails("SELECT ?", in, 1);
	dt_query_fails("SELECT 1; SELECT 2", NULL, 0);
	ck_assert_ptr_nonnull(strstr(dt_diag.message, "more than one"));
	dt_query_fails("-- nothing", NULL, 0);
	dt_query_fails("SELEC 1", NULL, 0);
	ck_assert_int_eq(dt_diag.native_code, 1064);
	ck_assert_str_eq(dt_diag.sqlstate, "42000");
}
END_TEST

START_TEST(test_driver_mysql_query_types)
{
	struct dt_rows rows = {0};

	dt_exec_ok("CREATE TABLE ty (ti TINYINT, si SMALLINT, mi MEDIUMINT, "
		   "i INT, bi BIGINT, ub BIGINT UNSIGNED, d DECIMAL(5,2), "
		   "f DOUBLE);"
		   "INSERT INTO ty VALUES (-128, 32767, -8388608, 2147483647, "
		   "-9223372036854775808, 18446744073709551615, 123.45, 1.5)");
	dt_query_ok("SELECT * FROM ty", NULL, 0, &rows);
	ck_assert_int_eq(rows.ncols, 8);
	ck_assert(rows.type[0][0] == DBSHIFT_VALUE_INT64 &&
		  rows.i64[0][0] == -128);
	ck_assert(rows.type[0][1] == DBSHIFT_VALUE_INT64 &&
		  rows.i64[0][1] == 32767);
	ck_assert(rows.type[0][2] == DBSHIFT_VALUE_INT64 &&
		  rows.i64[0][2] == -8388608);
	ck_assert(rows.type[0][3] == DBSHIFT_VALUE_INT64 &&
		  rows.i64[0][3] == 2147483647);
	ck_assert(rows.type[0][4] == DBSHIFT_VALUE_INT64 &&
		  rows.i64[0][4] == INT64_MIN);
	/* Beyond INT64_MAX: the text. */
	ck_assert_int_eq(rows.type[0][5], DBSHIFT_VALUE_TEXT);
	ck_assert_str_eq(rows.text[0][5], "18446744073709551615");
	ck_assert_int_eq(rows.type[0][6], DBSHIFT_VALUE_TEXT);
	ck_assert_str_eq(rows.text[0][6], "123.45");
	ck_assert_int_eq(rows.type[0][7], DBSHIFT_VALUE_TEXT);
	ck_assert_str_eq(rows.text[0][7], "1.5");

	memset(&rows, 0, sizeof(rows));
	dt_query_ok("SELECT COUNT(*), NULL, 'ab', DATE('2024-02-29'), "
		    "CAST(NULL AS SIGNED), x'00ff'",
		    NULL, 0, &rows);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_INT64);
	ck_assert_int_eq(rows.type[0][1], DBSHIFT_VALUE_NULL);
	ck_assert_str_eq(rows.text[0][2], "ab");
	ck_assert_str_eq(rows.text[0][3], "2024-02-29");
	ck_assert_int_eq(rows.type[0][4], DBSHIFT_VALUE_NULL);
	ck_assert_int_eq(rows.len[0][5], 2);
	/* No rows; a statement without a result set. */
	memset(&rows, 0, sizeof(rows));
	dt_query_ok("SELECT * FROM ty WHERE 0", NULL, 0, &rows);
	ck_assert_int_eq(rows.count, 0);
	dt_query_ok("DELETE FROM ty", NULL, 0, &rows);
	ck_assert_int_eq(rows.count, 0);
}
END_TEST

/* Values of several sizes in one column, over 64 KiB too, come back
 * whole, and the ones after a long one are right as well. */
struct long_rows {
	int count;
	int64_t len[4];
	char *text[4];
};

static int collect_long(int32_t ncols, const dbshift_value *cols, void *payload)
{
	struct long_rows *rows = payload;
	int r = rows->count++;

	ck_assert_int_lt(r, 4);
	ck_assert_int_eq(ncols, 2);
	ck_assert_int_eq(cols[1].type, DBSHIFT_VALUE_TEXT);
	rows->len[r] = cols[1].len;
	rows->text[r] = malloc((size_t)cols[1].len + 1);
	ck_assert_ptr_nonnull(rows->text[r]);
	memcpy(rows->text[r], cols[1].text, (size_t)cols[1].len);
	return 0;
}

START_TEST(test_driver_mysql_query_long_text)
{
	static const size_t sizes[4] = {10, 200000, 255, 70000};
	struct long_rows rows = {0};
	dbshift_value in[2];
	char *big = malloc(200000 + 4);
	size_t i, j;

	ck_assert_ptr_nonnull(big);
	for (j = 0; j < 200000 + 4; j++)
		big[j] = (char)('a' + j % 26);
	dt_exec_ok("CREATE TABLE l (id INT, body LONGTEXT)");
	for (i = 0; i < 4; i++) {
		in[0] = dt_int_value((int64_t)i);
		in[1] = dt_text_value(big + i, (int64_t)sizes[i]);
		dt_query_ok("INSERT INTO l VALUES (?, ?)", in, 2, NULL);
	}
	dbshift__diag_init(&dt_diag);
	ck_assert_msg(dt_drv->query(dt_conn,
				    "SELECT id, body FROM l ORDER BY id", NULL,
				    0, collect_long, &rows, &dt_diag) == 0,
		      "%s", dt_diag.message);
	ck_assert_int_eq(rows.count, 4);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(rows.len[i], (int64_t)sizes[i]);
		ck_assert_msg(memcmp(rows.text[i], big + i, sizes[i]) == 0,
			      "row %zu differs", i);
		free(rows.text[i]);
	}
	free(big);
}
END_TEST

START_TEST(test_driver_mysql_query_stop)
{
	struct dt_rows rows = {0};
	int ret;

	dt_exec_ok(
		"CREATE TABLE n (i INT); INSERT INTO n VALUES (1), (2), (3)");
	rows.stop_at = 2;
	rows.stop_value = 42;
	dbshift__diag_init(&dt_diag);
	ret = dt_drv->query(dt_conn, "SELECT i FROM n ORDER BY i", NULL, 0,
			    dt_collect, &rows, &dt_diag);
	ck_assert_int_eq(ret, 42);
	ck_assert_int_eq(rows.count, 2);
	ck_assert_str_eq(dt_diag.message, "");
	ck_assert_int_eq(dt_query_int64("SELECT COUNT(*) FROM n"), 3);
	dt_exec_ok("SELECT 1; SELECT 2");
}
END_TEST

/* ---- the catalog ---- */

START_TEST(test_driver_mysql_table_exists)
{
	char other[128], name[300];
	const char *slash;

	ck_assert_int_eq(dt_table_exists("dbshift_migrations"), 0);
	dt_exec_ok("CREATE TABLE dbshift_migrations (id INT);"
		   "CREATE VIEW v AS SELECT 1 AS one;"
		   "CREATE TEMPORARY TABLE tmp (x INT)");
	ck_assert_int_eq(dt_table_exists("dbshift_migrations"), 1);
	ck_assert_int_eq(dt_table_exists("dbshift_migration"), 0);
	ck_assert_int_eq(dt_table_exists("v"), 0);
	ck_assert_int_eq(dt_table_exists("tmp"), 0);
	/* LIKE wildcards are not wildcards. */
	ck_assert_int_eq(dt_table_exists("dbshift%"), 0);
	ck_assert_int_eq(dt_table_exists("dbshift_migrations_"), 0);
	/* Names compare as the server compares them. */
	if (strcmp(dt_value_of("SELECT @@lower_case_table_names"), "0") == 0)
		ck_assert_int_eq(dt_table_exists("DBSHIFT_MIGRATIONS"), 0);

	/* schema.table: this database, another one, a missing one. */
	snprintf(name, sizeof(name), "%s.dbshift_migrations", db_name);
	ck_assert_int_eq(dt_table_exists(name), 1);
	slash = strrchr(fx_fresh_url(FX_MYSQL), '/');
	snprintf(other, sizeof(other), "%s", slash + 1);
	snprintf(name, sizeof(name), "%s.dbshift_migrations", other);
	ck_assert_int_eq(dt_table_exists(name), 0);
	snprintf(name, sizeof(name), "CREATE TABLE `%s`.`we``ird` (x INT)",
		 other);
	dt_exec_ok(name);
	snprintf(name, sizeof(name), "%s.we`ird", other);
	ck_assert_int_eq(dt_table_exists(name), 1);
	ck_assert_int_eq(dt_table_exists("we`ird"), 0);
	ck_assert_int_eq(dt_table_exists("nosuch_schema.t"), 0);

	dt_table_exists_fails("");
	dt_table_exists_fails(".t");
	dt_table_exists_fails("s.");
	/* It does not touch a transaction. */
	ck_assert_int_eq(dt_drv->begin(dt_conn, &dt_diag), 0);
	dt_exec_ok("INSERT INTO dbshift_migrations VALUES (1)");
	ck_assert_int_eq(dt_table_exists("dbshift_migrations"), 1);
	ck_assert_int_eq(dt_drv->rollback(dt_conn, &dt_diag), 0);
	ck_assert_int_eq(
		dt_query_int64("SELECT COUNT(*) FROM dbshift_migrations"), 0);
}
END_TEST

/* ---- the run lock ---- */

/* GET_LOCK names are global to the server: the same key in two databases
 * must not conflict (two applications, one server). */
START_TEST(test_driver_mysql_lock_per_database)
{
	dbshift_driver_conn *other = dt_open_ok(fx_fresh_url(FX_MYSQL));

	ck_assert_msg(dt_drv->lock(dt_conn, "dbshift:hist", 0, &dt_diag) == 0,
		      "%s", dt_diag.message);
	ck_assert_msg(dt_drv->lock(other, "dbshift:hist", 0, &dt_diag) == 0,
		      "%s", dt_diag.message);
	ck_assert_int_eq(dt_drv->unlock(other, "dbshift:hist", &dt_diag), 0);
	ck_assert_int_eq(dt_drv->unlock(dt_conn, "dbshift:hist", &dt_diag), 0);
	dt_drv->close(other);
}
END_TEST

START_TEST(test_driver_mysql_lock)
{
	dbshift_driver_conn *other = dt_open_ok(dt_url);
	char want[64], detail[sizeof(dt_diag.detail)];
	double start;

	/* What every driver's lock does is in the conformance suite; here,
	 * what MySQL's says: GET_LOCK waits whole seconds, and the message
	 * names the connection that holds the lock. */
	ck_assert_msg(dt_drv->lock(dt_conn, "dbshift:test", 1000, &dt_diag) ==
			      0,
		      "%s", dt_diag.message);
	start = dt_now_s();
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->lock(other, "dbshift:test", 300, &dt_diag), 0);
	ck_assert_msg(dt_now_s() - start >= 0.9 && dt_now_s() - start < 4,
		      "waited %.2f s", dt_now_s() - start);
	ck_assert_str_eq(dt_diag.message,
			 "timed out after 1 s waiting for lock "
			 "'dbshift:test' held by another run");
	ck_assert_str_eq(dt_diag.sqlstate, "HY000");
	snprintf(detail, sizeof(detail), "%s", dt_diag.detail);
	snprintf(want, sizeof(want), "held by connection %s ",
		 dt_value_of("SELECT CONNECTION_ID()"));
	ck_assert_msg(strncmp(detail, want, strlen(want)) == 0, "%s", detail);
	/* An unlock by a session that does not hold it fails. */
	ck_assert_int_ne(dt_drv->unlock(other, "dbshift:test", &dt_diag), 0);
	ck_assert_int_ne(dt_drv->lock(dt_conn, "", 0, &dt_diag), 0);
	dt_drv->close(other);
}
END_TEST

/* "dbshift:" and the FNV-1a 64 hash of key in hex: the documented name of
 * a key longer than MySQL's 64 characters. */
static void hashed_name(const char *key, char *buf, size_t size)
{
	uint64_t hash = UINT64_C(0xcbf29ce484222325);

	for (; *key != '\0'; key++) {
		hash ^= (unsigned char)*key;
		hash *= UINT64_C(0x100000001b3);
	}
	snprintf(buf, size, "dbshift:%016llx", (unsigned long long)hash);
}

/* The lock name is the key scoped to the database ("KEY@DB"), hashed when
 * that is longer than the 64 characters MySQL allows. */
START_TEST(test_driver_mysql_lock_long_key)
{
	dbshift_driver_conn *other = dt_open_ok(dt_url);
	const char *db = strrchr(dt_url, '/') + 1;
	char key65[66], twin[66], scoped[160], name[64], sql[160];
	char holder[32];
	dbshift_value param;
	struct dt_rows rows = {0};

	memset(key65, 'k', 64);
	memcpy(twin, key65, 64);
	memcpy(key65 + 64, "1", 2);
	memcpy(twin + 64, "2", 2);
	snprintf(holder, sizeof(holder), "%s",
		 dt_value_of("SELECT CONNECTION_ID()"));

	/* Short enough: the key and the database. */
	ck_assert_msg(dt_drv->lock(dt_conn, "dbshift:t", 0, &dt_diag) == 0,
		      "%s", dt_diag.message);
	snprintf(scoped, sizeof(scoped), "dbshift:t@%s", db);
	param = dt_text_value(scoped, (int64_t)strlen(scoped));
	dt_query_on(other, "SELECT IS_USED_LOCK(?)", &param, 1, &rows);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_INT64);
	snprintf(sql, sizeof(sql), "%lld", (long long)rows.i64[0][0]);
	ck_assert_str_eq(sql, holder);

	/* Longer: the stable hashed name, distinct for keys that share
	 * their first 64 characters. */
	ck_assert_msg(dt_drv->lock(dt_conn, key65, 0, &dt_diag) == 0, "%s",
		      dt_diag.message);
	snprintf(scoped, sizeof(scoped), "%s@%s", key65, db);
	hashed_name(scoped, name, sizeof(name));
	memset(&rows, 0, sizeof(rows));
	param = dt_text_value(name, (int64_t)strlen(name));
	dt_query_on(other, "SELECT IS_USED_LOCK(?)", &param, 1, &rows);
	ck_assert_int_eq(rows.type[0][0], DBSHIFT_VALUE_INT64);
	snprintf(sql, sizeof(sql), "%lld", (long long)rows.i64[0][0]);
	ck_assert_str_eq(sql, holder);
	dbshift__diag_init(&dt_diag);
	ck_assert_int_ne(dt_drv->lock(other, key65, 0, &dt_diag), 0);
	ck_assert_ptr_nonnull(strstr(dt_diag.message, key65));
	ck_assert_msg(dt_drv->lock(other, twin, 0, &dt_diag) == 0, "%s",
		      dt_diag.message);
	ck_assert_int_eq(dt_drv->unlock(dt_conn, key65, &dt_diag), 0);
	ck_assert_int_eq(dt_drv->lock(other, key65, 0, &dt_diag), 0);
	dt_drv->close(other);
}
END_TEST

/* ---- without a server ---- */

START_TEST(test_driver_mysql_no_server)
{
	/* Fails unless DBSHIFT_TEST_SKIP_MYSQL=1. */
	fx_dialect_ready(FX_MYSQL);
}
END_TEST

Suite *driver_mysql_suite(void)
{
	Suite *s = suite_create("driver_mysql");
	TCase *local = tcase_create("local");
	TCase *tc = tcase_create("server");

	/* Without the driver (configure --without-mysql) the server tests
	 * are skipped through the environment (fx_dialects_init). */
	if (fx_dialect_built(FX_MYSQL)) {
		tcase_add_checked_fixture(local, setup_driver, NULL);
		tcase_add_test(local, test_driver_mysql_descriptor);
		tcase_add_test(local, test_driver_mysql_abi);
		tcase_add_test(local, test_driver_mysql_bad_urls);
		tcase_add_test(local, test_driver_mysql_unreachable);
		tcase_add_test(local, test_driver_mysql_silent_server);
		tcase_add_test(local, test_driver_mysql_quote_ident);
	}
	suite_add_tcase(s, local);
	suite_add_tcase(s, tc);
	if (getenv("DBSHIFT_TEST_MYSQL_URL") == NULL) {
		tcase_add_test(tc, test_driver_mysql_no_server);
		return s;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, dt_stop);
	tcase_add_test(tc, test_driver_mysql_url_forms);
	tcase_add_test(tc, test_driver_mysql_no_database);
	tcase_add_test(tc, test_driver_mysql_wrong_password);
	tcase_add_test(tc, test_driver_mysql_unknown_database);
	tcase_add_test(tc, test_driver_mysql_tls_modes);
	tcase_add_test(tc, test_driver_mysql_exec_error_line);
	tcase_add_test(tc, test_driver_mysql_exec_results);
	tcase_add_test(tc, test_driver_mysql_exec_call);
	tcase_add_test(tc, test_driver_mysql_exec_long_script);
	tcase_add_test(tc, test_driver_mysql_exec_empty);
	tcase_add_test(tc, test_driver_mysql_exec_nul);
	tcase_add_test(tc, test_driver_mysql_exec_routines);
	tcase_add_test(tc, test_driver_mysql_delimiter);
	tcase_add_test(tc, test_driver_mysql_transactions);
	tcase_add_test(tc, test_driver_mysql_query_params);
	tcase_add_test(tc, test_driver_mysql_query_types);
	tcase_add_test(tc, test_driver_mysql_query_long_text);
	tcase_add_test(tc, test_driver_mysql_query_stop);
	tcase_add_test(tc, test_driver_mysql_table_exists);
	tcase_add_test(tc, test_driver_mysql_lock);
	tcase_add_test(tc, test_driver_mysql_lock_per_database);
	tcase_add_test(tc, test_driver_mysql_lock_long_key);
	return s;
}
