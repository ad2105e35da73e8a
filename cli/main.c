/* SPDX-License-Identifier: MIT */
/*
 * main.c - entry point of the dbshift program: parse the options, pick
 * the command, check that the options and arguments fit it, run it, and
 * turn the result into the exit status of design.md section 6 (0 success,
 * 1 a migration or database operation failed, 2 bad usage or bad input).
 *
 * Each command lives in its own file and describes itself with a struct
 * cli_command (name, synopsis, help text, what it accepts), so this file
 * only dispatches and prints the general help.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "cli.h"

static const struct cli_command *const commands[] = {
	&cli_cmd_up,	&cli_cmd_down,	   &cli_cmd_redo,     &cli_cmd_status,
	&cli_cmd_plan,	&cli_cmd_validate, &cli_cmd_baseline, &cli_cmd_adopt,
	&cli_cmd_force, &cli_cmd_repair,   &cli_cmd_unlock,   &cli_cmd_verify,
	&cli_cmd_dump,	&cli_cmd_new,	   &cli_cmd_embed,    &cli_cmd_drivers,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static void print_usage(void)
{
	size_t i;

	printf("Usage: dbshift [OPTIONS] COMMAND [ARGS]\n\n"
	       "Apply and roll back database schema migrations.\n\n"
	       "Commands:\n");
	for (i = 0; i < N_COMMANDS; i++)
		printf("  %-27s %s\n", commands[i]->synopsis,
		       commands[i]->summary);
	printf("  %-27s %s\n\n", "help [COMMAND]",
	       "show this help, or a command's help");
	cli_options_help(stdout);
	printf("\nOptions may stand before or after the command:\n"
	       "  dbshift up --source app=db/migrations\n"
	       "URLs: sqlite:PATH, sqlite::memory:,\n"
	       "  postgres://user:pass@host:port/db?..., "
	       "mysql://user:pass@host:port/db\n\n"
	       "Exit status:\n"
	       "  0  success\n"
	       "  1  a migration or database operation failed, or validate\n"
	       "     found a problem\n"
	       "  2  bad usage or bad input (options, URL, migration files,"
	       " dependency graph)\n\n"
	       "Run 'dbshift COMMAND --help' for the details of a command.\n");
}

static void print_command_help(const struct cli_command *cmd)
{
	printf("Usage: dbshift [OPTIONS] %s\n\n%s\n"
	       "Options: see 'dbshift --help'.\n",
	       cmd->synopsis, cmd->help);
}

/* `dbshift help [COMMAND]` */
static int run_help(const struct cli_options *opts)
{
	const struct cli_command *cmd;

	if (opts->n_args == 0) {
		print_usage();
		return CLI_EXIT_OK;
	}
	if (opts->n_args > 1)
		return cli_usage_error("unexpected argument '%s' for 'help'",
				       opts->args[1]);
	cmd = find_command(opts->args[0]);
	if (cmd == NULL)
		return cli_usage_error("unknown command '%s'", opts->args[0]);
	print_command_help(cmd);
	return CLI_EXIT_OK;
}

/* Refuse options and arguments the command has no use for. */
static int check_fit(const struct cli_command *cmd,
		     const struct cli_options *opts)
{
	if (opts->json && !(cmd->allow & CLI_ALLOW_JSON))
		return cli_usage_error("option '--json' is not supported by "
				       "'%s'",
				       cmd->name);
	if (opts->all && !(cmd->allow & CLI_ALLOW_ALL))
		return cli_usage_error("option '--all' is only valid with "
				       "'down'");
	if ((opts->flags & DBSHIFT_OPT_DOWN_AS_FAR_AS_POSSIBLE) &&
	    !(cmd->allow & CLI_ALLOW_ALL))
		return cli_usage_error("option '--as-far-as-possible' is only "
				       "valid with 'down'");
	if (opts->dry_run && !(cmd->allow & CLI_ALLOW_DRY_RUN))
		return cli_usage_error("option '--dry-run' is only valid with "
				       "'up', 'down' and 'adopt'");
	if (!(cmd->allow & CLI_ALLOW_ADOPT) &&
	    (opts->adopt_from || opts->adopt_table))
		return cli_usage_error("option '%s' is only valid with "
				       "'adopt'",
				       opts->adopt_from ? "--from" :
							  "--from-table");
	if (opts->keep_going && !(cmd->allow & CLI_ALLOW_KEEP_GOING))
		return cli_usage_error("option '--keep-going' is only valid "
				       "with 'verify'");
	if (opts->output &&
	    !(cmd->allow & (CLI_ALLOW_EMBED | CLI_ALLOW_OUTPUT)))
		return cli_usage_error("option '--output' is only valid with "
				       "'embed' and 'dump'");
	if (!(cmd->allow & CLI_ALLOW_EMBED) &&
	    (opts->embed_name || opts->function))
		return cli_usage_error("option '%s' is only valid with "
				       "'embed'",
				       opts->embed_name ? "--name" :
							  "--function");
	if (opts->n_args > cmd->max_args)
		return cli_usage_error("unexpected argument '%s' for '%s'",
				       opts->args[cmd->max_args], cmd->name);
	return 0;
}

static int dispatch(const struct cli_options *opts)
{
	const struct cli_command *cmd;
	int rc;

	if (opts->version) {
		printf("dbshift %s\n", dbshift_version());
		return CLI_EXIT_OK;
	}
	if (opts->command == NULL) {
		if (opts->help) {
			print_usage();
			return CLI_EXIT_OK;
		}
		return cli_usage_error("no command given");
	}
	if (strcmp(opts->command, "help") == 0)
		return run_help(opts);
	cmd = find_command(opts->command);
	if (cmd == NULL)
		return cli_usage_error("unknown command '%s'", opts->command);
	if (opts->help) {
		print_command_help(cmd);
		return CLI_EXIT_OK;
	}
	rc = check_fit(cmd, opts);
	if (rc != 0)
		return rc;
	return cmd->run(opts);
}

int main(int argc, char **argv)
{
	struct cli_options opts;
	int rc;

#ifdef SIGXFSZ
	/* Past a file size limit (ulimit -f) a write should fail with EFBIG,
	 * which the database reports as an error and rolls back, rather
	 * than kill the process in the middle of a migration. */
	signal(SIGXFSZ, SIG_IGN);
#endif
	rc = cli_options_parse(&opts, argc, argv);
	if (rc == 0) {
		cli_output_init(&opts);
		rc = dispatch(&opts);
	}
	cli_options_free(&opts);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error(0, "cannot write the output: %s", strerror(errno));
		return CLI_EXIT_FAIL;
	}
	return rc;
}
