/*
 * cmd-person.c -- bcadm person add|set|del|show|list: persons (users),
 * agents among them, and their agent logins with wrap-up times.
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"

#define PERSON_FIELD_OPTS \
	{ "first", "F", VAL_TEXT, 0 }, \
	{ "last", "L", VAL_TEXT, 0 }, \
	{ "employee-id", "ID", VAL_TEXT, 0 }, \
	{ "agent", NULL, VAL_NONE, 0 }, \
	{ "preferred-site", "SITE", VAL_TEXT, 0 }, \
	{ "place", "P", VAL_PLACE, 0 }, \
	{ "login", "CODE[:WRAPUP]", VAL_LOGIN, OPT_REPEAT }, \
	{ "disabled", NULL, VAL_NONE, 0 }

static const struct cmd_opt person_add_opts[] = {
	PERSON_FIELD_OPTS,
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct cmd_opt person_set_opts[] = {
	PERSON_FIELD_OPTS,
	{ "enabled", NULL, VAL_NONE, 0 },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const struct out_col person_cols[] = {
	{ "USERNAME", "username", 16 },
	{ "AGENT", "agent", 5 },
	{ "ENABLED", "enabled", 7 },
	{ "PLACE", "place", 16 },
	{ "LOGINS", "login", 0 },
	{ NULL, NULL, 0 }
};

/*
 * Applies the options to p.  Any --login replaces the list (a lone empty
 * value empties it).  --agent on a person that is not an agent is left
 * to the library, which refuses to change the flag.
 */
static int
person_apply(const struct cmd_args *a, struct bc_person *p,
    struct bc_err *err)
{
	size_t i;
	int j, rc;

	if ((rc = args_set_string(a, "first", &p->first, err)) ||
	    (rc = args_set_string(a, "last", &p->last, err)) ||
	    (rc = args_set_string(a, "employee-id", &p->employee_id, err)) ||
	    (rc = args_set_string(a, "preferred-site", &p->preferred_site,
	    err)) ||
	    (rc = args_set_string(a, "place", &p->place, err)))
		return rc;
	if (args_has(a, "agent"))
		p->agent = 1;
	p->enabled = args_enabled(a, p->enabled);
	if (args_has(a, "login")) {
		for (i = 0; i < p->nlogins; i++)
			free(p->logins[i].code);
		p->nlogins = 0;
		for (j = 0; j < a->nopts; j++) {
			if (strcmp(a->opt[j]->name, "login") != 0 ||
			    *a->val[j] == '\0')
				continue;
			if ((rc = bc_person_add_login_spec(p, a->val[j], err)))
				return rc;
		}
	}
	return BC_OK;
}

static json_t *
person_json(const struct bc_person *p)
{
	json_t *o = json_object(), *logins = json_array(), *l;
	size_t i;

	json_object_set_new(o, "username", json_string(p->username));
	json_object_set_new(o, "first", out_str(p->first));
	json_object_set_new(o, "last", out_str(p->last));
	json_object_set_new(o, "employee-id", out_str(p->employee_id));
	json_object_set_new(o, "agent", json_boolean(p->agent));
	json_object_set_new(o, "enabled", json_boolean(p->enabled));
	json_object_set_new(o, "preferred-site", out_str(p->preferred_site));
	json_object_set_new(o, "place", out_str(p->place));
	for (i = 0; i < p->nlogins; i++) {
		l = json_object();
		json_object_set_new(l, "code", json_string(p->logins[i].code));
		json_object_set_new(l, "wrapup",
		    json_integer(p->logins[i].wrapup));
		json_array_append_new(logins, l);
	}
	json_object_set_new(o, "login", logins);
	return o;
}

static int
cmd_person_add_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_person p;
	struct bc_err err;
	int rc;

	bc_person_init(&p);
	if ((p.username = strdup(a->argv[0])) == NULL)
		rc = bc_err_set(&err, BC_ENOMEM, "out of memory");
	else if ((rc = person_apply(a, &p, &err)) == BC_OK)
		rc = bc_person_add(ctx->store, &p, &err);
	bc_person_clear(&p);
	return rc != BC_OK ? cmd_error(&err) : 0;
}

static int
cmd_person_set_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_person p;
	struct bc_err err;
	int rc;

	if (bc_tx_begin(ctx->store, &err) != BC_OK)
		return cmd_error(&err);
	if ((rc = bc_person_get(ctx->store, a->argv[0], &p, &err)) == BC_OK &&
	    (rc = person_apply(a, &p, &err)) == BC_OK)
		rc = bc_person_update(ctx->store, &p, &err);
	bc_person_clear(&p);
	if (bc_tx_end(ctx->store, rc, &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

static int
cmd_person_del_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_err err;

	if (bc_person_delete(ctx->store, a->argv[0], &err) != BC_OK)
		return cmd_error(&err);
	return 0;
}

static int
cmd_person_show_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_person p;
	struct bc_err err;

	if (bc_person_get(ctx->store, a->argv[0], &p, &err) != BC_OK)
		return cmd_error(&err);
	out_show(ctx, person_json(&p));
	bc_person_clear(&p);
	return 0;
}

static int
person_list_one(const struct bc_person *p, void *arg)
{
	return out_list_item(arg, person_json(p));
}

static int
cmd_person_list_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct out_list l;
	struct bc_err err;
	int rc;

	(void)a;
	out_list_begin(&l, ctx, person_cols);
	rc = bc_person_foreach(ctx->store, person_list_one, &l, &err);
	if (rc != BC_OK && rc < EXIT_USAGE)
		rc = cmd_error(&err);
	if (out_list_end(&l, rc == 0) != 0 && rc == 0)
		rc = EXIT_IOERR;
	return rc;
}

const struct cmd_entry cmd_person_add_entry = {
	.name = "person add", .args = "USERNAME", .min_args = 1,
	.max_args = 1, .opts = person_add_opts, .flags = CMD_STORE,
	.exec = cmd_person_add_exec,
	.summary = "Create a person; --agent makes an agent (for good).",
};

const struct cmd_entry cmd_person_set_entry = {
	.name = "person set", .args = "USERNAME", .argval = VAL_PERSON,
	.min_args = 1, .max_args = 1, .opts = person_set_opts,
	.flags = CMD_STORE, .exec = cmd_person_set_exec,
	.summary = "Change a person; any --login replaces the logins, "
	    "--login '' removes them.",
};

const struct cmd_entry cmd_person_del_entry = {
	.name = "person del", .args = "USERNAME", .argval = VAL_PERSON,
	.min_args = 1, .max_args = 1, .flags = CMD_STORE,
	.exec = cmd_person_del_exec,
	.summary = "Delete a person; the agent logins become free.",
};

const struct cmd_entry cmd_person_show_entry = {
	.name = "person show", .args = "USERNAME", .argval = VAL_PERSON,
	.min_args = 1, .max_args = 1, .flags = CMD_STORE,
	.exec = cmd_person_show_exec,
	.summary = "Show a person and the agent logins held.",
};

const struct cmd_entry cmd_person_list_entry = {
	.name = "person list", .args = "", .min_args = 0, .max_args = 0,
	.flags = CMD_STORE, .exec = cmd_person_list_exec,
	.summary = "List persons.",
};
