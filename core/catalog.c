/* SPDX-License-Identifier: MIT */
/*
 * catalog.c - the catalog through which sources hand over their
 * migrations, and the per-dialect resolution of a migration: which script
 * runs, what its directives say, whether this run skips it, and its
 * checksum.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "checksum.h"
#include "dialect.h"
#include "directives.h"

void dbshift__catalog_init(dbshift_catalog *cat, const char *source_name,
			   dbshift__err *err)
{
	memset(cat, 0, sizeof(*cat));
	cat->source_name = source_name;
	cat->err = err;
}

static void migration_free_void(void *m)
{
	dbshift__migration_free(m);
}

void dbshift__catalog_clear(dbshift_catalog *cat)
{
	dbshift__vec_free(&cat->migrations, migration_free_void);
}

static void script_free(dbshift__script *s)
{
	free(s->text);
	free(s->file);
	s->text = s->file = NULL;
	s->read = NULL;
}

void dbshift__migration_free(dbshift__migration *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->id);
	free(m->source);
	free(m->version);
	free(m->name);
	script_free(&m->generic_up);
	script_free(&m->generic_down);
	for (i = 0; i < m->n_variants; i++) {
		free(m->variants[i].dialect);
		script_free(&m->variants[i].up);
		script_free(&m->variants[i].down);
	}
	free(m->variants);
	dbshift__strv_free(m->def_depends_on, m->n_def_depends_on);
	dbshift__strv_free(m->def_dialects, m->n_def_dialects);
	dbshift__strv_free(m->dir_dialects, m->n_dir_dialects);
	dbshift__strv_free(m->def_contexts, m->n_def_contexts);
	free(m->code_checksum);
	dbshift__strv_free(m->depends_on, m->n_depends_on);
	free(m->dep_index);
	free(m);
}

int dbshift__source_name_valid(const char *name)
{
	const char *p;

	if (name == NULL || name[0] == '\0' || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		      *p == '.'))
			return 0;
	return 1;
}

int dbshift__source_options_naming(const dbshift_source_options *opts,
				   dbshift_naming *naming, dbshift__err *err)
{
	int rc;

	*naming = DBSHIFT_NAMING_STRICT;
	if (opts == NULL)
		return 0;
	rc = dbshift__err_version(err, "source options", opts->version,
				  DBSHIFT_SOURCE_OPTIONS_VERSION);
	if (rc != 0)
		return rc;
	if (opts->naming != DBSHIFT_NAMING_STRICT &&
	    opts->naming != DBSHIFT_NAMING_STEM)
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"unknown source naming %d",
					(int)opts->naming);
	*naming = opts->naming;
	return 0;
}

int dbshift_source_options_init(dbshift_source_options *opts,
				unsigned int version)
{
	dbshift__err *err = dbshift__err_last();

	if (opts == NULL)
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"dbshift_source_options_init: no "
					"options given");
	if (dbshift__err_version(err, "source options", version,
				 DBSHIFT_SOURCE_OPTIONS_VERSION) != 0)
		return DBSHIFT_EINVAL;
	memset(opts, 0, sizeof(*opts));
	opts->version = version;
	return 0;
}

int dbshift__problem_add(dbshift__vec *problems, const char *id,
			 const char *message)
{
	dbshift__problem *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return -1;
	p->id = dbshift__strdup(id != NULL ? id : "");
	p->message = dbshift__strdup(message);
	if (p->id == NULL || p->message == NULL ||
	    dbshift__vec_push(problems, p) != 0) {
		free(p->id);
		free(p->message);
		free(p);
		return -1;
	}
	return 0;
}

static void problem_free(void *item)
{
	dbshift__problem *p = item;

	free(p->id);
	free(p->message);
	free(p);
}

void dbshift__problems_clear(dbshift__vec *problems)
{
	dbshift__vec_free(problems, problem_free);
}

/*
 * The first failure of a load is the error; with a problems list, every
 * failure is also added to it, so that a source may go on and report
 * each bad file.
 */
