/* SPDX-License-Identifier: MIT */
/*
 * cli.h - shared declarations of the dbshift command-line program: the
 * parsed options, the command table entries, and the output helpers. The
 * program uses only the public API in dbshift/dbshift.h.
 */
#ifndef DBSHIFT_CLI_H
#define DBSHIFT_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dbshift/dbshift.h"

/* Exit statuses (design.md section 6). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1	 /* a migration or database operation failed */
#define CLI_EXIT_USAGE 2 /* bad usage or bad input */

/* Used when neither -u, $DBSHIFT_URL nor $DATABASE_URL gives a URL. */
#define CLI_DEFAULT_URL "sqlite:dbshift.db"
/* Used when no -s is given. */
#define CLI_DEFAULT_SOURCE "migrations"

/* One -s/--source argument: name is NULL when only DIR was given. */
struct cli_source {
	char *name;
	char *dir;
};

/* Everything the command line said, after defaults were applied. */
struct cli_options {
	const char *command; /* NULL when none was given */
	char **args;	     /* the command's arguments (borrowed argv) */
	int n_args;

	const char *url;	/* never NULL after parsing */
	const char *url_origin; /* "--url", "$DBSHIFT_URL", ... */
	char *url_owned;	/* the copy of --url or --url-file's URL */
	const char *url_file;	/* --url-file PATH, or NULL */
	struct cli_source *sources;
	size_t n_sources; /* at least 1 after parsing */
	const char *table;
	dbshift_naming naming; /* of every --source */
	const char *driver_dir;
	int lock_timeout; /* <0: the library's default */
	dbshift_lock_kind lock_kind;
	int64_t ddl_lock_timeout_ms; /* 0: the database's default */
	int ddl_lock_retries;	     /* <0: the library's default */
	unsigned int flags;	     /* DBSHIFT_OPT_* */
	const char **contexts;
	size_t n_contexts;

	const char *embed_name;	 /* embed --name, or NULL */
	const char *output;	 /* embed -o/--output, or NULL */
	const char *function;	 /* embed --function, or NULL */
	const char *adopt_from;	 /* adopt --from, or NULL */
	const char *adopt_table; /* adopt --from-table, or NULL */

	int json;
	int all;
	int dry_run;	/* up/down --dry-run */
	int keep_going; /* verify --keep-going */
	int yes;
	int quiet;
	int verbose;
	int help;
	int version;
};

/* Commands accept these options only where they say so. */
#define CLI_ALLOW_JSON (1u << 0)
#define CLI_ALLOW_ALL (1u << 1)
#define CLI_ALLOW_EMBED (1u << 2) /* --name, -o/--output, --function */
#define CLI_ALLOW_DRY_RUN (1u << 3)
#define CLI_ALLOW_ADOPT (1u << 4)      /* --from, --from-table */
#define CLI_ALLOW_OUTPUT (1u << 5)     /* -o/--output */
#define CLI_ALLOW_KEEP_GOING (1u << 6) /* --keep-going */

struct cli_command {
	const char *name;
	const char *synopsis; /* "up [TARGET]" */
	const char *summary;  /* one line for the general help */
	const char *help;     /* the command's own help, ends with '\n' */
	unsigned int allow;   /* CLI_ALLOW_* */
	int max_args;
	int (*run)(const struct cli_options *opts);
};

extern const struct cli_command cli_cmd_up;
extern const struct cli_command cli_cmd_down;
extern const struct cli_command cli_cmd_redo;
extern const struct cli_command cli_cmd_status;
extern const struct cli_command cli_cmd_plan;
extern const struct cli_command cli_cmd_validate;
extern const struct cli_command cli_cmd_repair;
extern const struct cli_command cli_cmd_baseline;
extern const struct cli_command cli_cmd_adopt;
extern const struct cli_command cli_cmd_force;
extern const struct cli_command cli_cmd_unlock;
extern const struct cli_command cli_cmd_new;
extern const struct cli_command cli_cmd_drivers;
extern const struct cli_command cli_cmd_embed;
extern const struct cli_command cli_cmd_verify;
extern const struct cli_command cli_cmd_dump;

/* options.c */

/**
 * Parse argv into opts (zeroed first). Returns 0, or CLI_EXIT_USAGE after
 * printing a one-line error and the hint. Free with cli_options_free().
 */
int cli_options_parse(struct cli_options *opts, int argc, char **argv);
void cli_options_free(struct cli_options *opts);

/** Print the option summary shared by every help text. */
void cli_options_help(FILE *out);

/* output.c */

/** Set up colours and verbosity for this run. */
void cli_output_init(const struct cli_options *opts);

/* termsafe.c */

/**
 * Send stderr (and stdout when filter_stdout) through a filter that
 * escapes control characters, C1 controls and invalid UTF-8 as \xNN, so
 * that text from files or the database cannot drive the terminal.
 */
void cli_termsafe_init(int filter_stdout);

/** The unfiltered stream behind stream (stream itself when it is not
 * filtered): for the program's own colour sequences. */
FILE *cli_termsafe_raw(FILE *stream);

/** Print "dbshift: MESSAGE" on stderr. Returns code for chaining. */
int cli_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** cli_error() plus the "Try 'dbshift --help'" hint; returns exit 2. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Print a library error and return the exit status it maps to. */
int cli_report(int rc, const dbshift_error *err);

/** The exit status for a library return code. */
int cli_exit_status(int rc);

/** Informational line on stderr, shown only with -v. */
void cli_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** A result line on stdout, suppressed by -q. */
void cli_result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * Copy url with its password hidden into buf. Never fails: when the URL
 * cannot be redacted buf receives a placeholder instead.
 */
void cli_url_redact(const char *url, char *buf, size_t buf_size);

/** Ask a yes/no question on the terminal (stderr, answer from stdin);
 * returns 1 for yes. */
int cli_ask(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Progress callback for dbshift_runner_options.on_event. */
void cli_on_event(const dbshift_event *event, void *payload);

/** Id of the last migration reported by cli_on_event, or "". */
const char *cli_last_migration(void);

/** Is colour wanted on this stream (a terminal, NO_COLOR unset)? */
int cli_color(FILE *stream);

/* ANSI colours used sparingly; NULL-safe through cli_paint(). */
#define CLI_GREEN "32"
#define CLI_YELLOW "33"
#define CLI_RED "31"

/** Write text to stream, coloured when colour is on for it. */
void cli_paint(FILE *stream, const char *color, const char *text);

/** Write s as a JSON string (with quotes), or null when s is NULL. */
void cli_json_string(FILE *out, const char *s);

/** Same, but "" is written as null. */
void cli_json_string_or_null(FILE *out, const char *s);

/** Print findings as aligned lines KIND  ID  MESSAGE on stdout. */
void cli_findings_print(const dbshift_findings *findings);

/** Print findings as a JSON array of {"kind","id","warning","message"}
 * on stdout (no newline after it). */
void cli_findings_json(const dbshift_findings *findings);

/** Writes a file's content to fp; returns 0 or an exit status (after
 * printing the error). */
typedef int (*cli_writer_fn)(FILE *fp, void *payload);

/**
 * Write output through write into a temporary file beside it, renamed
 * over output only once complete, so that a failure never leaves a
 * truncated file behind. Returns 0 or an exit status.
 */
int cli_write_file(const char *output, cli_writer_fn write, void *payload);

/** "1 migration" / "3 migrations" into buf. */
const char *cli_plural(char *buf, size_t size, long n, const char *noun);

#endif
