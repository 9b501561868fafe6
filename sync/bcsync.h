/*
 * bcsync.h -- the replication daemon: its shared state and its parts.
 *
 *	main.c		configuration, tokens, signals, daemon plumbing
 *	watch.c		sees commits to the store (inotify), records changes
 *			made around the library, wakes the long polls
 *	server.c	the feed over HTTP(S) (libmicrohttpd): changes,
 *			snapshot, digest, status, metrics
 *	client.c	pulls the peer's feed (libcurl) and applies it
 *	checkpoint.c	copies the WAL into the store file in the background
 */
#ifndef BCSYNC_H
#define BCSYNC_H

#include <pthread.h>
#include <signal.h>

#include "bc.h"

#define BCSYNC_PROTOCOL_HEADER	"X-Bcsync-Protocol"
#define BCSYNC_SITE_HEADER	"X-Bcsync-Site"
#define BCSYNC_SEQ_HEADER	"X-Bcsync-Seq"
#define BCSYNC_TIME_HEADER	"X-Bcsync-Time"	/* the sender's clock, ms */
#define BCSYNC_WAIT_MAX		60	/* seconds a long poll may ask */

/* What the metrics and the status report; under bcsync.lock. */
struct bcsync_stats {
	long long	 sent_seq;	/* last position served to the peer */
	long long	 acked;		/* the peer applied ours up to */
	long long	 acked_at;	/* unix seconds: when acked moved */
	int		 ack_pending;	/* acked is not in the store yet */
	long long	 applied_seq;	/* the peer's, applied here up to */
	long long	 peer_seq;	/* the peer's newest position seen */
	unsigned long	 applied;	/* objects changed here by the peer */
	unsigned long	 conflicts;
	unsigned long	 snapshots;	/* bootstraps */
	unsigned long	 refused;	/* documents refused whole */
	unsigned long	 requests;
	unsigned long	 unauthorized;
	int		 peer_up;
	long long	 peer_seen;	/* unix ms of the last answer */
	long long	 lag_ms;	/* age of the oldest change not applied */
	long long	 skew_ms;	/* peer clock minus ours, last seen */
};

struct bcsync {
	const char		*conf_path;
	char			*store;		/* [site] store, resolved */
	struct bc_conf		 conf;		/* under lock after start */
	char			*token;		/* what the peer presents */
	char			*peer_token;	/* what we present */

	pthread_mutex_t		 lock;
	pthread_cond_t		 changed;	/* seq moved, or stopping */
	long long		 seq;		/* the store's last position */
	struct bcsync_stats	 stats;
	volatile sig_atomic_t	 stop;

	void			*server;	/* struct MHD_Daemon */
};

/* main.c */
int	bcsync_read_token(const char *path, char **token, struct bc_err *);
/* Sleeps ms milliseconds, or less when b->stop is set (seen within 0.1 s). */
void	bcsync_pause(struct bcsync *, long ms);

/* watch.c: runs until b->stop; the first pass records pending changes */
void	*watch_main(void *);
/* Waits until the store's position passes after, or ms pass, or stop. */
long long watch_wait(struct bcsync *, long long after, long long ms);
void	watch_wake(struct bcsync *);

/* server.c */
int	server_start(struct bcsync *, struct bc_err *);
void	server_stop(struct bcsync *);

/* checkpoint.c: runs until b->stop */
void	*checkpoint_main(void *);

/* client.c: runs until b->stop */
void	*client_main(void *);
void	client_global_init(void);

/* the log (shared with bcsipd) */
#include "log.h"

#endif