int dbshift_catalog_fail(dbshift_catalog *cat, int code, const char *file,
			 const char *fmt, ...)
{
	char message[sizeof(cat->err->message)];
	va_list ap;

	if (code >= 0)
		code = DBSHIFT_ESOURCE;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (cat->err->pub.code == DBSHIFT_OK || code == DBSHIFT_ENOMEM) {
		dbshift__err_set(cat->err, code, "%s", message);
		dbshift__err_set_file(cat->err, file != NULL ? file : "");
	}
	if (cat->problems != NULL && code != DBSHIFT_ENOMEM &&
	    dbshift__problem_add(cat->problems, "", message) != 0)
		return dbshift__err_set(cat->err, DBSHIFT_ENOMEM,
					"out of memory");
	return code;
}

/*
 * Copy a script; a NULL text stays absent, unless read is given and so is
 * a file: then the file is recorded to be read when needed. Returns 0 or
 * -1 (no memory).
 */
static int script_copy(dbshift__script *dst, const char *text, size_t len,
		       const char *file, dbshift__script_read_fn read)
{
	if (text == NULL && (read == NULL || file == NULL))
		return 0;
	if (text != NULL) {
		dst->text = dbshift__strndup(text, len);
		dst->len = len;
		if (dst->text == NULL)
			return -1;
	}
	dst->read = text == NULL ? read : NULL;
	if (file != NULL && (dst->file = dbshift__strdup(file)) == NULL)
		return -1;
	return 0;
}

int dbshift__script_present(const dbshift__script *script)
{
	return script->text != NULL || script->read != NULL;
}

int dbshift__script_load(dbshift__script *script, dbshift__err *err)
{
	int rc;

	if (script->text != NULL || script->read == NULL)
		return 0;
	rc = script->read(script->file, &script->text, &script->len);
	if (rc == -ENOMEM)
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	if (rc != 0) {
		dbshift__err_set(err, DBSHIFT_ESOURCE, "cannot read '%s': %s",
				 script->file, strerror(-rc));
		dbshift__err_set_file(err, script->file);
		return DBSHIFT_ESOURCE;
	}
	script->read = NULL;
	return 0;
}

int dbshift__catalog_load_downs(dbshift_catalog *cat)
{
	dbshift__migration *m;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < cat->migrations.len && rc == 0; i++) {
		m = cat->migrations.items[i];
		rc = dbshift__script_load(&m->generic_down, cat->err);
		for (j = 0; j < m->n_variants && rc == 0; j++)
			rc = dbshift__script_load(&m->variants[j].down,
						  cat->err);
	}
	return rc;
}

static int strv_copy(char ***dst, size_t *n, const char *const *src,
		     size_t count)
{
	*n = 0;
	if (count == 0)
		return 0;
	*dst = dbshift__strv_dup(src, count);
	if (*dst == NULL)
		return -1;
	*n = count;
	return 0;
}

static int variants_copy(dbshift__migration *m,
			 const dbshift_migration_def *def,
			 dbshift__script_read_fn read)
{
	size_t i;

	if (def->n_variants == 0)
		return 0;
	m->variants = calloc(def->n_variants, sizeof(*m->variants));
	if (m->variants == NULL)
		return -1;
	m->n_variants = def->n_variants;
	for (i = 0; i < def->n_variants; i++) {
		const dbshift_variant *v = &def->variants[i];
		dbshift__variant *dst = &m->variants[i];

		dst->dialect = dbshift__strdup(v->dialect);
		if (dst->dialect == NULL ||
		    script_copy(&dst->up, v->up, v->up_len, v->up_file, NULL) ||
		    script_copy(&dst->down, v->down, v->down_len, v->down_file,
				read))
			return -1;
	}
	return 0;
}

/* Build the core's copy of def (down scripts given by file only are read
 * later through read, when not NULL); NULL when out of memory. */
