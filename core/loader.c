/* SPDX-License-Identifier: MIT */
/*
 * loader.c - finds driver modules, loads them and checks them before the
 * core trusts a single function pointer (design.md 2).
 *
 * A driver NAME lives in driver_NAME.so, searched for in the directory the
 * caller names, then in $DBSHIFT_DRIVER_PATH (colon-separated, ignored in
 * setuid programs), then in the configured DBSHIFT_DRIVER_DIR, or instead
 * in $DBSHIFT_DRIVER_SYSTEM_DIR when that is set (empty: nothing; as
 * GStreamer's GST_PLUGIN_SYSTEM_PATH, it lets a test suite keep away from
 * an installed copy). The current directory is never searched implicitly:
 * empty and relative path elements are skipped.
 * The first file found is the one used; when it is broken that is an error
 * rather than a reason to try the next directory, so that a stale module
 * is noticed instead of silently shadowed.
 *
 * Modules are opened with RTLD_NOW | RTLD_LOCAL so that a missing symbol
 * fails here rather than in the middle of a migration, and are never
 * closed once accepted: their descriptors and strings are used for the
 * life of the process. Accepted drivers are kept in a small cache (a list
 * behind a mutex), keyed by name, so that loading a driver again is cheap
 * and gives the same descriptor; the first driver loaded under a name
 * serves the whole process.
 *
 * Before a module is opened, its file and directory must be ones only root
 * or the current user could have written: a module, or a directory, that
 * anyone may write to, or a module owned by another user, is refused with
 * an error naming the file (loading it would run someone else's code as
 * us). A symlinked module is checked where it really lies as well. The
 * descriptor must name the driver of the file name: driver_NAME.so
 * declares NAME, so that a module copied under another name is noticed.
 *
 * The descriptor is copied into a full-size, zero-filled dbshift_driver
 * before the core reads it: a driver built against an older ABI minor has
 * a shorter struct, and the fields appended since must read as NULL/zero
 * ("not supported") rather than as whatever follows the driver's struct.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dbshift/dbshift.h"
#include "host.h"
#include "loader.h"
#include "util.h"

#ifndef DBSHIFT_DRIVER_DIR
#define DBSHIFT_DRIVER_DIR "/usr/local/lib/dbshift/drivers-1"
#endif

/* Longest driver name; keeps file and symbol names reasonable. */
#define NAME_MAX_LEN 64

