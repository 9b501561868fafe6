/*
 * main.c -- bcsync(8): continuous replication of a site store with the
 * peer site's.  Reads bc.conf, checks the tokens, starts the watcher,
 * the feed server and the puller, then waits for signals:
 * SIGTERM/SIGINT stop (the puller finishes the document it is applying,
 * which is one transaction), SIGHUP reads bc.conf and the tokens again.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "bcsync.h"
#include "daemon.h"

#define PIDFILE_DEFAULT	"/run/bcsync.pid"

/*
 * A token file: one line, not readable by group or others (refused
 * otherwise: anyone who reads it can change the other site).
 */
void
bcsync_pause(struct bcsync *b, long ms)
{
	while (ms > 0 && !b->stop) {
		usleep((useconds_t)(ms > 100 ? 100 : ms) * 1000);
		ms -= 100;
	}
}

int
bcsync_read_token(const char *path, char **token, struct bc_err *err)
{
	struct stat sb;
	FILE *f;
	char line[1024];
	size_t n;

	*token = NULL;
	if ((f = fopen(path, "r")) == NULL)
		return bc_err_set(err, BC_ECONFIG, "token file %s: %s", path,
		    strerror(errno));
	if (fstat(fileno(f), &sb) == -1 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return bc_err_set(err, BC_ECONFIG, "token file %s: not a "
		    "regular file", path);
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		fclose(f);
		return bc_err_set(err, BC_ECONFIG, "token file %s is open to "
		    "group or others (mode %04o): chmod 600 it", path,
		    (unsigned)(sb.st_mode & 07777));
	}
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return bc_err_set(err, BC_ECONFIG, "token file %s is empty",
		    path);
	}
	fclose(f);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (n < 16)
		return bc_err_set(err, BC_ECONFIG, "token file %s: the token "
		    "must have at least 16 characters", path);
	if ((*token = strdup(line)) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	return BC_OK;
}

/* Loads bc.conf and the tokens into conf, *token, *peer_token. */
static int
load(const char *path, struct bc_conf *conf, char **token, char **peer_token,
    struct bc_err *err)
{
	int rc;

	*token = *peer_token = NULL;
	bc_conf_init(conf);
	if ((rc = bc_conf_load(conf, path, err)))
		return rc;
	if (conf->site_name == NULL || conf->site_store == NULL)
		return bc_err_set(err, BC_ECONFIG, "%s: [site] name and store "
		    "are required", path);
	if (conf->sync_token_file == NULL)
		return bc_err_set(err, BC_ECONFIG, "%s: [sync] token_file is "
		    "required (every request is authenticated)", path);
	if ((rc = bcsync_read_token(conf->sync_token_file, token, err)))
		return rc;
	if (conf->peer_url != NULL) {
		if (conf->peer_name == NULL)
			return bc_err_set(err, BC_ECONFIG, "%s: [peer] url "
			    "needs [peer] name", path);
		if (strcmp(conf->peer_name, conf->site_name) == 0)
			return bc_err_set(err, BC_ECONFIG, "%s: [peer] name is "
			    "this site's own name", path);
		if (conf->peer_token_file == NULL)
			return bc_err_set(err, BC_ECONFIG, "%s: [peer] url "
			    "needs [peer] token_file", path);
		if (strncmp(conf->peer_url, "http://", 7) != 0 &&
		    strncmp(conf->peer_url, "https://", 8) != 0)
			return bc_err_set(err, BC_ECONFIG, "%s: [peer] url "
			    "'%s' must start with http:// or https://", path,
			    conf->peer_url);
		if ((rc = bcsync_read_token(conf->peer_token_file, peer_token,
		    err)))
			return rc;
	}
	return BC_OK;
}

