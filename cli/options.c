/* SPDX-License-Identifier: MIT */
/*
 * options.c - command-line parsing for the dbshift program.
 *
 * getopt_long() in its default GNU mode permutes argv, so options may
 * stand before or after the command and its arguments
 * (`dbshift up --source app=db/migrations`, `dbshift down --all`). What
 * remains after the options is the command and its arguments. Defaults
 * that depend on the environment (the URL) are applied here, so that the
 * commands see one complete struct cli_options. A URL given with --url is
 * copied and overwritten in argv, so that `ps` does not show a password;
 * --url-file reads it from a file only its owner may read.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* Values of the long-only options, outside the range of short ones. */
enum {
	OPT_DRIVER_DIR = 256,
	OPT_LOCK_TIMEOUT,
	OPT_LOCK,
	OPT_DDL_LOCK_TIMEOUT,
	OPT_DDL_LOCK_RETRIES,
	OPT_IGNORE_CHECKSUMS,
	OPT_JSON,
	OPT_STRICT_ORDER,
	OPT_CONTEXT,
	OPT_ALL,
	OPT_NAME,
	OPT_FUNCTION,
	OPT_DRY_RUN,
	OPT_FROM,
	OPT_FROM_TABLE,
	OPT_NAMING,
	OPT_KEEP_GOING,
	OPT_AS_FAR_AS_POSSIBLE,
	OPT_URL_FILE
};

/* Longest URL file read. */
#define URL_FILE_MAX 8192

static const char short_options[] = ":u:s:t:o:yqvhV";

static const struct option long_options[] = {
	{"url", required_argument, NULL, 'u'},
	{"url-file", required_argument, NULL, OPT_URL_FILE},
	{"source", required_argument, NULL, 's'},
	{"table", required_argument, NULL, 't'},
	{"driver-dir", required_argument, NULL, OPT_DRIVER_DIR},
	{"lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT},
	{"lock", required_argument, NULL, OPT_LOCK},
	{"ddl-lock-timeout", required_argument, NULL, OPT_DDL_LOCK_TIMEOUT},
	{"ddl-lock-retries", required_argument, NULL, OPT_DDL_LOCK_RETRIES},
	{"ignore-checksums", no_argument, NULL, OPT_IGNORE_CHECKSUMS},
	{"json", no_argument, NULL, OPT_JSON},
	{"strict-order", no_argument, NULL, OPT_STRICT_ORDER},
	{"yes", no_argument, NULL, 'y'},
	{"context", required_argument, NULL, OPT_CONTEXT},
	{"all", no_argument, NULL, OPT_ALL},
	{"as-far-as-possible", no_argument, NULL, OPT_AS_FAR_AS_POSSIBLE},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"from", required_argument, NULL, OPT_FROM},
	{"from-table", required_argument, NULL, OPT_FROM_TABLE},
	{"naming", required_argument, NULL, OPT_NAMING},
	{"keep-going", no_argument, NULL, OPT_KEEP_GOING},
	{"name", required_argument, NULL, OPT_NAME},
	{"output", required_argument, NULL, 'o'},
	{"function", required_argument, NULL, OPT_FUNCTION},
	{"quiet", no_argument, NULL, 'q'},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0}};

