/*
 * bc-sip-dr.h -- business continuity in the SIP engine: the peer site
 * (OPTIONS heartbeats through the Trunk DN named by TServer/dr-peer-trunk),
 * routing by agent state (dr-forward, ACD queues to the longest-idle
 * agent), calls in progress, and the graceful shutdown.
 *
 * The daemon attaches it to an engine after bc_sip_server_create() and
 * calls bc_sip_dr_tick() a few times a second; without it the engine
 * routes as before.  Like the rest of the library it does no I/O of its
 * own and never logs: the tick returns the messages to send and what
 * changed, for the daemon to send and log.
 */
#ifndef BC_SIP_DR_H
#define BC_SIP_DR_H

#include "bc-sip.h"

/* The peer site as the heartbeats see it. */
enum bc_peer_state {
	BC_PEER_NONE,		/* no dr-peer-trunk: single-site mode */
	BC_PEER_UNKNOWN,	/* no answer yet, oos-force not reached */
	BC_PEER_IN_SERVICE,
	BC_PEER_OOS		/* silent for oos-force seconds */
};
const char *bc_peer_state_name(enum bc_peer_state);

/* What a tick saw, for the daemon's log. */
struct bc_sip_dr_event {
	int		 peer_changed;	/* peer_state is new */
	int		 peer_state;	/* enum bc_peer_state */
	char		 peer[400];	/* "trunk NUMBER (URI)" or why none */
	int		 shutdown_started;	/* asked through the store */
	int		 done;		/* shutdown: no call remains */
	size_t		 calls;		/* calls in progress */
	size_t		 agents;	/* shutdown: agents left logged in */
	char		 warn[BC_ERR_MAX];	/* a store write that failed */
};

/*
 * Attaches business continuity to srv: notes in the store that the
 * daemon runs and forgets an old shutdown request; every agent's call
 * count goes back to 0 (calls do not survive a restart).  now_ms is the
 * clock of bc_sip_dr_tick().  Detach before bc_sip_server_free().
 */
int	bc_sip_dr_attach(bc_sip_server *, long long now_ms, struct bc_err *);
void	bc_sip_dr_detach(bc_sip_server *);
/*
 * Every 100 to 200 ms: re-reads the peer trunk and the shutdown request
 * (once a second), sends heartbeats, moves the peer's state, ends calls
 * that outlived their timeouts and, during a shutdown, logs out agents
 * without a call.  Appends what to send to out and fills ev.
 */
int	bc_sip_dr_tick(bc_sip_server *, long long now_ms, struct bc_sip_out *,
	    struct bc_sip_dr_event *, struct bc_err *);
/*
 * Starts the graceful shutdown (SIGUSR1, or 'bcadm sip shutdown
 * --graceful' through the store): new calls are refused with
 * TServer/shutdown-sip-reject-code, agents log out as they become idle.
 */
int	bc_sip_dr_shutdown(bc_sip_server *, long long now_ms, struct bc_err *);
int	bc_sip_dr_shutting_down(const bc_sip_server *);
size_t	bc_sip_dr_calls(const bc_sip_server *);

#endif /* BC_SIP_DR_H */
