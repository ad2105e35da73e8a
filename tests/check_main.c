/* SPDX-License-Identifier: MIT */
/*
 * check_main.c - runs every suite. With arguments, runs only the suites
 * named (e.g. `check_dbshift runner cli`); CK_RUN_CASE etc. work as usual.
 */
#include <stdlib.h>
#include <string.h>

#include "dialects.h"
#include "fixture.h"
#include "suites.h"

struct entry {
	const char *name;
	Suite *(*make)(void);
};

static const struct entry all_suites[] = {
	{"version", version_suite},
	{"checksum", checksum_suite},
	{"url", url_suite},
	{"directives", directives_suite},
	{"dirnames", dirnames_suite},
	{"directory", directory_suite},
	{"loader", loader_suite},
	{"conformance", conformance_suite},
	{"driver_sqlite", driver_sqlite_suite},
	{"driver_pg", driver_pg_suite},
	{"driver_mysql", driver_mysql_suite},
	{"split", split_suite},
	{"graph", graph_suite},
	{"runner", runner_suite},
	{"realworld", realworld_suite},
	{"admin", admin_suite},
	{"adopt", adopt_suite},
	{"badinput", badinput_suite},
	{"oom", oom_suite},
	{"faults", faults_suite},
	{"cli", cli_suite},
	{"cli_tty", cli_tty_suite},
	{"clidata", clidata_suite},
	{"embedded", embedded_suite},
	{"code", code_suite},
	{"runcost", runcost_suite},
	{"verify", verify_suite},
	{"testing", testing_suite},
	{"cluster", cluster_suite},
};

/* Is suite name asked for: every suite without arguments, the suites
 * named ("clidata runner"), or every suite but those named with a '-'
 * ("-clidata -runner", as tests/check-all.sh splits the run)? */
static int wanted(const char *name, int argc, char **argv)
{
	int i, excluding;

	if (argc < 2)
		return 1;
	excluding = argv[1][0] == '-';
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i] + excluding, name) == 0)
			return !excluding;
	return excluding;
}

int main(int argc, char **argv)
{
	SRunner *sr = NULL;
	size_t i;
	int failed;

	fx_env_init();
	if (fx_dialects_init() != 0)
		return EXIT_FAILURE;
	for (i = 0; i < sizeof(all_suites) / sizeof(all_suites[0]); i++) {
		if (!wanted(all_suites[i].name, argc, argv) ||
		    fx_suite_skipped(all_suites[i].name))
			continue;
		if (sr == NULL)
			sr = srunner_create(all_suites[i].make());
		else
			srunner_add_suite(sr, all_suites[i].make());
	}
	if (sr == NULL)
		return EXIT_FAILURE;
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
