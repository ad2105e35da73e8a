/* SPDX-License-Identifier: MIT */
/*
 * embed_write.c - the generator behind `dbshift embed`: a C file that
 * holds a migration directory's scripts as data and defines a function
 * returning them as an embedded source (embedded.c).
 *
 * The directory is read and checked exactly as the directory source reads
 * it (directory.c and layout.c), and its up scripts' directives are
 * checked for every dialect, so a directory that would fail at run time
 * fails here instead, with the same message. Only the scripts that make
 * migrations are written, under their paths inside the directory, sorted
 * bytewise: the same files always give the same bytes, wherever the
 * directory lies and whenever it is generated. Data is written as arrays
 * of byte values rather than string literals, which C99 only promises up
 * to 4095 characters; the file compiles as C89, C99 and C++.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "directory.h"
#include "error.h"
#include "layout.h"
#include "util.h"

/* Byte values per line of a data array: "\t" + 12 * "0x00, " fits 80. */
#define EMBED_PER_LINE 12

/* One script to write: its path inside the directory and its text. */
struct embed_file {
	const char *path;
	const char *text;
	size_t len;
};

/* One generation. */
struct embed_gen {
	dbshift__err *err;
	const char *source;   /* the source's name */
	const char *function; /* the function to define */
	const char *prefix;   /* display prefix of the directory's files */
	struct embed_file *files;
	size_t n_files;
	size_t cap;
};

/* Is s a C identifier? */
static int embed_identifier_valid(const char *s)
{
	size_t len = strspn(s, "abcdefghijklmnopqrstuvwxyz"
			       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

	return len > 0 && s[len] == '\0' && !(s[0] >= '0' && s[0] <= '9');
}

/*
 * The default function name for source name: "NAME_migrations_source",
 * with every character that cannot be in an identifier replaced by '_',
 * and "src_" in front of a leading digit. NULL when out of memory.
 */
static char *embed_default_function(const char *name)
{
	int digit = name[0] >= '0' && name[0] <= '9';
	char *fn = dbshift__aprintf("%s%s_migrations_source",
				    digit ? "src_" : "", name);
	char *p;

	if (fn == NULL)
		return NULL;
	for (p = fn; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			*p = '_';
	return fn;
}

/* Remember script (when present) for writing. 0, or -1 when OOM. */
static int embed_collect_script(struct embed_gen *gen,
				const dbshift__script *script)
{
	size_t prefix_len = strlen(gen->prefix);
	struct embed_file *grown;
	size_t cap;

	if (script->text == NULL)
		return 0;
	if (gen->n_files == gen->cap) {
		cap = gen->cap ? gen->cap * 2 : 32;
		grown = realloc(gen->files, cap * sizeof(*grown));
		if (grown == NULL)
			return -1;
		gen->files = grown;
		gen->cap = cap;
	}
	/* The layout named every script prefix + its path. */
	gen->files[gen->n_files].path =
		strncmp(script->file, gen->prefix, prefix_len) == 0 ?
			script->file + prefix_len :
			script->file;
	gen->files[gen->n_files].text = script->text;
	gen->files[gen->n_files].len = script->len;
	gen->n_files++;
	return 0;
}

static int embed_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct embed_file *)a)->path,
		      ((const struct embed_file *)b)->path);
}

/* Gather the scripts of every migration of cat, sorted by path. */
static int embed_collect(struct embed_gen *gen, const dbshift_catalog *cat)
{
	const dbshift__migration *m;
	size_t i, j;

	for (i = 0; i < cat->migrations.len; i++) {
		m = cat->migrations.items[i];
		if (embed_collect_script(gen, &m->generic_up) ||
		    embed_collect_script(gen, &m->generic_down))
			goto oom;
		for (j = 0; j < m->n_variants; j++)
			if (embed_collect_script(gen, &m->variants[j].up) ||
			    embed_collect_script(gen, &m->variants[j].down))
				goto oom;
	}
	if (gen->n_files > 1)
		qsort(gen->files, gen->n_files, sizeof(*gen->files),
		      embed_file_cmp);
	return 0;
oom:
	return dbshift__err_set(gen->err, DBSHIFT_ENOMEM, "out of memory");
}

/*
 * Resolve every migration for every dialect, as a run would: for the
 * generic scripts and for each dialect a variant names. This reads the
 * directives of each up script that some dialect runs, so that a bad
 * directive fails the generation rather than the application.
 */
static int embed_check_directives(struct embed_gen *gen,
				  const dbshift_catalog *cat)
{
	const dbshift__migration *m;
	dbshift__dialect d = {NULL, NULL};
	size_t i, v;
	int rc;

	for (i = 0; i < cat->migrations.len; i++) {
		m = cat->migrations.items[i];
		for (v = 0; v <= m->n_variants; v++) {
			d.name = v == 0 ? NULL : m->variants[v - 1].dialect;
			rc = dbshift__migration_resolve(
				cat->migrations.items[i], &d, NULL, 0,
				gen->err);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/*
 * Write s as the inside of a C string literal: printable ASCII as it is,
 * except '"', '\\' and '?' (no trigraphs), and everything else as a
 * three-digit octal escape, which no following character can extend.
 */
static void embed_put_literal(FILE *out, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\' || *p == '?')
			fprintf(out, "\\%c", *p);
		else if (*p >= 0x20 && *p < 0x7f)
			fputc(*p, out);
		else
			fprintf(out, "\\%03o", *p);
	}
}

/* Write s inside a comment: no comment delimiters, no control bytes. */
static void embed_put_comment(FILE *out, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p >= 0x7f) {
			fputc('?', out);
			continue;
		}
		fputc(*p, out);
		if ((*p == '*' && p[1] == '/') || (*p == '/' && p[1] == '*'))
			fputc(' ', out);
	}
}

