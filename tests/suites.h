/* SPDX-License-Identifier: MIT */
/*
 * suites.h - every Check suite of the test program, one per module.
 */
#ifndef DBSHIFT_TEST_SUITES_H
#define DBSHIFT_TEST_SUITES_H

#include <check.h>

Suite *version_suite(void);
Suite *checksum_suite(void);
Suite *url_suite(void);
Suite *directives_suite(void);
Suite *dirnames_suite(void);
Suite *directory_suite(void);
Suite *loader_suite(void);
Suite *conformance_suite(void);
Suite *driver_sqlite_suite(void);
Suite *driver_pg_suite(void);
Suite *driver_mysql_suite(void);
Suite *split_suite(void);
Suite *graph_suite(void);
Suite *runner_suite(void);
Suite *realworld_suite(void);
Suite *admin_suite(void);
Suite *adopt_suite(void);
Suite *badinput_suite(void);
Suite *oom_suite(void);
Suite *faults_suite(void);
Suite *cli_suite(void);
Suite *cli_tty_suite(void);
Suite *clidata_suite(void);
Suite *embedded_suite(void);
Suite *code_suite(void);
Suite *runcost_suite(void);
Suite *verify_suite(void);
Suite *testing_suite(void);
Suite *cluster_suite(void);

#endif
