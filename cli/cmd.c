/*
 * cmd.c -- the command table, command lookup, argument parsing, usage,
 * store resolution and the exit status of errors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "remote.h"

extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_init_entry;
extern const struct cmd_entry cmd_dn_add_entry, cmd_dn_set_entry,
    cmd_dn_del_entry, cmd_dn_show_entry, cmd_dn_list_entry;
extern const struct cmd_entry cmd_place_add_entry, cmd_place_set_entry,
    cmd_place_del_entry, cmd_place_show_entry, cmd_place_list_entry;
extern const struct cmd_entry cmd_person_add_entry, cmd_person_set_entry,
    cmd_person_del_entry, cmd_person_show_entry, cmd_person_list_entry;
extern const struct cmd_entry cmd_login_add_entry, cmd_login_set_entry,
    cmd_login_del_entry, cmd_login_show_entry, cmd_login_list_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_diff_entry, cmd_sync_entry,
    cmd_conflicts_entry, cmd_reconcile_entry, cmd_status_entry;
extern const struct cmd_entry cmd_console_entry, cmd_begin_entry,
    cmd_commit_entry, cmd_rollback_entry, cmd_exit_entry;
extern const struct cmd_entry cmd_export_entry, cmd_import_entry;
extern const struct cmd_entry cmd_reg_list_entry;
extern const struct cmd_entry cmd_agent_login_entry, cmd_agent_logout_entry,
    cmd_agent_ready_entry, cmd_agent_not_ready_entry, cmd_agent_list_entry;
extern const struct cmd_entry cmd_sip_status_entry, cmd_sip_shutdown_entry;

/* The one list of commands, in the order help shows them. */
const struct cmd_entry *const cmd_table[] = {
	&cmd_help_entry,
	&cmd_console_entry,
	&cmd_begin_entry,
	&cmd_commit_entry,
	&cmd_rollback_entry,
	&cmd_exit_entry,
	&cmd_init_entry,
	&cmd_dn_add_entry,
	&cmd_dn_set_entry,
	&cmd_dn_del_entry,
	&cmd_dn_show_entry,
	&cmd_dn_list_entry,
	&cmd_place_add_entry,
	&cmd_place_set_entry,
	&cmd_place_del_entry,
	&cmd_place_show_entry,
	&cmd_place_list_entry,
	&cmd_person_add_entry,
	&cmd_person_set_entry,
	&cmd_person_del_entry,
	&cmd_person_show_entry,
	&cmd_person_list_entry,
	&cmd_login_add_entry,
	&cmd_login_set_entry,
	&cmd_login_del_entry,
	&cmd_login_show_entry,
	&cmd_login_list_entry,
	&cmd_check_entry,
	&cmd_diff_entry,
	&cmd_sync_entry,
	&cmd_conflicts_entry,
	&cmd_reconcile_entry,
	&cmd_status_entry,
	&cmd_export_entry,
	&cmd_import_entry,
	&cmd_reg_list_entry,
	&cmd_agent_login_entry,
	&cmd_agent_logout_entry,
	&cmd_agent_ready_entry,
	&cmd_agent_not_ready_entry,
	&cmd_agent_list_entry,
	&cmd_sip_status_entry,
	&cmd_sip_shutdown_entry,
	NULL
};

/* Options every command takes; documented once in bcadm(8). */
const struct cmd_opt cmd_common_opts[] = {
	{ "format", "FORMAT", VAL_FORMAT, 0 },
	{ "help", NULL, VAL_NONE, 0 },
	{ NULL, NULL, VAL_NONE, 0 }
};

/* Flags that exclude each other. */
static const char *const exclusive[][2] = {
	{ "disabled", "enabled" },
	{ "use-override", "no-use-override" },
};

int
cmd_exit_status(enum bc_status st)
{
	switch (st) {
	case BC_OK:		return 0;
	case BC_EINVAL:
	case BC_ERULE:
	case BC_ENOENT:
	case BC_EEXIST:		return EXIT_DATAERR;
	case BC_EAMBIG:		return EXIT_USAGE;
	case BC_ENOSTORE:	return EXIT_NOINPUT;
	case BC_ECREATE:	return EXIT_CANTCREAT;
	case BC_EBUSY:		return EXIT_TEMPFAIL;
	case BC_ECONFIG:	return EXIT_CONFIG;
	case BC_EIO:		return EXIT_IOERR;
	case BC_ENOMEM:		return EXIT_OSERR;
	case BC_EINTERNAL:	return EXIT_SOFTWARE;
	}
	return EXIT_SOFTWARE;
}

