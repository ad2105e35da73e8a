#include "suites.h"

static void setup(void) {}
Suite *version_suite(void)
{
	Suite *s = suite_create("version");
	(void)setup;
	return s;
}