/* One accepted driver. Never freed: its module stays loaded. */
struct loaded {
	struct loaded *next;
	char *name;
	char *path;
	void *handle;
	char *skipped; /* "PATH (reason)" of incompatible ones passed over */
	dbshift_driver desc; /* full size; zero past the driver's struct_size */
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct loaded *cache_head;

static const char *const no_schemes[] = {NULL};

const dbshift_host *dbshift__loader_host(void)
{
	return dbshift__host();
}

/*
 * Is name usable as NAME in driver_NAME.so: 1 to NAME_MAX_LEN of a-z, 0-9,
 * '_' and '-', starting with a letter or digit? Nothing else may reach a
 * file name (no '/', no '.').
 */
static int valid_name(const char *name)
{
	size_t i;
	char c;

	if (name == NULL || name[0] == '\0' || name[0] == '-' || name[0] == '_')
		return 0;
	for (i = 0; name[i] != '\0'; i++) {
		c = name[i];
		if (i >= NAME_MAX_LEN)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* The environment variable name, or NULL when unset or when the process
 * runs with privileges it did not start with. */
static const char *trusted_env(const char *name)
{
#ifdef HAVE_SECURE_GETENV
	return secure_getenv(name);
#else
	if (getuid() != geteuid() || getgid() != getegid())
		return NULL;
	return getenv(name);
#endif
}

/* Append a copy of the len-byte directory dir to dirs, unless it is empty
 * or already there. Returns 0 or -1 when out of memory. */
static int add_dir(dbshift__vec *dirs, const char *dir, size_t len)
{
	char *copy;
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < dirs->len; i++)
		if (strlen(dirs->items[i]) == len &&
		    memcmp(dirs->items[i], dir, len) == 0)
			return 0;
	copy = dbshift__strndup(dir, len);
	if (copy == NULL || dbshift__vec_push(dirs, copy) != 0) {
		free(copy);
		return -1;
	}
	return 0;
}

/* Fill dirs with the search path, in order (strings owned by dirs).
 * Returns 0 or -1 when out of memory. */
static int search_path(dbshift__vec *dirs, const char *driver_dir)
{
	const char *env = trusted_env("DBSHIFT_DRIVER_PATH");
	const char *last = trusted_env("DBSHIFT_DRIVER_SYSTEM_DIR");
	size_t len;

	if (driver_dir != NULL &&
	    add_dir(dirs, driver_dir, strlen(driver_dir)) != 0)
		return -1;
	while (env != NULL && *env != '\0') {
		len = strcspn(env, ":");
		/* A relative entry ("." or "lib") would mean the current
		 * directory, which is never searched implicitly. */
		if (env[0] == '/' && add_dir(dirs, env, len) != 0)
			return -1;
		env += len;
		if (*env == ':')
			env++;
	}
	if (last == NULL)
		last = DBSHIFT_DRIVER_DIR;
	if (last[0] != '/') /* "" names no directory; a relative one the
			       current directory */
		return 0;
	return add_dir(dirs, last, strlen(last));
}

/* dir/driver_NAME.so, without doubling a trailing slash. Caller frees;
 * NULL when out of memory. */
static char *module_path(const char *dir, const char *name)
{
	size_t len = strlen(dir);

	while (len > 1 && dir[len - 1] == '/')
		len--;
	return dbshift__aprintf("%.*s/driver_%s.so", (int)len, dir, name);
}

/* "a, b, c" from the directories searched, for a message. Caller frees;
 * NULL when out of memory. */
static char *join_dirs(const dbshift__vec *dirs)
{
	dbshift__buf buf = DBSHIFT__BUF_INIT;
	size_t i;

	for (i = 0; i < dirs->len; i++) {
		if (i > 0)
			dbshift__buf_puts(&buf, ", ");
		dbshift__buf_puts(&buf, dirs->items[i]);
	}
	return dbshift__buf_detach(&buf);
}

static struct loaded *cache_find(const char *name, const char *path)
{
	struct loaded *l;

	for (l = cache_head; l != NULL; l = l->next)
		if (strcmp(l->name, name) == 0 &&
		    (path == NULL || strcmp(l->path, path) == 0))
			return l;
	return NULL;
}

/* dlerror()'s text without the "PATH: " it usually starts with. */
static const char *dl_reason(const char *path)
{
	const char *text = dlerror();
	size_t len = strlen(path);

	if (text == NULL)
		return "unknown error";
	if (strncmp(text, path, len) == 0 && text[len] == ':' &&
	    text[len + 1] == ' ')
		return text + len + 2;
	return text;
}

/*
 * The entry function of an open module: dbshift_driver_NAME_init when NAME
 * can be part of a C identifier and the module has it, else the generic
 * DBSHIFT_DRIVER_INIT_SYMBOL. Writes the specific symbol's name into
 * symbol (for messages; "" when NAME cannot form one). NULL when neither
 * exists.
 */
static dbshift_driver_init_fn find_entry(void *handle, const char *name,
					 char *symbol, size_t size)
{
	void *sym = NULL;

	symbol[0] = '\0';
	if (strchr(name, '-') == NULL) {
		snprintf(symbol, size, "dbshift_driver_%s_init", name);
		sym = dlsym(handle, symbol);
	}
	if (sym == NULL)
		sym = dlsym(handle, DBSHIFT_DRIVER_INIT_SYMBOL);
	/* POSIX guarantees that a data pointer from dlsym() can hold a
	 * function's address. */
	return (dbshift_driver_init_fn)sym;
}

/*
 * Is the directory of path one that anyone may write to (sticky or not:
 * anyone could have put the module there)? Writes the reason into why and
 * returns it, else returns NULL.
 */
static const char *dir_untrusted(const char *path, char *why, size_t size)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	struct stat st;

	if (slash == NULL)
		dbshift__strlcpy(dir, ".", sizeof(dir));
	else if ((size_t)(slash - path) >= sizeof(dir))
		dbshift__strlcpy(dir, "/", sizeof(dir)); /* cannot happen */
	else
		snprintf(dir, sizeof(dir), "%.*s",
			 slash == path ? 1 : (int)(slash - path), path);
	if (stat(dir, &st) != 0 || (st.st_mode & S_IWOTH) == 0)
		return NULL;
	snprintf(why, size,
		 "its directory %s is writable by anyone (mode %04o): "
		 "anyone could have put it there",
		 dir, (unsigned)(st.st_mode & 07777));
	return why;
}

/*
 * May the module at path be loaded: owned by root or the current user,
 * not writable by anyone, in a directory not writable by anyone (where it
 * really lies too, for a symlink)? Writes the reason into why and returns
 * it, else returns NULL. A file that cannot be examined is left to
 * dlopen(), which says why.
 */
static const char *module_untrusted(const char *path, char *why, size_t size)
{
	char real[PATH_MAX];
	struct stat st;
	uid_t me = geteuid();

	if (stat(path, &st) != 0)
		return NULL;
	if (st.st_uid != 0 && st.st_uid != me) {
		snprintf(why, size,
			 "owned by uid %lu, neither root nor the current user "
			 "(uid %lu)",
			 (unsigned long)st.st_uid, (unsigned long)me);
		return why;
	}
	if (st.st_mode & S_IWOTH) {
		snprintf(why, size, "writable by anyone (mode %04o)",
			 (unsigned)(st.st_mode & 07777));
		return why;
	}
	if (dir_untrusted(path, why, size) != NULL)
		return why;
	if (realpath(path, real) != NULL && strcmp(real, path) != 0 &&
	    dir_untrusted(real, why, size) != NULL)
		return why;
	return NULL;
}

/* The first required slot the descriptor lacks, or NULL. */
static const char *missing_slot(const dbshift_driver *d)
{
	if (d->open == NULL)
		return "open";
	if (d->close == NULL)
		return "close";
	if (d->exec == NULL)
		return "exec";
	if (d->query == NULL)
		return "query";
	if (d->begin == NULL)
		return "begin";
	if (d->commit == NULL)
		return "commit";
	if (d->rollback == NULL)
		return "rollback";
	if (d->quote_ident == NULL)
		return "quote_ident";
	if (d->table_exists == NULL)
		return "table_exists";
	return NULL;
}

/*
 * Check the descriptor a driver returned for the file driver_NAME.so,
 * copying it into desc (zero-filled past its struct_size). Returns NULL when it
 * is acceptable, else writes the reason into why and returns why.
 */
static const char *check_desc(const dbshift_driver *returned, const char *name,
			      dbshift_driver *desc, char *why, size_t size)
{
	dbshift_driver head;
	size_t copy;
	const char *slot;

	/* The four leading uint32_t fields exist in every ABI version; read
	 * them alone before trusting struct_size. */
	memset(desc, 0, sizeof(*desc));
	memcpy(&head, returned, offsetof(dbshift_driver, name));
	if (head.abi_major != DBSHIFT_DRIVER_ABI_MAJOR) {
		snprintf(why, size,
			 "built for driver ABI %u.%u, core supports %u.x",
			 (unsigned)head.abi_major, (unsigned)head.abi_minor,
			 (unsigned)DBSHIFT_DRIVER_ABI_MAJOR);
		return why;
	}
	if (head.abi_minor > DBSHIFT_DRIVER_ABI_MINOR) {
		snprintf(why, size,
			 "built for driver ABI %u.%u, newer than the core's "
			 "%u.%u",
			 (unsigned)head.abi_major, (unsigned)head.abi_minor,
			 (unsigned)DBSHIFT_DRIVER_ABI_MAJOR,
			 (unsigned)DBSHIFT_DRIVER_ABI_MINOR);
		return why;
	}
	if (head.struct_size < DBSHIFT_DRIVER_MIN_SIZE) {
		snprintf(why, size,
			 "truncated descriptor (struct_size %u, at least %zu "
			 "expected)",
			 (unsigned)head.struct_size, DBSHIFT_DRIVER_MIN_SIZE);
		return why;
	}
	copy = head.struct_size < sizeof(*desc) ? head.struct_size :
						  sizeof(*desc);
	memcpy(desc, returned, copy);
	if (desc->name == NULL || desc->name[0] == '\0') {
		snprintf(why, size, "descriptor has no name");
		return why;
	}
	if (strcmp(desc->name, name) != 0) {
		snprintf(why, size,
			 "the descriptor names the driver '%.64s', not '%s' "
			 "as the file name driver_%s.so does",
			 desc->name, name, name);
		return why;
	}
	if (desc->dialect == NULL || desc->dialect[0] == '\0') {
		snprintf(why, size, "descriptor has no dialect");
		return why;
	}
	slot = missing_slot(desc);
	if (slot != NULL) {
		snprintf(why, size, "required function '%s' is missing", slot);
		return why;
	}
	/* A 1.0 driver cannot declare splitter properties: standard SQL
	 * with routine bodies, as the 1.0 core split unknown dialects. */
	if (copy <
	    offsetof(dbshift_driver, split_flags) + sizeof(desc->split_flags))
		desc->split_flags = DBSHIFT_SPLIT_ROUTINE_BODIES;
	/* The DELIMITER property came with 1.5, and with it the iterator
	 * fields it writes: an older driver's bit 10 means nothing. */
	if (desc->abi_minor < 5)
		desc->split_flags &= ~DBSHIFT_SPLIT_DELIMITER_COMMAND;
	return NULL;
}

/*
 * Open the module at path, find its entry, negotiate the ABI and check the
 * descriptor. On success *out is a new cache entry (not yet linked). Call
 * with cache_lock held. Errors are DBSHIFT_EDRIVER (or DBSHIFT_ENOMEM),
 * each one line naming the driver, the file and the reason; *incompatible
 * (may be NULL) says whether the module is a driver of another ABI (its
 * entry refused the core, or its descriptor claims another major or a
 * newer minor) rather than a broken one.
 */
static int load_module(struct loaded **out, const char *path, const char *name,
		       dbshift__err *err, int *incompatible)
{
	char symbol[NAME_MAX_LEN + 32];
	char why[PATH_MAX + 128];
	dbshift_driver_init_fn init;
	const dbshift_driver *returned;
	struct loaded *l;
	void *handle;
	int rc;

	*out = NULL;
	if (incompatible != NULL)
		*incompatible = 0;
	if (module_untrusted(path, why, sizeof(why)) != NULL) {
		dbshift__err_set_file(err, path);
		return dbshift__err_set(err, DBSHIFT_EDRIVER,
					"cannot load driver '%s' from %s: %s",
					name, path, why);
	}
	dlerror();
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		dbshift__err_set_file(err, path);
		return dbshift__err_set(err, DBSHIFT_EDRIVER,
					"cannot load driver '%s' from %s: not "
					"a loadable module: %s",
					name, path, dl_reason(path));
	}
	init = find_entry(handle, name, symbol, sizeof(symbol));
	if (init == NULL) {
		rc = dbshift__err_set(err, DBSHIFT_EDRIVER,
				      "cannot load driver '%s' from %s: no "
				      "entry symbol %s%s%s",
				      name, path, symbol,
				      symbol[0] ? " or " : "",
				      DBSHIFT_DRIVER_INIT_SYMBOL);
		goto close_module;
	}
	returned = init(DBSHIFT_DRIVER_ABI_MAJOR, DBSHIFT_DRIVER_ABI_MINOR,
			dbshift__host());
	if (incompatible != NULL)
		*incompatible =
			returned == NULL ||
			returned->abi_major != DBSHIFT_DRIVER_ABI_MAJOR ||
			returned->abi_minor > DBSHIFT_DRIVER_ABI_MINOR;
	if (returned == NULL) {
		rc = dbshift__err_set(err, DBSHIFT_EDRIVER,
				      "cannot load driver '%s' from %s: the "
				      "driver refused driver ABI %u.%u (its "
				      "entry function returned NULL)",
				      name, path,
				      (unsigned)DBSHIFT_DRIVER_ABI_MAJOR,
				      (unsigned)DBSHIFT_DRIVER_ABI_MINOR);
		goto close_module;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		rc = dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
		goto close_module;
	}
	if (check_desc(returned, name, &l->desc, why, sizeof(why)) != NULL) {
		rc = dbshift__err_set(err, DBSHIFT_EDRIVER,
				      "cannot load driver '%s' from %s: %s",
				      name, path, why);
		goto free_entry;
	}
	l->name = dbshift__strdup(name);
	l->path = dbshift__strdup(path);
	if (l->name == NULL || l->path == NULL) {
		rc = dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
		goto free_entry;
	}
	l->handle = handle;
	*out = l;
	return 0;

free_entry:
	free(l->name);
	free(l->path);
	free(l);
close_module:
	dlclose(handle);
	dbshift__err_set_file(err, path);
	return rc;
}

