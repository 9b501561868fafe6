/*
 * cmd-init.c -- bcadm init: create a site store.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

static const struct cmd_opt init_opts[] = {
	{ "site", "NAME", VAL_TEXT, OPT_REQUIRED },
	{ "switch", "NAME", VAL_TEXT, 0 },
	{ NULL, NULL, VAL_NONE, 0 }
};

/* Removes a store file this command created and could not finish. */
static void
remove_store(const char *path)
{
	char side[4096];

	unlink(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

static int
cmd_init_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;
	struct stat sb;
	int existed, rc;

	if ((rc = cmd_store_path(ctx, &err)))
		return cmd_error(&err);
	existed = stat(ctx->store_path, &sb) == 0;
	if ((rc = bc_store_open(&ctx->store, ctx->store_path, BC_OPEN_CREATE,
	    ctx->conf.busy_timeout, &err)) == BC_OK)
		rc = bc_site_init(ctx->store, args_get(a, "site"),
		    args_get(a, "switch"), &err);
	if (rc == BC_OK)
		return 0;
	if (!existed) {
		bc_store_close(ctx->store);
		ctx->store = NULL;
		remove_store(ctx->store_path);
	}
	return cmd_error(&err);
}

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.args = "",
	.min_args = 0,
	.max_args = 0,
	.opts = init_opts,
	.exec = cmd_init_exec,
	.summary = "Create a site store for site NAME.",
};
