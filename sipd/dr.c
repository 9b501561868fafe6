/*
 * dr.c -- bcsipd's side of business continuity (core/bc-sip-dr.h): attach
 * it to the engine, tick it from the event loop, send its heartbeats, log
 * what it reports, and start the graceful shutdown on SIGUSR1.
 */
#include <string.h>

#include "bc-sip-dr.h"
#include "log.h"
#include "sipd.h"

int
dr_start(bc_sip_server *srv, long long now_ms)
{
	struct bc_err err;

	if (bc_sip_dr_attach(srv, now_ms, &err) != BC_OK) {
		log_warnx("%s", err.msg);
		return -1;
	}
	return 0;
}

int
dr_step(bc_sip_server *srv, struct net *net, long long now_ms, int usr1)
{
	struct bc_sip_dr_event ev;
	struct bc_sip_out out;
	struct bc_err err;
	int rc;

	if (usr1 && !bc_sip_dr_shutting_down(srv)) {
		if (bc_sip_dr_shutdown(srv, now_ms, &err) != BC_OK)
			log_warnx("%s", err.msg);
		else
			log_info("SIGUSR1: graceful shutdown: refusing new "
			    "calls, %zu in progress", bc_sip_dr_calls(srv));
	}
	memset(&out, 0, sizeof(out));
	rc = bc_sip_dr_tick(srv, now_ms, &out, &ev, &err);
	net_send(net, &out, now_ms / 1000);
	bc_sip_out_clear(&out);
	if (rc != BC_OK) {
		log_warnx("%s", err.msg);
		return 0;
	}
	if (ev.warn[0] != '\0')
		log_warnx("%s", ev.warn);
	if (ev.peer_changed)
		log_info("peer site: %s: %s",
		    bc_peer_state_name((enum bc_peer_state)ev.peer_state),
		    ev.peer);
	if (ev.shutdown_started)
		log_info("graceful shutdown asked through the store: refusing "
		    "new calls, %zu in progress", ev.calls);
	if (ev.done) {
		log_info("graceful shutdown: no call left, exiting");
		return 1;
	}
	return 0;
}

void
dr_stop(bc_sip_server *srv)
{
	bc_sip_dr_detach(srv);
}