/*
 * Every dir/driver_NAME.so that exists (or that exists but cannot be
 * examined: dlopen() will then say why), in search path order, into paths
 * (strings owned by the vector). Returns 0 or -1 when out of memory.
 */
static int find_modules(dbshift__vec *paths, const dbshift__vec *dirs,
			const char *name)
{
	struct stat st;
	char *candidate;
	size_t i;

	for (i = 0; i < dirs->len; i++) {
		candidate = module_path(dirs->items[i], name);
		if (candidate == NULL)
			return -1;
		if ((stat(candidate, &st) == 0 ||
		     (errno != ENOENT && errno != ENOTDIR)) &&
		    dbshift__vec_push(paths, candidate) == 0)
			continue;
		free(candidate);
		if (errno == ENOMEM)
			return -1;
	}
	return 0;
}

/* Add "PATH (reason)" of a module passed over to *skipped ("; " between).
 * Out of memory only loses the note. */
static void note_skipped(char **skipped, const char *path, const char *why)
{
	char *more = dbshift__aprintf("%s%s%s (%s)", *skipped ? *skipped : "",
				      *skipped ? "; " : "", path, why);

	if (more == NULL)
		return;
	free(*skipped);
	*skipped = more;
}

static int not_found(dbshift__err *err, const char *name,
		     const dbshift__vec *dirs)
{
	char *list;

	dbshift__err_set_file(err, "");
	if (dirs->len == 0)
		return dbshift__err_set(err, DBSHIFT_EURL,
					"no driver '%s': no driver directory "
					"to search ($DBSHIFT_DRIVER_SYSTEM_DIR "
					"is empty)",
					name);
	list = join_dirs(dirs);
	if (list == NULL)
		return dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	dbshift__err_set(err, DBSHIFT_EURL,
			 "no driver '%s': driver_%s.so not found in %s", name,
			 name, list);
	free(list);
	return DBSHIFT_EURL;
}

