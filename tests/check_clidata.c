/* SPDX-License-Identifier: MIT */
/*
 * check_clidata.c - runs the CLI cases written as data files in
 * tests/data/ (files named *.test) (format: tests/data/README). The directory
 * is listed when the suite is built; every (case, dialect) pair the case allows
 * is one iteration of a loop test, in its own forked process, scratch directory
 * and fresh database (tests/fixture.c, tests/dialects.c). The file is read line
 * by line and each directive is carried out as it comes; a failure names the
 * case file, its line and the dialect. DBSHIFT_TEST_CASE=PATTERN (a shell
 * pattern on the file name, with or without .test) runs only the matching
 * cases.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checksum.h"
#include "dbshift/dbshift.h"
#include "dialects.h"
#include "fixture.h"
#include "suites.h"

#define DATA_DIR TOP_SRCDIR "/tests/data"
#define LINE_MAX_LEN 8192
#define MAX_ARGS 64
#define MAX_ENV 16
#define MAX_VARS 16

/* One iteration of the loop test: a case file on one dialect (-1 when
 * its dialects line names none the suite knows). */
struct case_ref {
	char file[256];
	int dialect;
};

static struct case_ref *case_refs;
static int n_case_refs;

/* The state of one case while it runs. */
struct ctx {
	const char *file;
	int dialect;
	int line;
	FILE *in;
	char url[1024];	    /* {url}: the case's fresh database */
	char db[1100];	    /* where query/table/sql look (use-db) */
	char *env[MAX_ENV]; /* env lines for the next run */
	int n_env;
	fx_run run;
	int have_run;
	int exit_checked;
	int run_line;
	char *query_result; /* waiting for its result line */
	char *line_text;    /* the line "stdout line" chose */
	char *snapshot;	    /* what "snapshot" saw */
	struct {
		char name[64];
		char *value;
	} vars[MAX_VARS]; /* {name} set by let and checksum */
	int n_vars;
};

/* Fail the case, naming its file, line and dialect, and showing the
 * last run's output. */
#define case_fail(c, fmt, ...)                                                 \
	ck_abort_msg("tests/data/%s:%d [%s]: " fmt "%s%s%s%s", (c)->file,      \
		     (c)->line, fx_dialect_name((c)->dialect), __VA_ARGS__,    \
		     (c)->have_run ? "\n--- stdout:\n" : "",                   \
		     (c)->have_run ? (c)->run.out : "",                        \
		     (c)->have_run ? "--- stderr:\n" : "",                     \
		     (c)->have_run ? (c)->run.err : "")

#define case_check(c, cond, fmt, ...)                                          \
	do {                                                                   \
		if (!(cond))                                                   \
			case_fail(c, fmt, __VA_ARGS__);                        \
	} while (0)

/* ---- placeholders and escapes ---- */

/* Value of the placeholder {name} (name of len bytes), or NULL. */
static const char *placeholder(struct ctx *c, const char *name, size_t len)
{
	static const char *const names[] = {
		"url",	       "dir",	  "srcdir",  "fixtures",
		"testdrivers", "drivers", "version", "dialect"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			break;
	switch (i) {
	case 0:
		return c->url;
	case 1:
		return fx_tmpdir();
	case 2:
		return TOP_SRCDIR;
	case 3:
		return FX_FIXTURE_DIR;
	case 4:
		return fx_test_driver_dir();
	case 5:
		return fx_driver_dir();
	case 6:
		return DBSHIFT_VERSION;
	case 7:
		return fx_dialect_name(c->dialect);
	default:
		break;
	}
	for (i = 0; i < (size_t)c->n_vars; i++)
		if (strlen(c->vars[i].name) == len &&
		    memcmp(c->vars[i].name, name, len) == 0)
			return c->vars[i].value;
	return NULL;
}

/* in with every known {name} replaced, into a malloc'd string; other
 * braces (JSON) are left as they are. */
static char *expand(struct ctx *c, const char *in)
{
	size_t cap = strlen(in) + 1, len = 0;
	char *out = malloc(cap);
	const char *p = in;

	ck_assert(out != NULL);
	while (*p != '\0') {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		const char *value =
			close ? placeholder(c, p + 1, (size_t)(close - p - 1)) :
				NULL;
		const char *piece = value ? value : p;
		size_t n = value ? strlen(value) : 1;

		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			out = realloc(out, cap);
			ck_assert(out != NULL);
		}
		memcpy(out + len, piece, n);
		len += n;
		p = value ? close + 1 : p + 1;
	}
	out[len] = '\0';
	return out;
}

