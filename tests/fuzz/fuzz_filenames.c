/* SPDX-License-Identifier: MIT */
/*
 * fuzz_filenames.c - a libFuzzer target for the readers of migration file
 * and folder names (sources/dirnames.c) and for the version order they
 * feed (dbshift_version_compare). The input is up to three names split at
 * NUL bytes. Each name goes through every reader, strict and stem: on
 * success the version must be valid and be where the name says (the name
 * starts with it; the '_NAME' part follows it), on failure the reason must
 * be one line that fits the buffer. The version order must be a total
 * order: reflexive, antisymmetric and transitive over the three names.
 * Built with ./configure --enable-fuzzing (clang); `make fuzz` runs it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dbshift/dbshift.h"
#include "dirnames.h"
#include "fuzz.h"

/* Longest name read: longer ones are refused by the readers anyway. */
#define NAME_MAX_LEN 600

/* Check that a refusal left a reason of one line in errbuf. */
static void check_reason(const char *errbuf, size_t size)
{
	FUZZ_CHECK(memchr(errbuf, '\0', size) != NULL && errbuf[0] != '\0',
		   "a refusal gives a reason that fits its buffer");
	FUZZ_CHECK(strchr(errbuf, '\n') == NULL, "the reason is one line");
}

/* Check that file starts with VERSION, then "_NAME" when there is a name,
 * as the strict readers promise. */
static void check_strict(const char *file, const char *version,
			 const char *name)
{
	size_t vlen = strlen(version), nlen = strlen(name);

	FUZZ_CHECK(dbshift__version_valid(version) &&
			   strncmp(file, version, vlen) == 0,
		   "the version is valid and starts the name");
	FUZZ_CHECK(nlen == 0 || (file[vlen] == '_' &&
				 strncmp(file + vlen + 1, name, nlen) == 0),
		   "the name follows VERSION_");
	FUZZ_CHECK(dbshift__version_number_len(version) <= vlen,
		   "the version's digit run lies inside it");
}

static void check_kind(dbshift__script_kind kind)
{
	FUZZ_CHECK(kind == DBSHIFT__SCRIPT_UP || kind == DBSHIFT__SCRIPT_DOWN,
		   "a script is up or down");
}

static void check_flat(const char *file)
{
	dbshift__flatname f;
	char errbuf[256];

	if (dbshift__flatname_parse(file, &f, errbuf, sizeof(errbuf)) == 0) {
		check_strict(file, f.version, f.name);
		check_kind(f.kind);
	} else {
		check_reason(errbuf, sizeof(errbuf));
	}
	if (dbshift__flatname_parse_stem(file, &f, errbuf, sizeof(errbuf)) ==
	    0) {
		FUZZ_CHECK(f.version[0] != '\0' &&
				   strncmp(file, f.version,
					   strlen(f.version)) == 0,
			   "the stem is a prefix of the file name");
		check_kind(f.kind);
	} else {
		check_reason(errbuf, sizeof(errbuf));
	}
}

static void check_folder(const char *dir)
{
	char version[256], name[256], errbuf[256];
	dbshift__script_kind kind;

	if (dbshift__foldername_parse(dir, version, sizeof(version), name,
				      sizeof(name), errbuf,
				      sizeof(errbuf)) == 0)
		check_strict(dir, version, name);
	else
		check_reason(errbuf, sizeof(errbuf));
	if (dbshift__foldername_parse_stem(dir, version, sizeof(version), name,
					   sizeof(name), errbuf,
					   sizeof(errbuf)) == 0)
		FUZZ_CHECK(strcmp(dir, version) == 0,
			   "a folder's stem is its name");
	else
		check_reason(errbuf, sizeof(errbuf));
	if (dbshift__folderfile_parse(dir, &kind) == 0)
		check_kind(kind);
}

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

/* Check that dbshift_version_compare orders a, b and c totally. */
static void check_order(const char *a, const char *b, const char *c)
{
	int ab = sign(dbshift_version_compare(a, b));
	int bc = sign(dbshift_version_compare(b, c));
	int ac = sign(dbshift_version_compare(a, c));

	FUZZ_CHECK(dbshift_version_compare(a, a) == 0 &&
			   ab == -sign(dbshift_version_compare(b, a)),
		   "the version order is reflexive and antisymmetric");
	FUZZ_CHECK(!(ab <= 0 && bc <= 0 && ac > 0) &&
			   !(ab >= 0 && bc >= 0 && ac < 0),
		   "the version order is transitive");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char names[3][NAME_MAX_LEN + 1];
	size_t i, n = 0, len;

	memset(names, 0, sizeof(names));
	while (n < 3 && size > 0) {
		len = strnlen((const char *)data, size);
		if (len > NAME_MAX_LEN)
			return 0;
		memcpy(names[n++], data, len);
		data += len < size ? len + 1 : len;
		size -= len < size ? len + 1 : len;
	}
	for (i = 0; i < n; i++) {
		check_flat(names[i]);
		check_folder(names[i]);
	}
	check_order(names[0], names[1], names[2]);
	return 0;
}
