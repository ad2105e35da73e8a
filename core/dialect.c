/* SPDX-License-Identifier: MIT */
/*
 * dialect.c - dialect tokens and what the installed drivers make of them
 * (see dialect.h). Well-formed tokens are interned in a process-wide list
 * behind a mutex, so that sources can keep them as plain borrowed strings
 * the way they once kept names from a fixed table; the list only grows
 * with the distinct tokens a process meets.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dialect.h"
#include "loader.h"

struct interned {
	struct interned *next;
	char token[DBSHIFT__DIALECT_MAX + 1];
};

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static struct interned *interned_head;

static int token_valid(const char *token, size_t len)
{
	size_t i;
	char c;

	if (token == NULL || len == 0 || len > DBSHIFT__DIALECT_MAX ||
	    !(token[0] >= 'a' && token[0] <= 'z'))
		return 0;
	for (i = 0; i < len; i++) {
		c = token[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return 0;
	}
	return 1;
}

const char *dbshift__dialect_token(const char *token, size_t len, int *nomem)
{
	struct interned *t;

	if (nomem != NULL)
		*nomem = 0;
	if (!token_valid(token, len))
		return NULL;
	pthread_mutex_lock(&intern_lock);
	for (t = interned_head; t != NULL; t = t->next)
		if (strlen(t->token) == len &&
		    memcmp(t->token, token, len) == 0)
			break;
	if (t == NULL && (t = calloc(1, sizeof(*t))) != NULL) {
		memcpy(t->token, token, len);
		t->next = interned_head;
		interned_head = t;
	}
	pthread_mutex_unlock(&intern_lock);
	if (t == NULL && nomem != NULL)
		*nomem = 1;
	return t != NULL ? t->token : NULL;
}

dbshift__dialect dbshift__dialect_of(const dbshift_driver *driver)
{
	dbshift__dialect d = {driver->dialect, driver->dialect_aliases};

	return d;
}

int dbshift__dialect_is(const dbshift__dialect *d, const char *token)
{
	const char *const *alias;

	if (d->name == NULL || token == NULL)
		return 0;
	if (strcmp(d->name, token) == 0)
		return 1;
	for (alias = d->aliases; alias != NULL && *alias != NULL; alias++)
		if (strcmp(*alias, token) == 0)
			return 1;
	return 0;
}

int dbshift__dialects_has(const dbshift__vec *known, const char *token)
{
	size_t i;

	for (i = 0; i < known->len; i++)
		if (strcmp(known->items[i], token) == 0)
			return 1;
	return 0;
}

/* Add a copy of token to known unless it is there. -1 when out of memory. */
static int known_add(dbshift__vec *known, const char *token)
{
	char *copy;

	if (token == NULL || dbshift__dialects_has(known, token))
		return 0;
	copy = dbshift__strdup(token);
	if (copy == NULL || dbshift__vec_push(known, copy) != 0) {
		free(copy);
		return -1;
	}
	return 0;
}

/* dbshift__loader_each() callback: a driver's dialect and aliases. */
static int add_driver(const dbshift_driver *driver, void *payload)
{
	dbshift__vec *known = payload;
	const char *const *alias;

	if (known_add(known, driver->dialect) != 0)
		return -1;
	for (alias = driver->dialect_aliases; alias != NULL && *alias != NULL;
	     alias++)
		if (known_add(known, *alias) != 0)
			return -1;
	return 0;
}

int dbshift__dialects_installed(dbshift__vec *known, const char *driver_dir)
{
	return dbshift__loader_each(driver_dir, add_driver, known) != 0 ?
		       DBSHIFT_ENOMEM :
		       0;
}
