#include "suites.h"

static void setup(void) {}
Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	(void)setup;
	return s;
}
