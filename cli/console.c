/*
 * console.c -- the console loop, script mode and Tab completion.
 *
 * Completion walks the same command table as dispatch: command words,
 * then the options of the command found, then values by what the option
 * or positional names (enumerations, or identities from the open store).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "line.h"
#include "split.h"

#define COMPLETE_MAX	500	/* candidates taken from the store */

struct cands {
	char		**v;
	size_t		  n;
	const char	 *prefix;
	int		  quoted;	/* the word has an open quote */
};

/* Adds s when it starts with the prefix, escaped unless quoted. */
static int
cand_add(struct cands *c, const char *s)
{
	char **nv, *e, *q;
	const char *p;

	if (strncmp(s, c->prefix, strlen(c->prefix)) != 0)
		return 0;
	if ((e = malloc(strlen(s) * 2 + 1)) == NULL)
		return -1;
	for (p = s, q = e; *p != '\0'; p++) {
		if (!c->quoted && strchr(" \t'\"\\#", *p) != NULL)
			*q++ = '\\';
		*q++ = *p;
	}
	*q = '\0';
	if ((nv = realloc(c->v, (c->n + 2) * sizeof(*nv))) == NULL) {
		free(e);
		return -1;
	}
	c->v = nv;
	nv[c->n++] = e;
	nv[c->n] = NULL;
	return 0;
}

static int
cand_name(const char *name, void *arg)
{
	return cand_add(arg, name) == 0 ? 0 : BC_ENOMEM;
}

/* First words of the command table, each once. */
static void
complete_commands(struct cands *c)
{
	const struct cmd_entry *const *e, *const *f;
	char w[64];
	size_t n;

	for (e = cmd_table; *e != NULL; e++) {
		n = strcspn((*e)->name, " ");
		for (f = cmd_table; f < e; f++)
			if (strncmp((*f)->name, (*e)->name, n) == 0 &&
			    ((*f)->name[n] == ' ' || (*f)->name[n] == '\0'))
				break;
		if (f < e || n >= sizeof(w))
			continue;
		memcpy(w, (*e)->name, n);
		w[n] = '\0';
		cand_add(c, w);
	}
}

static void
complete_values(struct cmd_ctx *ctx, struct cands *c, enum cmd_value v)
{
	static const char *const formats[] = { "text", "json", NULL };
	struct bc_err err;
	enum bc_kind kind;
	int i;

	switch (v) {
	case VAL_DN_TYPE:
		for (i = 0; i < BC_DN_TYPE_COUNT; i++)
			cand_add(c, bc_dn_type_name((enum bc_dn_type)i));
		return;
	case VAL_REGISTER:
		for (i = 0; i < BC_REG_COUNT; i++)
			cand_add(c, bc_register_name((enum bc_register)i));
		return;
	case VAL_FORMAT:
		for (i = 0; formats[i] != NULL; i++)
			cand_add(c, formats[i]);
		return;
	case VAL_COMMAND:
		complete_commands(c);
		return;
	case VAL_DN:
		kind = BC_KIND_DN;
		break;
	case VAL_PLACE:
		kind = BC_KIND_PLACE;
		break;
	case VAL_PERSON:
		kind = BC_KIND_PERSON;
		break;
	case VAL_LOGIN:
		kind = BC_KIND_LOGIN;
		break;
	default:
		return;
	}
	if (ctx->store != NULL)
		bc_names(ctx->store, kind, c->prefix, COMPLETE_MAX, cand_name,
		    c, &err);
}

