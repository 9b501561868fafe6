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

#include "daemon.h"
#include "log.h"
#include "sipd.h"

#define PIDFILE_DEFAULT	"/run/bcsipd.pid"

/* sysexits(3), as bcadm(8) */
#define EXIT_NOINPUT	66
#define EXIT_SOFTWARE	70
#define EXIT_OSERR	71
#define EXIT_CANTCREAT	73
#define EXIT_CONFIG	78

static volatile sig_atomic_t quit;
static volatile sig_atomic_t hup;
static volatile sig_atomic_t usr1;	/* graceful shutdown */

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		hup = 1;
	else if (sig == SIGUSR1)
		usr1 = 1;
	else
		quit = 1;
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

/* What SIGHUP re-reads and replaces. */
struct state {
	const char		*conf_path;
	const char		*spath;		/* the store served */
	struct bc_sip_conf	*sip;		/* running [sip] */
	bc_sip_server		*srv;
	struct net		*net;
	struct writer		*writer;
};

static int
same_listen(const struct bc_sip_conf *a, const struct bc_sip_conf *b)
{
	size_t i;

	if (a->nlisten != b->nlisten)
		return 0;
	for (i = 0; i < a->nlisten; i++)
		if (a->listen[i].transport != b->listen[i].transport ||
		    a->listen[i].port != b->listen[i].port ||
		    strcmp(a->listen[i].host, b->listen[i].host) != 0)
			return 0;
	return 1;
}

/*
 * SIGHUP: reads bc.conf again.  A file that does not load, or a listen
 * address that cannot be opened, is one log line and changes nothing.
 * Otherwise the listeners follow [sip] listen and the engine takes the
 * other [sip] keys; the store itself is re-read by the tick.
 */
static void
reload_conf(struct state *st)
{
	struct bc_conf conf;
	struct bc_sip_conf sip;
	struct bc_err err;
	char *spath = NULL;

	bc_conf_init(&conf);
	bc_sip_conf_init(&sip);
	if (bc_conf_load(&conf, st->conf_path, &err) != BC_OK ||
	    bc_sip_conf_load(&sip, st->conf_path, &err) != BC_OK) {
		log_warnx("SIGHUP: %s; keeping the running configuration",
		    err.msg);
		goto out;
	}
	if ((spath = daemon_store_path(&conf, st->conf_path)) == NULL) {
		log_warnx("SIGHUP: %s: no [site] store; keeping the running "
		    "configuration", st->conf_path);
		goto out;
	}
	if (!same_listen(st->sip, &sip) && net_reopen(st->net, &sip) != 0) {
		log_warnx("SIGHUP: cannot open the new listen addresses; "
		    "keeping the running configuration");
		goto out;
	}
	if (bc_sip_server_reconf(st->srv, &sip, conf.site_name, &err) !=
	    BC_OK) {
		/* cannot happen after bc_sip_conf_load; undo the sockets */
		log_warnx("SIGHUP: %s; keeping the running configuration",
		    err.msg);
		if (!same_listen(st->sip, &sip) &&
		    net_reopen(st->net, st->sip) != 0)
			log_warnx("SIGHUP: cannot reopen the old listen "
			    "addresses");
		goto out;
	}
	if (strcmp(spath, st->spath) != 0)
		log_warnx("SIGHUP: [site] store is now %s; still serving %s "
		    "until a restart", spath, st->spath);
	writer_set_interval(st->writer, sip.flush_interval);
	bc_sip_conf_clear(st->sip);
	*st->sip = sip;
	bc_sip_conf_init(&sip);
	log_info("SIGHUP: configuration %s reloaded", st->conf_path);
out:
	free(spath);
	bc_sip_conf_clear(&sip);
	bc_conf_clear(&conf);
}

