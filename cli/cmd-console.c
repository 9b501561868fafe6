/*
 * cmd-console.c -- bcadm console, and the commands that only make sense
 * inside it: begin, commit, rollback, exit.
 */
#include <unistd.h>

#include "console.h"

static int
cmd_console_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	(void)a;
	if (ctx->console)
		return cmd_errorx(EXIT_USAGE, "already in the console");
	if (isatty(STDIN_FILENO))
		return console_interactive(ctx);
	return console_script(ctx, stdin, "stdin");
}

/*
 * begin ... commit makes several commands one transaction: each command
 * then runs as a savepoint inside it, so a failed command undoes only
 * itself and the transaction stays open.
 */
static int
cmd_begin_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;

	(void)a;
	if (bc_tx_depth(ctx->store) > 0)
		return cmd_errorx(EXIT_DATAERR, "a transaction is already "
		    "open: commit or rollback first");
	if (bc_tx_begin(ctx->store, &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

static int
cmd_commit_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;

	(void)a;
	if (bc_tx_depth(ctx->store) == 0)
		return cmd_errorx(EXIT_DATAERR, "no transaction is open");
	if (bc_tx_commit(ctx->store, &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

static int
cmd_rollback_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	(void)a;
	if (bc_tx_depth(ctx->store) == 0)
		return cmd_errorx(EXIT_DATAERR, "no transaction is open");
	bc_tx_rollback(ctx->store);
	return 0;
}

static int
cmd_exit_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	(void)a;
	ctx->quit = 1;
	return 0;
}

const struct cmd_entry cmd_console_entry = {
	.name = "console", .args = "", .min_args = 0, .max_args = 0,
	.flags = CMD_STORE, .exec = cmd_console_exec,
	.summary = "Interactive console on a terminal; reads commands from "
	    "standard input otherwise.",
};

const struct cmd_entry cmd_begin_entry = {
	.name = "begin", .args = "", .min_args = 0, .max_args = 0,
	.flags = CMD_STORE | CMD_CONSOLE, .exec = cmd_begin_exec,
	.summary = "Console: start a transaction; the commands up to commit "
	    "are one change.",
};

const struct cmd_entry cmd_commit_entry = {
	.name = "commit", .args = "", .min_args = 0, .max_args = 0,
	.flags = CMD_STORE | CMD_CONSOLE, .exec = cmd_commit_exec,
	.summary = "Console: write the open transaction.",
};

const struct cmd_entry cmd_rollback_entry = {
	.name = "rollback", .args = "", .min_args = 0, .max_args = 0,
	.flags = CMD_STORE | CMD_CONSOLE, .exec = cmd_rollback_exec,
	.summary = "Console: undo the open transaction.",
};

const struct cmd_entry cmd_exit_entry = {
	.name = "exit", .args = "", .min_args = 0, .max_args = 0,
	.flags = CMD_CONSOLE, .exec = cmd_exit_exec,
	.summary = "Console: leave (asks first when a transaction is open).",
};
