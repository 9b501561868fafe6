/*
 * conf.c -- bc.conf, the INI file every sipbc program reads (inih).
 * Unknown sections and keys are errors: a typo must not pass silently.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "bc.h"
#include "bc-sip.h"

struct conf_parse {
	struct bc_conf	*conf;
	FILE		*f;
	int		 line;		/* lines read so far */
	int		 bad_line;	/* unknown section seen by reader() */
	char		 why[256];	/* reason of the first error */
	struct bc_sip_conf *sip;	/* [sip] goes here, or to sip_scratch */
	struct bc_sip_conf sip_scratch;
};

static const char *const sections[] = { "site", "peer", "sip", "sync",
    "TServer", NULL };

static int
set_string(char **field, const char *value, struct conf_parse *cp)
{
	char *copy;

	if ((copy = strdup(value)) == NULL) {
		snprintf(cp->why, sizeof(cp->why), "out of memory");
		return 0;
	}
	free(*field);
	*field = copy;
	return 1;
}

static int
set_millis(int *field, const char *name, const char *value,
    struct conf_parse *cp)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0' || errno != 0 || v < 0 ||
	    v > INT_MAX) {
		snprintf(cp->why, sizeof(cp->why), "%s '%s' is not a number "
		    "of milliseconds", name, value);
		return 0;
	}
	*field = (int)v;
	return 1;
}

static int
set_int(int *field, const char *name, const char *value, int min, int max,
    struct conf_parse *cp)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0' || errno != 0 || v < min ||
	    v > max) {
		snprintf(cp->why, sizeof(cp->why), "%s '%s' is not a number "
		    "from %d to %d", name, value, min, max);
		return 0;
	}
	*field = (int)v;
	return 1;
}

/* [sip] keys, for bcsipd; bcadm checks them and ignores them. */
static int
sip_handler(struct bc_sip_conf *sc, const char *name, const char *value,
    struct conf_parse *cp)
{
	struct bc_err e;

	if (strcmp(name, "listen") == 0) {
		if (bc_sip_listen_parse(sc, value, &e) != BC_OK) {
			snprintf(cp->why, sizeof(cp->why), "%.200s", e.msg);
			return 0;
		}
		return 1;
	}
	if (strcmp(name, "realm") == 0)
		return set_string(&sc->realm, value, cp);
	if (strcmp(name, "nonce_secret_file") == 0)
		return set_string(&sc->nonce_secret_file, value, cp);
	if (strcmp(name, "min_expires") == 0)
		return set_int(&sc->min_expires, name, value, 1, 86400, cp);
	if (strcmp(name, "max_expires") == 0)
		return set_int(&sc->max_expires, name, value, 1, 604800, cp);
	if (strcmp(name, "default_expires") == 0)
		return set_int(&sc->default_expires, name, value, 1, 604800,
		    cp);
	if (strcmp(name, "max_contacts") == 0)
		return set_int(&sc->max_contacts, name, value, 1, 64, cp);
	if (strcmp(name, "nonce_lifetime") == 0)
		return set_int(&sc->nonce_lifetime, name, value, 5, 86400, cp);
	if (strcmp(name, "flush_interval") == 0)
		return set_int(&sc->flush_interval, name, value, 10, 10000,
		    cp);
	snprintf(cp->why, sizeof(cp->why), "unknown key '%s' in section [sip]",
	    name);
	return 0;
}

static const char *const dr_forward_names[] = { "off", "no-agent", "oos" };

const char *
bc_dr_forward_name(int v)
{
	return v >= 0 && v <= BC_DR_OOS ? dr_forward_names[v] : "?";
}

