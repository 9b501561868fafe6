/*
 * cmd-xml.c -- bcadm export and import: the store as an XML site
 * document (sipbc-site(5)); the codec is the library's (bc-xml.h).
 */
#include <errno.h>
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

static int
cmd_export_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;
	const char *path = args_get(a, "output");
	unsigned flags = 0;
	FILE *f = ctx->out;
	struct stat st;
	int rc, saved, regular = 0;

	if (args_has(a, "synchronized-only"))
		flags |= BC_XML_SYNCHRONIZED_ONLY;
	if (path != NULL && strcmp(path, "-") != 0 &&
	    (f = fopen(path, "w")) == NULL)
		return cmd_errorx(EXIT_CANTCREAT, "cannot create '%s': %s",
		    path, strerror(errno));
	/* what is removed when the export fails: a file, not a device */
	if (f != ctx->out && fstat(fileno(f), &st) == 0)
		regular = S_ISREG(st.st_mode);
	rc = bc_xml_export(ctx->store, f, flags, &err);
	if (f != ctx->out) {
		saved = errno;
		if (fclose(f) == EOF && rc == BC_OK)
			rc = bc_err_set(&err, BC_EIO, "cannot write '%s': %s",
			    path, strerror(errno));
		errno = saved;
		/* no half-written file is left behind (a device or a pipe
		 * named by -o stays) */
		if (rc != BC_OK && regular)
			unlink(path);
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
