/*
 * suites.h - every Check suite of the test program, one per module.
 */
#ifndef DBSHIFT_TEST_SUITES_H
#define DBSHIFT_TEST_SUITES_H

#include <check.h>

Suite *version_suite(void);
Suite *url_suite(void);
Suite *directives_suite(void);
Suite *dirnames_suite(void);
Suite *directory_suite(void);
Suite *loader_suite(void);
Suite *driver_sqlite_suite(void);
Suite *runner_suite(void);
Suite *cli_suite(void);

#endif