int
bc_dr_forward_parse(const char *s, int *out)
{
	int i;

	for (i = 0; i <= BC_DR_OOS; i++)
		if (strcmp(s, dr_forward_names[i]) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

/* [TServer] keys: SIP Server options of the application, for bcsipd. */
static int
tserver_handler(struct bc_sip_conf *sc, const char *name, const char *value,
    struct conf_parse *cp)
{
	if (strcmp(name, "dr-peer-trunk") == 0) {
		if (strlen(value) >= sizeof(sc->dr_peer_trunk)) {
			snprintf(cp->why, sizeof(cp->why), "dr-peer-trunk: "
			    "'%.40s...' is too long", value);
			return 0;
		}
		snprintf(sc->dr_peer_trunk, sizeof(sc->dr_peer_trunk), "%s",
		    value);
		return 1;
	}
	if (strcmp(name, "dr-forward") == 0) {
		if (bc_dr_forward_parse(value, &sc->dr_forward) != 0) {
			snprintf(cp->why, sizeof(cp->why), "dr-forward: "
			    "'%.40s' is not off, no-agent or oos", value);
			return 0;
		}
		return 1;
	}
	if (strcmp(name, "shutdown-sip-reject-code") == 0)
		return set_int(&sc->shutdown_reject_code, name, value, 300,
		    603, cp);
	snprintf(cp->why, sizeof(cp->why), "unknown key '%s' in section "
	    "[TServer]", name);
	return 0;
}

/* [sync] keys, for bcsync. */
static int
sync_handler(struct bc_conf *c, const char *name, const char *value,
    struct conf_parse *cp)
{
	if (strcmp(name, "listen") == 0)
		return set_string(&c->sync_listen, value, cp);
	if (strcmp(name, "token_file") == 0)
		return set_string(&c->sync_token_file, value, cp);
	if (strcmp(name, "tls_cert") == 0)
		return set_string(&c->sync_tls_cert, value, cp);
	if (strcmp(name, "tls_key") == 0)
		return set_string(&c->sync_tls_key, value, cp);
	if (strcmp(name, "tls_client_ca") == 0)
		return set_string(&c->sync_tls_client_ca, value, cp);
	if (strcmp(name, "hook") == 0)
		return set_string(&c->sync_hook, value, cp);
	if (strcmp(name, "batch") == 0)
		return set_int(&c->sync_batch, name, value, 1, 1000000, cp);
	if (strcmp(name, "max_body") == 0)
		return set_int(&c->sync_max_body, name, value, 4096, INT_MAX,
		    cp);
	if (strcmp(name, "retain") == 0)
		return set_int(&c->sync_retain, name, value, 0, 10 * 366 *
		    86400, cp);
	if (strcmp(name, "retry") == 0)
		return set_millis(&c->sync_retry, name, value, cp);
	snprintf(cp->why, sizeof(cp->why), "unknown key '%s' in section "
	    "[sync]", name);
	return 0;
}

/* inih handler: returns 0 to stop at this line with cp->why set. */
static int
handler(void *arg, const char *section, const char *name, const char *value)
{
	struct conf_parse *cp = arg;
	struct bc_conf *c = cp->conf;

	if (strcmp(section, "site") == 0) {
		if (strcmp(name, "name") == 0)
			return set_string(&c->site_name, value, cp);
		if (strcmp(name, "store") == 0)
			return set_string(&c->site_store, value, cp);
		if (strcmp(name, "busy_timeout") == 0)
			return set_millis(&c->busy_timeout, name, value, cp);
		snprintf(cp->why, sizeof(cp->why), "unknown key '%s' in "
		    "section [%s]", name, section);
		return 0;
	}
	if (strcmp(section, "peer") == 0) {
		if (strcmp(name, "name") == 0)
			return set_string(&c->peer_name, value, cp);
		if (strcmp(name, "store") == 0)
			return set_string(&c->peer_store, value, cp);
		if (strcmp(name, "url") == 0)
			return set_string(&c->peer_url, value, cp);
		if (strcmp(name, "token_file") == 0)
			return set_string(&c->peer_token_file, value, cp);
		if (strcmp(name, "tls_ca") == 0)
			return set_string(&c->peer_tls_ca, value, cp);
		if (strcmp(name, "tls_cert") == 0)
			return set_string(&c->peer_tls_cert, value, cp);
		if (strcmp(name, "tls_key") == 0)
			return set_string(&c->peer_tls_key, value, cp);
		snprintf(cp->why, sizeof(cp->why), "unknown key '%s' in "
		    "section [%s]", name, section);
		return 0;
	}
	if (strcmp(section, "sync") == 0)
		return sync_handler(c, name, value, cp);
	if (strcmp(section, "sip") == 0)
		return sip_handler(cp->sip != NULL ? cp->sip : &cp->sip_scratch,
		    name, value, cp);
	if (strcmp(section, "TServer") == 0)
		return tserver_handler(cp->sip != NULL ? cp->sip :
		    &cp->sip_scratch, name, value, cp);
	snprintf(cp->why, sizeof(cp->why), "unknown section [%s]", section);
	return 0;
}

/*
 * inih line reader: sees every line, so a section header is checked even
 * when no key follows it (inih calls the handler only for keys).
 */
static char *
reader(char *str, int num, void *arg)
{
	struct conf_parse *cp = arg;
	const char *p, *end;
	int i;

	if (fgets(str, num, cp->f) == NULL)
		return NULL;
	cp->line++;
	for (p = str; *p == ' ' || *p == '\t'; p++)
		;
	if (*p != '[' || (end = strchr(p, ']')) == NULL)
		return str;
	for (i = 0; sections[i] != NULL; i++)
		if ((size_t)(end - p - 1) == strlen(sections[i]) &&
		    strncmp(p + 1, sections[i], strlen(sections[i])) == 0)
			return str;
	snprintf(cp->why, sizeof(cp->why), "unknown section [%.*s]",
	    (int)(end - p - 1), p + 1);
	cp->bad_line = cp->line;
	return NULL;
}

void
bc_conf_init(struct bc_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->busy_timeout = BC_BUSY_TIMEOUT_DEFAULT;
	c->sync_batch = 20000;
	c->sync_max_body = 64 * 1024 * 1024;
	c->sync_retain = 7 * 86400;
	c->sync_retry = 1000;
}

static int
conf_parse(struct bc_conf *c, struct bc_sip_conf *sip, const char *path,
    struct bc_err *err)
{
	struct conf_parse cp;
	FILE *f;
	int line;

	memset(&cp, 0, sizeof(cp));
	cp.conf = c;
	cp.sip = sip;
	bc_sip_conf_init(&cp.sip_scratch);
	free(c->path);
	if ((c->path = strdup(path)) == NULL)
		return bc_err_set(err, BC_ENOMEM, "out of memory");
	if ((f = fopen(path, "r")) == NULL)
		return bc_err_set(err, BC_ECONFIG, "cannot read configuration "
		    "'%s': %s", path, strerror(errno));
	cp.f = f;
	line = ini_parse_stream(reader, &cp, handler, &cp);
	bc_sip_conf_clear(&cp.sip_scratch);
	if (line == 0 && cp.bad_line > 0)
		line = cp.bad_line;
	if (line == 0 && ferror(f))
		line = -1;	/* a directory, an I/O error */
	fclose(f);
	if (line > 0)
		return bc_err_set(err, BC_ECONFIG, "%s:%d: %s", path, line,
		    cp.why[0] != '\0' ? cp.why : "syntax error");
	if (line < 0)
		return bc_err_set(err, BC_ECONFIG, "cannot read configuration "
		    "'%s'", path);
	return BC_OK;
}

int
bc_conf_load(struct bc_conf *c, const char *path, struct bc_err *err)
{
	return conf_parse(c, NULL, path, err);
}

void
bc_sip_conf_init(struct bc_sip_conf *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->min_expires = 60;
	sc->max_expires = 3600;
	sc->default_expires = 3600;
	sc->max_contacts = 8;
	sc->nonce_lifetime = 300;
	sc->flush_interval = 100;
	sc->dr_forward = BC_DR_OFF;
	sc->shutdown_reject_code = 603;
}

void
bc_sip_conf_clear(struct bc_sip_conf *sc)
{
	free(sc->realm);
	free(sc->nonce_secret_file);
	bc_sip_conf_init(sc);
}

const char *
bc_sip_transport_name(enum bc_sip_transport t)
{
	return t == BC_SIP_TCP ? "tcp" : "udp";
}

/* One "transport:address:port" of a listen list into l. */
static int
listen_one(struct bc_sip_listen *l, const char *s, size_t len,
    struct bc_err *err)
{
	const char *p = s, *end = s + len, *host, *hend, *colon;
	unsigned long port = 0;
	size_t hlen;

	if (len > 4 && strncmp(s, "udp:", 4) == 0)
		l->transport = BC_SIP_UDP;
	else if (len > 4 && strncmp(s, "tcp:", 4) == 0)
		l->transport = BC_SIP_TCP;
	else
		return bc_err_set(err, BC_ECONFIG, "listen '%.*s': expected "
		    "udp: or tcp:", (int)len, s);
	p += 4;
	if (*p == '[') {
		host = p + 1;
		if ((hend = memchr(host, ']', (size_t)(end - host))) == NULL ||
		    hend + 1 >= end || hend[1] != ':')
			return bc_err_set(err, BC_ECONFIG, "listen '%.*s': "
			    "bad IPv6 address, use [ADDRESS]:PORT", (int)len,
			    s);
		colon = hend + 1;
	} else {
		host = p;
		colon = NULL;
		for (hend = p; hend < end; hend++)
			if (*hend == ':')
				colon = hend;
		if (colon == NULL)
			return bc_err_set(err, BC_ECONFIG, "listen '%.*s': "
			    "no port", (int)len, s);
		hend = colon;
	}
	hlen = (size_t)(hend - host);
	if (hlen == 0 || hlen >= sizeof(l->host))
		return bc_err_set(err, BC_ECONFIG, "listen '%.*s': bad "
		    "address", (int)len, s);
	for (p = colon + 1; p < end; p++) {
		if (*p < '0' || *p > '9' || port > 65535)
			break;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (p != end || colon + 1 == end || port == 0 || port > 65535)
		return bc_err_set(err, BC_ECONFIG, "listen '%.*s': bad port",
		    (int)len, s);
	memcpy(l->host, host, hlen);
	l->host[hlen] = '\0';
	if (strcmp(l->host, "0.0.0.0") == 0 || strcmp(l->host, "::") == 0)
		return bc_err_set(err, BC_ECONFIG, "listen '%.*s': give the "
		    "address itself, not a wildcard (it goes into Via and "
		    "Record-Route)", (int)len, s);
	for (p = l->host; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
		    (*p >= 'A' && *p <= 'F') || *p == '.' || *p == ':'))
			return bc_err_set(err, BC_ECONFIG, "listen '%.*s': "
			    "the address must be numeric", (int)len, s);
	l->port = (unsigned short)port;
	return BC_OK;
}

int
bc_sip_listen_parse(struct bc_sip_conf *sc, const char *value,
    struct bc_err *err)
{
	struct bc_sip_listen v[BC_SIP_LISTEN_MAX];
	const char *p = value, *e, *b;
	size_t n = 0;
	int rc;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		for (b = e; b > p && (b[-1] == ' ' || b[-1] == '\t'); b--)
			;
		if (b == p)
			return bc_err_set(err, BC_ECONFIG, "listen: empty "
			    "entry in '%s'", value);
		if (n == BC_SIP_LISTEN_MAX)
			return bc_err_set(err, BC_ECONFIG, "listen: more "
			    "than %d addresses", BC_SIP_LISTEN_MAX);
		memset(&v[n], 0, sizeof(v[n]));
		if ((rc = listen_one(&v[n], p, (size_t)(b - p), err)))
			return rc;
		n++;
		if (*e == '\0')
			break;
		p = e + 1;
	}
	memcpy(sc->listen, v, n * sizeof(v[0]));
	sc->nlisten = n;
	return BC_OK;
}

int
bc_sip_conf_load(struct bc_sip_conf *sc, const char *path,
    struct bc_err *err)
{
	struct bc_conf c;
	int rc;

	bc_conf_init(&c);
	rc = conf_parse(&c, sc, path, err);
	bc_conf_clear(&c);
	if (rc == BC_OK && sc->nlisten == 0)
		rc = bc_sip_listen_parse(sc, "udp:127.0.0.1:5060", err);
	if (rc == BC_OK && sc->min_expires > sc->max_expires)
		rc = bc_err_set(err, BC_ECONFIG, "%s: [sip] min_expires %d is "
		    "above max_expires %d", path, sc->min_expires,
		    sc->max_expires);
	return rc;
}

void
bc_conf_clear(struct bc_conf *c)
{
	free(c->path);
	free(c->site_name);
	free(c->site_store);
	free(c->peer_name);
	free(c->peer_store);
	free(c->peer_url);
	free(c->peer_token_file);
	free(c->peer_tls_ca);
	free(c->peer_tls_cert);
	free(c->peer_tls_key);
	free(c->sync_listen);
	free(c->sync_token_file);
	free(c->sync_tls_cert);
	free(c->sync_tls_key);
	free(c->sync_tls_client_ca);
	free(c->sync_hook);
	bc_conf_init(c);
}