void cli_options_help(FILE *out)
{
	fputs("Options:\n"
	      "  -u, --url URL            database URL; else $DBSHIFT_URL, "
	      "else $DATABASE_URL,\n"
	      "                           else " CLI_DEFAULT_URL "\n"
	      "      --url-file PATH      read the URL from the first line of "
	      "PATH (mode\n"
	      "                           0600 or stricter): no password in "
	      "argv\n"
	      "  -s, --source [NAME=]DIR  migration directory, repeatable; "
	      "NAME defaults to\n"
	      "                           DIR's base name; default "
	      "./" CLI_DEFAULT_SOURCE "\n"
	      "      --naming MODE        how every --source's file names give "
	      "versions:\n"
	      "                           strict (VERSION_NAME.up.sql, the "
	      "default) or\n"
	      "                           stem (the whole file stem; also "
	      "NAME_up.sql)\n"
	      "  -t, --table NAME         history table (default "
	      "dbshift_migrations)\n"
	      "      --driver-dir DIR     extra driver directory, searched "
	      "first\n"
	      "      --lock-timeout SECS  how long to wait for another run's "
	      "lock (60)\n"
	      "      --lock=KIND          auto (default), session or table: "
	      "auto takes the\n"
	      "                           session lock unless the driver "
	      "finds a cluster\n"
	      "                           (Galera) or pooler (PgBouncer), "
	      "where the lease\n"
	      "                           row in dbshift_locks holds "
	      "instead\n"
	      "      --ddl-lock-timeout=DURATION  how long one migration "
	      "statement may\n"
	      "                           wait for a lock (5s, 500ms, 2m); "
	      "then it is\n"
	      "                           rolled back and tried again\n"
	      "      --ddl-lock-retries=N how many times (default 3)\n"
	      "      --ignore-checksums   run even though applied scripts "
	      "changed (this run)\n"
	      "      --json               machine-readable output (status, "
	      "plan,\n"
	      "                           validate, verify, dump, drivers)\n"
	      "      --dry-run            up/down: show what would run and "
	      "its SQL;\n"
	      "                           adopt: show the mapping; change "
	      "nothing\n"
	      "      --from TOOL          adopt: the tool whose history to "
	      "read\n"
	      "      --from-table NAME    adopt: its history table, if not "
	      "the default\n"
	      "      --keep-going         verify: report every migration "
	      "whose down\n"
	      "                           fails, not only the first\n"
	      "      --as-far-as-possible down: roll back down to the newest "
	      "migration\n"
	      "                           without a down script, and stop "
	      "there\n"
	      "      --strict-order       refuse out-of-order migrations\n"
	      "  -y, --yes                confirm destructive commands without "
	      "asking;\n"
	      "                           required without a terminal\n"
	      "      --context NAME       include migrations limited to this "
	      "context;\n"
	      "                           repeatable\n"
	      "  -q, --quiet              no progress or summary lines\n"
	      "  -v, --verbose            say which URL, driver and sources "
	      "are used\n"
	      "  -h, --help               show help (also: dbshift COMMAND "
	      "--help)\n"
	      "  -V, --version            show the version\n",
	      out);
}

/* The long name of an option value, for messages. */
static const char *option_name(int val)
{
	const struct option *o;

	for (o = long_options; o->name != NULL; o++)
		if (o->val == val)
			return o->name;
	return "?";
}

/* A valid source name: letters, digits, '_', '-', '.'; not empty. */
static int is_source_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return 0;
	}
	return 1;
}

static char *copy(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/*
 * Add one -s argument. "NAME=DIR" names the source when the part before
 * the first '=' is a valid source name; otherwise the whole argument is
 * the directory (so "./a=b" is a directory).
 */
static int add_source(struct cli_options *opts, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct cli_source *grown, *src;
	char *name = NULL;

	if (eq != NULL && is_source_name(arg, (size_t)(eq - arg))) {
		name = copy(arg, (size_t)(eq - arg));
		if (name == NULL)
			return cli_error(CLI_EXIT_FAIL, "out of memory");
		arg = eq + 1;
	}
	if (arg[0] == '\0') {
		free(name);
		return cli_usage_error("option '--source' needs a directory");
	}
	grown = realloc(opts->sources,
			(opts->n_sources + 1) * sizeof(*opts->sources));
	if (grown == NULL)
		goto oom;
	opts->sources = grown;
	src = &opts->sources[opts->n_sources];
	src->name = name;
	src->dir = copy(arg, strlen(arg));
	if (src->dir == NULL)
		goto oom;
	opts->n_sources++;
	return 0;
oom:
	free(name);
	return cli_error(CLI_EXIT_FAIL, "out of memory");
}

static int add_context(struct cli_options *opts, const char *arg)
{
	const char **grown;

	if (arg[0] == '\0')
		return cli_usage_error("option '--context' needs a name");
	grown = realloc(opts->contexts,
			(opts->n_contexts + 1) * sizeof(*opts->contexts));
	if (grown == NULL)
		return cli_error(CLI_EXIT_FAIL, "out of memory");
	opts->contexts = grown;
	opts->contexts[opts->n_contexts++] = arg;
	return 0;
}

/* --lock-timeout SECS: a whole number of seconds, 0 or more. */
static int set_lock_timeout(struct cli_options *opts, const char *arg)
{
	char *end;
	long secs;

	errno = 0;
	secs = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || secs < 0 ||
	    secs > INT_MAX)
		return cli_usage_error("invalid value '%s' for '--lock-timeout'"
				       " (expected seconds, 0 or more)",
				       arg);
	opts->lock_timeout = (int)secs;
	return 0;
}