static const char *reason_only(const char *message, const char *name,
			       const char *path);

/*
 * Search for and load NAME; call with cache_lock held. The first module
 * found is used; when it is a driver of another ABI and a later one on the
 * path loads, that one is used instead and the one passed over is noted
 * in its cache entry (dbshift__loader_skipped()). A broken module stops
 * the search: a stale file is reported, not silently shadowed.
 */
static int load_locked(const dbshift_driver **out, const char *name,
		       const char *driver_dir, dbshift__err *err)
{
	dbshift__vec dirs = DBSHIFT__VEC_INIT;
	dbshift__vec paths = DBSHIFT__VEC_INIT;
	struct loaded *l = cache_find(name, NULL);
	dbshift__err first, later;
	char *skipped = NULL;
	size_t i;
	int rc = 0, incompatible = 0;

	if (l != NULL) {
		*out = &l->desc;
		return 0;
	}
	dbshift__err_init(&first);
	if (search_path(&dirs, driver_dir) != 0 ||
	    find_modules(&paths, &dirs, name) != 0) {
		rc = dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
		goto out;
	}
	if (paths.len == 0) {
		rc = not_found(err, name, &dirs);
		goto out;
	}
	for (i = 0; i < paths.len; i++) {
		dbshift__err_init(&later);
		rc = load_module(&l, paths.items[i], name,
				 i == 0 ? &first : &later, &incompatible);
		if (rc == 0)
			break;
		if (!incompatible || rc == DBSHIFT_ENOMEM)
			break;
		note_skipped(&skipped, paths.items[i],
			     reason_only(i == 0 ? first.message : later.message,
					 name, paths.items[i]));
	}
	if (rc == 0) {
		l->skipped = skipped;
		skipped = NULL;
		l->next = cache_head;
		cache_head = l;
		*out = &l->desc;
	} else {
		/* The first module found is the one to explain. */
		dbshift__err_copy(err, &first);
		rc = err->pub.code;
	}
out:
	free(skipped);
	dbshift__vec_free(&paths, free);
	dbshift__vec_free(&dirs, free);
	return rc;
}

