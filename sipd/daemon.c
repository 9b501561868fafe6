/*
 * daemon.c -- what bcsipd and bcsync share beside the log: the command
 * line, detaching, the pid file, the store path of bc.conf, the clocks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
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

void
daemon_args(int argc, char *argv[], const char *default_pidfile,
    struct daemon_opts *o)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->conf_path = BC_CONF_DEFAULT;
	while ((ch = getopt(argc, argv, "c:dnp:v")) != -1)
		switch (ch) {
		case 'c':
			o->conf_path = optarg;
			break;
		case 'd':
			o->detach = 1;
			break;
		case 'n':
			o->check = 1;
			break;
		case 'p':
			o->pidfile = optarg;
			break;
		case 'v':
			o->debug = 1;
			break;
		default:
			goto usage;
		}
	if (optind != argc)
		goto usage;
	if (o->detach && o->pidfile == NULL)
		o->pidfile = default_pidfile;
	log_init(1, o->debug);
	return;
usage:
	fprintf(stderr, "usage: %s [-dnv] [-c config] [-p pidfile]\n",
	    program_invocation_short_name);
	exit(EX_USAGE);
}

int
daemon_start(const struct daemon_opts *o)
{
	if (o->detach) {
		if (daemon(0, 0) == -1) {
			log_warn("daemon");
			return EX_OSERR;
		}
		log_init(0, o->debug);
	}
	if (o->pidfile != NULL && daemon_pidfile(o->pidfile) != 0)
		return EX_CANTCREAT;
	return 0;
}

void
daemon_end(const struct daemon_opts *o)
{
	if (o->pidfile != NULL)
		unlink(o->pidfile);
}

static long long
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long
daemon_wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

long long
daemon_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}
