/* SPDX-License-Identifier: MIT */
/*
 * cmd_new.c - `dbshift new NAME`: create VERSION_NAME.up.sql and
 * VERSION_NAME.down.sql in the first source's directory.
 *
 * VERSION is the current UTC time as YYYYMMDDHHMMSS, which sorts by time
 * under natural version order. When a migration with that version already
 * exists (two `new` within one second) the version is moved on by one
 * second until it is free, so versions stay unique and ordered. Files are
 * created with O_EXCL: an existing file is never overwritten. The command
 * does not touch the database or load a driver.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define NAME_MAX_LEN 200

/* NAME is [A-Za-z0-9_-]+ so that it fits every file system and layout. */
static int valid_name(const char *name)
{
	size_t len = strspn(name, "abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	return len > 0 && len <= NAME_MAX_LEN && name[len] == '\0';
}

/* mkdir -p: create dir and its missing parents. */
static int make_dirs(const char *dir)
{
	char path[PATH_MAX];
	size_t i, len = strlen(dir);
	struct stat st;

	if (len >= sizeof(path))
		return cli_error(CLI_EXIT_USAGE, "%s: path too long", dir);
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0777) != 0 && errno != EEXIST)
			return cli_error(CLI_EXIT_FAIL, "cannot create %s: %s",
					 path, strerror(errno));
		path[i] = dir[i];
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return cli_error(CLI_EXIT_FAIL, "%s is not a directory", dir);
	return 0;
}

/* Does an entry of dir start with version followed by '_', '.' or end? */
static int version_taken(const char *dir, const char *version)
{
	size_t len = strlen(version);
	struct dirent *ent;
	DIR *d = opendir(dir);
	int taken = 0;

	if (d == NULL)
		return 0;
	while (!taken && (ent = readdir(d)) != NULL) {
		const char *rest = ent->d_name + len;

		taken = strncmp(ent->d_name, version, len) == 0 &&
			(*rest == '_' || *rest == '.' || *rest == '\0');
	}
	closedir(d);
	return taken;
}

/* The first free version at or after now. */
static int pick_version(const char *dir, char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;
	int tries;

	for (tries = 0; tries < 100000; tries++, now++) {
		if (gmtime_r(&now, &tm) == NULL ||
		    strftime(buf, size, "%Y%m%d%H%M%S", &tm) == 0)
			break;
		if (!version_taken(dir, buf))
			return 0;
	}
	return cli_error(CLI_EXIT_FAIL,
			 "%s: no free version near the"
			 " current time",
			 dir);
}

static int write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Create path (never overwriting) holding content. */
static int create_file(const char *path, const char *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);

	if (fd < 0 && errno == EEXIST)
		return cli_error(CLI_EXIT_FAIL,
				 "%s already exists; not"
				 " overwriting it",
				 path);
	if (fd < 0)
		return cli_error(CLI_EXIT_FAIL, "cannot create %s: %s", path,
				 strerror(errno));
	if (write_all(fd, content, strlen(content)) != 0 || close(fd) != 0) {
		cli_error(CLI_EXIT_FAIL, "cannot write %s: %s", path,
			  strerror(errno));
		unlink(path);
		return CLI_EXIT_FAIL;
	}
	return 0;
}

/* dir/VERSION_NAME.KIND.sql into buf; "" dir separators handled. */
static int file_path(char *buf, size_t size, const char *dir, const char *base,
		     const char *kind)
{
	size_t len = strlen(dir);
	const char *sep = len > 0 && dir[len - 1] == '/' ? "" : "/";
	int n = snprintf(buf, size, "%s%s%s.%s.sql", dir, sep, base, kind);

	if (n < 0 || (size_t)n >= size)
		return cli_error(CLI_EXIT_USAGE, "%s: path too long", dir);
	return 0;
}

static int create_pair(const char *dir, const char *base)
{
	char up[PATH_MAX], down[PATH_MAX], text[512];
	int rc;

	rc = file_path(up, sizeof(up), dir, base, "up");
	if (rc == 0)
		rc = file_path(down, sizeof(down), dir, base, "down");
	if (rc != 0)
		return rc;
	snprintf(text, sizeof(text), "-- %s (up)\n\n", base);
	rc = create_file(up, text);
	if (rc != 0)
		return rc;
	snprintf(text, sizeof(text),
		 "-- %s (down): undo what the up script did\n\n", base);
	rc = create_file(down, text);
	if (rc != 0) {
		unlink(up);
		return rc;
	}
	printf("%s\n%s\n", up, down);
	return 0;
}

static int run_new(const struct cli_options *opts)
{
	const char *name = opts->n_args > 0 ? opts->args[0] : NULL;
	const char *dir = opts->sources[0].dir;
	char version[32], base[sizeof(version) + NAME_MAX_LEN + 1];
	int rc;

	if (name == NULL)
		return cli_usage_error("'new' needs a NAME");
	if (!valid_name(name))
		return cli_usage_error(
			"invalid migration name '%s': use letters,"
			" digits, '_' and '-' (at most %d)",
			name, NAME_MAX_LEN);
	rc = make_dirs(dir);
	if (rc == 0)
		rc = pick_version(dir, version, sizeof(version));
	if (rc != 0)
		return rc;
	snprintf(base, sizeof(base), "%s_%s", version, name);
	return create_pair(dir, base);
}

const struct cli_command cli_cmd_new = {
	"new",
	"new NAME",
	"create VERSION_NAME.up.sql and .down.sql",
	"Create VERSION_NAME.up.sql and VERSION_NAME.down.sql in the\n"
	"directory of the first --source (default ./migrations,\n"
	"created when missing). VERSION is the current UTC time,\n"
	"YYYYMMDDHHMMSS; when a migration with that version exists\n"
	"already, the next free second is used. NAME may hold\n"
	"letters, digits, '_' and '-'. Existing files are never\n"
	"overwritten. Prints the paths of the new files on stdout.\n"
	"Does not touch the database.\n"
	"\n"
	"Exit status:\n"
	"  0  the files were created\n"
	"  1  a file or directory could not be created\n"
	"  2  bad usage or an invalid NAME\n",
	0,
	1,
	run_new,
};
