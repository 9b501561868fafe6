/*
 * bc-sip.h -- the SIP core of sipbc in the library: SIP registrations in
 * the store (bc_reg_*), the [sip] section of bc.conf, and the engine of
 * bcsipd (bc_sip_server_*), a registrar and stateless proxy that routes by
 * what the store says.
 *
 * The engine does no I/O: it takes one received message with the address
 * it came from and returns the messages to send, each with its
 * destination.  sipd/ owns the sockets, the clock and the event loop.
 * Like the rest of the library it never exits, never logs and keeps no
 * global state of its own; the one process-wide thing is libosip2's
 * parser table, which the program sets up once with bc_sip_library_init()
 * before any message is parsed.
 */
#ifndef BC_SIP_H
#define BC_SIP_H

#include <stddef.h>

#include "bc.h"

/* ---- bindings in the store (reg.c) --------------------------------- */

struct bc_binding {
	char		*number;	/* extension DN number */
	char		*contact;	/* Contact URI, as registered */
	long long	 expires_at;	/* Unix time */
	char		*call_id;
	unsigned long	 cseq;
	int		 q;		/* q-value times 1000, 0..1000 */
	char		*received;	/* "udp:ADDRESS:PORT" it came from */
	char		*user_agent;
	long long	 updated_at;	/* Unix time of the last REGISTER */
};

void	bc_binding_clear(struct bc_binding *);

/*
 * Calls cb for each binding of number (NULL: every number) whose expiry
 * is after now (now 0: every binding), in (number, contact) order.  A
 * non-zero return from cb stops the walk and is returned.
 */
typedef int (*bc_binding_cb)(const struct bc_binding *, void *);
int	bc_reg_foreach(bc_store *, const char *number, long long now,
	    bc_binding_cb, void *, struct bc_err *);
/*
 * Replaces every binding of number by the n given ones (n 0: removes
 * them).  Wrap many calls in bc_tx_begin()/bc_tx_commit() to batch them.
 */
int	bc_reg_replace(bc_store *, const char *number,
	    const struct bc_binding *, size_t n, struct bc_err *);
/*
 * Prepares the connection for frequent binding writes: synchronous=NORMAL
 * (in WAL mode a power loss may lose the last batches, never corrupts the
 * store; bindings are re-sent by phones anyway).
 */
int	bc_reg_writer(bc_store *, struct bc_err *);
/* Removes bindings that expired at or before now; *count gets how many. */
int	bc_reg_expire(bc_store *, long long now, size_t *count,
	    struct bc_err *);

/* ---- [sip] in bc.conf (conf.c) -------------------------------------- */

enum bc_sip_transport {
	BC_SIP_UDP,
	BC_SIP_TCP
};

#define BC_SIP_HOST_MAX		256	/* host text, with NUL */
#define BC_SIP_LISTEN_MAX	8

struct bc_sip_listen {
	enum bc_sip_transport	transport;
	char			host[64];	/* numeric, no brackets */
	unsigned short		port;
};

struct bc_sip_conf {
	struct bc_sip_listen	 listen[BC_SIP_LISTEN_MAX];
	size_t			 nlisten;
	char			*realm;		/* NULL: the site name */
	int			 min_expires;	/* seconds */
	int			 max_expires;
	int			 default_expires;
	int			 max_contacts;	/* per DN */
	int			 nonce_lifetime;	/* seconds */
	char			*nonce_secret_file;	/* NULL: random */
	int			 flush_interval;	/* ms between writes */
	/* [TServer]: business continuity (bc-sip-dr.h); no pointers, so
	 * that the engine's copy of the struct owns nothing */
	char			 dr_peer_trunk[64];	/* "": single site */
	int			 dr_forward;	/* enum bc_dr_forward */
	int			 shutdown_reject_code;	/* 300..603 */
};

/* TServer/dr-forward: when a call for an extension goes to the peer. */
enum bc_dr_forward {
	BC_DR_OFF,		/* never: deliver here */
	BC_DR_NO_AGENT,		/* no agent logged in on it here */
	BC_DR_OOS		/* its endpoint is not registered here */
};
const char *bc_dr_forward_name(int);
int	bc_dr_forward_parse(const char *, int *);

void	bc_sip_conf_init(struct bc_sip_conf *);
/*
 * Reads the [sip] section of bc.conf (the file must pass bc_conf_load
 * too).  Without a listen key the default is udp:127.0.0.1:5060.
 */
int	bc_sip_conf_load(struct bc_sip_conf *, const char *path,
	    struct bc_err *);
/* Parses "udp:127.0.0.1:5060, tcp:[::1]:5060" into conf->listen. */
int	bc_sip_listen_parse(struct bc_sip_conf *, const char *,
	    struct bc_err *);
void	bc_sip_conf_clear(struct bc_sip_conf *);
const char *bc_sip_transport_name(enum bc_sip_transport);

/* ---- the engine (sip-registrar.c, sip-proxy.c) ---------------------- */

