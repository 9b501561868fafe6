/*
 * sip-dr.h -- what the business-continuity files of the SIP engine
 * share (sip-peer.c: the peer, heartbeats, tick and shutdown; sip-route.c:
 * routing decisions and calls in progress), and the hooks sip-proxy.c
 * calls.  Every hook does nothing when srv->dr is NULL.
 */
#ifndef BC_SIP_DR_INTERNAL_H
#define BC_SIP_DR_INTERNAL_H

#include "bc-sip-dr.h"
#include "sip-internal.h"

#define SIP_CALL_BUCKETS	1024
#define SIP_CALL_EARLY_TTL	180	/* s without a final response */
#define SIP_CALL_TTL		(4 * 3600)	/* s of an answered call */
#define SIP_DR_RETRY_AFTER	"30"	/* s, ACD queue without an agent */
#define SIP_DR_PARAM		"bc-dr"	/* Request-URI mark of a redirect */
#define SIP_PEER_BRANCH		"z9hG4bK-bcpeer-"

/* A call in progress through this site: an INVITE we forwarded. */
struct sip_call {
	char			 callid[256];
	char			 agent[64];	/* login code, "" none */
	char			 agent_dn[64];	/* its extension */
	char			 fork[64];	/* forked: sip-fork.c's key */
	int			 confirmed;	/* 2xx seen */
	long long		 at;		/* s: INVITE, then 2xx */
	struct sip_call		*next;
};

struct sip_dr {
	/* the peer trunk, re-read every second */
	char			 trunk[64];
	char			 contact[256];	/* its SIP URI */
	struct bc_sipuri	 peer;		/* contact taken apart */
	int			 have_peer;	/* trunk found, usable */
	int			 oos_check;	/* s between probes, 0: none */
	int			 oos_force;	/* s of silence: out of service */
	char			 why[400];	/* the peer or why none */
	enum bc_peer_state	 state;
	int			 stored_state;	/* -1: not written yet */
	char			 stored_why[400];
	int			 answered;	/* a probe answered since */
	long long		 last_answer;	/* ms */
	long long		 next_probe;	/* ms */
	long long		 next_conf;	/* ms */
	unsigned long		 probe_seq;
	unsigned		 tag;		/* From tag, Call-ID of probes */
	/* graceful shutdown */
	int			 shutdown;
	long long		 next_logout;	/* ms */
	/* calls in progress */
	struct sip_call		*calls[SIP_CALL_BUCKETS];
	size_t			 ncalls;
	/* the agent sip_dr_route chose for the INVITE in hand */
	char			 pending_agent[64];
	char			 pending_dn[64];
	/* the last store error of a hook, for the next tick to report */
	char			 warn[BC_ERR_MAX];
};

/* Hook results of sip_dr_route(). */
#define SIP_DR_ON	0	/* route as usual (ruri may have changed) */
#define SIP_DR_DONE	1	/* answered */

/* sip-route.c */
/*
 * An out-of-dialog INVITE for a number of ours (ruri->user): answers it
 * (302 to the peer, 480, the shutdown code), or lets it through, maybe
 * with ruri->user changed to the extension of the agent chosen for an
 * ACD queue.
 */
int	sip_dr_route(bc_sip_server *, bc_sipmsg *, const struct bc_sip_peer *,
	    struct bc_sipuri *ruri, long long now, struct bc_sip_out *);
/* After the INVITE went out (forwarded 1) or was answered (0). */
void	sip_dr_forwarded(bc_sip_server *, const bc_sipmsg *, int forwarded,
	    long long now);
/*
 * After sip-fork.c took the INVITE (key: its fork).  Failure responses
 * of one branch then do not end the call: the tick ends it when the
 * fork failed as a whole.
 */
void	sip_dr_forked(bc_sip_server *, const bc_sipmsg *, const char *key,
	    long long now);
/* A BYE seen: its call ends. */
void	sip_dr_bye(bc_sip_server *, const bc_sipmsg *, long long now);
/*
 * A response received: 1 when it answers one of our heartbeats (then it
 * goes no further), else 0 after noting what it means for its call.
 */
int	sip_dr_response(bc_sip_server *, const bc_sipmsg *, long long now);
/* Ends calls past their timeouts (all of them: force). */
void	sip_dr_calls_expire(bc_sip_server *, long long now, int force);
void	sip_dr_calls_free(struct sip_dr *);

/* sip-peer.c */
/* The peer may take redirected calls: configured and answering. */
int	sip_dr_peer_usable(const bc_sip_server *);
/* Contact value "<sip:NUMBER@PEER;bc-dr>" of a redirect to the peer. */
int	sip_dr_peer_contact(const bc_sip_server *, const char *number,
	    char *buf, size_t len);
/* The request came from the peer, or was redirected by it. */
int	sip_dr_from_peer(const bc_sip_server *, const bc_sipmsg *,
	    const struct bc_sip_peer *);

#endif /* BC_SIP_DR_INTERNAL_H */