static int
run(struct state *st)
{
	struct pollfd *pfd;
	struct bc_err err;
	long long t, next_tick = 0, next_idle = 0, next_dr = 0;
	size_t np, max = net_max_fds();
	int timeout, rc = 0, force, u;

	if ((pfd = calloc(max, sizeof(*pfd))) == NULL) {
		log_warn("poll set");
		return EXIT_OSERR;
	}
	while (!quit) {
		t = daemon_wall_ms();
		force = hup;
		if (force) {
			hup = 0;
			reload_conf(st);
		}
		if (t >= next_tick || force) {
			bc_sip_batch *b;

			if (writer_changed(st->writer))
				force = 1;	/* bcadm or bcsync wrote */
			if (bc_sip_server_tick(st->srv, t / 1000, force,
			    &err) != BC_OK)
				log_warnx("%s", err.msg);
			if (bc_sip_server_take_batch(st->srv, &b, &err) !=
			    BC_OK)
				log_warnx("%s", err.msg);
			writer_push(st->writer, b);
			net_timers(st->net, st->srv, t / 1000);
			next_tick = t + st->sip->flush_interval;
		}
		if (t >= next_idle) {
			net_idle(st->net, t / 1000);
			next_idle = t + 1000;
		}
		if (t >= next_dr || usr1) {
			u = usr1;
			usr1 = 0;
			if (dr_step(st->srv, st->net, t, u))
				break;	/* graceful shutdown done */
			next_dr = t + 100;
		}
		np = net_pollfds(st->net, pfd, max);
		timeout = (int)((next_tick < next_dr ? next_tick : next_dr) -
		    t);
		if (timeout < 0)
			timeout = 0;
		if (poll(pfd, np, timeout) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			rc = EXIT_OSERR;
			break;
		}
		net_dispatch(st->net, st->srv, pfd, np, daemon_wall_ms() / 1000);
	}
	free(pfd);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct daemon_opts o;
	const char *conf_path;
	struct bc_conf conf;
	struct bc_sip_conf sip;
	struct bc_err err;
	struct sigaction sa;
	bc_store *store = NULL;
	bc_sip_server *srv = NULL;
	struct net *net = NULL;
	struct state st;
	char *spath = NULL, *real_conf = NULL;
	int rc;

	memset(&st, 0, sizeof(st));
	daemon_args(argc, argv, PIDFILE_DEFAULT, &o);
	conf_path = o.conf_path;

	bc_conf_init(&conf);
	bc_sip_conf_init(&sip);
	if (bc_conf_load(&conf, conf_path, &err) != BC_OK ||
	    bc_sip_conf_load(&sip, conf_path, &err) != BC_OK) {
		log_warnx("%s", err.msg);
		rc = EXIT_CONFIG;
		goto out;
	}
	if ((spath = daemon_store_path(&conf, conf_path)) == NULL) {
		log_warnx("%s: no [site] store", conf_path);
		rc = EXIT_CONFIG;
		goto out;
	}
	/* SIGHUP reads it again, after daemon(3) moved to / */
	if ((real_conf = realpath(conf_path, NULL)) != NULL)
		conf_path = real_conf;
	if (o.check) {
		fprintf(stderr, "bcsipd: configuration OK\n");
		rc = 0;
		goto out;
	}

	/* libosip2's parser tables: process-wide, once, before any parse */
	bc_sip_library_init();
	if (bc_store_open(&store, spath, 0, conf.busy_timeout, &err) != BC_OK ||
	    bc_sip_server_create(&srv, store, &sip, conf.site_name, NULL, 0,
	    daemon_wall_ms() / 1000, &err) != BC_OK) {
		log_warnx("%s", err.msg);
		rc = exit_status(err.status);
		goto out;
	}
	if ((net = net_open(&sip)) == NULL) {
		rc = EXIT_OSERR;
		goto out;
	}

	if ((rc = daemon_start(&o)) != 0)
		goto out;

	/* after daemon(3): a fork keeps no thread */
	if ((st.writer = writer_start(spath, conf.busy_timeout,
	    sip.flush_interval)) == NULL) {
		rc = EXIT_SOFTWARE;
		goto out;
	}
	bc_sip_server_defer_writes(srv);
	if (dr_start(srv, daemon_wall_ms()) != 0) {
		rc = EXIT_SOFTWARE;
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	log_info("serving store %s, realm %s", spath,
	    sip.realm != NULL ? sip.realm :
	    conf.site_name != NULL ? conf.site_name : "sipbc");
	st.conf_path = conf_path;
	st.spath = spath;
	st.sip = &sip;
	st.srv = srv;
	st.net = net;
	rc = run(&st);
	{
		bc_sip_batch *b;

		if (bc_sip_server_take_batch(srv, &b, &err) != BC_OK)
			log_warnx("%s", err.msg);
		writer_push(st.writer, b);
	}
	writer_stop(st.writer);
	st.writer = NULL;
	if (bc_sip_server_flush(srv, &err) != BC_OK)
		log_warnx("%s", err.msg);
	{
		const struct bc_sip_stats *s = bc_sip_server_stats(srv);

		log_info("exiting: %lu messages, %lu registers, %lu requests "
		    "and %lu responses forwarded, %lu dropped, %lu bad",
		    s->received, s->registers, s->forwarded, s->responses,
		    s->dropped, s->bad);
	}
	daemon_end(&o);
out:
	writer_stop(st.writer);
	net_close(net);
	dr_stop(srv);
	bc_sip_server_free(srv);
	bc_store_close(store);
	free(spath);
	free(real_conf);
	bc_sip_conf_clear(&sip);
	bc_conf_clear(&conf);
	return rc;
}