/*
 * Load driver NAME from the search path (see the top of this file and
 * loader.h). *out points into the cache and lives as long as the process.
 * err may be NULL for the thread's error.
 */
int dbshift__loader_load(const dbshift_driver **out, const char *name,
			 const char *driver_dir, dbshift__err *err)
{
	int rc;

	*out = NULL;
	if (err == NULL)
		err = dbshift__err_last();
	if (!valid_name(name))
		return dbshift__err_set(err, DBSHIFT_EURL,
					"invalid driver name '%.64s': driver "
					"names hold only a-z, 0-9, '_' and "
					"'-'",
					name != NULL ? name : "");
	pthread_mutex_lock(&cache_lock);
	rc = load_locked(out, name, driver_dir, err);
	pthread_mutex_unlock(&cache_lock);
	return rc;
}

/*
 * Load the module at path as driver NAME (which picks the entry symbol).
 * A module already accepted from the same path under the same name is
 * returned from the cache.
 */
int dbshift__loader_load_file(const dbshift_driver **out, const char *path,
			      const char *name, dbshift__err *err)
{
	struct loaded *l;
	int rc = 0;

	*out = NULL;
	if (err == NULL)
		err = dbshift__err_last();
	if (path == NULL || !valid_name(name))
		return dbshift__err_set(err, DBSHIFT_EINVAL,
					"invalid driver name '%.64s' or path",
					name != NULL ? name : "");
	pthread_mutex_lock(&cache_lock);
	l = cache_find(name, path);
	if (l == NULL) {
		rc = load_module(&l, path, name, err, NULL);
		if (rc == 0) {
			l->next = cache_head;
			cache_head = l;
		}
	}
	if (rc == 0)
		*out = &l->desc;
	pthread_mutex_unlock(&cache_lock);
	return rc;
}

/* A module found on the search path. */
struct found {
	char *name;
	char *path;
	size_t dir; /* index of its directory in the search path */
};

static void found_free(void *item)
{
	struct found *f = item;

	if (f == NULL)
		return;
	free(f->name);
	free(f->path);
	free(f);
}

static int found_cmp(const void *a, const void *b)
{
	const struct found *fa = *(const struct found *const *)a;
	const struct found *fb = *(const struct found *const *)b;

	return strcmp(fa->name, fb->name);
}

static int found_has(const dbshift__vec *found, const char *name)
{
	size_t i;

	for (i = 0; i < found->len; i++)
		if (strcmp(((struct found *)found->items[i])->name, name) == 0)
			return 1;
	return 0;
}

/*
 * Add every regular file driver_NAME.so of dir whose NAME is valid and not
 * yet in found. A directory that cannot be read is skipped (the installed
 * driver directory need not exist). Returns 0 or -1 when out of memory.
 */