/* The data array of file i: its bytes, then a terminating zero. */
static void embed_put_data(const struct embed_gen *gen, FILE *out, size_t i)
{
	static const char hex[] = "0123456789abcdef";
	const struct embed_file *file = &gen->files[i];
	char line[8 + EMBED_PER_LINE * 6];
	size_t pos, used = 0;
	unsigned char byte;

	fputs("\n/* ", out);
	embed_put_comment(out, file->path);
	fprintf(out, " */\nstatic const unsigned char %s_data%lu[] = {\n",
		gen->function, (unsigned long)i);
	for (pos = 0; pos <= file->len; pos++) {
		byte = pos < file->len ? (unsigned char)file->text[pos] : 0;
		if (used == 0)
			line[used++] = '\t';
		else
			line[used++] = ' ';
		line[used++] = '0';
		line[used++] = 'x';
		line[used++] = hex[byte >> 4];
		line[used++] = hex[byte & 0x0f];
		line[used++] = ',';
		if ((pos + 1) % EMBED_PER_LINE == 0 || pos == file->len) {
			line[used++] = '\n';
			fwrite(line, 1, used, out);
			used = 0;
		}
	}
	fputs("};\n", out);
}

/* The whole file. */
static void embed_put_all(const struct embed_gen *gen, FILE *out)
{
	size_t i;

	fprintf(out,
		"/*\n"
		" * Generated by `dbshift embed` from the migration directory "
		"of the\n"
		" * source \"%s\" (%lu file%s). Do not edit: change the .sql "
		"files and\n"
		" * generate this file again.\n"
		" */\n"
		"#include <dbshift/dbshift.h>\n",
		gen->source, (unsigned long)gen->n_files,
		gen->n_files == 1 ? "" : "s");
	for (i = 0; i < gen->n_files; i++)
		embed_put_data(gen, out, i);
	if (gen->n_files > 0) {
		fprintf(out,
			"\nstatic const dbshift_embedded_file %s_files[] "
			"= {\n",
			gen->function);
		for (i = 0; i < gen->n_files; i++) {
			fputs("\t{ \"", out);
			embed_put_literal(out, gen->files[i].path);
			fprintf(out,
				"\",\n\t  (const char *)%s_data%lu, %lu },\n",
				gen->function, (unsigned long)i,
				(unsigned long)gen->files[i].len);
		}
		fputs("};\n", out);
	}
	fprintf(out,
		"\n#ifdef __cplusplus\nextern \"C\"\n#endif\n"
		"int %s(dbshift_source **out);\n\n"
		"int %s(dbshift_source **out)\n{\n"
		"\treturn dbshift_source_embedded_new(out, \"%s\",\n",
		gen->function, gen->function, gen->source);
	if (gen->n_files > 0)
		fprintf(out, "\t\t\t\t\t   %s_files, %lu);\n}\n", gen->function,
			(unsigned long)gen->n_files);
	else
		fputs("\t\t\t\t\t   NULL, 0);\n}\n", out);
}

/*
 * Read and check the directory into cat, then collect its scripts.
 * Returns 0 or a negative code (recorded in gen->err).
 */
static int embed_read(struct embed_gen *gen, const char *dir,
		      dbshift_catalog *cat)
{
	dbshift__layout layout;
	int rc;

	rc = dbshift__dir_read(dir, &layout, cat);
	if (rc == 0)
		rc = dbshift__layout_load(&layout, cat);
	if (rc == 0)
		rc = embed_check_directives(gen, cat);
	if (rc == 0) {
		gen->prefix = layout.prefix;
		rc = embed_collect(gen, cat);
		gen->prefix = NULL;
	}
	dbshift__layout_free(&layout);
	return rc;
}

/* Write the generated file, reporting a failed write as DBSHIFT_EIO. */
static int embed_output(const struct embed_gen *gen, FILE *out)
{
	errno = 0;
	embed_put_all(gen, out);
	if (fflush(out) != 0 || ferror(out))
		return dbshift__err_set(gen->err, DBSHIFT_EIO,
					"cannot write the generated C file: "
					"%s",
					strerror(errno != 0 ? errno : EIO));
	return 0;
}

int dbshift_embed_write(const char *dir, const char *name, const char *function,
			FILE *out)
{
	struct embed_gen gen;
	dbshift_source *src = NULL;
	dbshift_catalog cat;
	char *default_fn = NULL;
	int rc;

	memset(&gen, 0, sizeof(gen));
	gen.err = dbshift__err_last();
	dbshift__err_init(gen.err);
	if (out == NULL)
		return dbshift__err_set(gen.err, DBSHIFT_EINVAL,
					"embed: no output stream given");
	/* The directory source checks dir and name and derives the name. */
	rc = dbshift_source_dir_new(&src, name, dir);
	if (rc != 0)
		return rc;
	gen.source = dbshift_source_name(src);
	if (function == NULL)
		function = default_fn = embed_default_function(gen.source);
	if (function == NULL) {
		rc = dbshift__err_set(gen.err, DBSHIFT_ENOMEM, "out of memory");
		goto out;
	}
	if (!embed_identifier_valid(function)) {
		rc = dbshift__err_set(gen.err, DBSHIFT_EINVAL,
				      "invalid C function name '%s': use "
				      "letters, digits and '_', not starting "
				      "with a digit",
				      function);
		goto out;
	}
	gen.function = function;
	dbshift__catalog_init(&cat, gen.source, gen.err);
	rc = embed_read(&gen, dir, &cat);
	if (rc == 0)
		rc = embed_output(&gen, out);
	dbshift__catalog_clear(&cat);
out:
	free(gen.files);
	free(default_fn);
	dbshift_source_free(src);
	return rc;
}
