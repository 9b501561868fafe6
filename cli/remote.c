/*
 * remote.c -- the peer's bcsync as a store for bcadm diff, sync and
 * reconcile (see remote.h), with libcurl.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "bc-feed.h"
#include "remote.h"

#define REMOTE_MAX_BODY	(1024L * 1024 * 1024)	/* a snapshot, 1 GiB */

/* A temporary copy of a remote site; kept in the context's list. */
struct remote {
	struct remote	*next;
	bc_store	*copy;
	char		*url;
	char		*path;		/* the temporary file */
	long long	 seq;		/* the snapshot's position */
};

struct buf {
	char	*p;
	size_t	 len;
};

/* The -wal and -shm files SQLite leaves beside a store. */
static void
remove_sidecars(const char *path)
{
	char side[4096];

	snprintf(side, sizeof(side), "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	unlink(side);
}

int
remote_is_url(const char *s)
{
	return s != NULL && (strncmp(s, "http://", 7) == 0 ||
	    strncmp(s, "https://", 8) == 0);
}

static size_t
on_data(char *ptr, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t len = size * n;
	char *nb;

	if (b->len + len > (size_t)REMOTE_MAX_BODY ||
	    (nb = realloc(b->p, b->len + len + 1)) == NULL)
		return 0;
	b->p = nb;
	memcpy(b->p + b->len, ptr, len);
	b->len += len;
	b->p[b->len] = '\0';
	return len;
}

/* The token of [peer] token_file (bcsync's rules: mode 0600). */
static int
peer_token(struct cmd_ctx *ctx, char **token, struct bc_err *err)
{
	char *path;
	FILE *f;
	char line[1024];

	*token = NULL;
	if (ctx->conf.peer_token_file == NULL)
		return bc_err_set(err, BC_ECONFIG, "a peer's URL needs [peer] "
		    "token_file in %s", ctx->conf.path != NULL ?
		    ctx->conf.path : BC_CONF_DEFAULT);
	if ((path = cmd_conf_relative(ctx, ctx->conf.peer_token_file)) ==
	    NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if ((f = fopen(path, "r")) == NULL) {
		bc_err_set(err, BC_ECONFIG, "token file %s: %s", path,
		    strerror(errno));
		free(path);
		return err->status;
	}
	free(path);
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	if ((*token = strdup(line)) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	return BC_OK;
}

/* One request: GET, or POST of body. */
static int
request(struct cmd_ctx *ctx, const char *url, const char *path,
    const char *post, size_t postlen, struct buf *out, long *code,
    struct bc_err *err)
{
	struct curl_slist *hdr = NULL;
	char full[2048], line[1200], *token = NULL, *f;
	CURL *h;
	CURLcode rc;
	int st;

	memset(out, 0, sizeof(*out));
	*code = 0;
	if ((st = peer_token(ctx, &token, err)))
		return st;
	if ((h = curl_easy_init()) == NULL) {
		free(token);
		return bc_err_set(err, BC_ENOMEM, "cannot start libcurl");
	}
	snprintf(full, sizeof(full), "%s%s%s", url,
	    url[strlen(url) - 1] == '/' ? path + 1 : path, "");
	snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
	free(token);
	hdr = curl_slist_append(hdr, line);
	snprintf(line, sizeof(line), "X-Bcsync-Protocol: %d",
	    BC_FEED_PROTOCOL);
	hdr = curl_slist_append(hdr, line);
	if (post != NULL)
		hdr = curl_slist_append(hdr, "Content-Type: application/xml");
	curl_easy_setopt(h, CURLOPT_URL, full);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 600L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (ctx->conf.peer_tls_ca != NULL &&
	    (f = cmd_conf_relative(ctx, ctx->conf.peer_tls_ca)) != NULL) {
		curl_easy_setopt(h, CURLOPT_CAINFO, f);
		free(f);
	}
	if (ctx->conf.peer_tls_cert != NULL &&
	    (f = cmd_conf_relative(ctx, ctx->conf.peer_tls_cert)) != NULL) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, f);
		free(f);
	}
	if (ctx->conf.peer_tls_key != NULL &&
	    (f = cmd_conf_relative(ctx, ctx->conf.peer_tls_key)) != NULL) {
		curl_easy_setopt(h, CURLOPT_SSLKEY, f);
		free(f);
	}
	if (post != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)postlen);
	}
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, code);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		free(out->p);
		memset(out, 0, sizeof(*out));
		return bc_err_set(err, BC_EIO, "%s: %s", url,
		    curl_easy_strerror(rc));
	}
	return BC_OK;
}

int
remote_get(struct cmd_ctx *ctx, const char *url, const char *path,
    char **body, size_t *len, long *code, struct bc_err *err)
{
	struct buf b;
	int rc;

	if ((rc = request(ctx, url, path, NULL, 0, &b, code, err)))
		return rc;
	*body = b.p;
	*len = b.len;
	return BC_OK;
}

/* The first line of a refusal, for the message. */
static int
refused(const char *url, const char *what, long code, struct buf *b,
    struct bc_err *err)
{
	const char *msg = b->p != NULL ? b->p : "";
	int n = (int)strcspn(msg, "\n");

