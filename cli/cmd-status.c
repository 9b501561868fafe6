/*
 * cmd-status.c -- bcadm status: this site's replication with the peer:
 * the peer's bcsync reachable or not, the lag in changes and seconds,
 * our changes the peer lacks, open conflicts, the last reconcile.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "bc-feed.h"
#include "bc-sync.h"
#include "output.h"
#include "remote.h"

static const struct cmd_opt status_opts[] = {
	{ NULL, NULL, VAL_NONE, 0 }
};

static json_t *
when(long long t)
{
	char buf[32];
	struct tm tm;
	time_t tt = (time_t)t;

	if (t <= 0)
		return json_null();
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static int
cmd_status_exec(struct cmd_ctx *ctx, struct cmd_args *a)
{
	struct bc_feed_state st;
	struct bc_err err;
	const char *peer = ctx->conf.peer_name, *url = ctx->conf.peer_url;
	long long hlc, last_sync = 0, peer_seq = -1, lag;
	char *body = NULL;
	size_t len;
	long code = 0;
	json_t *o, *pj = NULL;
	int up = 0;
	char why[BC_ERR_MAX] = "";

	(void)a;
	if (bc_feed_state_get(ctx->store, peer, &st, &err) != BC_OK)
		return cmd_error(&err);
	if (peer != NULL && bc_sync_position(ctx->store, peer, &hlc,
	    &last_sync, &err) != BC_OK) {
		bc_feed_state_clear(&st);
		return cmd_error(&err);
	}
	if (url != NULL) {
		if (remote_get(ctx, url, "/v1/status", &body, &len, &code,
		    &err) != BC_OK)
			snprintf(why, sizeof(why), "%s", err.msg);
		else if (code != 200)
			snprintf(why, sizeof(why), "HTTP %ld: %.200s", code,
			    body != NULL ? body : "");
		else if ((pj = json_loads(body, 0, NULL)) == NULL)
			snprintf(why, sizeof(why), "not a bcsync status");
		else {
			up = 1;
			peer_seq = json_integer_value(json_object_get(pj,
			    "seq"));
		}
		why[strcspn(why, "\n")] = '\0';
		free(body);
	}
	o = json_object();
	json_object_set_new(o, "site", out_str(st.site));
	json_object_set_new(o, "peer", out_str(peer));
	json_object_set_new(o, "peer_url", out_str(url));
	json_object_set_new(o, "peer_reachable", url != NULL ?
	    json_boolean(up) : json_null());
	if (why[0] != '\0')
		json_object_set_new(o, "peer_error", json_string(why));
	json_object_set_new(o, "position", json_integer(st.seq));
	json_object_set_new(o, "applied_from_peer", json_integer(st.applied));
	json_object_set_new(o, "last_applied", when(st.applied_at));
	lag = up && peer_seq > st.applied ? peer_seq - st.applied : 0;
	json_object_set_new(o, "lag_changes", up ? json_integer(lag) :
	    json_null());
	json_object_set_new(o, "lag_seconds", !up ? json_null() :
	    json_integer(lag == 0 || st.applied_at == 0 ? 0 :
	    (json_int_t)time(NULL) - st.applied_at));
	json_object_set_new(o, "pending_to_peer", json_integer(st.pending));
	json_object_set_new(o, "conflicts_open", json_integer(st.conflicts));
	json_object_set_new(o, "last_reconcile", last_sync > 0 ?
	    when(bc_hlc_millis(last_sync) / 1000) : json_null());
	json_decref(pj);
	bc_feed_state_clear(&st);
	out_show(ctx, o);
	/* a health check: 1 when the peer cannot be reached */
	return url != NULL && !up ? EXIT_DIFFER : 0;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status", .args = "", .min_args = 0, .max_args = 0,
	.opts = status_opts, .flags = CMD_STORE, .exec = cmd_status_exec,
	.summary = "Show the replication with the peer site: reachable, lag, "
	    "pending changes, open conflicts, last reconcile; exit 1 when "
	    "the peer's bcsync cannot be reached.",
};
