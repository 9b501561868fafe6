/*
 * output.c -- text and JSON rendering of objects and lists.
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"

json_t *
out_str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

json_t *
out_secret(const char *s)
{
	return s != NULL ? json_string("********") : json_null();
}

json_t *
out_options(const struct bc_options *opts)
{
	json_t *o, *sec;
	size_t i;

	o = json_object();
	for (i = 0; i < opts->n; i++) {
		if ((sec = json_object_get(o, opts->v[i].section)) == NULL) {
			sec = json_object();
			json_object_set_new(o, opts->v[i].section, sec);
		}
		json_object_set_new(sec, opts->v[i].key,
		    json_string(opts->v[i].value));
	}
	return o;
}

/* Writes a scalar, or a list item joined with ':' (an input syntax). */
static void
text_scalar(FILE *f, json_t *v)
{
	const char *k;
	json_t *e;
	int first = 1;

	switch (json_typeof(v)) {
	case JSON_STRING:
		fputs(json_string_value(v), f);
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_TRUE:
		fputs("yes", f);
		break;
	case JSON_FALSE:
		fputs("no", f);
		break;
	case JSON_OBJECT:
		json_object_foreach(v, k, e) {
			if (!first)
				fputc(':', f);
			text_scalar(f, e);
			first = 0;
		}
		break;
	default:
		break;
	}
}

/* Writes the options map {section: {key: value}} as S/K=V items. */
static void
text_options(FILE *f, const char *label, json_t *opts, const char *sep)
{
	const char *sk, *kk;
	json_t *sec, *val;
	int first = 1;

	json_object_foreach(opts, sk, sec) {
		json_object_foreach(sec, kk, val) {
			if (label != NULL)
				fprintf(f, "%s: ", label);
			else if (!first)
				fputs(sep, f);
			fprintf(f, "%s/%s=%s", sk, kk, json_string_value(val));
			if (label != NULL)
				fputc('\n', f);
			first = 0;
		}
	}
}

/* A value in a list column: arrays joined with ','. */
static void
text_cell(FILE *f, const char *key, json_t *v)
{
	size_t i;
	json_t *e;

	if (v == NULL || json_is_null(v))
		return;
	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if (i > 0)
				fputc(',', f);
			text_scalar(f, e);
		}
	} else if (json_is_object(v) && strcmp(key, "option") == 0)
		text_options(f, NULL, v, ",");
	else
		text_scalar(f, v);
}

int
out_show(struct cmd_ctx *ctx, json_t *obj)
{
	const char *k;
	json_t *v, *e;
	size_t i;

	if (ctx->format == FORMAT_JSON) {
		json_dumpf(obj, ctx->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', ctx->out);
		json_decref(obj);
		return 0;
	}
	json_object_foreach(obj, k, v) {
		if (json_is_array(v)) {
			json_array_foreach(v, i, e) {
				fprintf(ctx->out, "%s: ", k);
				text_scalar(ctx->out, e);
				fputc('\n', ctx->out);
			}
		} else if (json_is_object(v) && strcmp(k, "option") == 0)
			text_options(ctx->out, k, v, NULL);
		else if (json_is_object(v)) {
			/* anything else nested: one line of JSON */
			fprintf(ctx->out, "%s: ", k);
			json_dumpf(v, ctx->out, JSON_COMPACT |
			    JSON_PRESERVE_ORDER);
			fputc('\n', ctx->out);
		} else {
			fprintf(ctx->out, "%s: ", k);
			text_scalar(ctx->out, v);
			fputc('\n', ctx->out);
		}
	}
	json_decref(obj);
	return 0;
}

void
out_list_begin(struct out_list *l, struct cmd_ctx *ctx,
    const struct out_col *cols)
{
	memset(l, 0, sizeof(*l));
	l->ctx = ctx;
	l->cols = cols;
}

/* Header or '[': written with the first item, so a failed list prints none. */
static void
out_list_head(struct out_list *l)
{
	const struct out_col *c;
	FILE *f = l->ctx->out;

	if (l->started)
		return;
	l->started = 1;
	if (l->ctx->format == FORMAT_JSON) {
		fputc('[', f);
		return;
	}
	for (c = l->cols; c->header != NULL; c++) {
		if (c[1].header != NULL)
			fprintf(f, "%-*s  ", c->width, c->header);
		else
			fprintf(f, "%s\n", c->header);
	}
}

/* Display width of UTF-8 text: one column per character. */
static int
text_width(const char *s, size_t len)
{
	size_t i;
	int w = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

int
out_list_item(struct out_list *l, json_t *obj)
{
	const struct out_col *c;
	FILE *f = l->ctx->out;
	int w;

	out_list_head(l);
	if (l->ctx->format == FORMAT_JSON) {
		fputs(l->n > 0 ? ",\n  " : "\n  ", f);
		json_dumpf(obj, f, JSON_COMPACT | JSON_PRESERVE_ORDER);
	} else {
		for (c = l->cols; c->header != NULL; c++) {
			if (l->cell == NULL && (l->cell = open_memstream(
			    &l->buf, &l->len)) == NULL) {
				json_decref(obj);
				return EXIT_OSERR;
			}
			fseek(l->cell, 0, SEEK_SET);
			text_cell(l->cell, c->key, json_object_get(obj, c->key));
			fflush(l->cell);
			fwrite(l->buf, 1, l->len, f);
			if (c[1].header == NULL) {
				fputc('\n', f);
				break;
			}
			w = text_width(l->buf, l->len);
			fprintf(f, "%*s", (w < c->width ? c->width - w : 0) + 2,
			    "");
		}
	}
	json_decref(obj);
	l->n++;
	return ferror(f) ? EXIT_IOERR : 0;
}

int
out_list_end(struct out_list *l, int ok)
{
	if (l->cell != NULL) {
		fclose(l->cell);
		free(l->buf);
		l->cell = NULL;
		l->buf = NULL;
	}
	if (ok)
		out_list_head(l);
	if (l->started && l->ctx->format == FORMAT_JSON)
		fputs(l->n > 0 ? "\n]\n" : "]\n", l->ctx->out);
	return ferror(l->ctx->out) ? EXIT_IOERR : 0;
}
