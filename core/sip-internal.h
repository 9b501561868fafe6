/*
 * sip-internal.h -- what the files of the SIP engine share
 * (sip-registrar.c, sip-proxy.c, sip-auth.c): the server handle, the
 * in-memory directory of DNs with their bindings, and helpers.  Not for
 * programs: they use bc-sip.h.
 */
#ifndef BC_SIP_INTERNAL_H
#define BC_SIP_INTERNAL_H

#include "bc-sip.h"
#include "sip-msg.h"

#define SIP_SECRET_LEN	32
#define SIP_INV_SLOTS	4096	/* forwarded INVITEs remembered for CANCEL */
#define SIP_INV_TTL	32	/* seconds: 64 * T1 */

/*
 * Nonce counts seen (replay protection of digest with qop=auth): a
 * fixed table of SIP_NC_SETS sets of SIP_NC_WAYS nonces.  Each nonce
 * keeps its highest nc and a window of the SIP_NC_WINDOW below it, so
 * requests that overtake each other still pass once.  A set that must
 * evict a nonce still alive raises its floor to that nonce's time: a
 * nonce of that time or older that the set does not hold is refused as
 * stale, so eviction never lets a replay through.
 */
#define SIP_NC_SETS	8192
#define SIP_NC_WAYS	8
#define SIP_NC_WINDOW	64
struct sip_nc {
	unsigned char		 mac[16];	/* the nonce's MAC */
	long long		 t;		/* its time; 0: free */
	unsigned long		 max;		/* highest nc seen */
	unsigned long long	 seen;		/* bit i: max - i seen */
};
struct sip_nc_set {
	struct sip_nc		 e[SIP_NC_WAYS];
	long long		 floor;
};

/* Parallel forking (sip-fork.c). */
#define SIP_FORK_SLOTS		512	/* forked INVITEs at a time */
#define SIP_FORK_MAX		8	/* contacts an INVITE goes to */
#define SIP_FORK_TIMER_C	180	/* seconds for a final response */
struct sip_branch {
	struct bc_sip_peer	 to;
	char			*inv;		/* the INVITE as sent */
	size_t			 invlen;
	int			 state;
	int			 heard;		/* it sent a response */
	int			 final;		/* a final one */
	int			 cancel;	/* at its first provisional */
	int			 cancelled;	/* CANCEL sent */
	long long		 at;		/* last sent */
};
struct sip_fork {
	char			 key[64];	/* our branch, without ".N" */
	long long		 at;
	struct bc_sip_peer	 from;		/* the caller */
	char			*req;		/* its INVITE as received */
	size_t			 reqlen;
	struct sip_branch	 b[SIP_FORK_MAX];
	size_t			 nb;
	int			 answered;	/* a 2xx went up */
	int			 caller_cancel;	/* the caller CANCELled */
	int			 done;		/* a final response went up */
	long long		 done_at;
	int			 best;		/* best failure code so far */
	char			*best_msg;	/* it, ready to go up */
	size_t			 best_len;
	struct bc_sip_peer	 best_to;
};

/* One number of the store, as the SIP core routes it. */
struct sip_dn {
	char			*number;
	int			 known;		/* some DN has this number */
	int			 ext;		/* registrable extension */
	char			*password;	/* its digest password */
	char			*cpp_contact;	/* enabled call-processing port */
	struct bc_binding	*b;		/* bindings (number unset) */
	size_t			 nb;
	int			 dirty;		/* bindings to write */
	struct sip_dn		*next;		/* hash chain */
	struct sip_dn		*dirty_next;
};

/* A forwarded INVITE: where its CANCEL (and ACK of a failure) goes. */
struct sip_inv {
	char			 branch[64];
	char			 ruri[512];
	struct bc_sip_peer	 to;
	long long		 at;
};

struct bc_sip_server {
	bc_store		*store;
	struct bc_sip_conf	 conf;
	char			*realm;
	unsigned char		 secret[SIP_SECRET_LEN];
	struct sip_dn		**tab;
	size_t			 tabsize;
	size_t			 count;
	struct sip_dn		*dirty;
	long long		 data_version;
	long long		 last_expire;
	int			 deferred;	/* writes go to batches */
	long long		 expire_pending;	/* for the next batch */
	struct sip_inv		*inv;		/* SIP_INV_SLOTS */
	struct sip_nc_set	*nc;		/* SIP_NC_SETS */
	struct sip_fork		**forks;	/* SIP_FORK_SLOTS, lazily */
	size_t			 fork_cursor;
	unsigned		 nonce_serial;	/* no two nonces alike */
	struct bc_sip_stats	 stats;
	struct sip_dr		*dr;	/* business continuity, NULL: off */
};