/* Text of a has/lacks/starts/ends/result line: placeholders expanded,
 * then \n, \t and \\ turned into what they stand for. malloc'd. */
static char *expand_text(struct ctx *c, const char *in)
{
	char *s = expand(c, in);
	char *r = s, *w = s;

	for (; *r != '\0'; r++) {
		if (*r != '\\' || r[1] == '\0') {
			*w++ = *r;
			continue;
		}
		r++;
		*w++ = *r == 'n' ? '\n' : *r == 't' ? '\t' : *r;
	}
	*w = '\0';
	return s;
}

/* ---- reading the file ---- */

/* The next line without its newline into buf; 0 at the end. */
static int next_line(struct ctx *c, char *buf)
{
	size_t len;

	if (fgets(buf, LINE_MAX_LEN, c->in) == NULL)
		return 0;
	c->line++;
	len = strlen(buf);
	case_check(c, len < LINE_MAX_LEN - 1 || buf[len - 1] == '\n',
		   "line longer than %d bytes", LINE_MAX_LEN - 2);
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return 1;
}

/* The lines up to one holding only marker, joined with newlines (each
 * line ends in one), placeholders expanded. malloc'd. */
static char *read_block(struct ctx *c, const char *marker)
{
	char line[LINE_MAX_LEN];
	size_t cap = 1024, len = 0;
	char *body = malloc(cap);
	int start = c->line;

	ck_assert(body != NULL);
	body[0] = '\0';
	for (;;) {
		size_t n;

		case_check(c, next_line(c, line),
			   "no '%s' after the block of line %d", marker, start);
		if (strcmp(line, marker) == 0)
			break;
		n = strlen(line);
		if (len + n + 2 > cap) {
			cap = (len + n + 2) * 2;
			body = realloc(body, cap);
			ck_assert(body != NULL);
		}
		memcpy(body + len, line, n);
		body[len + n] = '\n';
		len += n + 1;
		body[len] = '\0';
	}
	{
		char *expanded = expand(c, body);

		free(body);
		return expanded;
	}
}

/* The marker of "<<MARKER" in arg, or NULL when arg is not one. */
static const char *heredoc_marker(const char *arg)
{
	return strncmp(arg, "<<", 2) == 0 && arg[2] != '\0' ? arg + 2 : NULL;
}

/*
 * Split a run line into words at blanks; '...' quotes literally, "..."
 * quotes with \" and \\ escapes. Each word has its placeholders expanded.
 * Returns the count; words are malloc'd.
 */
static int split_words(struct ctx *c, const char *s, char **words)
{
	char word[LINE_MAX_LEN];
	int n = 0;

	for (;;) {
		size_t len = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return n;
		case_check(c, n < MAX_ARGS - 1, "more than %d words",
			   MAX_ARGS - 1);
		while (*s != '\0' && *s != ' ' && *s != '\t') {
			char q = *s;

			if (q != '\'' && q != '"') {
				word[len++] = *s++;
				continue;
			}
			for (s++; *s != q; s++) {
				case_check(c, *s != '\0', "unterminated %c", q);
				if (q == '"' && *s == '\\' && s[1] != '\0')
					s++;
				word[len++] = *s;
			}
			s++;
		}
		word[len] = '\0';
		words[n++] = expand(c, word);
	}
}

/* ---- directives ---- */

static void finish_run(struct ctx *c)
{
	if (!c->have_run)
		return;
	if (!c->exit_checked) {
		c->line = c->run_line;
		case_fail(c, "%s", "run without an exit line");
	}
}

static void do_run(struct ctx *c, const char *args)
{
	char *argv[MAX_ARGS];
	const char *envp[MAX_ENV + 1];
	int n, i;

	finish_run(c);
	if (c->have_run)
		fx_run_free(&c->run);
	n = split_words(c, args, argv);
	argv[n] = NULL;
	for (i = 0; i < c->n_env; i++)
		envp[i] = c->env[i];
	envp[c->n_env] = NULL;
	c->run = fx_cli_env(envp, (const char *const *)argv);
	for (i = 0; i < n; i++)
		free(argv[i]);
	/* putenv() kept the strings in the child only: free them here. */
	for (i = 0; i < c->n_env; i++)
		free(c->env[i]);
	c->n_env = 0;
	c->have_run = 1;
	c->exit_checked = 0;
	c->run_line = c->line;
}