/* --naming MODE: strict or stem. */
static int set_naming(struct cli_options *opts, const char *arg)
{
	if (strcmp(arg, "strict") == 0)
		opts->naming = DBSHIFT_NAMING_STRICT;
	else if (strcmp(arg, "stem") == 0)
		opts->naming = DBSHIFT_NAMING_STEM;
	else
		return cli_usage_error("invalid value '%s' for '--naming' "
				       "(expected strict or stem)",
				       arg);
	return 0;
}

/* --lock=KIND: auto, session (or its old name advisory) or table. */
static int set_lock_kind(struct cli_options *opts, const char *arg)
{
	if (strcmp(arg, "auto") == 0)
		opts->lock_kind = DBSHIFT_LOCK_AUTO;
	else if (strcmp(arg, "session") == 0 || strcmp(arg, "advisory") == 0)
		opts->lock_kind = DBSHIFT_LOCK_SESSION;
	else if (strcmp(arg, "table") == 0)
		opts->lock_kind = DBSHIFT_LOCK_TABLE;
	else
		return cli_usage_error("invalid value '%s' for '--lock' "
				       "(expected auto, session or table)",
				       arg);
	return 0;
}

/* --ddl-lock-timeout=DURATION: a number with ms, s or m (default s),
 * more than 0. */
static int set_ddl_lock_timeout(struct cli_options *opts, const char *arg)
{
	char *end;
	double value;
	long long scale = 1000;

	errno = 0;
	value = strtod(arg, &end);
	if (end != arg && strcmp(end, "ms") == 0)
		scale = 1;
	else if (end != arg && strcmp(end, "m") == 0)
		scale = 60000;
	else if (end == arg || (*end != '\0' && strcmp(end, "s") != 0))
		end = NULL;
	if (end == NULL || errno != 0 || !(value * scale >= 1) ||
	    value * scale > 86400000.0)
		return cli_usage_error("invalid value '%s' for "
				       "'--ddl-lock-timeout' (expected a "
				       "duration such as 5s, 500ms or 2m, up "
				       "to a day)",
				       arg);
	opts->ddl_lock_timeout_ms = (int64_t)(value * scale + 0.5);
	return 0;
}

/* --ddl-lock-retries=N: 0 to 100. */
static int set_ddl_lock_retries(struct cli_options *opts, const char *arg)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || n < 0 || n > 100)
		return cli_usage_error("invalid value '%s' for "
				       "'--ddl-lock-retries' (expected 0 to "
				       "100)",
				       arg);
	opts->ddl_lock_retries = (int)n;
	return 0;
}

static int not_empty(const char *arg, const char *option)
{
	if (arg[0] != '\0')
		return 0;
	return cli_usage_error("option '--%s' needs a non-empty value", option);
}

