/*
 * writer.c -- bcsipd's store writer: a thread with its own connection to
 * the store that writes the engine's binding batches, so that the event
 * loop never waits for SQLite (a commit, a WAL checkpoint, a lock held
 * by bcadm).  It also watches the store for commits of other programs
 * (PRAGMA data_version on its connection: its own commits leave it
 * alone, and the event loop's connection only reads) and tells the event
 * loop, which re-reads the DNs.
 *
 * The queue is FIFO: batches are written in the order they were taken.
 * A batch that fails stays at the head and is tried again at the next
 * wake-up; past WRITER_QUEUE_MAX batches waiting the oldest are dropped
 * (with a log line: the phones register again anyway).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sipd.h"

#define WRITER_QUEUE_MAX	1024

struct writer {
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	bc_store	*store;
	bc_sip_batch	*q[WRITER_QUEUE_MAX];
	size_t		 head, n;
	int		 stop;
	int		 changed;	/* the store changed: reload */
	int		 interval_ms;
	long long	 data_version;
	unsigned long	 written, failed, dropped;
};

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	struct bc_err err;
	struct timespec ts;
	bc_sip_batch *b;
	long long v;
	int stop, logged = 0, retry = 0;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		if ((w->n == 0 || retry) && !w->stop) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += (long)w->interval_ms * 1000000L;
			ts.tv_sec += ts.tv_nsec / 1000000000L;
			ts.tv_nsec %= 1000000000L;
			pthread_cond_timedwait(&w->cv, &w->mu, &ts);
		}
		stop = w->stop;
		retry = 0;
		/* write what is queued, oldest first, without the lock */
		while (w->n > 0) {
			b = w->q[w->head];
			pthread_mutex_unlock(&w->mu);
			if (bc_sip_batch_write(w->store, b, &err) != BC_OK) {
				if (!logged)
					log_warnx("writing bindings: %s",
					    err.msg);
				logged = 1;
				pthread_mutex_lock(&w->mu);
				w->failed++;
				retry = 1;
				break;	/* again at the next wake-up */
			}
			logged = 0;
			bc_sip_batch_free(b);
			pthread_mutex_lock(&w->mu);
			w->head = (w->head + 1) % WRITER_QUEUE_MAX;
			w->n--;
			w->written++;
		}
		if (stop && (w->n == 0 || w->failed > 0))
			break;
		pthread_mutex_unlock(&w->mu);
		if (bc_store_data_version(w->store, &v, &err) == BC_OK &&
		    v != w->data_version) {
			pthread_mutex_lock(&w->mu);
			w->data_version = v;
			w->changed = 1;
		} else
			pthread_mutex_lock(&w->mu);
		if (stop)
			break;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct writer *
writer_start(const char *path, int busy_timeout, int interval_ms)
{
	struct writer *w;
	struct bc_err err;
	sigset_t all, old;
	int e;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_warn("writer");
		return NULL;
	}
	w->interval_ms = interval_ms;
	if (bc_store_open(&w->store, path, 0, busy_timeout, &err) != BC_OK ||
	    bc_reg_writer(w->store, &err) != BC_OK ||
	    bc_store_data_version(w->store, &w->data_version, &err) !=
	    BC_OK) {
		log_warnx("writer: %s", err.msg);
		bc_store_close(w->store);
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/* signals go to the event loop, never to this thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		errno = e;
		log_warn("writer thread");
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		bc_store_close(w->store);
		free(w);
		return NULL;
	}
	return w;
}

void
writer_push(struct writer *w, bc_sip_batch *b)
{
	bc_sip_batch *old = NULL;

	if (b == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	if (w->n == WRITER_QUEUE_MAX) {
		old = w->q[w->head];
		w->head = (w->head + 1) % WRITER_QUEUE_MAX;
		w->n--;
		w->dropped++;
	}
	w->q[(w->head + w->n) % WRITER_QUEUE_MAX] = b;
	w->n++;
	w->failed = 0;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	if (old != NULL) {
		log_warnx("writer: the store does not keep up, dropping a "
		    "batch of %zu numbers", bc_sip_batch_count(old));
		bc_sip_batch_free(old);
	}
}

int
writer_changed(struct writer *w)
{
	int c;

	pthread_mutex_lock(&w->mu);
	c = w->changed;
	w->changed = 0;
	pthread_mutex_unlock(&w->mu);
	return c;
}

void
writer_set_interval(struct writer *w, int interval_ms)
{
	pthread_mutex_lock(&w->mu);
	w->interval_ms = interval_ms;
	pthread_mutex_unlock(&w->mu);
}

void
writer_stop(struct writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	w->failed = 0;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	if (w->n > 0)
		log_warnx("writer: %zu batches of bindings not written", w->n);
	for (i = 0; i < w->n; i++)
		bc_sip_batch_free(w->q[(w->head + i) % WRITER_QUEUE_MAX]);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	bc_store_close(w->store);
	free(w);
}
