/*
 * cmd-reg.c -- bcadm reg list: the SIP registrations bcsipd keeps in the
 * store (a runtime table, never synchronized).
 */
#include <time.h>

#include "bc-sip.h"
#include "output.h"

static const struct out_col reg_cols[] = {
	{ "NUMBER", "number", 10 },
	{ "CONTACT", "contact", 36 },
	{ "EXPIRES", "expires", 8 },
	{ "Q", "q", 6 },
	{ "RECEIVED", "received", 0 },
	{ NULL, NULL, 0 }
};

struct reg_list {
	struct out_list	 l;
	long long	 now;
};

static int
reg_list_one(const struct bc_binding *b, void *arg)
{
	struct reg_list *rl = arg;
	json_t *o = json_object();
	char q[16];

	snprintf(q, sizeof(q), "%d.%03d", b->q / 1000, b->q % 1000);
	json_object_set_new(o, "number", json_string(b->number));
	json_object_set_new(o, "contact", json_string(b->contact));
	/* seconds left, and the Unix time it ends */
	json_object_set_new(o, "expires",
	    json_integer(b->expires_at - rl->now));
	json_object_set_new(o, "expires-at", json_integer(b->expires_at));
	json_object_set_new(o, "q", json_string(q));
	json_object_set_new(o, "call-id", json_string(b->call_id));
	json_object_set_new(o, "cseq", json_integer((json_int_t)b->cseq));
	json_object_set_new(o, "received", out_str(b->received));
	json_object_set_new(o, "user-agent", out_str(b->user_agent));
	json_object_set_new(o, "updated-at", json_integer(b->updated_at));
	return out_list_item(&rl->l, o);
}

static int
cmd_reg_list_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct reg_list rl;
	struct bc_err err;
	int rc;

	rl.now = (long long)time(NULL);
	out_list_begin(&rl.l, ctx, reg_cols);
	rc = bc_reg_foreach(ctx->store, a->argc > 0 ? a->argv[0] : NULL,
	    rl.now, reg_list_one, &rl, &err);
	if (rc != BC_OK && rc < EXIT_USAGE)
		rc = cmd_error(&err);
	if (out_list_end(&rl.l, rc == 0) != 0 && rc == 0)
		rc = EXIT_IOERR;
	return rc;
}

const struct cmd_entry cmd_reg_list_entry = {
	.name = "reg list", .args = "[NUMBER]", .argval = VAL_DN,
	.min_args = 0, .max_args = 1, .opts = NULL,
	.flags = CMD_STORE, .exec = cmd_reg_list_exec,
	.summary = "List the SIP registrations bcsipd holds, with their "
	    "expiry.",
};