static void do_exit(struct ctx *c, const char *arg)
{
	char *end;
	long want;

	case_check(c, c->have_run, "%s", "exit before any run");
	c->exit_checked = 1;
	if (strcmp(arg, "!0") == 0) {
		case_check(c, c->run.status != 0, "exit %d (wanted non-zero)",
			   c->run.status);
		return;
	}
	errno = 0;
	want = strtol(arg, &end, 10);
	case_check(c, errno == 0 && end != arg && *end == '\0',
		   "bad exit status '%s'", arg);
	case_check(c, c->run.status == want, "exit %d (wanted %ld)",
		   c->run.status, want);
}

/* "stdout order A | B | C": each occurs, the first of each in this order. */
static void check_order(struct ctx *c, const char *which, const char *got,
			const char *args)
{
	char *list = expand_text(c, args), *item = list;
	const char *last = NULL, *last_item = "";

	for (;;) {
		char *sep = strstr(item, " | ");
		const char *hit;

		if (sep != NULL)
			*sep = '\0';
		hit = strstr(got, item);
		case_check(c, hit != NULL, "%s lacks '%s'", which, item);
		case_check(c, last == NULL || hit > last,
			   "in %s, '%s' is not after '%s'", which, item,
			   last_item);
		last = hit;
		last_item = item;
		if (sep == NULL)
			break;
		item = sep + 3;
	}
	free(list);
}

/* "stdout line NEEDLE": the line holding NEEDLE, for the line checks. */
static void choose_line(struct ctx *c, const char *which, const char *got,
			const char *needle)
{
	const char *hit = strstr(got, needle), *start, *end;

	case_check(c, hit != NULL, "%s lacks '%s'", which, needle);
	for (start = hit; start > got && start[-1] != '\n'; start--)
		;
	end = strchr(hit, '\n');
	if (end == NULL)
		end = hit + strlen(hit);
	free(c->line_text);
	c->line_text = strndup(start, (size_t)(end - start));
	ck_assert(c->line_text != NULL);
}

/* "line has TEXT" / "line lacks TEXT" on the chosen line. */
static void do_line(struct ctx *c, const char *args)
{
	int has = strncmp(args, "has ", 4) == 0;
	char *text;

	case_check(c, c->line_text != NULL, "%s", "line check before a 'line'");
	case_check(c, has || strncmp(args, "lacks ", 6) == 0,
		   "bad line check '%s'", args);
	text = expand_text(c, args + (has ? 4 : 6));
	case_check(c, (strstr(c->line_text, text) != NULL) == has,
		   "line '%s' %s '%s'", c->line_text, has ? "lacks" : "has",
		   text);
	free(text);
}

/* stdout/stderr CHECK [TEXT]: has, lacks, starts, ends, empty, <<MARKER. */
static void do_stream(struct ctx *c, const char *which, const char *args)
{
	const char *got =
		strcmp(which, "stdout") == 0 ? c->run.out : c->run.err;
	char check[32];
	const char *rest = strchr(args, ' ');
	size_t clen = rest ? (size_t)(rest - args) : strlen(args);
	char *text;

	case_check(c, c->have_run, "%s before any run", which);
	case_check(c, clen < sizeof(check), "bad %s line", which);
	memcpy(check, args, clen);
	check[clen] = '\0';
	rest = rest ? rest + 1 : "";
	if (strcmp(check, "empty") == 0) {
		case_check(c, got[0] == '\0', "%s is not empty", which);
		return;
	}
	if (heredoc_marker(check) != NULL) {
		text = read_block(c, heredoc_marker(check));
		case_check(c, strcmp(got, text) == 0, "%s differs; wanted:\n%s",
			   which, text);
		free(text);
		return;
	}
	if (strcmp(check, "order") == 0) {
		check_order(c, which, got, rest);
		return;
	}
	text = expand_text(c, rest);
	if (strcmp(check, "line") == 0) {
		choose_line(c, which, got, text);
		free(text);
		return;
	}
	if (strcmp(check, "has") == 0)
		case_check(c, strstr(got, text) != NULL, "%s lacks '%s'", which,
			   text);
	else if (strcmp(check, "lacks") == 0)
		case_check(c, strstr(got, text) == NULL, "%s has '%s'", which,
			   text);
	else if (strcmp(check, "starts") == 0)
		case_check(c, strncmp(got, text, strlen(text)) == 0,
			   "%s does not start with '%s'", which, text);
	else if (strcmp(check, "ends") == 0)
		case_check(c,
			   strlen(got) >= strlen(text) &&
				   strcmp(got + strlen(got) - strlen(text),
					  text) == 0,
			   "%s does not end with '%s'", which, text);
	else
		case_fail(c, "unknown %s check '%s'", which, check);
	free(text);
}