/* ---- directory and registrar (sip-registrar.c) ---- */
struct sip_dn	*sip_dn_find(bc_sip_server *, const char *number);
/* The binding calls go to: highest q, then the latest REGISTER. */
const struct bc_binding *sip_dn_best(const struct sip_dn *, long long now);
int		 sip_register(bc_sip_server *, bc_sipmsg *,
		    const struct bc_sip_peer *, long long now,
		    struct bc_sip_out *);

/* ---- proxy helpers (sip-proxy.c) ---- */
/* Sends a response built from req to where req came from. */
int		 sip_reply(bc_sip_server *, const bc_sipmsg *req,
		    const struct bc_sip_peer *, int code, const char *reason,
		    const char *const *headers, struct bc_sip_out *);
/* Appends a message to out; the message is serialized. */
int		 sip_out_add(struct bc_sip_out *, bc_sipmsg *,
		    const struct bc_sip_peer *);

/* What sip-fork.c uses of the proxy. */
int		 sip_uri_target(const struct bc_sipuri *, struct bc_sip_peer *);
/* The listener that sends to host over transport, or -1. */
int		 sip_pick_listener(const bc_sip_server *,
		    enum bc_sip_transport, const char *host);
/* Record-Route for a request from listener in going out of listener out. */
int		 sip_record_route(bc_sip_server *, bc_sipmsg *, int in, int out);
/* Our Via value for a request to *to (its listener set) with branch. */
int		 sip_via_text(const bc_sip_server *, struct bc_sip_peer *to,
		    const char *branch, char *buf, size_t len);
/* Pops our Via of a response and sets where it goes up; 0 or -1. */
int		 sip_relay_up(const bc_sip_server *, bc_sipmsg *,
		    struct bc_sip_peer *to);

/* ---- parallel forking (sip-fork.c) ---- */
#define SIP_FORK_NO	(-1)	/* not forked: go on statelessly */
#define SIP_FORK_DONE	BC_OK
/* Forks INVITE m for d when it has two contacts or more. */
int		 sip_fork_invite(bc_sip_server *, bc_sipmsg *m,
		    const struct bc_sip_peer *, const struct sip_dn *d,
		    const char *key, long long now, struct bc_sip_out *);
struct sip_fork	*sip_fork_find(bc_sip_server *, const char *key,
		    long long now);
/* The caller's CANCEL, ACK or INVITE retransmission of fork f. */
int		 sip_fork_request(bc_sip_server *, struct sip_fork *,
		    bc_sipmsg *, const struct bc_sip_peer *, long long now,
		    struct bc_sip_out *);
/* A response with our Via branch: 1 when a fork took it. */
int		 sip_fork_response(bc_sip_server *, bc_sipmsg *,
		    const char *branch, long long now, struct bc_sip_out *);
void		 sip_forks_free(bc_sip_server *);

/* ---- digest and hashes (sip-auth.c) ---- */
void		 sip_hex(const unsigned char *, size_t, char *);
/* Hex MD5 of strings joined by ':' (NULL ends the list). */
void		 sip_md5_hex(char out[33], ...);
#define SIP_NONCE_LEN	56	/* 16 hex time, 8 hex serial, 32 hex MAC */
void		 sip_nonce_make(bc_sip_server *, long long now,
		    char out[SIP_NONCE_LEN + 1]);
/* 0 fresh, 1 stale (older than nonce_lifetime), -1 not ours. */
int		 sip_nonce_check(const bc_sip_server *, const char *nonce,
		    long long now);
/*
 * Records nonce count nc (8 hex digits; NULL without qop, which makes
 * the nonce single-use) of a fresh nonce whose credentials were right:
 * 0 first use of that count, 1 replay (or not provably unused), -1 nc
 * malformed.
 */
int		 sip_nc_use(bc_sip_server *, const char *nonce, const char *nc,
		    long long now);
/* 0 when the credentials answer the challenge for password. */
int		 sip_digest_check(const struct bc_sipauth *, const char *method,
		    const char *password);
/* A To tag for our own responses, stable for one request. */
void		 sip_to_tag(const bc_sip_server *, const bc_sipmsg *,
		    char out[17]);

#endif /* BC_SIP_INTERNAL_H */
