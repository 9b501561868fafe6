/*
 * watch.c -- sees every commit to the store, whoever makes it: inotify
 * on the store's directory (a commit writes the -wal file), confirmed by
 * PRAGMA data_version.  Changes written around the library (the sqlite3
 * shell) are recorded into the feed here; then the long polls waiting
 * in server.c are woken with the new position.  A slow periodic pass
 * stores what the peer acknowledged (the server only notes it) and
 * purges the tombstones the peer no longer needs.
 */
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "bc-feed.h"
#include "bcsync.h"
#include "daemon.h"

#define WATCH_TICK_MS	250	/* without events: look anyway */
#define PURGE_EVERY_MS	1000
#define ACK_EVERY_MS	5000	/* the peer's acknowledgements stored */
#define SETTLE_MS	2	/* after an event that showed nothing new, */
#define SETTLE_TRIES	250	/* for up to 0.5 s (a commit fsyncs the WAL
				   between the two) */

void
watch_wake(struct bcsync *b)
{
	pthread_mutex_lock(&b->lock);
	pthread_cond_broadcast(&b->changed);
	pthread_mutex_unlock(&b->lock);
}

long long
watch_wait(struct bcsync *b, long long after, long long ms)
{
	struct timespec until;
	long long seq;

	if (ms < 0)
		ms = 0;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&b->lock);
	while (b->seq <= after && !b->stop)
		if (pthread_cond_timedwait(&b->changed, &b->lock, &until) ==
		    ETIMEDOUT)
			break;
	seq = b->seq;
	pthread_mutex_unlock(&b->lock);
	return seq;
}

/* Records pending changes, reads the position, wakes waiters. */
static int
look(struct bcsync *b, bc_store *s)
{
	struct bc_feed_state st;
	struct bc_err err;

	if (bc_feed_catch_up(s, &err) != BC_OK) {
		log_warnx("%s", err.msg);
		return -1;
	}
	if (bc_feed_state_get(s, NULL, &st, &err) != BC_OK) {
		log_warnx("%s", err.msg);
		return -1;
	}
	pthread_mutex_lock(&b->lock);
	if (st.seq != b->seq) {
		b->seq = st.seq;
		pthread_cond_broadcast(&b->changed);
	}
	pthread_mutex_unlock(&b->lock);
	bc_feed_state_clear(&st);
	return 0;
}

/*
 * Stores the peer's acknowledgement the server took (when store_ack and
 * one is pending), then purges what the peer no longer needs.
 */
static void
purge(struct bcsync *b, bc_store *s, int store_ack)
{
	struct bc_err err;
	char *peer;
	long long retain, acked = -1;
	size_t n;

	pthread_mutex_lock(&b->lock);
	peer = b->conf.peer_name != NULL ? strdup(b->conf.peer_name) : NULL;
	retain = b->conf.sync_retain;
	if (store_ack && b->stats.ack_pending) {
		acked = b->stats.acked;
		b->stats.ack_pending = 0;
	}
	pthread_mutex_unlock(&b->lock);
	if (peer == NULL)
		return;
	if (bc_feed_ack(s, peer, acked, retain, &n, &err) != BC_OK) {
		log_warnx("%s: %s", acked >= 0 ? "acknowledgement" : "purge",
		    err.msg);
		if (acked >= 0) {
			pthread_mutex_lock(&b->lock);
			b->stats.ack_pending = 1;	/* next time */
			pthread_mutex_unlock(&b->lock);
		}
	} else if (n > 0)
		log_debug("purged %zu tombstones", n);
	free(peer);
}

void *
watch_main(void *arg)
{
	struct bcsync *b = arg;
	struct bc_err err;
	struct pollfd pfd;
	bc_store *s = NULL;
	char buf[4096], *dir = NULL, *copy = NULL;
	long long dv, last_dv = -1, last_purge = 0, last_ack = 0;
	int fd = -1, woken = 0, settle = SETTLE_TRIES, ack;

	if (bc_store_open(&s, b->store, BC_OPEN_NO_CHECKPOINT,
	    b->conf.busy_timeout, &err) != BC_OK) {
		log_warnx("watch: %s", err.msg);
		goto out;
	}
	if ((copy = strdup(b->store)) == NULL)
		goto out;
	dir = dirname(copy);
	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(fd, dir, IN_MODIFY | IN_CLOSE_WRITE |
	    IN_CREATE | IN_MOVED_TO) == -1) {
		/* still correct, only slower */
		log_warn("inotify on %s: watching every %d ms", dir,
		    WATCH_TICK_MS);
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	while (!b->stop) {
		if (bc_store_data_version(s, &dv, &err) != BC_OK)
			log_warnx("watch: %s", err.msg);
		else if (dv != last_dv && look(b, s) == 0) {
			last_dv = dv;
			settle = SETTLE_TRIES;
		} else if (woken)
			settle = 0;	/* the WAL moved, the commit not yet */
		else if (settle < SETTLE_TRIES)
			settle++;
		if (daemon_mono_ms() - last_purge >= PURGE_EVERY_MS) {
			ack = daemon_mono_ms() - last_ack >= ACK_EVERY_MS;
			purge(b, s, ack);
			last_purge = daemon_mono_ms();
			if (ack)
				last_ack = last_purge;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		/*
		 * A commit writes its frames to the -wal file (the event)
		 * before it publishes them in the -shm index, which is
		 * mapped memory and makes no event: after an event that
		 * showed nothing new, look again soon instead of a tick.
		 */
		woken = poll(&pfd, fd != -1 ? 1 : 0, settle < SETTLE_TRIES ?
		    SETTLE_MS : WATCH_TICK_MS) > 0;
		if (woken)
			while (read(fd, buf, sizeof(buf)) > 0)
				;
	}
	purge(b, s, 1);		/* what the peer acknowledged last */
out:
	if (fd != -1)
		close(fd);
	free(copy);
	bc_store_close(s);
	return NULL;
}