/* The file of a sqlite: URL exists (a check on a missing one would
 * create it). */
static int db_exists(const char *url)
{
	struct stat st;
	const char *path = url + strlen("sqlite:");

	if (strncmp(url, "sqlite:", 7) != 0)
		return 1;
	if (strncmp(path, "//", 2) == 0)
		path += 2;
	return stat(path, &st) == 0;
}

static void do_table(struct ctx *c, const char *table, int want)
{
	int has = db_exists(c->db) && fx_db_has_table(c->db, table);

	case_check(c, has == want, "table %s %s", table,
		   want ? "missing" : "exists");
}

/* Queries describing everything a command could change, per dialect:
 * the schema (every table's columns; on SQLite every object's SQL) and
 * every history row. */
static const char *const schema_sql[FX_N_DIALECTS] = {
	"SELECT type || ' ' || name || ': ' || coalesce(sql, '') "
	"FROM sqlite_master ORDER BY name",
	"SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || "
	"is_nullable FROM information_schema.columns WHERE table_schema = "
	"current_schema() ORDER BY table_name, ordinal_position",
	"SELECT CONCAT(table_name, '.', column_name, ' ', column_type, ' ', "
	"is_nullable) FROM information_schema.columns WHERE table_schema = "
	"DATABASE() ORDER BY table_name, ordinal_position",
};
static const char *const history_rows_sql[FX_N_DIALECTS] = {
	"SELECT id || '|' || checksum || '|' || state || '|' || seq || '|' || "
	"applied_at || '|' || execution_ms FROM dbshift_migrations ORDER BY "
	"seq",
	"SELECT concat_ws('|', id, checksum, state, seq, applied_at, "
	"execution_ms) FROM dbshift_migrations ORDER BY seq",
	"SELECT CONCAT_WS('|', id, checksum, state, seq, applied_at, "
	"execution_ms) FROM dbshift_migrations ORDER BY seq",
};

/* The schema and history of the case's database ("" for a SQLite file
 * that does not exist); with schema_only, the schema alone. malloc'd. */
static char *take_snapshot(struct ctx *c, int schema_only)
{
	char *schema, *rows = NULL, *all;
	size_t len;

	case_check(c, strcmp(c->db, c->url) == 0, "%s",
		   "snapshot and unchanged look at {url} only");
	if (!db_exists(c->db))
		return calloc(1, 1);
	schema = fx_db_query(c->db, schema_sql[c->dialect]);
	if (schema_only)
		return schema;
	if (fx_db_has_table(c->db, "dbshift_migrations"))
		rows = fx_db_query(c->db, history_rows_sql[c->dialect]);
	len = strlen(schema) + (rows ? strlen(rows) : 0) + 8;
	all = malloc(len);
	ck_assert(all != NULL);
	snprintf(all, len, "%s\n--\n%s", schema, rows ? rows : "");
	free(schema);
	free(rows);
	return all;
}

static void do_snapshot(struct ctx *c, const char *name)
{
	char *now;

	if (strcmp(name, "snapshot") == 0) {
		free(c->snapshot);
		c->snapshot = take_snapshot(c, 0);
		return;
	}
	if (strcmp(name, "empty-db") == 0) {
		now = take_snapshot(c, 1);
		case_check(c, now[0] == '\0', "the database holds:\n%s", now);
		free(now);
		return;
	}
	case_check(c, c->snapshot != NULL, "%s", "unchanged before a snapshot");
	now = take_snapshot(c, 0);
	case_check(c, strcmp(now, c->snapshot) == 0,
		   "the database changed; before:\n%s\nafter:\n%s", c->snapshot,
		   now);
	free(now);
}