static const struct cmd_opt *
entry_opt(const struct cmd_entry *e, const char *name)
{
	const struct cmd_opt *o;

	for (o = e->opts; o != NULL && o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	for (o = cmd_common_opts; o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* line.c's callback: candidates for the word at the end of line. */
static char **
complete(void *arg, const char *line, const char *word)
{
	struct cmd_ctx *ctx = arg;
	const struct cmd_entry *const *t, *e;
	const struct cmd_opt *o;
	struct cands c;
	struct split sp;
	const char *why, *prev;
	char buf[160];
	int cur, used;

	(void)word;
	memset(&c, 0, sizeof(c));
	if (split_line(line, 1, &sp, &why) != 0)
		return NULL;
	cur = sp.trailing ? sp.argc : sp.argc - 1;
	if (cur < 0)
		cur = 0;
	c.prefix = cur < sp.argc ? sp.argv[cur] : "";
	c.quoted = sp.quote != 0;

	if (cur == 0) {
		complete_commands(&c);
		goto done;
	}
	e = cmd_find(cur, sp.argv, &used, buf, sizeof(buf));
	if (e == NULL || used > cur) {
		/* the second word of a two-word command */
		if (cur == 1)
			for (t = cmd_table; *t != NULL; t++) {
				size_t n = strlen(sp.argv[0]);

				if (strncmp((*t)->name, sp.argv[0], n) == 0 &&
				    (*t)->name[n] == ' ')
					cand_add(&c, (*t)->name + n + 1);
			}
		goto done;
	}
	prev = sp.argv[cur - 1];
	if (cur - 1 >= used && strncmp(prev, "--", 2) == 0 &&
	    strchr(prev, '=') == NULL && (o = entry_opt(e, prev + 2)) != NULL &&
	    o->arg != NULL)
		complete_values(ctx, &c, o->value);
	else if (c.prefix[0] == '-') {
		for (o = e->opts; o != NULL && o->name != NULL; o++) {
			snprintf(buf, sizeof(buf), "--%s", o->name);
			cand_add(&c, buf);
		}
		for (o = cmd_common_opts; o->name != NULL; o++) {
			snprintf(buf, sizeof(buf), "--%s", o->name);
			cand_add(&c, buf);
		}
	} else
		complete_values(ctx, &c, e->argval);
done:
	split_free(&sp);
	return c.v;
}

static void
rollback_all(struct cmd_ctx *ctx)
{
	while (ctx->store != NULL && bc_tx_depth(ctx->store) > 0)
		bc_tx_rollback(ctx->store);
}

/* Leaving with a transaction open asks first.  1: leave. */
static int
leave_ok(struct cmd_ctx *ctx)
{
	char *answer;
	int yes;

	if (ctx->store == NULL || bc_tx_depth(ctx->store) == 0)
		return 1;
	answer = line_read("a transaction is open: roll it back and leave? "
	    "[y/N] ");
	yes = answer == NULL || strcmp(answer, "y") == 0 ||
	    strcmp(answer, "yes") == 0;
	free(answer);
	if (yes) {
		rollback_all(ctx);
		printf("rolled back\n");
	}
	return yes;
}

int
console_interactive(struct cmd_ctx *ctx)
{
	struct bc_site site;
	struct bc_err err;
	struct split sp;
	const char *why, *home;
	char *line, *hist = NULL, prompt[300];
	int rc;

	if (bc_site_get(ctx->store, &site, &err) != BC_OK)
		return cmd_error(&err);
	ctx->console = 1;
	printf("bcadm console: site %s, store %s; 'help' lists the commands, "
	    "'exit' leaves\n", site.name, bc_store_path(ctx->store));
	fflush(stdout);
	if ((home = getenv("HOME")) != NULL && *home != '\0' &&
	    asprintf(&hist, "%s/.bcadm_history", home) == -1)
		hist = NULL;
	line_open(hist, CONSOLE_HISTORY_MAX, complete, ctx);
	free(hist);
	for (;;) {
		snprintf(prompt, sizeof(prompt), "%s%s> ", site.name,
		    bc_tx_depth(ctx->store) > 0 ? " (tx)" : "");
		if ((line = line_read(prompt)) == NULL) {
			if (leave_ok(ctx))
				break;
			continue;
		}
		line_history_add(line);
		rc = split_line(line, 0, &sp, &why);
		free(line);
		if (rc != 0) {
			cmd_errorx(EXIT_USAGE, "%s", why);
			continue;
		}
		if (sp.argc > 0)
			cmd_run(ctx, sp.argc, sp.argv);
		split_free(&sp);
		fflush(stdout);
		if (ctx->quit) {
			ctx->quit = 0;
			if (leave_ok(ctx))
				break;
		}
	}
	line_close();
	bc_site_clear(&site);
	ctx->console = 0;
	return 0;
}

int
console_script(struct cmd_ctx *ctx, FILE *in, const char *name)
{
	struct split sp;
	const char *why;
	char *line = NULL, where[300];
	size_t cap = 0;
	long lineno = 0;
	int rc = 0;

	ctx->console = 1;
	while (rc == 0 && !ctx->quit && getline(&line, &cap, in) != -1) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%ld", name, lineno);
		cmd_set_where(where);
		if (split_line(line, 0, &sp, &why) != 0) {
			rc = cmd_errorx(EXIT_USAGE, "%s", why);
			break;
		}
		if (sp.argc > 0)
			rc = cmd_run(ctx, sp.argc, sp.argv);
		split_free(&sp);
	}
	free(line);
	if (rc == 0 && ferror(in))
		rc = cmd_errorx(EXIT_IOERR, "cannot read");
	if (ctx->store != NULL && bc_tx_depth(ctx->store) > 0) {
		rollback_all(ctx);
		if (rc == 0)
			rc = cmd_errorx(EXIT_DATAERR, "transaction still open "
			    "at the end: rolled back");
	}
	cmd_set_where(NULL);
	ctx->console = 0;
	ctx->quit = 0;
	return rc;
}
