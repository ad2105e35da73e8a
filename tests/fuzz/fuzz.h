/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz share: the entry
 * point's prototype and a check that names the broken promise on stderr
 * before it aborts (libFuzzer then saves the input as a crash file).
 */
#ifndef DBSHIFT_FUZZ_H
#define DBSHIFT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, promise)                                              \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: broken: %s\n", __FILE__,       \
				__LINE__, promise);                            \
			abort();                                               \
		}                                                              \
	} while (0)

#endif
