#include "suites.h"

static void setup(void) {}
Suite *directives_suite(void)
{
	Suite *s = suite_create("directives");
	(void)setup;
	return s;
}