static int scan_dir(dbshift__vec *found, const char *dir, size_t dir_index)
{
	static const char prefix[] = "driver_", suffix[] = ".so";
	const size_t plen = sizeof(prefix) - 1, slen = sizeof(suffix) - 1;
	struct dirent *ent;
	struct found *f;
	struct stat st;
	size_t len;
	char *name;
	DIR *d = opendir(dir);
	int rc = 0;

	if (d == NULL)
		return 0;
	while ((ent = readdir(d)) != NULL) {
		len = strlen(ent->d_name);
		if (len <= plen + slen ||
		    strncmp(ent->d_name, prefix, plen) != 0 ||
		    strcmp(ent->d_name + len - slen, suffix) != 0)
			continue;
		name = dbshift__strndup(ent->d_name + plen, len - plen - slen);
		f = calloc(1, sizeof(*f));
		if (name == NULL || f == NULL) {
			free(name);
			free(f);
			rc = -1;
			break;
		}
		f->name = name;
		f->dir = dir_index;
		if (!valid_name(name) || found_has(found, name)) {
			found_free(f);
			continue;
		}
		f->path = module_path(dir, name);
		if (f->path == NULL) {
			found_free(f);
			rc = -1;
			break;
		}
		if (stat(f->path, &st) != 0 || !S_ISREG(st.st_mode)) {
			found_free(f);
			continue;
		}
		if (dbshift__vec_push(found, f) != 0) {
			found_free(f);
			rc = -1;
			break;
		}
	}
	closedir(d);
	return rc;
}

/* The reason in a load_module() message, without the "cannot load driver
 * 'NAME' from PATH: " that the listing gives in fields of its own. */
static const char *reason_only(const char *message, const char *name,
			       const char *path)
{
	static const char head[] = "cannot load driver '";
	const char *p = message;
	size_t len;

	if (strncmp(p, head, sizeof(head) - 1) != 0)
		return message;
	p += sizeof(head) - 1;
	len = strlen(name);
	if (strncmp(p, name, len) != 0 || strncmp(p + len, "' from ", 7) != 0)
		return message;
	p += len + 7;
	len = strlen(path);
	if (strncmp(p, path, len) != 0 || strncmp(p + len, ": ", 2) != 0)
		return message;
	return p + len + 2;
}

/* Load one listed module (or take it from the cache) and report it. */
static void report(const struct found *f, dbshift_driver_info_fn fn,
		   void *payload)
{
	dbshift_driver_info info;
	dbshift__err load_err;
	struct loaded *l;
	int rc = 0;

	dbshift__err_init(&load_err);
	pthread_mutex_lock(&cache_lock);
	l = cache_find(f->name, f->path);
	if (l == NULL) {
		rc = load_module(&l, f->path, f->name, &load_err, NULL);
		if (rc == 0) {
			l->next = cache_head;
			cache_head = l;
		}
	}
	pthread_mutex_unlock(&cache_lock);

	memset(&info, 0, sizeof(info));
	info.path = f->path;
	if (rc == 0) {
		info.name = l->desc.name;
		info.dialect = l->desc.dialect;
		info.version = l->desc.version ? l->desc.version : "";
		info.abi_major = l->desc.abi_major;
		info.abi_minor = l->desc.abi_minor;
		info.schemes = l->desc.schemes ? l->desc.schemes : no_schemes;
		info.error = "";
	} else {
		info.name = f->name;
		info.dialect = "";
		info.version = "";
		info.schemes = no_schemes;
		info.error = reason_only(load_err.message, f->name, f->path);
	}
	fn(&info, payload);
}

/*
 * Public: report every driver_*.so on the search path, first found per
 * name, in name order. Each module is loaded to read its descriptor; those
 * accepted join the cache, broken ones are reported with the reason they
 * were refused (name and path being fields of their own) and closed. The
 * callback runs without any lock held. Returns 0, or DBSHIFT_EINVAL /
 * DBSHIFT_ENOMEM (thread error set).
 */
int dbshift_drivers_list(const char *driver_dir, dbshift_driver_info_fn fn,
			 void *payload)
{
	dbshift__vec dirs = DBSHIFT__VEC_INIT;
	dbshift__vec found = DBSHIFT__VEC_INIT;
	size_t i;
	int rc = 0;

	if (fn == NULL)
		return dbshift__err_set(dbshift__err_last(), DBSHIFT_EINVAL,
					"dbshift_drivers_list: no callback");
	if (search_path(&dirs, driver_dir) != 0)
		goto nomem;
	for (i = 0; i < dirs.len; i++)
		if (scan_dir(&found, dirs.items[i], i) != 0)
			goto nomem;
	if (found.len > 1)
		qsort(found.items, found.len, sizeof(found.items[0]),
		      found_cmp);
	for (i = 0; i < found.len; i++)
		report(found.items[i], fn, payload);
	goto out;

nomem:
	rc = dbshift__err_set(dbshift__err_last(), DBSHIFT_ENOMEM,
			      "out of memory");
out:
	dbshift__vec_free(&found, found_free);
	dbshift__vec_free(&dirs, free);
	return rc;
}

/* ---- dispatch by URL scheme ---- */

