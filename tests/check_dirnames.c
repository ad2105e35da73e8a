#include "suites.h"

static void setup(void) {}
Suite *dirnames_suite(void)
{
	Suite *s = suite_create("dirnames");
	(void)setup;
	return s;
}
