/*
 * cmd-xml.c -- bcadm export and import: the store as an XML site
 * document (sipbc-site(5)); the codec is the library's (bc-xml.h).
 */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "bc-xml.h"

static const struct cmd_opt export_opts[] = {
	{ "synchronized-only", NULL, VAL_NONE, 0 },
	{ "output", "FILE", VAL_FILE, OPT_SHORT('o') },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct cmd_opt import_opts[] = {
	{ "dry-run", NULL, VAL_NONE, 0 },
	{ "replace", NULL, VAL_NONE, 0 },
	{ NULL, NULL, VAL_NONE, 0 }
};

/*
 * Where -o FILE is written: a new file beside it, renamed over FILE once
 * the export is whole, so that a failed export leaves FILE as it was
 * (*tmp: its name, *dest: what it replaces, FILE or the file a symbolic
 * link FILE points to).  A FILE that exists and is not a regular file (a
 * device, a pipe) is written directly (*tmp NULL).
 */
static FILE *
export_open(const char *path, char **tmp, char **dest)
{
	struct stat st;
	mode_t mask, mode;
	FILE *f;
	int fd, saved;

	*tmp = *dest = NULL;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return fopen(path, "w");
	if ((*dest = realpath(path, NULL)) == NULL &&
	    (errno != ENOENT || (*dest = strdup(path)) == NULL))
		return NULL;
	if (asprintf(tmp, "%s.XXXXXX", *dest) == -1) {
		*tmp = NULL;
		errno = ENOMEM;
		return NULL;
	}
	if ((fd = mkstemp(*tmp)) == -1) {
		saved = errno;
		free(*tmp);
		*tmp = NULL;
		errno = saved;
		return NULL;
	}
	/* the mode FILE has (an export holds passwords), else the one
	 * fopen() would give it */
	if (stat(*dest, &st) == 0)
		mode = st.st_mode & 07777;
	else {
		mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}
	if (fchmod(fd, mode) == -1 || (f = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
		errno = saved;
		return NULL;
	}
	return f;
}

static int
cmd_export_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;
	const char *path = args_get(a, "output");
	char *tmp = NULL, *dest = NULL;
	unsigned flags = 0;
	FILE *f = ctx->out;
	int rc, saved;

	if (args_has(a, "synchronized-only"))
		flags |= BC_XML_SYNCHRONIZED_ONLY;
	if (path != NULL && strcmp(path, "-") != 0 &&
	    (f = export_open(path, &tmp, &dest)) == NULL) {
		saved = errno;
		free(dest);
		return cmd_errorx(EXIT_CANTCREAT, "cannot create '%s': %s",
		    path, strerror(saved));
	}
	rc = bc_xml_export(ctx->store, f, flags, &err);
	if (f != ctx->out) {
		saved = errno;
		if ((fflush(f) == EOF || (tmp != NULL && fsync(fileno(f)) ==
		    -1)) && rc == BC_OK)
			rc = bc_err_set(&err, BC_EIO, "cannot write '%s': %s",
			    path, strerror(errno));
		if (fclose(f) == EOF && rc == BC_OK)
			rc = bc_err_set(&err, BC_EIO, "cannot write '%s': %s",
			    path, strerror(errno));
		if (rc == BC_OK && tmp != NULL && rename(tmp, dest) == -1)
			rc = bc_err_set(&err, BC_EIO, "cannot write '%s': %s",
			    path, strerror(errno));
		errno = saved;
		/* no half-written file: FILE stays as it was */
		if (rc != BC_OK && tmp != NULL)
			unlink(tmp);
		free(tmp);
		free(dest);
	}
	/* standard output failed: the dispatcher says so, once */
	if (rc == BC_EIO && f == ctx->out && ferror(f))
		return EXIT_IOERR;
	return rc != BC_OK ? cmd_error(&err) : 0;
}

/* What --dry-run prints, and how. */
struct changes {
	struct cmd_ctx	*ctx;
	size_t		 n;
};

static int
print_change(const char *action, const char *kind, const char *id,
    void *arg)
{
	struct changes *c = arg;
	FILE *f = c->ctx->out;
	json_t *o;
	char *s;

	if (c->ctx->format == FORMAT_JSON) {
		o = json_pack("{s:s, s:s, s:s}", "action", action, "kind",
		    kind, "id", id);
		s = o != NULL ? json_dumps(o, JSON_COMPACT |
		    JSON_ENSURE_ASCII) : NULL;
		json_decref(o);
		if (s == NULL)
			return BC_ENOMEM;
		fprintf(f, "%s\n  %s", c->n == 0 ? "[" : ",", s);
		free(s);
	} else
		fprintf(f, "%s %s '%s'\n", action, kind, id);
	c->n++;
	return ferror(f) ? BC_EIO : 0;
}

static int
cmd_import_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct changes c = { ctx, 0 };
	struct bc_err err;
	const char *path = a->argv[0], *name = path;
	unsigned flags = 0;
	size_t n = 0;
	int fd = STDIN_FILENO, dry, rc;

	dry = args_has(a, "dry-run");
	if (dry)
		flags |= BC_XML_DRY_RUN;
	if (args_has(a, "replace"))
		flags |= BC_XML_REPLACE;
	if (strcmp(path, "-") == 0)
		name = "<stdin>";
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return cmd_errorx(EXIT_NOINPUT, "cannot open '%s': %s", path,
		    strerror(errno));
	rc = bc_xml_import_fd(ctx->store, fd, name, flags,
	    dry ? print_change : NULL, &c, &n, &err);
	if (fd != STDIN_FILENO)
		close(fd);
	if (dry && ctx->format == FORMAT_JSON && rc == BC_OK)
		fputs(c.n == 0 ? "[]\n" : "\n]\n", ctx->out);
	if (rc != BC_OK)
		return cmd_error(&err);
	return dry && n > 0 ? EXIT_DIFFER : 0;
}

const struct cmd_entry cmd_export_entry = {
	.name = "export", .args = "", .min_args = 0, .max_args = 0,
	.opts = export_opts, .flags = CMD_STORE, .exec = cmd_export_exec,
	.summary = "Write the store as an XML site document (sipbc-site(5)); "
	    "passwords in clear.",
};

const struct cmd_entry cmd_import_entry = {
	.name = "import", .args = "FILE|-", .argval = VAL_FILE,
	.min_args = 1, .max_args = 1, .opts = import_opts,
	.flags = CMD_STORE, .exec = cmd_import_exec,
	.summary = "Create or update every object of an XML site document in "
	    "one transaction; --dry-run prints the changes (exit 1 when "
	    "any).",
};