/* Does d declare scheme among its URL schemes? */
static int declares_scheme(const dbshift_driver *d, const char *scheme)
{
	const char *const *s;

	for (s = d->schemes; s != NULL && *s != NULL; s++)
		if (strcasecmp(*s, scheme) == 0)
			return 1;
	return 0;
}

/*
 * Is name an abbreviation of scheme: its first letter the scheme's, and
 * each of its letters found in the scheme in order ("pg" for "postgres",
 * "pg" for "postgresql")? Such modules are asked first, so that a URL
 * whose scheme names no module loads the driver it abbreviates without
 * loading every module before it in name order (and the client libraries
 * they bring).
 */
static int abbreviates(const char *name, const char *scheme)
{
	if (tolower((unsigned char)*name) != tolower((unsigned char)*scheme))
		return 0;
	for (; *name != '\0'; name++) {
		while (*scheme != '\0' && tolower((unsigned char)*scheme) !=
						  tolower((unsigned char)*name))
			scheme++;
		if (*scheme == '\0')
			return 0;
		scheme++;
	}
	return 1;
}

/* Search path order: directory first, then name. */
static int found_path_cmp(const void *a, const void *b)
{
	const struct found *fa = *(const struct found *const *)a;
	const struct found *fb = *(const struct found *const *)b;

	if (fa->dir != fb->dir)
		return fa->dir < fb->dir ? -1 : 1;
	return strcmp(fa->name, fb->name);
}

/* The modules on the search path dirs, first per name, in search path
 * order. Returns 0 or -1 when out of memory. */
static int scan_path(dbshift__vec *found, const dbshift__vec *dirs)
{
	size_t i;

	for (i = 0; i < dirs->len; i++)
		if (scan_dir(found, dirs->items[i], i) != 0)
			return -1;
	if (found->len > 1)
		qsort(found->items, found->len, sizeof(found->items[0]),
		      found_path_cmp);
	return 0;
}

/*
 * The accepted driver of a found module: the one already loaded under its
 * name, else the module loaded now (and cached). NULL when it does not
 * load (the reason is dropped: a broken module does not stop the search
 * for another driver). Call with cache_lock held.
 */
static struct loaded *found_load(const struct found *f)
{
	dbshift__err ignored;
	struct loaded *l = cache_find(f->name, NULL);

	if (l != NULL)
		return l;
	dbshift__err_init(&ignored);
	if (load_module(&l, f->path, f->name, &ignored, NULL) != 0)
		return NULL;
	l->next = cache_head;
	cache_head = l;
	return l;
}

/* "a, b, c": the schemes the loadable drivers in found declare. Caller
 * frees; NULL when out of memory. Call with cache_lock held. */
static char *join_schemes(const dbshift__vec *found)
{
	dbshift__buf buf = DBSHIFT__BUF_INIT;
	const char *const *s;
	struct loaded *l;
	size_t i;

	for (i = 0; i < found->len; i++) {
		l = found_load(found->items[i]);
		for (s = l != NULL ? l->desc.schemes : NULL; s && *s; s++) {
			if (buf.len > 0)
				dbshift__buf_puts(&buf, ", ");
			dbshift__buf_puts(&buf, *s);
		}
	}
	return dbshift__buf_detach(&buf);
}

static int no_scheme_driver(dbshift__err *err, const char *scheme,
			    const dbshift__vec *dirs, const dbshift__vec *found)
{
	char *list = join_dirs(dirs), *schemes = join_schemes(found);
	int rc = DBSHIFT_EURL;

	dbshift__err_set_file(err, "");
	if (list == NULL || schemes == NULL)
		rc = dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
	else if (schemes[0] == '\0')
		dbshift__err_set(err, rc,
				 "no driver for URL scheme '%s': no driver "
				 "found in %s",
				 scheme, list);
	else
		dbshift__err_set(err, rc,
				 "no driver for URL scheme '%s': the drivers "
				 "found take %s (searched %s)",
				 scheme, schemes, list);
	free(list);
	free(schemes);
	return rc;
}

/* A scheme found by scanning the search path, remembered so that the
 * next URL of that scheme on the same path loads nothing. Never freed,
 * like the modules. */
struct scheme_hit {
	struct scheme_hit *next;
	char *scheme;
	char *dirs; /* the search path, joined */
	const dbshift_driver *desc;
};

static struct scheme_hit *scheme_hits;

static const dbshift_driver *hit_find(const char *scheme, const char *dirs)
{
	struct scheme_hit *h;

	for (h = scheme_hits; h != NULL; h = h->next)
		if (strcmp(h->scheme, scheme) == 0 &&
		    strcmp(h->dirs, dirs) == 0)
			return h->desc;
	return NULL;
}