/* "let NAME SQL" (the query's result) or "checksum NAME PATH" (the
 * checksum the history would record for the file): {NAME} from then on. */
static void do_let(struct ctx *c, const char *kind, const char *args)
{
	const char *sp = strchr(args, ' ');
	size_t len = sp ? (size_t)(sp - args) : 0;
	char *value, *arg;

	case_check(c, len > 0 && len < sizeof(c->vars[0].name),
		   "wanted: %s NAME %s", kind, kind[0] == 'l' ? "SQL" : "PATH");
	case_check(c, c->n_vars < MAX_VARS, "more than %d names", MAX_VARS);
	arg = expand(c, sp + 1);
	if (kind[0] == 'l') {
		value = fx_db_query(c->db, arg);
	} else {
		char *text = fx_read(fx_path(arg));

		value = malloc(65);
		ck_assert(value != NULL);
		case_check(c,
			   dbshift__checksum_script(text, strlen(text),
						    value) == 0,
			   "checksum of %s", arg);
		free(text);
	}
	free(arg);
	memcpy(c->vars[c->n_vars].name, args, len);
	c->vars[c->n_vars].name[len] = '\0';
	c->vars[c->n_vars++].value = value;
}

static void do_result(struct ctx *c, const char *arg)
{
	char *want = expand_text(c, arg);

	case_check(c, c->query_result != NULL, "%s", "result without a query");
	case_check(c, strcmp(c->query_result, want) == 0,
		   "query gave '%s' (wanted '%s')", c->query_result, want);
	free(want);
	free(c->query_result);
	c->query_result = NULL;
}

/* Split "A B" into two words (each with placeholders expanded). */
static void two_args(struct ctx *c, const char *args, char **a, char **b)
{
	char *words[MAX_ARGS];
	int n = split_words(c, args, words);

	case_check(c, n == 2, "wanted two arguments, got %d", n);
	*a = words[0];
	*b = words[1];
}

static void do_file_op(struct ctx *c, const char *op, const char *args)
{
	char *a, *b;
	struct stat st;

	if (strcmp(op, "remove") == 0 || strcmp(op, "mkdir") == 0 ||
	    strcmp(op, "exists") == 0 || strcmp(op, "missing") == 0) {
		a = expand(c, args);
		if (op[0] == 'r')
			case_check(c, unlink(fx_path(a)) == 0, "remove %s: %s",
				   a, strerror(errno));
		else if (op[0] == 'm' && op[1] == 'k')
			fx_mkdir(a);
		else
			case_check(c,
				   (stat(fx_path(a), &st) == 0) ==
					   (op[0] == 'e'),
				   "%s %s", a,
				   op[0] == 'e' ? "does not exist" : "exists");
		free(a);
		return;
	}
	two_args(c, args, &a, &b);
	if (strcmp(op, "copy") == 0) {
		fx_copy_fixture(a, b);
	} else if (strcmp(op, "chmod") == 0) {
		char *end;
		long mode = strtol(a, &end, 8);

		case_check(c, *end == '\0' && end != a, "bad mode '%s'", a);
		case_check(c, chmod(fx_path(b), (mode_t)mode) == 0,
			   "chmod %s: %s", b, strerror(errno));
	} else { /* symlink TARGET LINK */
		case_check(c, symlink(a, fx_path(b)) == 0, "symlink %s: %s", b,
			   strerror(errno));
	}
	free(a);
	free(b);
}

/*
 * "write PATH <<MARKER" (the block) or "write PATH = TEXT" (TEXT with its
 * escapes and no newline added: a script without a final newline, or an
 * empty file). "contents PATH <<MARKER": the file holds exactly the block.
 */
static void do_write(struct ctx *c, const char *kind, const char *args)
{
	const char *sp = strchr(args, ' ');
	const char *rest = sp ? sp + 1 : "";
	char *path, *body;

	case_check(c, sp != NULL && sp > args, "wanted: %s PATH <<MARKER",
		   kind);
	path = strndup(args, (size_t)(sp - args));
	ck_assert(path != NULL);
	if (kind[0] == 'w' &&
	    (strcmp(rest, "=") == 0 || strncmp(rest, "= ", 2) == 0)) {
		body = expand_text(c, rest[1] == ' ' ? rest + 2 : "");
	} else {
		case_check(c, heredoc_marker(rest) != NULL,
			   "wanted: %s PATH <<MARKER", kind);
		body = read_block(c, heredoc_marker(rest));
	}
	if (kind[0] == 'w') {
		char *expanded = expand(c, path);

		fx_write(expanded, body);
		free(expanded);
	} else {
		char *expanded = expand(c, path);
		char *got = fx_read(fx_path(expanded));

		case_check(c, strcmp(got, body) == 0,
			   "%s holds:\n%s\n(wanted:\n%s)", expanded, got, body);
		free(got);
		free(expanded);
	}
	free(body);
	free(path);
}