static dbshift__migration *migration_from_def(const char *source,
					      const dbshift_migration_def *def,
					      dbshift__script_read_fn read)
{
	dbshift__migration *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->source = dbshift__strdup(source);
	m->version = dbshift__strdup(def->migration_version);
	m->name = dbshift__strdup(def->name != NULL ? def->name : "");
	m->id = dbshift__concat(source, "/", def->migration_version);
	if (m->source == NULL || m->version == NULL || m->name == NULL ||
	    m->id == NULL ||
	    script_copy(&m->generic_up, def->up, def->up_len, def->up_file,
			NULL) ||
	    script_copy(&m->generic_down, def->down, def->down_len,
			def->down_file, read) ||
	    variants_copy(m, def, read) ||
	    strv_copy(&m->def_depends_on, &m->n_def_depends_on, def->depends_on,
		      def->n_depends_on) ||
	    strv_copy(&m->def_dialects, &m->n_def_dialects, def->dialects,
		      def->n_dialects) ||
	    strv_copy(&m->def_contexts, &m->n_def_contexts, def->contexts,
		      def->n_contexts) ||
	    (def->checksum != NULL &&
	     (m->code_checksum = dbshift__strdup(def->checksum)) == NULL))
		goto fail;
	m->def_no_transaction = def->no_transaction != 0;
	m->up_fn = def->up_fn;
	m->down_fn = def->down_fn;
	m->fn_payload = def->fn_payload;
	return m;
fail:
	dbshift__migration_free(m);
	return NULL;
}

static const char *def_file(const dbshift_migration_def *def)
{
	if (def->up_file != NULL)
		return def->up_file;
	if (def->n_variants > 0 && def->variants[0].up_file != NULL)
		return def->variants[0].up_file;
	return "";
}

/* Does every dialect the migration is limited to have a variant up? */
static int variants_cover_dialects(const dbshift_migration_def *def)
{
	size_t i, j;

	if (def->n_dialects == 0)
		return 0;
	for (i = 0; i < def->n_dialects; i++) {
		for (j = 0; j < def->n_variants; j++)
			if (def->variants[j].up != NULL &&
			    strcmp(def->variants[j].dialect,
				   def->dialects[i]) == 0)
				break;
		if (j == def->n_variants)
			return 0;
	}
	return 1;
}

