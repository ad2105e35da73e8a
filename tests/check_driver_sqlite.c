#include "suites.h"

static void setup(void) {}
Suite *driver_sqlite_suite(void)
{
	Suite *s = suite_create("driver_sqlite");
	(void)setup;
	return s;
}