/* "FILE:LINE" of the script line running, for messages. */
static char err_where[300];

void
cmd_set_where(const char *where)
{
	snprintf(err_where, sizeof(err_where), "%s", where ? where : "");
}

int
cmd_error(const struct bc_err *err)
{
	fprintf(stderr, "bcadm: %s%s%s\n", err_where,
	    err_where[0] != '\0' ? ": " : "", err->msg);
	return cmd_exit_status(err->status);
}

int
cmd_errorx(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bcadm: %s%s", err_where,
	    err_where[0] != '\0' ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

void
cmd_ctx_init(struct cmd_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	bc_conf_init(&ctx->conf);
	ctx->out = stdout;
	ctx->format = FORMAT_TEXT;
}

void
cmd_ctx_clear(struct cmd_ctx *ctx)
{
	bc_store_close(ctx->store);
	ctx->store = NULL;
	bc_conf_clear(&ctx->conf);
	free((char *)ctx->store_path);
	ctx->store_path = NULL;
}

/* Number of words in a command name ("dn add": 2). */
static int
name_words(const char *name)
{
	return strchr(name, ' ') != NULL ? 2 : 1;
}

/* Word w (0 or 1) of a command name into buf. */
static const char *
name_word(const char *name, int w, char *buf, size_t len)
{
	const char *sp = strchr(name, ' ');

	if (w == 0) {
		size_t n = sp != NULL ? (size_t)(sp - name) : strlen(name);

		if (n >= len)
			n = len - 1;
		memcpy(buf, name, n);
		buf[n] = '\0';
	} else
		snprintf(buf, len, "%s", sp != NULL ? sp + 1 : "");
	return buf;
}

/*
 * Resolves one word of a command: exact match first, else a unique
 * prefix among the candidates (entries whose earlier words matched).
 * Returns the matched word in out, or sets why.
 */
static int
match_word(const char *word, int w, const char *first, char *out,
    size_t outlen, char *why, size_t whylen)
{
	const struct cmd_entry *const *e;
	char buf[64], found[64] = "";
	int n = 0;

	for (e = cmd_table; *e != NULL; e++) {
		if (name_words((*e)->name) <= w)
			continue;
		if (w == 1 && strcmp(name_word((*e)->name, 0, buf,
		    sizeof(buf)), first) != 0)
			continue;
		name_word((*e)->name, w, buf, sizeof(buf));
		if (strcmp(buf, word) == 0) {
			snprintf(out, outlen, "%s", buf);
			return 0;
		}
		if (strncmp(buf, word, strlen(word)) == 0 &&
		    strcmp(buf, found) != 0) {
			if (n++ == 0)
				snprintf(found, sizeof(found), "%s", buf);
		}
	}
	if (n == 1) {
		snprintf(out, outlen, "%s", found);
		return 0;
	}
	if (n > 1)
		snprintf(why, whylen, "ambiguous command '%s%s%s'",
		    w == 1 ? first : "", w == 1 ? " " : "", word);
	else
		snprintf(why, whylen, "unknown command '%s%s%s'",
		    w == 1 ? first : "", w == 1 ? " " : "", word);
	return -1;
}

const struct cmd_entry *
cmd_find(int argc, char **argv, int *used, char *why, size_t whylen)
{
	const struct cmd_entry *const *e;
	char first[64], second[64], name[130];

	if (argc < 1) {
		snprintf(why, whylen, "no command given");
		return NULL;
	}
	if (match_word(argv[0], 0, NULL, first, sizeof(first), why,
	    whylen) != 0)
		return NULL;
	for (e = cmd_table; *e != NULL; e++)
		if (strcmp((*e)->name, first) == 0) {
			*used = 1;
			return *e;
		}
	if (argc < 2) {
		snprintf(why, whylen, "'%s' needs a subcommand (see 'bcadm "
		    "help')", first);
		return NULL;
	}
	if (match_word(argv[1], 1, first, second, sizeof(second), why,
	    whylen) != 0)
		return NULL;
	snprintf(name, sizeof(name), "%s %s", first, second);
	for (e = cmd_table; *e != NULL; e++)
		if (strcmp((*e)->name, name) == 0) {
			*used = 2;
			return *e;
		}
	snprintf(why, whylen, "unknown command '%s'", name);
	return NULL;
}

void
cmd_usage(FILE *f, const struct cmd_entry *e)
{
	const struct cmd_opt *o;

	fprintf(f, "bcadm %s", e->name);
	if (e->args != NULL && *e->args != '\0')
		fprintf(f, " %s", e->args);
	for (o = e->opts; o != NULL && o->name != NULL; o++) {
		fputs(o->flags & OPT_REQUIRED ? " " : " [", f);
		if (OPT_SHORT_OF(o->flags) != '\0')
			fprintf(f, "-%c", OPT_SHORT_OF(o->flags));
		else
			fprintf(f, "--%s", o->name);
		if (o->arg != NULL)
			fprintf(f, " %s", o->arg);
		if (!(o->flags & OPT_REQUIRED))
			fputc(']', f);
		if (o->flags & OPT_REPEAT)
			fputs("...", f);
	}
	fputc('\n', f);
}

/* The option of e whose one-letter alias is c, or NULL. */
static const struct cmd_opt *
find_short(const struct cmd_entry *e, char c)
{
	const struct cmd_opt *o;

	for (o = e->opts; o != NULL && o->name != NULL; o++)
		if (OPT_SHORT_OF(o->flags) != '\0' &&
		    OPT_SHORT_OF(o->flags) == c)
			return o;
	return NULL;
}

static const struct cmd_opt *
find_opt(const struct cmd_entry *e, const char *name, size_t len)
{
	const struct cmd_opt *o;

	for (o = e->opts; o != NULL && o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	for (o = cmd_common_opts; o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

const char *
args_get(const struct cmd_args *a, const char *name)
{
	int i;

	for (i = a->nopts - 1; i >= 0; i--)
		if (strcmp(a->opt[i]->name, name) == 0)
			return a->val[i];
	return NULL;
}

int
args_has(const struct cmd_args *a, const char *name)
{
	int i;

	for (i = 0; i < a->nopts; i++)
		if (strcmp(a->opt[i]->name, name) == 0)
			return 1;
	return 0;
}

static void
args_free(struct cmd_args *a)
{
	free(a->argv);
	free(a->opt);
	free(a->val);
	memset(a, 0, sizeof(*a));
}

/*
 * Parses the words after the command name against the entry's options.
 * Returns 0, or EXIT_USAGE after reporting.  Values point into argv.
 */
static int
args_parse(const struct cmd_entry *e, int argc, char **argv,
    struct cmd_args *a)
{
	const struct cmd_opt *o, *ro;
	const char *eq;
	size_t len;
	int i, j, dashdash = 0;

	memset(a, 0, sizeof(*a));
	a->entry = e;
	if ((a->argv = calloc((size_t)argc + 1, sizeof(*a->argv))) == NULL ||
	    (a->opt = calloc((size_t)argc + 1, sizeof(*a->opt))) == NULL ||
	    (a->val = calloc((size_t)argc + 1, sizeof(*a->val))) == NULL)
		return cmd_errorx(EXIT_OSERR, "out of memory");
	for (i = 0; i < argc; i++) {
		const char *w = argv[i];

		if (dashdash || w[0] != '-' || w[1] == '\0') {
			a->argv[a->argc++] = argv[i];
			continue;
		}
		if (strcmp(w, "--") == 0) {
			dashdash = 1;
			continue;
		}
		if (strcmp(w, "-h") == 0)
			w = "--help";
		if (w[1] != '-') {
			/* -X, -X VALUE or -XVALUE for an option's alias */
			if ((o = find_short(e, w[1])) == NULL ||
			    (o->arg == NULL && w[2] != '\0'))
				return cmd_errorx(EXIT_USAGE, "%s: unknown "
				    "option '%s' (see 'bcadm help %s')",
				    e->name, w, e->name);
			eq = w[2] != '\0' ? w + 1 : NULL;
		} else {
			eq = strchr(w + 2, '=');
			len = eq != NULL ? (size_t)(eq - w - 2) :
			    strlen(w + 2);
			if ((o = find_opt(e, w + 2, len)) == NULL)
				return cmd_errorx(EXIT_USAGE, "%s: unknown "
				    "option '%.*s' (see 'bcadm help %s')",
				    e->name, (int)len + 2, w, e->name);
		}
		if (!(o->flags & OPT_REPEAT))
			for (j = 0; j < a->nopts; j++)
				if (a->opt[j] == o)
					return cmd_errorx(EXIT_USAGE, "%s: "
					    "option '--%s' given twice",
					    e->name, o->name);
		a->opt[a->nopts] = o;
		if (o->arg == NULL) {
			if (eq != NULL)
				return cmd_errorx(EXIT_USAGE, "%s: option "
				    "'--%s' takes no value", e->name, o->name);
			a->val[a->nopts++] = NULL;
		} else if (eq != NULL)
			a->val[a->nopts++] = (char *)eq + 1;
		else if (i + 1 < argc)
			a->val[a->nopts++] = argv[++i];
		else
			return cmd_errorx(EXIT_USAGE, "%s: option '--%s' needs "
			    "a value %s", e->name, o->name, o->arg);
	}
	if (args_has(a, "help"))
		return 0;
	for (ro = e->opts; ro != NULL && ro->name != NULL; ro++)
		if ((ro->flags & OPT_REQUIRED) && !args_has(a, ro->name))
			return cmd_errorx(EXIT_USAGE, "%s: option '--%s%s%s' "
			    "is required", e->name, ro->name,
			    ro->arg != NULL ? " " : "",
			    ro->arg != NULL ? ro->arg : "");
	for (i = 0; i < (int)(sizeof(exclusive) / sizeof(exclusive[0])); i++)
		if (args_has(a, exclusive[i][0]) &&
		    args_has(a, exclusive[i][1]))
			return cmd_errorx(EXIT_USAGE, "%s: options '--%s' and "
			    "'--%s' exclude each other", e->name,
			    exclusive[i][0], exclusive[i][1]);
	if (a->argc < e->min_args)
		return cmd_errorx(EXIT_USAGE, "%s: missing %s (see 'bcadm "
		    "help %s')", e->name, e->args, e->name);
	if (e->max_args >= 0 && a->argc > e->max_args)
		return cmd_errorx(EXIT_USAGE, "%s: unexpected argument '%s' "
		    "(see 'bcadm help %s')", e->name, a->argv[e->max_args],
		    e->name);
	return 0;
}

int
args_apply_options(const struct cmd_args *a, struct bc_options *opts,
    struct bc_err *err)
{
	int i, rc;

	for (i = 0; i < a->nopts; i++)
		if (strcmp(a->opt[i]->name, "option") == 0 &&
		    (rc = bc_options_apply(opts, a->val[i], err)))
			return rc;
	return BC_OK;
}

int
args_set_string(const struct cmd_args *a, const char *name, char **field,
    struct bc_err *err)
{
	const char *v;
	char *copy = NULL;

	if ((v = args_get(a, name)) == NULL)
		return BC_OK;
	if (*v != '\0' && (copy = strdup(v)) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	free(*field);
	*field = copy;
	return BC_OK;
}

int
args_enabled(const struct cmd_args *a, int current)
{
	if (args_has(a, "disabled"))
		return 0;
	if (args_has(a, "enabled"))
		return 1;
	return current;
}

/* Directory of a file name, for paths relative to the configuration. */
static char *
relative_to(const char *conf, const char *path)
{
	const char *slash;
	char *r;

	if (path[0] == '/' || (slash = strrchr(conf, '/')) == NULL)
		return strdup(path);
	if ((r = malloc((size_t)(slash - conf) + strlen(path) + 2)) == NULL)
		return NULL;
	sprintf(r, "%.*s/%s", (int)(slash - conf), conf, path);
	return r;
}

/*
 * Loads the configuration: -c, else the default file when it exists.
 * Missing default is not an error; anything wrong with a file is.
 */
int
cmd_conf_load(struct cmd_ctx *ctx, struct bc_err *err)
{
	const char *path = ctx->conf_path;

	if (ctx->conf_loaded)
		return BC_OK;
	if (path == NULL) {
		if (access(BC_CONF_DEFAULT, F_OK) == -1)
			return BC_OK;
		path = BC_CONF_DEFAULT;
	}
	bc_conf_clear(&ctx->conf);
	if (bc_conf_load(&ctx->conf, path, err) != BC_OK)
		return err->status;
	ctx->conf_loaded = 1;
	return BC_OK;
}

/* Resolves the store path: -s, else $BC_STORE, else [site] store. */
int
cmd_store_path(struct cmd_ctx *ctx, struct bc_err *err)
{
	const char *env;
	char *p;
	int rc;

	if (ctx->store_path != NULL)
		return BC_OK;
	if (ctx->conf_path != NULL && (rc = cmd_conf_load(ctx, err)))
		return rc;
	if (ctx->store_opt != NULL)
		p = strdup(ctx->store_opt);
	else if ((env = getenv("BC_STORE")) != NULL && *env != '\0')
		p = strdup(env);
	else {
		if ((rc = cmd_conf_load(ctx, err)))
			return rc;
		if (ctx->conf.site_store == NULL)
			return bc_err_set(err, BC_ECONFIG, "no store: use -s "
			    "STORE, BC_STORE or [site] store in %s",
			    ctx->conf_path != NULL ? ctx->conf_path :
			    BC_CONF_DEFAULT);
		p = relative_to(ctx->conf.path, ctx->conf.site_store);
	}
	if (p == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	ctx->store_path = p;
	return BC_OK;
}

int
cmd_open_store(struct cmd_ctx *ctx, const char *path, bc_store **s,
    struct bc_err *err)
{
	if (remote_is_url(path))
		return remote_open(ctx, path, s, err);
	return bc_store_open(s, path, 0, ctx->conf.busy_timeout, err);
}

char *
cmd_conf_relative(const struct cmd_ctx *ctx, const char *path)
{
	if (ctx->conf.path == NULL)
		return strdup(path);
	return relative_to(ctx->conf.path, path);
}

/* Opens the store unless it is open. */
static int
ctx_store(struct cmd_ctx *ctx, struct bc_err *err)
{
	int rc;

	if (ctx->store != NULL)
		return BC_OK;
	if ((rc = cmd_store_path(ctx, err)))
		return rc;
	return bc_store_open(&ctx->store, ctx->store_path, 0,
	    ctx->conf.busy_timeout, err);
}

int
cmd_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e;
	struct cmd_args a;
	struct bc_err err;
	enum out_format saved = ctx->format;
	const char *fmt;
	char why[160];
	int used, rc;

	if ((e = cmd_find(argc, argv, &used, why, sizeof(why))) == NULL)
		return cmd_errorx(EXIT_USAGE, "%s", why);
	if ((rc = args_parse(e, argc - used, argv + used, &a)) != 0) {
		args_free(&a);
		return rc;
	}
	if (args_has(&a, "help")) {
		cmd_usage(ctx->out, e);
		fprintf(ctx->out, "%s\n", e->summary);
		rc = 0;
		goto done;
	}
	if ((e->flags & CMD_CONSOLE) && !ctx->console) {
		rc = cmd_errorx(EXIT_USAGE, "'%s' works only in the console "
		    "or a script (bcadm console, bcadm -f FILE)", e->name);
		goto done;
	}
	if ((fmt = args_get(&a, "format")) != NULL) {
		if (strcmp(fmt, "text") == 0)
			ctx->format = FORMAT_TEXT;
		else if (strcmp(fmt, "json") == 0)
			ctx->format = FORMAT_JSON;
		else {
			rc = cmd_errorx(EXIT_USAGE, "unknown format '%s': use "
			    "text or json", fmt);
			goto done;
		}
	}
	if ((e->flags & CMD_STORE) && ctx_store(ctx, &err) != BC_OK) {
		rc = cmd_error(&err);
		goto done;
	}
	rc = e->exec(ctx, &a);
done:
	if (fflush(ctx->out) == EOF || ferror(ctx->out)) {
		rc = cmd_errorx(EXIT_IOERR, "cannot write output: %s",
		    strerror(errno));
		clearerr(ctx->out);
	}
	ctx->format = saved;
	args_free(&a);
	return rc;
}