/* Handle one option returned by getopt_long(). */
static int apply_option(struct cli_options *opts, int c, const char *arg)
{
	switch (c) {
	case 'u':
		free(opts->url_owned);
		opts->url_owned = strdup(arg);
		if (opts->url_owned == NULL)
			return cli_error(CLI_EXIT_FAIL, "out of memory");
		opts->url = opts->url_owned;
		opts->url_origin = "--url";
		return not_empty(arg, "url");
	case OPT_URL_FILE:
		opts->url_file = arg;
		return not_empty(arg, "url-file");
	case 's':
		return add_source(opts, arg);
	case 't':
		opts->table = arg;
		return not_empty(arg, "table");
	case OPT_DRIVER_DIR:
		opts->driver_dir = arg;
		return not_empty(arg, "driver-dir");
	case OPT_LOCK_TIMEOUT:
		return set_lock_timeout(opts, arg);
	case OPT_LOCK:
		return set_lock_kind(opts, arg);
	case OPT_DDL_LOCK_TIMEOUT:
		return set_ddl_lock_timeout(opts, arg);
	case OPT_DDL_LOCK_RETRIES:
		return set_ddl_lock_retries(opts, arg);
	case OPT_IGNORE_CHECKSUMS:
		opts->flags |= DBSHIFT_OPT_IGNORE_CHECKSUMS;
		return 0;
	case OPT_STRICT_ORDER:
		opts->flags |= DBSHIFT_OPT_STRICT_ORDER;
		return 0;
	case OPT_JSON:
		opts->json = 1;
		return 0;
	case OPT_CONTEXT:
		return add_context(opts, arg);
	case OPT_ALL:
		opts->all = 1;
		return 0;
	case OPT_AS_FAR_AS_POSSIBLE:
		opts->flags |= DBSHIFT_OPT_DOWN_AS_FAR_AS_POSSIBLE;
		return 0;
	case OPT_DRY_RUN:
		opts->dry_run = 1;
		return 0;
	case OPT_NAMING:
		return set_naming(opts, arg);
	case OPT_FROM:
		opts->adopt_from = arg;
		return not_empty(arg, "from");
	case OPT_FROM_TABLE:
		opts->adopt_table = arg;
		return not_empty(arg, "from-table");
	case OPT_KEEP_GOING:
		opts->keep_going = 1;
		return 0;
	case OPT_NAME:
		opts->embed_name = arg;
		return not_empty(arg, "name");
	case 'o':
		opts->output = arg;
		return not_empty(arg, "output");
	case OPT_FUNCTION:
		opts->function = arg;
		return not_empty(arg, "function");
	case 'y':
		opts->yes = 1;
		return 0;
	case 'q':
		opts->quiet = 1;
		return 0;
	case 'v':
		opts->verbose = 1;
		return 0;
	case 'h':
		opts->help = 1;
		return 0;
	case 'V':
		opts->version = 1;
		return 0;
	}
	return cli_usage_error("unhandled option");
}

/* How many long options start with the len bytes of name. */
static int prefix_matches(const char *name, size_t len)
{
	const struct option *o;
	int n = 0;

	for (o = long_options; o->name != NULL; o++)
		n += strncmp(o->name, name, len) == 0;
	return n;
}

/* Name the option getopt_long() stopped at: "--foo" or "-x". */
static int bad_option(int c, int argc, char **argv)
{
	const char *typed =
		optind > 0 && optind <= argc ? argv[optind - 1] : "";
	size_t len = strcspn(typed, "=");

	if (c == ':') {
		if (optopt >= 256 || strncmp(typed, "--", 2) == 0)
			return cli_usage_error(
				"option '--%s' requires an argument",
				option_name(optopt));
		return cli_usage_error("option '-%c' requires an argument",
				       optopt);
	}
	if (optopt > 0 && optopt < 256 && strncmp(typed, "--", 2) != 0)
		return cli_usage_error("unknown option '-%c'", optopt);
	if (strncmp(typed, "--", 2) == 0 && typed[len] == '=' && optopt != 0)
		return cli_usage_error("option '%.*s' takes no argument",
				       (int)len, typed);
	if (strncmp(typed, "--", 2) == 0 &&
	    prefix_matches(typed + 2, len - 2) > 1)
		return cli_usage_error("ambiguous option '%.*s'", (int)len,
				       typed);
	return cli_usage_error("unknown option '%.*s'", (int)len, typed);
}

/*
 * Overwrite the URL in argv, after the scheme, with '*': the program has
 * its own copy, and `ps` (/proc/PID/cmdline) shows argv as it is now.
 */
