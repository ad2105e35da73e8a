/* SPDX-License-Identifier: MIT */
/*
 * code.c - the code migration source: migrations registered one by one
 * with dbshift_source_code_add(), typically C callbacks (up_fn, down_fn)
 * that receive a dbshift_conn and may ask its dialect.
 *
 * The source keeps its own deep copy of every definition, so the caller's
 * strings and arrays may be temporary; the callbacks and their payload
 * are the caller's and must stay valid while the source lives. A
 * definition is checked when it is added, the way the catalog will check
 * it when the source is loaded, so that a mistake shows where it is made.
 * A code migration's checksum is its author's version string
 * (def->checksum): change it when the code changes, and `validate` and
 * `up` see the change as they would an edited script.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "error.h"
#include "runner.h"
#include "util.h"

/* The longest checksum the history keeps (a SHA-256 in hex). */
#define CODE_CHECKSUM_MAX 64

/* The source's state: the definitions added, in order. */
struct code_state {
	dbshift__vec defs; /* struct code_def * */
};

/*
 * A stored definition: def points into copies that the definition owns,
 * each recorded in owned, so that freeing needs no knowledge of the
 * definition's shape.
 */
struct code_def {
	dbshift_migration_def def;
	dbshift__vec owned; /* every allocation of the copy */
};

static void code_def_free(void *item)
{
	struct code_def *cd = item;

	if (cd == NULL)
		return;
	dbshift__vec_free(&cd->owned, free);
	free(cd);
}

/* Record p as owned by cd. Returns p, or NULL (p freed) when OOM. */
static void *code_own(struct code_def *cd, void *p)
{
	if (p != NULL && dbshift__vec_push(&cd->owned, p) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

/*
 * Copy the len bytes at src into *dst (NUL-terminated); a NULL src stays
 * NULL. Returns 0, or -1 when out of memory.
 */
static int code_copy_text(struct code_def *cd, const char **dst,
			  const char *src, size_t len)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = code_own(cd, dbshift__strndup(src, len));
	return *dst == NULL ? -1 : 0;
}

static int code_copy_str(struct code_def *cd, const char **dst, const char *src)
{
	return code_copy_text(cd, dst, src, src != NULL ? strlen(src) : 0);
}

/* Copy n strings into *dst (NULL when n is 0). 0, or -1 when OOM. */
static int code_copy_strv(struct code_def *cd, const char *const **dst,
			  const char *const *src, size_t n)
{
	const char **strv;
	size_t i;

	*dst = NULL;
	if (n == 0)
		return 0;
	strv = code_own(cd, calloc(n, sizeof(*strv)));
	if (strv == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (code_copy_str(cd, &strv[i], src[i]) != 0)
			return -1;
	*dst = strv;
	return 0;
}

static int code_copy_variants(struct code_def *cd,
			      const dbshift_migration_def *def)
{
	dbshift_variant *variants;
	size_t i;

	cd->def.variants = NULL;
	if (def->n_variants == 0)
		return 0;
	variants = code_own(cd, calloc(def->n_variants, sizeof(*variants)));
	if (variants == NULL)
		return -1;
	cd->def.variants = variants;
	for (i = 0; i < def->n_variants; i++) {
		const dbshift_variant *v = &def->variants[i];
		dbshift_variant *dst = &variants[i];

		dst->up_len = v->up_len;
		dst->down_len = v->down_len;
		if (code_copy_str(cd, &dst->dialect, v->dialect) ||
		    code_copy_text(cd, &dst->up, v->up, v->up_len) ||
		    code_copy_text(cd, &dst->down, v->down, v->down_len) ||
		    code_copy_str(cd, &dst->up_file, v->up_file) ||
		    code_copy_str(cd, &dst->down_file, v->down_file))
			return -1;
	}
	return 0;
}

/* A deep copy of def; NULL when out of memory. */
static struct code_def *code_def_copy(const dbshift_migration_def *def)
{
	struct code_def *cd = calloc(1, sizeof(*cd));
	dbshift_migration_def *copy;

	if (cd == NULL)
		return NULL;
	copy = &cd->def;
	*copy = *def; /* counts, flags, callbacks; pointers replaced below */
	copy->version = DBSHIFT_MIGRATION_DEF_VERSION;
	if (code_copy_str(cd, &copy->migration_version,
			  def->migration_version) ||
	    code_copy_str(cd, &copy->name, def->name) ||
	    code_copy_text(cd, &copy->up, def->up, def->up_len) ||
	    code_copy_text(cd, &copy->down, def->down, def->down_len) ||
	    code_copy_str(cd, &copy->up_file, def->up_file) ||
	    code_copy_str(cd, &copy->down_file, def->down_file) ||
	    code_copy_variants(cd, def) ||
	    code_copy_strv(cd, &copy->depends_on, def->depends_on,
			   def->n_depends_on) ||
	    code_copy_strv(cd, &copy->dialects, def->dialects,
			   def->n_dialects) ||
	    code_copy_strv(cd, &copy->contexts, def->contexts,
			   def->n_contexts) ||
	    code_copy_str(cd, &copy->checksum, def->checksum)) {
		code_def_free(cd);
		return NULL;
	}
	return cd;
}

/* The load callback: hand every stored definition to the catalog. */
static int code_load(void *opaque, dbshift_catalog *catalog)
{
	struct code_state *state = opaque;
	const struct code_def *cd;
	size_t i;
	int rc = 0;

	for (i = 0; i < state->defs.len && rc == 0; i++) {
		cd = state->defs.items[i];
		rc = dbshift_catalog_add(catalog, &cd->def);
	}
	return rc;
}

static void code_free(void *opaque)
{
	struct code_state *state = opaque;

	if (state == NULL)
		return;
	dbshift__vec_free(&state->defs, code_def_free);
	free(state);
}

static const dbshift_source_ops code_ops = {
	DBSHIFT_SOURCE_OPS_VERSION,
	code_load,
	code_free,
};

int dbshift_source_code_new(dbshift_source **out, const char *name)
{
	struct code_state *state;

	if (out != NULL)
		*out = NULL;
	if (out == NULL)
		return dbshift__err_set(dbshift__err_last(), DBSHIFT_EINVAL,
					"code source: no place for the source");
	state = calloc(1, sizeof(*state));
	if (state == NULL)
		return dbshift__err_set(dbshift__err_last(), DBSHIFT_ENOMEM,
					"out of memory");
	return dbshift_source_new(out, name, &code_ops, state);
}

/* Does one of the n strings of strv point nowhere? */
static int code_strv_has_null(const char *const *strv, size_t n)
{
	size_t i;

	if (n > 0 && strv == NULL)
		return 1;
	for (i = 0; i < n; i++)
		if (strv[i] == NULL)
			return 1;
	return 0;
}

/*
 * What the catalog cannot check: lists with holes, and the checksum a
 * code migration needs. Returns 0 or DBSHIFT_EINVAL (recorded in err).
 */
static int code_def_check(const dbshift_source *source,
			  const dbshift_migration_def *def, dbshift__err *err)
{
	const char *version =
		def->migration_version != NULL ? def->migration_version : "";

	if (code_strv_has_null(def->depends_on, def->n_depends_on) ||
	    code_strv_has_null(def->dialects, def->n_dialects) ||
	    code_strv_has_null(def->contexts, def->n_contexts) ||
	    (def->n_variants > 0 && def->variants == NULL))
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"%s/%s: a list of the definition "
					"holds NULL",
					source->name, version);
	if (def->up_fn != NULL &&
	    (def->checksum == NULL || def->checksum[0] == '\0'))
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"%s/%s: a code migration needs a "
					"checksum (its version string, "
					"changed when the code changes)",
					source->name, version);
	if (def->checksum != NULL && strlen(def->checksum) > CODE_CHECKSUM_MAX)
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"%s/%s: checksum longer than %d "
					"characters",
					source->name, version,
					CODE_CHECKSUM_MAX);
	return 0;
}