/* Where a message came from or goes to. */
struct bc_sip_peer {
	enum bc_sip_transport	transport;
	char			host[BC_SIP_HOST_MAX];	/* no brackets */
	unsigned short		port;
	int			listener;	/* index in conf->listen */
};

/* Messages to send, in order.  The caller frees with bc_sip_out_clear. */
#define BC_SIP_OUT_MAX	16
struct bc_sip_send {
	struct bc_sip_peer	 to;
	char			*buf;
	size_t			 len;
};
struct bc_sip_out {
	struct bc_sip_send	 v[BC_SIP_OUT_MAX];
	size_t			 n;
};
void	bc_sip_out_clear(struct bc_sip_out *);

/* What the engine did, for the daemon's counters and debug log. */
struct bc_sip_stats {
	unsigned long	received;
	unsigned long	dropped;	/* malformed, no response possible */
	unsigned long	bad;		/* answered 400 */
	unsigned long	registers;
	unsigned long	forwarded;	/* requests */
	unsigned long	responses;	/* responses relayed */
	unsigned long	flushes;	/* store write batches */
	unsigned long	reloads;	/* directory reloads */
	unsigned long	replays;	/* digest nonce counts used again */
	unsigned long	forks;		/* INVITEs forked to several contacts */
};

typedef struct bc_sip_server bc_sip_server;

/* Sets up libosip2's parser tables; call once per process, first. */
void	bc_sip_library_init(void);

/*
 * Creates the engine on an open store: reads every DN and the unexpired
 * bindings.  conf is copied.  secret (len bytes) keys the nonces; NULL
 * means random from /dev/urandom.  Free with bc_sip_server_free(), which
 * writes pending bindings first (bc_sip_server_flush()).
 */
int	bc_sip_server_create(bc_sip_server **, bc_store *,
	    const struct bc_sip_conf *, const char *site,
	    const unsigned char *secret, size_t secretlen, long long now,
	    struct bc_err *);
void	bc_sip_server_free(bc_sip_server *);
/*
 * Handles one message (raw bytes from a datagram or one framed TCP
 * message) received from peer at time now (Unix seconds; ms is the
 * millisecond part, used for nothing but ordering).  Appends what to send
 * to out.  Malformed input gets 400 when a response is possible and is
 * dropped otherwise; the return is BC_OK unless the store failed.
 */
int	bc_sip_server_input(bc_sip_server *, const char *buf, size_t len,
	    const struct bc_sip_peer *, long long now, struct bc_sip_out *,
	    struct bc_err *);
/*
 * Housekeeping, every flush_interval ms: drops expired bindings, writes
 * changed bindings in one transaction, and re-reads the DNs when the
 * store changed (data_version) or when force is set (SIGHUP).
 */
int	bc_sip_server_tick(bc_sip_server *, long long now, int force,
	    struct bc_err *);
int	bc_sip_server_flush(bc_sip_server *, struct bc_err *);
/*
 * Timers of forked INVITEs (call it every flush_interval or more often):
 * resends INVITEs over UDP to contacts that said nothing, gives up on
 * silent ones, CANCELs late ones; appends what to send to out.
 */
int	bc_sip_server_timers(bc_sip_server *, long long now,
	    struct bc_sip_out *, struct bc_err *);
/*
 * Writing bindings off the event loop.  After bc_sip_server_defer_writes()
 * the engine never writes the store itself: tick keeps expiring and
 * reloading in memory but leaves data_version alone (the caller watches
 * the store and passes force when it changed), and the pending writes are
 * taken as batches with bc_sip_server_take_batch() (NULL when there is
 * nothing to write), to be written with bc_sip_batch_write() on another
 * connection, from a writer thread for instance.  A batch belongs to no
 * engine: it may be written and freed on any thread.  Batches must be
 * written in the order they were taken.
 */
typedef struct bc_sip_batch bc_sip_batch;
void	bc_sip_server_defer_writes(bc_sip_server *);
int	bc_sip_server_take_batch(bc_sip_server *, bc_sip_batch **,
	    struct bc_err *);
/* One transaction: the numbers' bindings, then the expiry of old rows. */
int	bc_sip_batch_write(bc_store *, const bc_sip_batch *, struct bc_err *);
size_t	bc_sip_batch_count(const bc_sip_batch *);	/* numbers in it */
void	bc_sip_batch_free(bc_sip_batch *);
/*
 * Takes a new [sip] configuration (SIGHUP): listen addresses (the
 * daemon's listeners must follow the new order), realm, expiry limits,
 * max_contacts, nonce_lifetime, flush_interval.  The nonce secret stays.
 * On error nothing changes.
 */
int	bc_sip_server_reconf(bc_sip_server *, const struct bc_sip_conf *,
	    const char *site, struct bc_err *);
const struct bc_sip_stats *bc_sip_server_stats(const bc_sip_server *);

#endif /* BC_SIP_H */