/* Are the n entries of list all set (list may be NULL when n is 0)? */
static int strv_complete(const char *const *list, size_t n)
{
	size_t i;

	if (n > 0 && list == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (list[i] == NULL)
			return 0;
	return 1;
}

/* Check the shape of a definition; 0 or an error recorded in cat. */
static int def_check(dbshift_catalog *cat, const dbshift_migration_def *def)
{
	const char *file = def_file(def);
	size_t i;

	if (def->version < 1)
		return dbshift_catalog_fail(
			cat, DBSHIFT_EINVAL, file,
			"%s: migration definition has no version field set",
			cat->source_name);
	if (def->version > DBSHIFT_MIGRATION_DEF_VERSION)
		return dbshift_catalog_fail(
			cat, DBSHIFT_EINVAL, file,
			"%s: migration definition version %u is newer than "
			"this libdbshift knows (%u)",
			cat->source_name, def->version,
			DBSHIFT_MIGRATION_DEF_VERSION);
	if (def->migration_version == NULL ||
	    def->migration_version[0] == '\0' ||
	    strchr(def->migration_version, '/') != NULL)
		return dbshift_catalog_fail(
			cat, DBSHIFT_ESOURCE, file,
			"%s: invalid migration version '%s'", cat->source_name,
			def->migration_version ? def->migration_version : "");
	if (def->up == NULL && def->up_fn == NULL &&
	    !variants_cover_dialects(def))
		return dbshift_catalog_fail(cat, DBSHIFT_ESOURCE, file,
					    "%s/%s: migration has no up script",
					    cat->source_name,
					    def->migration_version);
	for (i = 0; i < def->n_variants; i++)
		if (def->variants[i].dialect == NULL)
			return dbshift_catalog_fail(
				cat, DBSHIFT_ESOURCE, file,
				"%s/%s: dialect variant without a dialect",
				cat->source_name, def->migration_version);
	if (!strv_complete(def->depends_on, def->n_depends_on) ||
	    !strv_complete(def->dialects, def->n_dialects) ||
	    !strv_complete(def->contexts, def->n_contexts))
		return dbshift_catalog_fail(cat, DBSHIFT_EINVAL, file,
					    "%s/%s: NULL entry in depends_on, "
					    "dialects or contexts",
					    cat->source_name,
					    def->migration_version);
	if (def->checksum != NULL && strlen(def->checksum) > 64)
		return dbshift_catalog_fail(cat, DBSHIFT_EINVAL, file,
					    "%s/%s: checksum longer than 64 "
					    "characters",
					    cat->source_name,
					    def->migration_version);
	return 0;
}

int dbshift_catalog_add(dbshift_catalog *cat, const dbshift_migration_def *def)
{
	return dbshift__catalog_add_deferred(cat, def, NULL);
}

int dbshift__catalog_add_deferred(dbshift_catalog *cat,
				  const dbshift_migration_def *def,
				  dbshift__script_read_fn read)
{
	dbshift__migration *m;
	int rc;

	if (cat == NULL || def == NULL)
		return DBSHIFT_EINVAL;
	rc = def_check(cat, def);
	if (rc != 0)
		return rc;
	m = migration_from_def(cat->source_name, def, read);
	if (m == NULL || dbshift__vec_push(&cat->migrations, m) != 0) {
		dbshift__migration_free(m);
		return dbshift__err_set(cat->err, DBSHIFT_ENOMEM,
					"out of memory");
	}
	return 0;
}

/* Is script's file file? */
static int script_from(const dbshift__script *script, const char *file)
{
	return script->file != NULL && strcmp(script->file, file) == 0;
}

int dbshift__catalog_mark_no_transaction(dbshift_catalog *cat, const char *file)
{
	dbshift__migration *m;
	dbshift__script *found = NULL;
	size_t i;

	if (cat->migrations.len == 0)
		return dbshift__err_set(cat->err, DBSHIFT_EINVAL,
					"'%s': no migration", file);
	m = cat->migrations.items[cat->migrations.len - 1];
	if (script_from(&m->generic_up, file))
		found = &m->generic_up;
	else if (script_from(&m->generic_down, file))
		found = &m->generic_down;
	for (i = 0; found == NULL && i < m->n_variants; i++) {
		if (script_from(&m->variants[i].up, file))
			found = &m->variants[i].up;
		else if (script_from(&m->variants[i].down, file))
			found = &m->variants[i].down;
	}
	if (found == NULL)
		return dbshift__err_set(cat->err, DBSHIFT_EINVAL,
					"'%s': no script of %s", file, m->id);
	found->no_transaction = 1;
	return 0;
}

/* Is name among the n strings of list? */
static int strv_has(char *const *list, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

/* Append the strings of src missing from *dst. 0 or -1 (no memory). */
static int strv_merge(char ***dst, size_t *n, char *const *src, size_t count)
{
	size_t i;
	char **grown;

	for (i = 0; i < count; i++) {
		if (strv_has(*dst, *n, src[i]))
			continue;
		grown = realloc(*dst, (*n + 1) * sizeof(*grown));
		if (grown == NULL)
			return -1;
		*dst = grown;
		if ((grown[*n] = dbshift__strdup(src[i])) == NULL)
			return -1;
		(*n)++;
	}
	return 0;
}

/* The file a script came from, or the migration's id. */
static const char *script_file(const dbshift__migration *m,
			       const dbshift__script *script)
{
	return script->file != NULL ? script->file : m->id;
}

/* Does the list of n dialect tokens name dialect? */
static int dialects_include(char *const *tokens, size_t n,
			    const dbshift__dialect *dialect)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (dbshift__dialect_is(dialect, tokens[i]))
			return 1;
	return 0;
}

/*
 * The variant of m for dialect into *out (NULL when none). Two variants
 * naming the dialect (pg/ and postgres/, .mysql. and .mariadb.) are an
 * error: DBSHIFT_ESOURCE naming both files.
 */
static int variant_for(const dbshift__migration *m,
		       const dbshift__dialect *dialect, dbshift__variant **out,
		       dbshift__err *err)
{
	dbshift__variant *v;
	size_t i;

	*out = NULL;
	for (i = 0; i < m->n_variants; i++) {
		v = &m->variants[i];
		if (!dbshift__dialect_is(dialect, v->dialect))
			continue;
		if (*out != NULL) {
			dbshift__err_set(err, DBSHIFT_ESOURCE,
					 "%s: two scripts for dialect %s: "
					 "'%s' (%s) and '%s' (%s)",
					 m->id, dialect->name,
					 script_file(m, &(*out)->up),
					 (*out)->dialect,
					 script_file(m, &v->up), v->dialect);
			dbshift__err_set_migration(err, m->id);
			return DBSHIFT_ESOURCE;
		}
		*out = v;
	}
	return 0;
}

static int contexts_match(char *const *wanted, size_t n_wanted,
			  const char *const *given, size_t n_given)
{
	size_t i;

	if (n_wanted == 0)
		return 1;
	for (i = 0; i < n_given; i++)
		if (strv_has(wanted, n_wanted, given[i]))
			return 1;
	return 0;
}

static int pick_scripts(dbshift__migration *m, const dbshift__dialect *dialect,
			dbshift__err *err)
{
	dbshift__variant *v;

	m->up = NULL;
	m->down = NULL;
	if (variant_for(m, dialect, &v, err) != 0)
		return DBSHIFT_ESOURCE;
	if (v != NULL && v->up.text != NULL)
		m->up = &v->up;
	else if (m->generic_up.text != NULL)
		m->up = &m->generic_up;
	if (v != NULL && dbshift__script_present(&v->down))
		m->down = &v->down;
	else if (dbshift__script_present(&m->generic_down))
		m->down = &m->generic_down;
	return 0;
}

static int resolve_directives(dbshift__migration *m,
			      const dbshift__dialect *dialect,
			      const char *const *contexts, size_t n_contexts,
			      dbshift__err *err)
{
	dbshift__directives d;
	char reason[512];
	int rc;

	rc = dbshift__directives_parse(&d, m->up->text, m->up->len, reason,
				       sizeof(reason));
	if (rc == -1) {
		dbshift__err_set(err, DBSHIFT_ESOURCE, "%s: %s: %s", m->id,
				 m->up->file ? m->up->file : m->id, reason);
		dbshift__err_set_migration(err, m->id);
		dbshift__err_set_file(err, m->up->file ? m->up->file : "");
		goto out;
	}
	if (rc != 0)
		goto out; /* -2: out of memory */
	rc = -2;
	if (strv_merge(&m->depends_on, &m->n_depends_on, d.depends_on,
		       d.n_depends_on))
		goto out;
	m->no_transaction |= d.no_transaction;
	if (d.n_dialects > 0 &&
	    !dialects_include(d.dialects, d.n_dialects, dialect))
		m->skipped = 1;
	/* Kept for dbshift__migration_ignored(). */
	m->dir_dialects = d.dialects;
	m->n_dir_dialects = d.n_dialects;
	d.dialects = NULL;
	d.n_dialects = 0;
	if (!contexts_match(d.contexts, d.n_contexts, contexts, n_contexts))
		m->skipped = 1;
	rc = 0;
out:
	dbshift__directives_free(&d);
	if (rc == -2)
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	return rc == 0 ? 0 : DBSHIFT_ESOURCE;
}

static int resolve_checksum(dbshift__migration *m, dbshift__err *err)
{
	if (m->up != NULL) {
		if (dbshift__checksum_script(m->up->text, m->up->len,
					     m->checksum) != 0)
			return dbshift__err_set(err, DBSHIFT_ERROR,
						"%s: cannot compute checksum",
						m->id);
		return 0;
	}
	/* Code migrations: the checksum is the author's version string. */
	dbshift__strlcpy(m->checksum,
			 m->code_checksum != NULL ? m->code_checksum : "",
			 sizeof(m->checksum));
	return 0;
}

int dbshift__migration_resolve(dbshift__migration *m,
			       const dbshift__dialect *dialect,
			       const char *const *contexts, size_t n_contexts,
			       dbshift__err *err)
{
	int rc;

	dbshift__strv_free(m->depends_on, m->n_depends_on);
	m->depends_on = NULL;
	m->n_depends_on = 0;
	dbshift__strv_free(m->dir_dialects, m->n_dir_dialects);
	m->dir_dialects = NULL;
	m->n_dir_dialects = 0;
	m->skipped = 0;
	m->no_transaction = m->def_no_transaction;
	if (strv_merge(&m->depends_on, &m->n_depends_on, m->def_depends_on,
		       m->n_def_depends_on))
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	if (m->n_def_dialects > 0 &&
	    !dialects_include(m->def_dialects, m->n_def_dialects, dialect))
		m->skipped = 1;
	if (!contexts_match(m->def_contexts, m->n_def_contexts, contexts,
			    n_contexts))
		m->skipped = 1;
	if (pick_scripts(m, dialect, err) != 0)
		return DBSHIFT_ESOURCE;
	if (m->up == NULL && m->up_fn == NULL) {
		/* Only dialect variants exist and none is for this one. */
		m->skipped = 1;
		m->checksum[0] = '\0';
		return 0;
	}
	if (m->up != NULL) {
		rc = resolve_directives(m, dialect, contexts, n_contexts, err);
		if (rc != 0)
			return rc;
	}
	/* A ".autocommit." script picked for the run, either way. */
	if ((m->up != NULL && m->up->no_transaction) ||
	    (m->down != NULL && m->down->no_transaction))
		m->no_transaction = 1;
	return resolve_checksum(m, err);
}

/* Is token the dialect of one of m's variants (already reported)? */
static int variant_named(const dbshift__migration *m, const char *token)
{
	size_t i;

	for (i = 0; i < m->n_variants; i++)
		if (strcmp(m->variants[i].dialect, token) == 0)
			return 1;
	return 0;
}

/* Report token of m to fn when no known dialect is it. */
static size_t report_unknown(const dbshift__migration *m, const char *token,
			     const char *where, const dbshift__vec *known,
			     const dbshift__dialect *own, const char *installed,
			     void (*fn)(const char *, const char *, void *),
			     void *payload)
{
	char what[1024];

	if (token == NULL || dbshift__dialects_has(known, token) ||
	    dbshift__dialect_is(own, token))
		return 0;
	snprintf(what, sizeof(what),
		 "%s names dialect '%s', which no installed driver declares "
		 "(installed: %s); ignored",
		 where, token, installed[0] != '\0' ? installed : "none");
	if (fn != NULL)
		fn(m->id, what, payload);
	return 1;
}

size_t dbshift__migration_ignored_except(
	const dbshift__migration *m, const dbshift__vec *known,
	const dbshift__dialect *own, const char *installed,
	void (*fn)(const char *id, const char *what, void *payload),
	void *payload)
{
	char where[700];
	size_t i, n = 0;

	for (i = 0; i < m->n_variants; i++) {
		const dbshift__variant *v = &m->variants[i];

		snprintf(
			where, sizeof(where), "'%s'",
			script_file(m, v->up.text != NULL ? &v->up : &v->down));
		n += report_unknown(m, v->dialect, where, known, own, installed,
				    fn, payload);
	}
	for (i = 0; i < m->n_def_dialects; i++)
		if (!variant_named(m, m->def_dialects[i]))
			n += report_unknown(m, m->def_dialects[i],
					    "the migration's dialect list",
					    known, own, installed, fn, payload);
	snprintf(where, sizeof(where), "the dialects directive of '%s'",
		 m->up != NULL ? script_file(m, m->up) : m->id);
	for (i = 0; i < m->n_dir_dialects; i++)
		n += report_unknown(m, m->dir_dialects[i], where, known, own,
				    installed, fn, payload);
	return n;
}
