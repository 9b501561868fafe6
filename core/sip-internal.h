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