	bc_err_set(err, code == 401 ? BC_ECONFIG : BC_EIO, "%s: %s: HTTP "
	    "%ld%s%.*s", url, what, code, n > 0 ? ": " : "", n > 200 ? 200 :
	    n, msg);
	free(b->p);
	return err->status;
}

int
remote_open(struct cmd_ctx *ctx, const char *url, bc_store **out,
    struct bc_err *err)
{
	struct bc_feed_result res;
	struct remote *r;
	struct buf b;
	json_t *j;
	const char *site;
	char tmpl[] = "/tmp/bcadm-peer-XXXXXX";
	long code;
	int rc, fd;

	*out = NULL;
	/* the peer's name first: the copy is named after it */
	if ((rc = request(ctx, url, "/v1/status", NULL, 0, &b, &code, err)))
		return rc;
	if (code != 200)
		return refused(url, "status", code, &b, err);
	j = json_loads(b.p, 0, NULL);
	free(b.p);
	if (j == NULL || (site = json_string_value(json_object_get(j,
	    "site"))) == NULL) {
		json_decref(j);
		return bc_err_set(err, BC_EIO, "%s: not a bcsync status", url);
	}
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->url = strdup(url)) == NULL) {
		free(r);
		json_decref(j);
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	}
	if ((fd = mkstemp(tmpl)) == -1) {
		rc = bc_err_set(err, BC_ECREATE, "temporary store: %s",
		    strerror(errno));
		goto fail;
	}
	close(fd);
	unlink(tmpl);
	if ((r->path = strdup(tmpl)) == NULL) {
		rc = bc_err_set(err, BC_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = bc_store_open(&r->copy, r->path, BC_OPEN_CREATE, 0, err)) ||
	    (rc = bc_site_init(r->copy, site, NULL, err)))
		goto fail;
	if ((rc = request(ctx, url, "/v1/snapshot", NULL, 0, &b, &code, err)))
		goto fail;
	if (code != 200) {
		rc = refused(url, "snapshot", code, &b, err);
		goto fail;
	}
	rc = bc_feed_apply(r->copy, site, b.p != NULL ? b.p : "", b.len,
	    BC_FEED_MIRROR, &res, err);
	free(b.p);
	if (rc)
		goto fail;
	r->seq = res.seq;
	{
		struct bc_feed_state st;

		/* the copy's own position after the snapshot */
		if ((rc = bc_feed_state_get(r->copy, NULL, &st, err)))
			goto fail;
		r->seq = st.seq;
		bc_feed_state_clear(&st);
	}
	json_decref(j);
	r->next = ctx->remotes;
	ctx->remotes = r;
	*out = r->copy;
	return BC_OK;
fail:
	json_decref(j);
	bc_store_close(r->copy);
	if (r->path != NULL) {
		unlink(r->path);
		remove_sidecars(r->path);
	}
	free(r->path);
	free(r->url);
	free(r);
	return rc;
}

static struct remote *
find(struct cmd_ctx *ctx, bc_store *s, struct remote ***link)
{
	struct remote **p;

	for (p = (struct remote **)&ctx->remotes; *p != NULL;
	    p = &(*p)->next)
		if ((*p)->copy == s) {
			if (link != NULL)
				*link = p;
			return *p;
		}
	return NULL;
}

int
remote_push(struct cmd_ctx *ctx, bc_store *s, const char *as_site,
    struct bc_err *err)
{
	struct remote *r;
	struct buf b;
	FILE *f;
	char *doc = NULL;
	size_t len = 0, count = 0;
	long long last;
	long code;
	int rc;

	if ((r = find(ctx, s, NULL)) == NULL)
		return BC_OK;
	if ((f = open_memstream(&doc, &len)) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	rc = bc_feed_write_changes_as(s, f, as_site, r->seq, 0, &last, &count,
	    err);
	fclose(f);
	if (rc == BC_OK && count > 0 && (rc = request(ctx, r->url,
	    "/v1/changes?force=1", doc, len, &b, &code, err)) == BC_OK) {
		if (code != 200)
			rc = refused(r->url, "push", code, &b, err);
		else
			free(b.p);
	}
	free(doc);
	if (rc == BC_OK)
		r->seq = last;
	return rc;
}

void
remote_close(struct cmd_ctx *ctx, bc_store *s)
{
	struct remote *r, **link;

	if (s == NULL)
		return;
	if ((r = find(ctx, s, &link)) == NULL) {
		bc_store_close(s);
		return;
	}
	*link = r->next;
	bc_store_close(r->copy);
	unlink(r->path);
	remove_sidecars(r->path);
	free(r->path);
	free(r->url);
	free(r);
}

int
remote_push_pair(struct cmd_ctx *ctx, bc_store *a, bc_store *b,
    struct bc_err *err)
{
	char *na = NULL, *nb = NULL;
	int rc;

	if (find(ctx, a, NULL) == NULL && find(ctx, b, NULL) == NULL)
		return BC_OK;
	if ((rc = bc_site_name(a, &na, err)) == BC_OK &&
	    (rc = bc_site_name(b, &nb, err)) == BC_OK &&
	    (rc = remote_push(ctx, b, na, err)) == BC_OK)
		rc = remote_push(ctx, a, nb, err);
	free(na);
	free(nb);
	return rc;
}
