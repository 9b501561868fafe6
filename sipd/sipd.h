/*
 * sipd.h -- what bcsipd's files share: the transport sockets (net.c) and
 * the log (log.h).  The SIP logic is in the library (core/bc-sip.h).
 */
#ifndef SIPD_H
#define SIPD_H

#include <sys/socket.h>

#include <poll.h>

#include "bc-sip.h"

#define SIPD_TCP_MAX	1024	/* open TCP connections */
#define SIPD_TCP_IDLE	300	/* seconds before an idle connection closes */

struct net;

/*
 * Opens every listener of conf (UDP sockets, TCP listening sockets).
 * NULL after logging on failure.
 */
struct net	*net_open(const struct bc_sip_conf *);
void		 net_close(struct net *);
/*
 * Makes the listeners those of conf, in its order (SIGHUP): unchanged
 * ones keep their socket, new ones are opened, dropped ones close with
 * their TCP connections.  -1 after logging when one cannot be opened;
 * then nothing changed.
 */
int		 net_reopen(struct net *, const struct bc_sip_conf *);
/* Fills pfd (room for n) with what to wait for; returns the count. */
size_t		 net_pollfds(struct net *, struct pollfd *, size_t n);
/*
 * Handles the ready descriptors of pfd: reads messages and hands each to
 * the engine, sends what it returns.  Store errors are logged.
 */
void		 net_dispatch(struct net *, bc_sip_server *, struct pollfd *,
		    size_t n, long long now);
/* Runs the engine's timers (forked INVITEs) and sends what they return. */
void		 net_timers(struct net *, bc_sip_server *, long long now);
/* Closes TCP connections idle for SIPD_TCP_IDLE seconds. */
void		 net_idle(struct net *, long long now);
size_t		 net_max_fds(void);
/* Sends what an engine call returned outside net_dispatch (heartbeats). */
void		 net_send(struct net *, struct bc_sip_out *, long long now);

/* Business continuity (dr.c): attach to the engine; -1 after logging. */
int		 dr_start(bc_sip_server *, long long now_ms);
/*
 * Ticks it and sends its heartbeats; usr1 starts the graceful shutdown.
 * 1 when the shutdown is done: the daemon exits.
 */
int		 dr_step(bc_sip_server *, struct net *, long long now_ms,
		    int usr1);
void		 dr_stop(bc_sip_server *);

/* The store writer thread (writer.c); NULL after logging on failure. */
struct writer;
struct writer	*writer_start(const char *store, int busy_timeout,
		    int interval_ms);
/* Queues a batch (taken over; NULL is nothing) for writing. */
void		 writer_push(struct writer *, bc_sip_batch *);
/* 1 once after another program committed to the store. */
int		 writer_changed(struct writer *);
void		 writer_set_interval(struct writer *, int interval_ms);
/* Writes what is queued, stops the thread, closes its connection. */
void		 writer_stop(struct writer *);

#endif
