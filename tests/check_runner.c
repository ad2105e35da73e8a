#include "suites.h"

static void setup(void) {}
Suite *runner_suite(void)
{
	Suite *s = suite_create("runner");
	(void)setup;
	return s;
}
