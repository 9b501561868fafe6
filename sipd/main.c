/*
 * main.c -- bcsipd, the SIP registrar and proxy of a sipbc site: options,
 * configuration, daemon plumbing (pid file, signals, syslog) and the
 * event loop.  The SIP logic is the library's engine (core/bc-sip.h);
 * the sockets are net.c.
 *
 *	bcsipd [-dnv] [-c CONFIG] [-p PIDFILE]
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sipd.h"

#define PIDFILE_DEFAULT	"/run/bcsipd.pid"

/* sysexits(3), as bcadm(8) */
#define EXIT_USAGE	64
#define EXIT_NOINPUT	66
#define EXIT_SOFTWARE	70
#define EXIT_OSERR	71
#define EXIT_CANTCREAT	73
#define EXIT_CONFIG	78

static volatile sig_atomic_t quit;
static volatile sig_atomic_t hup;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		hup = 1;
	else
		quit = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bcsipd [-dnv] [-c CONFIG] [-p PIDFILE]\n");
	exit(EXIT_USAGE);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
exit_status(enum bc_status st)
{
	switch (st) {
	case BC_ECONFIG:	return EXIT_CONFIG;
	case BC_ENOSTORE:	return EXIT_NOINPUT;
	case BC_ECREATE:	return EXIT_CANTCREAT;
	case BC_ENOMEM:		return EXIT_OSERR;
	default:		return EXIT_SOFTWARE;
	}
}

/* The store path: [site] store, relative to the configuration's folder. */
static char *
store_path(const struct bc_conf *c, const char *conf)
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

static int
write_pidfile(const char *path)
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

static int
run(bc_sip_server *srv, struct net *net, int flush_ms)
{
	struct pollfd *pfd;
	struct bc_err err;
	long long t, next_tick = 0, next_idle = 0;
	size_t np, max = net_max_fds();
	int timeout, rc = 0;

	if ((pfd = calloc(max, sizeof(*pfd))) == NULL) {
		log_warn("poll set");
		return EXIT_OSERR;
	}
	while (!quit) {
		t = now_ms();
		if (t >= next_tick || hup) {
			if (hup)
				log_info("SIGHUP: reloading the store");
			if (bc_sip_server_tick(srv, t / 1000, hup, &err) !=
			    BC_OK)
				log_warnx("%s", err.msg);
			hup = 0;
			next_tick = t + flush_ms;
		}
		if (t >= next_idle) {
			net_idle(net, t / 1000);
			next_idle = t + 1000;
		}
		np = net_pollfds(net, pfd, max);
		timeout = (int)(next_tick - t);
		if (timeout < 0)
			timeout = 0;
		if (poll(pfd, np, timeout) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			rc = EXIT_OSERR;
			break;
		}
		net_dispatch(net, srv, pfd, np, now_ms() / 1000);
	}
	free(pfd);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char *conf_path = BC_CONF_DEFAULT, *pidfile = NULL;
	struct bc_conf conf;
	struct bc_sip_conf sip;
	struct bc_err err;
	struct sigaction sa;
	bc_store *store = NULL;
	bc_sip_server *srv = NULL;
	struct net *net = NULL;
	char *spath = NULL;
	int ch, daemonize = 0, check = 0, debug = 0, rc;

	while ((ch = getopt(argc, argv, "c:dnp:v")) != -1)
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'd':
			daemonize = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'v':
			debug = 1;
			break;
		default:
			usage();
		}
	if (optind != argc)
		usage();
	log_init(1, debug);

	bc_conf_init(&conf);
	bc_sip_conf_init(&sip);
	if (bc_conf_load(&conf, conf_path, &err) != BC_OK ||
	    bc_sip_conf_load(&sip, conf_path, &err) != BC_OK) {
		log_warnx("%s", err.msg);
		rc = EXIT_CONFIG;
		goto out;
	}
	if ((spath = store_path(&conf, conf_path)) == NULL) {
		log_warnx("%s: no [site] store", conf_path);
		rc = EXIT_CONFIG;
		goto out;
	}
	if (check) {
		fprintf(stderr, "bcsipd: configuration OK\n");
		rc = 0;
		goto out;
	}

	/* libosip2's parser tables: process-wide, once, before any parse */
	bc_sip_library_init();
	if (bc_store_open(&store, spath, 0, conf.busy_timeout, &err) != BC_OK ||
	    bc_sip_server_create(&srv, store, &sip, conf.site_name, NULL, 0,
	    now_ms() / 1000, &err) != BC_OK) {
		log_warnx("%s", err.msg);
		rc = exit_status(err.status);
		goto out;
	}
	if ((net = net_open(&sip)) == NULL) {
		rc = EXIT_OSERR;
		goto out;
	}

	if (daemonize) {
		if (daemon(0, 0) == -1) {
			log_warn("daemon");
			rc = EXIT_OSERR;
			goto out;
		}
		log_init(0, debug);
		if (write_pidfile(pidfile != NULL ? pidfile :
		    PIDFILE_DEFAULT) != 0) {
			rc = EXIT_CANTCREAT;
			goto out;
		}
	} else if (pidfile != NULL && write_pidfile(pidfile) != 0) {
		rc = EXIT_CANTCREAT;
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	log_info("serving store %s, realm %s", spath,
	    sip.realm != NULL ? sip.realm :
	    conf.site_name != NULL ? conf.site_name : "sipbc");
	rc = run(srv, net, sip.flush_interval);
	if (bc_sip_server_flush(srv, &err) != BC_OK)
		log_warnx("%s", err.msg);
	{
		const struct bc_sip_stats *s = bc_sip_server_stats(srv);

		log_info("exiting: %lu messages, %lu registers, %lu requests "
		    "and %lu responses forwarded, %lu dropped, %lu bad",
		    s->received, s->registers, s->forwarded, s->responses,
		    s->dropped, s->bad);
	}
	if (pidfile != NULL || daemonize)
		unlink(pidfile != NULL ? pidfile : PIDFILE_DEFAULT);
out:
	net_close(net);
	bc_sip_server_free(srv);
	bc_store_close(store);
	free(spath);
	bc_sip_conf_clear(&sip);
	bc_conf_clear(&conf);
	return rc;
}