/* Lines of the form "directive rest". */
static void do_directive(struct ctx *c, const char *name, const char *rest)
{
	char *arg;

	if (strcmp(name, "run") == 0) {
		do_run(c, rest);
	} else if (strcmp(name, "exit") == 0) {
		do_exit(c, rest);
	} else if (strcmp(name, "stdout") == 0 || strcmp(name, "stderr") == 0) {
		do_stream(c, name, rest);
	} else if (strcmp(name, "env") == 0) {
		case_check(c, c->n_env < MAX_ENV && strchr(rest, '=') != NULL,
			   "%s", "bad env line (NAME=VALUE)");
		c->env[c->n_env++] = expand(c, rest);
	} else if (strcmp(name, "write") == 0 ||
		   strcmp(name, "contents") == 0) {
		do_write(c, name, rest);
	} else if (strcmp(name, "use-db") == 0) {
		arg = expand(c, rest);
		snprintf(c->db, sizeof(c->db), "%s", arg);
		free(arg);
	} else if (strcmp(name, "sql") == 0 || strcmp(name, "query") == 0) {
		const char *marker = heredoc_marker(rest);

		arg = marker ? read_block(c, marker) : expand(c, rest);
		if (name[0] == 's') {
			fx_db_exec(c->db, arg);
			free(arg);
			return;
		}
		case_check(c, c->query_result == NULL, "%s",
			   "query without a result line");
		c->query_result = fx_db_query(c->db, arg);
		free(arg);
	} else if (strcmp(name, "result") == 0) {
		do_result(c, rest);
	} else if (strcmp(name, "history") == 0) {
		c->query_result = fx_db_query(
			c->db,
			"SELECT id FROM dbshift_migrations WHERE state = "
			"'applied' ORDER BY seq");
		do_result(c, rest);
	} else if (strcmp(name, "table") == 0 ||
		   strcmp(name, "no-table") == 0) {
		do_table(c, rest, name[0] == 't');
	} else if (strcmp(name, "line") == 0) {
		do_line(c, rest);
	} else if (strcmp(name, "snapshot") == 0 ||
		   strcmp(name, "unchanged") == 0 ||
		   strcmp(name, "empty-db") == 0) {
		do_snapshot(c, name);
	} else if (strcmp(name, "let") == 0 || strcmp(name, "checksum") == 0) {
		do_let(c, name, rest);
	} else if (strcmp(name, "dialects") == 0) {
		/* read when the suite is built */
	} else if (strcmp(name, "copy") == 0 || strcmp(name, "chmod") == 0 ||
		   strcmp(name, "symlink") == 0 ||
		   strcmp(name, "remove") == 0 || strcmp(name, "mkdir") == 0 ||
		   strcmp(name, "exists") == 0 ||
		   strcmp(name, "missing") == 0) {
		do_file_op(c, name, rest);
	} else {
		case_fail(c, "unknown directive '%s'", name);
	}
}

static void run_case(struct ctx *c)
{
	char line[LINE_MAX_LEN], path[1024];

	snprintf(path, sizeof(path), "%s/%s", DATA_DIR, c->file);
	c->in = fopen(path, "r");
	ck_assert_msg(c->in != NULL, "open %s: %s", path, strerror(errno));
	while (next_line(c, line)) {
		char *sp = strchr(line, ' ');

		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (sp != NULL)
			*sp = '\0';
		case_check(c,
			   c->query_result == NULL ||
				   strcmp(line, "result") == 0,
			   "%s", "query without a result line");
		do_directive(c, line, sp ? sp + 1 : "");
	}
	fclose(c->in);
	finish_run(c);
	case_check(c, c->query_result == NULL, "%s",
		   "query without a result line");
	case_check(c, c->have_run, "%s", "case runs nothing");
	fx_run_free(&c->run);
	free(c->line_text);
	free(c->snapshot);
	while (c->n_vars > 0)
		free(c->vars[--c->n_vars].value);
}