/*
 * Check def the way the catalog will when the source is loaded, through
 * a catalog of its own that is thrown away. Returns 0 or the catalog's
 * error (recorded in err).
 */
static int code_catalog_check(const dbshift_source *source,
			      const dbshift_migration_def *def,
			      dbshift__err *err)
{
	dbshift_catalog cat;
	int rc;

	dbshift__catalog_init(&cat, source->name, err);
	rc = dbshift_catalog_add(&cat, def);
	dbshift__catalog_clear(&cat);
	return rc;
}

int dbshift_source_code_add(dbshift_source *source,
			    const dbshift_migration_def *def)
{
	dbshift__err *err = dbshift__err_last();
	struct code_state *state;
	struct code_def *copy;
	int rc;

	dbshift__err_init(err);
	if (source == NULL || source->ops != &code_ops)
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"source '%s' is not a code source",
					source != NULL ? source->name : "");
	if (def == NULL)
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"%s: no migration definition given",
					source->name);
	rc = dbshift__err_version(err, "migration definition", def->version,
				  DBSHIFT_MIGRATION_DEF_VERSION);
	if (rc != 0)
		return rc;
	rc = code_def_check(source, def, err);
	if (rc == 0)
		rc = code_catalog_check(source, def, err);
	if (rc != 0)
		return rc;
	state = source->state;
	copy = code_def_copy(def);
	if (copy == NULL || dbshift__vec_push(&state->defs, copy) != 0) {
		code_def_free(copy);
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	}
	return 0;
}