/* Remember a scan's result; out of memory only costs the next scan. */
static void hit_add(const char *scheme, const char *dirs,
		    const dbshift_driver *desc)
{
	struct scheme_hit *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return;
	h->scheme = dbshift__strdup(scheme);
	h->dirs = dbshift__strdup(dirs);
	if (h->scheme == NULL || h->dirs == NULL) {
		free(h->scheme);
		free(h->dirs);
		free(h);
		return;
	}
	h->desc = desc;
	h->next = scheme_hits;
	scheme_hits = h;
}

/* Find and load the driver for scheme; call with cache_lock held. */
static int scheme_locked(const dbshift_driver **out, const char *scheme,
			 const char *driver_dir, dbshift__err *err)
{
	dbshift__vec dirs = DBSHIFT__VEC_INIT;
	dbshift__vec found = DBSHIFT__VEC_INIT;
	dbshift__err named_err;
	const dbshift_driver *named = NULL;
	struct loaded *l;
	char *key = NULL;
	size_t i;
	int rc = 0, pass;

	/* The driver named after the scheme, when it declares it: one
	 * module to load for the usual sqlite:, mysql:, NAME: URLs. */
	dbshift__err_init(&named_err);
	if (valid_name(scheme) &&
	    load_locked(&named, scheme, driver_dir, &named_err) == 0 &&
	    declares_scheme(named, scheme)) {
		*out = named;
		return 0;
	}
	if (search_path(&dirs, driver_dir) != 0 ||
	    (key = join_dirs(&dirs)) == NULL) {
		rc = dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
		goto out;
	}
	*out = hit_find(scheme, key);
	if (*out != NULL)
		goto out;
	if (scan_path(&found, &dirs) != 0) {
		rc = dbshift__err_set(err, DBSHIFT_ENOMEM, "out of memory");
		goto out;
	}
	/* Two passes in search path order: the modules whose names
	 * abbreviate the scheme, then the others. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < found.len; i++) {
			struct found *f = found.items[i];

			if (abbreviates(f->name, scheme) != (pass == 0))
				continue;
			l = found_load(f);
			if (l != NULL && declares_scheme(&l->desc, scheme)) {
				*out = &l->desc;
				hit_add(scheme, key, *out);
				goto out;
			}
		}
	}
	/* A broken driver_SCHEME.so says more than "no driver". */
	if (named_err.pub.code == DBSHIFT_EDRIVER) {
		dbshift__err_copy(err, &named_err);
		rc = DBSHIFT_EDRIVER;
	} else {
		rc = no_scheme_driver(err, scheme, &dirs, &found);
	}
out:
	free(key);
	dbshift__vec_free(&found, found_free);
	dbshift__vec_free(&dirs, free);
	return rc;
}

/*
 * Load the driver for a lower-case URL scheme (see loader.h). The result
 * is cached per scheme and search path by way of the module cache.
 */
int dbshift__loader_load_scheme(const dbshift_driver **out, const char *scheme,
				const char *driver_dir, dbshift__err *err)
{
	int rc;

	*out = NULL;
	if (err == NULL)
		err = dbshift__err_last();
	if (scheme == NULL || scheme[0] == '\0')
		return dbshift__err_set(err, DBSHIFT_EURL, "no URL scheme");
	pthread_mutex_lock(&cache_lock);
	rc = scheme_locked(out, scheme, driver_dir, err);
	pthread_mutex_unlock(&cache_lock);
	return rc;
}

/*
 * Call fn for every driver on the search path that loads (first module
 * per name, in search path order), until it returns non-zero. fn runs with
 * the loader's lock held and must not load drivers. Returns 0, what fn
 * returned, or -1 when out of memory.
 */
int dbshift__loader_each(const char *driver_dir,
			 int (*fn)(const dbshift_driver *driver, void *payload),
			 void *payload)
{
	dbshift__vec dirs = DBSHIFT__VEC_INIT;
	dbshift__vec found = DBSHIFT__VEC_INIT;
	struct loaded *l;
	size_t i;
	int rc = 0;

	pthread_mutex_lock(&cache_lock);
	if (search_path(&dirs, driver_dir) != 0 ||
	    scan_path(&found, &dirs) != 0)
		rc = -1;
	for (i = 0; rc == 0 && i < found.len; i++) {
		l = found_load(found.items[i]);
		if (l != NULL)
			rc = fn(&l->desc, payload);
	}
	pthread_mutex_unlock(&cache_lock);
	dbshift__vec_free(&found, found_free);
	dbshift__vec_free(&dirs, free);
	return rc;
}

/*
 * The modules of other ABIs passed over before desc's on the search path,
 * as "PATH (reason); ...", or NULL when none was. desc must come from this
 * loader.
 */
const char *dbshift__loader_skipped(const dbshift_driver *desc)
{
	const struct loaded *l;
	const char *skipped = NULL;

	pthread_mutex_lock(&cache_lock);
	for (l = cache_head; l != NULL; l = l->next)
		if (&l->desc == desc)
			skipped = l->skipped;
	pthread_mutex_unlock(&cache_lock);
	return skipped;
}