static void hide_url_arg(char *arg)
{
	char *p = strchr(arg, ':');

	for (p = p != NULL ? p + 1 : arg; *p != '\0'; p++)
		*p = '*';
}

/* Read the URL from the first line of path, which only its owner may
 * read or write. */
static int read_url_file(struct cli_options *opts, const char *path)
{
	char buf[URL_FILE_MAX + 1];
	struct stat st;
	size_t len;
	ssize_t got;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return cli_error(CLI_EXIT_USAGE, "cannot open URL file %s: %s",
				 path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		rc = cli_error(CLI_EXIT_USAGE, "URL file %s is not a file",
			       path);
	else if ((st.st_mode & 077) != 0)
		rc = cli_error(CLI_EXIT_USAGE,
			       "URL file %s may be read or written by others "
			       "(mode %04o); it holds a password: chmod 600 it",
			       path, (unsigned)(st.st_mode & 07777));
	got = rc == 0 ? read(fd, buf, URL_FILE_MAX) : 0;
	close(fd);
	if (rc != 0)
		return rc;
	if (got < 0)
		return cli_error(CLI_EXIT_USAGE, "cannot read URL file %s: %s",
				 path, strerror(errno));
	len = strcspn(buf, "\n");
	if ((size_t)got < len)
		len = (size_t)got;
	while (len > 0 && (buf[len - 1] == '\r' || buf[len - 1] == ' ' ||
			   buf[len - 1] == '\t'))
		len--;
	if (len == 0 || memchr(buf, '\0', len) != NULL)
		return cli_error(CLI_EXIT_USAGE,
				 "URL file %s does not begin with a URL", path);
	opts->url_owned = strndup(buf, len);
	if (opts->url_owned == NULL)
		return cli_error(CLI_EXIT_FAIL, "out of memory");
	opts->url = opts->url_owned;
	opts->url_origin = "--url-file";
	return 0;
}

/* $DBSHIFT_URL, else $DATABASE_URL, else the default (empty = unset). */
static void default_url(struct cli_options *opts)
{
	const char *env;

	if (opts->url != NULL)
		return;
	env = getenv("DBSHIFT_URL");
	if (env != NULL && env[0] != '\0') {
		opts->url = env;
		opts->url_origin = "$DBSHIFT_URL";
		return;
	}
	env = getenv("DATABASE_URL");
	if (env != NULL && env[0] != '\0') {
		opts->url = env;
		opts->url_origin = "$DATABASE_URL";
		return;
	}
	opts->url = CLI_DEFAULT_URL;
	opts->url_origin = "default";
}

int cli_options_parse(struct cli_options *opts, int argc, char **argv)
{
	int c, rc;

	memset(opts, 0, sizeof(*opts));
	opts->lock_timeout = -1;
	opts->ddl_lock_retries = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, short_options, long_options,
				NULL)) != -1) {
		if (c == '?' || c == ':')
			return bad_option(c, argc, argv);
		rc = apply_option(opts, c, optarg);
		if (rc != 0)
			return rc;
		if (c == 'u')
			hide_url_arg(optarg);
	}
	if (opts->url_file != NULL && opts->url != NULL)
		return cli_usage_error("options '--url' and '--url-file' "
				       "cannot be used together");
	if (opts->url_file != NULL) {
		rc = read_url_file(opts, opts->url_file);
		if (rc != 0)
			return rc;
	}
	if (optind < argc)
		opts->command = argv[optind++];
	opts->args = argv + optind;
	opts->n_args = argc - optind;
	default_url(opts);
	if (opts->n_sources == 0)
		return add_source(opts, CLI_DEFAULT_SOURCE);
	return 0;
}

void cli_options_free(struct cli_options *opts)
{
	size_t i;

	for (i = 0; i < opts->n_sources; i++) {
		free(opts->sources[i].name);
		free(opts->sources[i].dir);
	}
	free(opts->sources);
	free(opts->contexts);
	free(opts->url_owned);
	memset(opts, 0, sizeof(*opts));
}
