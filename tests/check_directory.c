#include "suites.h"

static void setup(void) {}
Suite *directory_suite(void)
{
	Suite *s = suite_create("directory");
	(void)setup;
	return s;
}