static int
exit_status(int bc)
{
	switch (bc) {
	case BC_ECONFIG:
	case BC_EINVAL:
		return EX_CONFIG;
	case BC_ENOSTORE:
		return EX_NOINPUT;
	case BC_ECREATE:
		return EX_CANTCREAT;
	case BC_EIO:
		return EX_OSERR;
	default:
		return EX_SOFTWARE;
	}
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
reload(struct bcsync *b)
{
	struct bc_conf conf, old;
	struct bc_err err;
	char *token, *peer_token, *old_token, *old_peer_token;
	int restart;

	if (load(b->conf_path, &conf, &token, &peer_token, &err) != BC_OK) {
		log_warnx("reload: %s: keeping the running configuration",
		    err.msg);
		bc_conf_clear(&conf);
		free(token);
		free(peer_token);
		return;
	}
	if (!same(conf.site_store, b->conf.site_store) ||
	    !same(conf.site_name, b->conf.site_name))
		log_warnx("reload: [site] name and store change only with a "
		    "restart");
	restart = !same(conf.sync_listen, b->conf.sync_listen) ||
	    !same(conf.sync_tls_cert, b->conf.sync_tls_cert) ||
	    !same(conf.sync_tls_key, b->conf.sync_tls_key) ||
	    !same(conf.sync_tls_client_ca, b->conf.sync_tls_client_ca);
	pthread_mutex_lock(&b->lock);
	old = b->conf;
	old_token = b->token;
	old_peer_token = b->peer_token;
	b->conf = conf;
	/* what needs a restart stays as it runs */
	free(b->conf.site_store);
	b->conf.site_store = old.site_store;
	old.site_store = NULL;
	free(b->conf.site_name);
	b->conf.site_name = old.site_name;
	old.site_name = NULL;
	b->token = token;
	b->peer_token = peer_token;
	pthread_mutex_unlock(&b->lock);
	if (restart) {
		server_stop(b);
		if (server_start(b, &err) != BC_OK)
			log_warnx("reload: %s", err.msg);
	}
	bc_conf_clear(&old);
	free(old_token);
	free(old_peer_token);
	log_info("configuration reloaded");
}

int
main(int argc, char *argv[])
{
	struct bcsync b;
	struct bc_err err;
	sigset_t set;
	pthread_t watcher, client, checkpointer;
	struct daemon_opts o;
	char *real_conf = NULL;
	int sig, rc = 0;

	memset(&b, 0, sizeof(b));
	daemon_args(argc, argv, PIDFILE_DEFAULT, &o);
	b.conf_path = o.conf_path;

	if (load(b.conf_path, &b.conf, &b.token, &b.peer_token, &err) !=
	    BC_OK) {
		log_warnx("%s", err.msg);
		rc = exit_status(err.status);
		goto out;
	}
	if (b.conf.sync_listen == NULL) {
		log_warnx("%s: no [sync] listen", b.conf_path);
		rc = EX_CONFIG;
		goto out;
	}
	/* SIGHUP reads it again, after daemon(3) moved to / */
	if ((real_conf = realpath(b.conf_path, NULL)) != NULL)
		b.conf_path = real_conf;
	if ((b.store = daemon_store_path(&b.conf, b.conf_path)) == NULL) {
		log_warnx("out of memory");
		rc = EX_OSERR;
		goto out;
	}
	if (o.check) {
		fprintf(stderr, "bcsync: configuration OK\n");
		goto out;
	}

	/* signals go to the main thread only, which waits for them */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.changed, NULL);
	client_global_init();

	if ((rc = daemon_start(&o)) != 0)
		goto out;

	{
		bc_store *s;

		/* the store must open (and migrate) before anything runs */
		if (bc_store_open(&s, b.store, 0, b.conf.busy_timeout, &err) !=
		    BC_OK) {
			log_warnx("%s", err.msg);
			rc = exit_status(err.status);
			goto out_pid;
		}
		bc_store_close(s);
	}
	if (server_start(&b, &err) != BC_OK) {
		log_warnx("%s", err.msg);
		rc = exit_status(err.status);
		goto out_pid;
	}
	pthread_create(&watcher, NULL, watch_main, &b);
	pthread_create(&client, NULL, client_main, &b);
	pthread_create(&checkpointer, NULL, checkpoint_main, &b);
	if (b.conf.peer_url != NULL)
		log_info("replicating with %s at %s", b.conf.peer_name,
		    b.conf.peer_url);
	else
		log_info("no [peer] url: serving the feed only");

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			reload(&b);
			continue;
		}
		log_info("signal %d: stopping", sig);
		break;
	}
	b.stop = 1;
	watch_wake(&b);
	pthread_join(client, NULL);	/* ends after its transaction */
	pthread_join(watcher, NULL);
	server_stop(&b);
	pthread_join(checkpointer, NULL);
	log_info("stopped");
out_pid:
	daemon_end(&o);
out:
	bc_conf_clear(&b.conf);
	free(b.token);
	free(b.peer_token);
	free(b.store);
	free(real_conf);
	return rc;
}
