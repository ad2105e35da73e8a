/* SPDX-License-Identifier: MIT */
/*
 * noentry.c - a well-formed shared object that is not a driver: it exports
 * a function, but neither dbshift_driver_noentry_init nor the generic
 * dbshift_driver_init. The loader must reject it with an error naming the
 * file and the missing entry symbol, and must not crash.
 */
#include "dbshift/driver.h"

DBSHIFT_DRIVER_EXPORT int noentry_answer(void);

/* Something for the module to export, so that it is not empty. */
DBSHIFT_DRIVER_EXPORT int noentry_answer(void)
{
	return 42;
}
