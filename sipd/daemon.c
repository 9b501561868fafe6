/*
 * daemon.c -- what bcsipd and bcsync share beside the log: the store
 * path of bc.conf and the pid file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

char *
daemon_store_path(const struct bc_conf *c, const char *conf)
{
	const char *slash;
	char *r;

	if (c->site_store == NULL)
		return NULL;
	if (c->site_store[0] == '/' || (slash = strrchr(conf, '/')) == NULL)
		return strdup(c->site_store);
	if ((r = malloc((size_t)(slash - conf) + strlen(c->site_store) + 2)) ==
	    NULL)
		return NULL;
	sprintf(r, "%.*s/%s", (int)(slash - conf), conf, c->site_store);
	return r;
}

int
daemon_pidfile(const char *path)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL) {
		log_warn("pid file %s", path);
		return -1;
	}
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0) {
		log_warn("pid file %s", path);
		return -1;
	}
	return 0;
}