START_TEST(test_clidata_case)
{
	const struct case_ref *ref = &case_refs[_i];
	struct ctx c;

	memset(&c, 0, sizeof(c));
	c.file = ref->file;
	c.dialect = ref->dialect < 0 ? FX_SQLITE : ref->dialect;
	if (ref->dialect < 0)
		case_fail(&c, "%s", "its dialects line names no known dialect");
	if (!fx_dialect_ready(c.dialect))
		return;
	snprintf(c.url, sizeof(c.url), "%s", fx_fresh_url(c.dialect));
	snprintf(c.db, sizeof(c.db), "%s", c.url);
	run_case(&c);
}
END_TEST

START_TEST(test_clidata_none)
{
	const char *pattern = getenv("DBSHIFT_TEST_CASE");

	ck_abort_msg("no case in %s matches DBSHIFT_TEST_CASE=%s", DATA_DIR,
		     pattern != NULL ? pattern : "(unset)");
}
END_TEST

/* ---- building the list ---- */

/* Bit per dialect from the file's "dialects" line (all when it has
 * none); 0 when the line names none the suite knows. */
static unsigned case_dialects(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[LINE_MAX_LEN];
	unsigned mask = (1u << FX_N_DIALECTS) - 1;

	if (f == NULL)
		return mask; /* the test itself reports it */
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *word = line + 9;
		int d;

		if (strncmp(line, "dialects ", 9) != 0)
			continue;
		mask = 0;
		while (*word != '\0') {
			size_t len = strcspn(word, " \t\n");

			for (d = 0; d < FX_N_DIALECTS; d++)
				if (strlen(fx_dialect_name(d)) == len &&
				    strncmp(word, fx_dialect_name(d), len) == 0)
					mask |= 1u << d;
			word += len;
			word += strspn(word, " \t\n");
		}
		break;
	}
	fclose(f);
	return mask;
}

static int case_wanted(const char *name)
{
	const char *pattern = getenv("DBSHIFT_TEST_CASE");
	char stem[256];
	size_t len = strlen(name) - strlen(".test");

	if (pattern == NULL || pattern[0] == '\0')
		return 1;
	snprintf(stem, sizeof(stem), "%.*s", (int)len, name);
	return fnmatch(pattern, name, 0) == 0 || fnmatch(pattern, stem, 0) == 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_ref(const char *file, int dialect)
{
	case_refs = realloc(case_refs,
			    (size_t)(n_case_refs + 1) * sizeof(*case_refs));
	if (case_refs == NULL)
		abort(); /* no Check assertion outside a test */
	snprintf(case_refs[n_case_refs].file, sizeof(case_refs[0].file), "%s",
		 file);
	case_refs[n_case_refs++].dialect = dialect;
}

/* The case files wanted, sorted, each on every dialect it allows. */
static void list_cases(void)
{
	DIR *d = opendir(DATA_DIR);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, i;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len <= 5 || strcmp(e->d_name + len - 5, ".test") != 0 ||
		    len >= sizeof(case_refs[0].file) || !case_wanted(e->d_name))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (names == NULL || (names[n++] = strdup(e->d_name)) == NULL)
			abort(); /* no Check assertion outside a test */
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		char path[1024];
		unsigned mask;
		int dialect;

		snprintf(path, sizeof(path), "%s/%s", DATA_DIR, names[i]);
		mask = case_dialects(path);
		if (mask == 0)
			add_ref(names[i], -1);
		for (dialect = 0; dialect < FX_N_DIALECTS; dialect++)
			if (mask & (1u << dialect))
				add_ref(names[i], dialect);
		free(names[i]);
	}
	free(names);
}

Suite *clidata_suite(void)
{
	Suite *s = suite_create("clidata");
	TCase *tc = tcase_create("clidata");

	tcase_set_timeout(tc, 30);
	free(case_refs);
	case_refs = NULL;
	n_case_refs = 0;
	list_cases();
	if (n_case_refs == 0)
		tcase_add_test(tc, test_clidata_none);
	else
		tcase_add_loop_test(tc, test_clidata_case, 0, n_case_refs);
	suite_add_tcase(s, tc);
	return s;
}
