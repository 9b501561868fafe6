/*
 * cmd-diff.c -- bcadm diff STORE_A STORE_B: the synchronized objects of
 * two site stores, compared field by field.
 */
#include <string.h>

#include "bc-sync.h"
#include "output.h"
#include "remote.h"

static const struct cmd_opt diff_opts[] = {
	{ "summary", NULL, VAL_NONE, 0 },
	{ NULL, NULL, VAL_NONE, 0 }
};

static const char *const what_names[] = {
	[BC_DIFF_ONLY_A] = "only-a",
	[BC_DIFF_ONLY_B] = "only-b",
	[BC_DIFF_CHANGED] = "changed",
};

/* Per kind counts for --summary: only in A, only in B, changed. */
struct diff_summary {
	const char	*kind;
	size_t		 n[3];
};

struct diff_out {
	struct cmd_ctx		*ctx;
	bc_store		*a;
	int			 summary;
	size_t			 items;
	struct diff_summary	 sums[4];
	json_t			*fields;	/* JSON: of the current item */
};

/* Secrets are compared, never shown. */
static const char *
shown(const char *field, const char *v)
{
	if (v == NULL)
		return NULL;
	if (strcmp(field, "password") == 0)
		return "********";
	return v;
}

static int
diff_field(const char *field, const char *a, const char *b, void *arg)
{
	struct diff_out *d = arg;
	json_t *f;

	a = shown(field, a);
	b = shown(field, b);
	if (d->ctx->format == FORMAT_JSON) {
		f = json_object();
		json_object_set_new(f, "field", json_string(field));
		json_object_set_new(f, "a", out_str(a));
		json_object_set_new(f, "b", out_str(b));
		json_array_append_new(d->fields, f);
		return 0;
	}
	fprintf(d->ctx->out, "    %s: A %s%s%s, B %s%s%s\n", field,
	    a ? "'" : "", a ? a : "(none)", a ? "'" : "",
	    b ? "'" : "", b ? b : "(none)", b ? "'" : "");
	return ferror(d->ctx->out) ? EXIT_IOERR : 0;
}

static int
diff_item(const struct bc_diff_item *it, void *arg)
{
	struct diff_out *d = arg;
	struct bc_err err;
	json_t *o;
	size_t i;
	int rc = 0;

	for (i = 0; i < 4; i++)
		if (strcmp(d->sums[i].kind, it->kind) == 0)
			d->sums[i].n[it->what]++;
	if (d->summary)
		return 0;
	if (d->ctx->format == FORMAT_TEXT) {
		fprintf(d->ctx->out, "%s '%s': %s\n", it->kind, it->key,
		    it->what == BC_DIFF_ONLY_A ? "only in A" :
		    it->what == BC_DIFF_ONLY_B ? "only in B" : "differs");
	} else
		d->fields = json_array();
	if (it->what == BC_DIFF_CHANGED &&
	    (rc = bc_doc_compare(d->a, it->doc_a, it->doc_b, diff_field, d,
	    &err)) != 0 && rc < EXIT_USAGE)
		rc = cmd_error(&err);
	if (d->ctx->format == FORMAT_JSON) {
		o = json_object();
		json_object_set_new(o, "kind", json_string(it->kind));
		json_object_set_new(o, "key", json_string(it->key));
		json_object_set_new(o, "what", json_string(what_names[it->what]));
		json_object_set_new(o, "fields", d->fields);
		d->fields = NULL;
		fputs(d->items++ > 0 ? ",\n  " : "\n  ", d->ctx->out);
		json_dumpf(o, d->ctx->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
	}
	if (rc == 0 && ferror(d->ctx->out))
		rc = EXIT_IOERR;
	return rc;
}

static void
print_summary(struct diff_out *d, size_t count)
{
	json_t *o, *k;
	size_t i;

	if (d->ctx->format == FORMAT_TEXT) {
		for (i = 0; i < 4; i++)
			fprintf(d->ctx->out, "%-7s %zu only in A, %zu only in B, "
			    "%zu different\n", d->sums[i].kind,
			    d->sums[i].n[BC_DIFF_ONLY_A],
			    d->sums[i].n[BC_DIFF_ONLY_B],
			    d->sums[i].n[BC_DIFF_CHANGED]);
		return;
	}
	o = json_object();
	json_object_set_new(o, "identical", json_boolean(count == 0));
	for (i = 0; i < 4; i++) {
		k = json_object();
		json_object_set_new(k, "only-a",
		    json_integer((json_int_t)d->sums[i].n[BC_DIFF_ONLY_A]));
		json_object_set_new(k, "only-b",
		    json_integer((json_int_t)d->sums[i].n[BC_DIFF_ONLY_B]));
		json_object_set_new(k, "changed",
		    json_integer((json_int_t)d->sums[i].n[BC_DIFF_CHANGED]));
		json_object_set_new(o, d->sums[i].kind, k);
	}
	json_dumpf(o, d->ctx->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', d->ctx->out);
	json_decref(o);
}

static int
cmd_diff_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct diff_out d;
	struct bc_err err;
	bc_store *sa = NULL, *sb = NULL;
	size_t count = 0;
	int rc;

	memset(&d, 0, sizeof(d));
	d.ctx = ctx;
	d.summary = args_has(a, "summary");
	d.sums[0].kind = "dn";
	d.sums[1].kind = "login";
	d.sums[2].kind = "person";
	d.sums[3].kind = "place";
	if (cmd_open_store(ctx, a->argv[0], &sa, &err) != BC_OK ||
	    cmd_open_store(ctx, a->argv[1], &sb, &err) != BC_OK) {
		rc = cmd_error(&err);
		goto done;
	}
	d.a = sa;
	if (ctx->format == FORMAT_JSON && !d.summary)
		fputc('[', ctx->out);
	rc = bc_diff(sa, sb, diff_item, &d, &count, &err);
	if (rc != 0 && rc < EXIT_USAGE)
		rc = cmd_error(&err);
	if (ctx->format == FORMAT_JSON && !d.summary)
		fputs(d.items > 0 ? "\n]\n" : "]\n", ctx->out);
	if (rc == 0 && d.summary)
		print_summary(&d, count);
	if (rc == 0 && count > 0)
		rc = EXIT_DIFFER;
done:
	json_decref(d.fields);
	remote_close(ctx, sa);
	remote_close(ctx, sb);
	return rc;
}

const struct cmd_entry cmd_diff_entry = {
	.name = "diff", .args = "STORE_A STORE_B", .argval = VAL_FILE,
	.min_args = 2, .max_args = 2, .opts = diff_opts,
	.exec = cmd_diff_exec,
	.summary = "Compare the synchronized objects of two stores; exit 1 "
	    "when they differ.",
};
