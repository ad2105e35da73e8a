#include "suites.h"

static void setup(void) {}
Suite *url_suite(void)
{
	Suite *s = suite_create("url");
	(void)setup;
	return s;
}
