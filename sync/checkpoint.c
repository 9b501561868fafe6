/*
 * checkpoint.c -- copies the store's WAL into the store file in the
 * background.  bcsync's own connections never checkpoint when they
 * commit (BC_OPEN_NO_CHECKPOINT): SQLite's automatic checkpoint runs in
 * the commit that finds the WAL past 1000 pages and makes it wait for
 * the copy and an fsync of the store file, which put tens of
 * milliseconds into one replicated change in a hundred.  Here a passive
 * checkpoint, which takes no lock anybody waits for, runs every second;
 * it also keeps the WAL short enough that other programs' commits (bcadm,
 * bcsipd, the sqlite3 shell) seldom find it long.
 */
#include "bcsync.h"

#define CHECKPOINT_EVERY_MS	1000

void *
checkpoint_main(void *arg)
{
	struct bcsync *b = arg;
	struct bc_err err;
	bc_store *s = NULL;
	int failed = 0;

	if (bc_store_open(&s, b->store, BC_OPEN_NO_CHECKPOINT,
	    b->conf.busy_timeout, &err) != BC_OK) {
		log_warnx("checkpoint: %s", err.msg);
		return NULL;
	}
	while (!b->stop) {
		if (bc_store_checkpoint(s, &err) != BC_OK) {
			if (!failed)	/* once, not every second */
				log_warnx("checkpoint: %s", err.msg);
			failed = 1;
		} else
			failed = 0;
		bcsync_pause(b, CHECKPOINT_EVERY_MS);
	}
	/* what the last transactions wrote */
	if (bc_store_checkpoint(s, &err) != BC_OK)
		log_warnx("checkpoint: %s", err.msg);
	bc_store_close(s);
	return NULL;
}
