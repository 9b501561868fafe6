/*
 * cmd-help.c -- bcadm help [COMMAND]: usage from the command table.
 */
#include "cmd.h"

static int
cmd_help_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	const struct cmd_entry *const *e, *found;
	char why[160];
	int used;

	if (a->argc == 0) {
		fprintf(ctx->out, "usage: bcadm [-c CONFIG] [-s STORE] "
		    "[--format text|json] [-f FILE] [-h] [-V] "
		    "[COMMAND ...]\n");
		for (e = cmd_table; *e != NULL; e++)
			cmd_usage(ctx->out, *e);
		return 0;
	}
	if ((found = cmd_find(a->argc, a->argv, &used, why,
	    sizeof(why))) == NULL)
		return cmd_errorx(EXIT_USAGE, "%s", why);
	cmd_usage(ctx->out, found);
	fprintf(ctx->out, "%s\n", found->summary);
	return 0;
}

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.args = "[COMMAND]",
	.argval = VAL_COMMAND,
	.min_args = 0,
	.max_args = 2,
	.exec = cmd_help_exec,
	.summary = "Show the usage of every command, or of one.",
};
