#include "suites.h"

static void setup(void) {}
Suite *loader_suite(void)
{
	Suite *s = suite_create("loader");
	(void)setup;
	return s;
}
