/*
 * sip-msg.c -- the one wrapper of libosip2 in sipbc: raw checks before
 * parsing, parsing, accessors and building of SIP messages (sip-msg.h).
 * No other file includes <osip2/...> or <osipparser2/...>, so libosip2's
 * quirks stay here.
 *
 * libosip2 keeps one process-wide parser table that parser_init() fills;
 * parsing before it crashes.  bc_sip_library_init() is the program's one
 * call to it (sipd/main.c, the SIP tests, the fuzz target).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_md5.h>
#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>
#include <osipparser2/osip_port.h>

#include "sip-msg.h"

struct bc_sipmsg {
	osip_message_t	*m;
};

/* libosip2's trace goes nowhere: the library never logs. */
static void
trace_nothing(const char *fi, int li, osip_trace_level_t level,
    const char *chfr, va_list ap)
{
	(void)fi;
	(void)li;
	(void)level;
	(void)chfr;
	(void)ap;
}

void
bc_sip_library_init(void)
{
	int level;

	parser_init();
	osip_trace_initialize_func(OSIP_FATAL, trace_nothing);
	for (level = 0; level < END_TRACE_LEVEL; level++)
		osip_trace_disable_level((osip_trace_level_t)level);
}

/* Copies s (may be NULL) into buf; -1 when it does not fit. */
static int
copy(char *buf, size_t len, const char *s)
{
	size_t n;

	if (s == NULL) {
		buf[0] = '\0';
		return 0;
	}
	n = strlen(s);
	if (n >= len) {
		buf[0] = '\0';
		return -1;
	}
	memcpy(buf, s, n + 1);
	return 0;
}

/* Like copy() without surrounding double quotes. */
static int
copy_unquoted(char *buf, size_t len, const char *s)
{
	size_t n;

	if (s == NULL) {
		buf[0] = '\0';
		return 0;
	}
	n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	if (n >= len) {
		buf[0] = '\0';
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

/* Decimal port text; 0 when absent or bad. */
static unsigned short
port_of(const char *s)
{
	unsigned long v = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return 0;
	}
	return (unsigned short)v;
}

/* Host without IPv6 brackets. */
static int
copy_host(char *buf, size_t len, const char *h)
{
	size_t n;

	if (h != NULL && h[0] == '[') {
		n = strlen(h);
		if (n < 2 || h[n - 1] != ']' || n - 2 >= len)
			return -1;
		memcpy(buf, h + 1, n - 2);
		buf[n - 2] = '\0';
		return 0;
	}
	return copy(buf, len, h);
}

int
bc_sipmsg_raw_check(const char *buf, size_t len, char *why, size_t whylen)
{
	size_t i, line = 0, lines = 0;
	int head = 1, crlf = 0;

	if (len == 0 || len > BC_SIP_MSG_MAX) {
		snprintf(why, whylen, "size %zu out of range", len);
		return -1;
	}
	/* a start line: "METHOD sip..." or "SIP/2.0 NNN" */
	if (!isupper((unsigned char)buf[0])) {
		snprintf(why, whylen, "no SIP start line");
		return -1;
	}
	for (i = 0; i < len && head; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\0') {
			snprintf(why, whylen, "NUL byte in the header");
			return -1;
		}
		if (c == '\n') {
			if (line == 0 || (line == 1 && crlf)) {
				head = 0;	/* empty line: end of head */
				break;
			}
			lines++;
			line = 0;
			crlf = 0;
			if (lines > BC_SIP_HEADERS_MAX + 1) {
				snprintf(why, whylen, "more than %d header "
				    "lines", BC_SIP_HEADERS_MAX);
				return -1;
			}
			continue;
		}
		crlf = c == '\r';
		if (++line > BC_SIP_LINE_MAX) {
			snprintf(why, whylen, "line longer than %d bytes",
			    BC_SIP_LINE_MAX);
			return -1;
		}
	}
	if (lines == 0) {
		snprintf(why, whylen, "no header");
		return -1;
	}
	if (strncmp(buf, "SIP/2.0 ", len < 8 ? len : 8) != 0) {
		const char *sp = memchr(buf, ' ', len < 32 ? len : 32);

		if (sp == NULL || (size_t)(buf + len - sp) < 5 ||
		    (strncasecmp(sp + 1, "sip:", 4) != 0 &&
		    strncasecmp(sp + 1, "sips", 4) != 0 &&
		    strncasecmp(sp + 1, "tel:", 4) != 0)) {
			snprintf(why, whylen, "no SIP start line");
			return -1;
		}
	}
	return 0;
}

int
bc_sipmsg_parse(bc_sipmsg **out, const char *buf, size_t len)
{
	bc_sipmsg *m;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return -1;
	if (osip_message_init(&m->m) != 0) {
		free(m);
		return -1;
	}
	if (osip_message_parse(m->m, buf, len) != 0) {
		bc_sipmsg_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

void
bc_sipmsg_free(bc_sipmsg *m)
{
	if (m == NULL)
		return;
	if (m->m != NULL)
		osip_message_free(m->m);
	free(m);
}

int
bc_sipmsg_is_request(const bc_sipmsg *m)
{
	return m->m->sip_method != NULL;
}

const char *
bc_sipmsg_method(const bc_sipmsg *m)
{
	return m->m->sip_method != NULL ? m->m->sip_method : "";
}

int
bc_sipmsg_status(const bc_sipmsg *m)
{
	return m->m->status_code;
}

int
bc_sipmsg_can_respond(const bc_sipmsg *m)
{
	osip_message_t *s = m->m;

	return osip_list_size(&s->vias) > 0 && s->from != NULL &&
	    s->to != NULL && s->call_id != NULL && s->call_id->number != NULL &&
	    s->cseq != NULL && s->cseq->number != NULL &&
	    s->cseq->method != NULL;
}

int
bc_sipmsg_check(const bc_sipmsg *m, char *why, size_t whylen)
{
	osip_message_t *s = m->m;
	osip_via_t *v;

	if (osip_list_size(&s->vias) <= 0) {
		snprintf(why, whylen, "no Via");
		return -1;
	}
	if (osip_list_size(&s->vias) > BC_SIP_VIAS_MAX) {
		snprintf(why, whylen, "more than %d Via values",
		    BC_SIP_VIAS_MAX);
		return -1;
	}
	v = osip_list_get(&s->vias, 0);
	if (v == NULL || v->host == NULL || v->protocol == NULL) {
		snprintf(why, whylen, "bad Via");
		return -1;
	}
	if (s->from == NULL || s->from->url == NULL) {
		snprintf(why, whylen, "no From");
		return -1;
	}
	if (s->to == NULL || s->to->url == NULL) {
		snprintf(why, whylen, "no To");
		return -1;
	}
	if (s->call_id == NULL || s->call_id->number == NULL) {
		snprintf(why, whylen, "no Call-ID");
		return -1;
	}
	if (s->cseq == NULL || s->cseq->number == NULL ||
	    s->cseq->method == NULL || bc_sipmsg_cseq(m, NULL) == 0) {
		snprintf(why, whylen, "no or bad CSeq");
		return -1;
	}
	if (s->sip_method != NULL) {
		if (s->req_uri == NULL || s->req_uri->scheme == NULL) {
			snprintf(why, whylen, "bad Request-URI");
			return -1;
		}
		if (strcmp(s->sip_method, s->cseq->method) != 0) {
			snprintf(why, whylen, "CSeq method differs from the "
			    "request's");
			return -1;
		}
	} else if (s->status_code < 100 || s->status_code > 699) {
		snprintf(why, whylen, "bad status code");
		return -1;
	}
	return 0;
}

int
bc_sipmsg_call_id(const bc_sipmsg *m, char *buf, size_t len)
{
	const osip_call_id_t *c = m->m->call_id;
	int n;

	if (c == NULL || c->number == NULL)
		return -1;
	if (c->host != NULL)
		n = snprintf(buf, len, "%s@%s", c->number, c->host);
	else
		n = snprintf(buf, len, "%s", c->number);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

unsigned long
bc_sipmsg_cseq(const bc_sipmsg *m, const char **method)
{
	const osip_cseq_t *c = m->m->cseq;
	const char *p;
	unsigned long v = 0;

	if (method != NULL)
		*method = c != NULL && c->method != NULL ? c->method : "";
	if (c == NULL || c->number == NULL || *c->number == '\0')
		return 0;
	for (p = c->number; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || v > 0x7fffffffUL / 10)
			return 0;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	return v;
}

static const char *
from_param(const osip_from_t *f, const char *name)
{
	osip_generic_param_t *p = NULL;

	if (f == NULL)
		return NULL;
	if (osip_generic_param_get_byname((osip_list_t *)&f->gen_params,
	    (char *)name, &p) != 0 || p == NULL)
		return NULL;
	return p->gvalue;
}

const char *
bc_sipmsg_from_tag(const bc_sipmsg *m)
{
	return from_param(m->m->from, "tag");
}

const char *
bc_sipmsg_to_tag(const bc_sipmsg *m)
{
	return from_param(m->m->to, "tag");
}

static int
uri_of(const osip_uri_t *u, struct bc_sipuri *out)
{
	osip_uri_param_t *p = NULL;

	memset(out, 0, sizeof(*out));
	out->transport = -1;
	if (u == NULL || u->scheme == NULL)
		return -1;
	if (copy(out->scheme, sizeof(out->scheme), u->scheme) != 0 ||
	    copy(out->user, sizeof(out->user), u->username) != 0 ||
	    copy_host(out->host, sizeof(out->host), u->host) != 0)
		return -1;
	out->port = port_of(u->port);
	if (osip_uri_param_get_byname((osip_list_t *)&u->url_params,
	    "transport", &p) == 0 && p != NULL && p->gvalue != NULL) {
		if (strcasecmp(p->gvalue, "udp") == 0)
			out->transport = BC_SIP_UDP;
		else if (strcasecmp(p->gvalue, "tcp") == 0)
			out->transport = BC_SIP_TCP;
		else
			out->transport = 99;	/* unsupported */
	}
	p = NULL;
	out->lr = osip_uri_param_get_byname((osip_list_t *)&u->url_params,
	    "lr", &p) == 0 && p != NULL;
	return 0;
}

int
bc_sipmsg_to_uri(const bc_sipmsg *m, struct bc_sipuri *out)
{
	if (m->m->to == NULL)
		return -1;
	return uri_of(m->m->to->url, out);
}

/* The first header of that name, or NULL. */
static osip_header_t *
header(const bc_sipmsg *m, const char *name)
{
	osip_header_t *h = NULL;

	if (osip_message_header_get_byname(m->m, name, 0, &h) < 0)
		return NULL;
	return h;
}

const char *
bc_sipmsg_header(const bc_sipmsg *m, const char *name)
{
	osip_header_t *h = header(m, name);

	return h != NULL ? h->hvalue : NULL;
}

/* Non-negative decimal of at most 9 digits; -1 otherwise. */
static long
decimal(const char *s)
{
	long v = 0;
	int n = 0;

	if (s == NULL)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, n++) {
		if (n == 9)
			return -1;
		v = v * 10 + (*s - '0');
	}
	while (*s == ' ' || *s == '\t')
		s++;
	return n == 0 || *s != '\0' ? -1 : v;
}

int
bc_sipmsg_max_forwards(const bc_sipmsg *m)
{
	osip_header_t *h = header(m, "max-forwards");
	long v;

	if (h == NULL)
		return -1;
	v = decimal(h->hvalue);
	return v < 0 || v > 255 ? -2 : (int)v;
}

int
bc_sipmsg_set_max_forwards(bc_sipmsg *m, int v)
{
	osip_header_t *h = header(m, "max-forwards");
	char buf[16], *s;

	snprintf(buf, sizeof(buf), "%d", v);
	if (h == NULL)
		return osip_message_set_header(m->m, "Max-Forwards", buf) == 0 ?
		    0 : -1;
	if ((s = osip_strdup(buf)) == NULL)
		return -1;
	osip_free(h->hvalue);
	h->hvalue = s;
	osip_message_force_update(m->m);
	return 0;
}

long
bc_sipmsg_expires(const bc_sipmsg *m)
{
	osip_header_t *h = header(m, "expires");
	long v;

	if (h == NULL)
		return -1;
	return (v = decimal(h->hvalue)) < 0 ? -2 : v;
}

int
bc_sipmsg_ruri(const bc_sipmsg *m, struct bc_sipuri *out)
{
	return uri_of(m->m->req_uri, out);
}

int
bc_sipmsg_ruri_text(const bc_sipmsg *m, char *buf, size_t len)
{
	char *s = NULL;
	int rc;

	if (m->m->req_uri == NULL || osip_uri_to_str(m->m->req_uri, &s) != 0)
		return -1;
	rc = copy(buf, len, s);
	osip_free(s);
	return rc;
}

int
bc_sipmsg_set_ruri(bc_sipmsg *m, const char *text)
{
	osip_uri_t *u;

	if (osip_uri_init(&u) != 0)
		return -1;
	if (osip_uri_parse(u, text) != 0) {
		osip_uri_free(u);
		return -1;
	}
	osip_uri_free(m->m->req_uri);
	m->m->req_uri = u;
	osip_message_force_update(m->m);
	return 0;
}

int
bc_sip_uri_parse(const char *text, struct bc_sipuri *out)
{
	osip_uri_t *u;
	int rc;

	memset(out, 0, sizeof(*out));
	out->transport = -1;
	if (text == NULL || osip_uri_init(&u) != 0)
		return -1;
	rc = osip_uri_parse(u, text) == 0 ? uri_of(u, out) : -1;
	osip_uri_free(u);
	return rc;
}

int
bc_sipmsg_contact_count(const bc_sipmsg *m)
{
	return osip_list_size(&m->m->contacts);
}

int
bc_sipmsg_contact(const bc_sipmsg *m, int i, char **uri, long *expires,
    int *q, int *star)
{
	osip_contact_t *c = NULL;
	osip_generic_param_t *p = NULL;
	char *s = NULL;
	double d;

	*uri = NULL;
	*expires = -1;
	*q = -1;
	*star = 0;
	if (osip_message_get_contact(m->m, i, &c) < 0 || c == NULL)
		return -1;
	if (c->url == NULL) {
		if (c->displayname != NULL && strcmp(c->displayname, "*") == 0) {
			*star = 1;
			return 0;
		}
		return -1;
	}
	if (osip_contact_param_get_byname(c, "expires", &p) == 0 &&
	    p != NULL) {
		if ((*expires = decimal(p->gvalue)) < 0)
			return -1;
	}
	p = NULL;
	if (osip_contact_param_get_byname(c, "q", &p) == 0 && p != NULL) {
		char *end;

		if (p->gvalue == NULL)
			return -1;
		d = strtod(p->gvalue, &end);
		if (*end != '\0' || !(d >= 0.0 && d <= 1.0))
			return -1;
		*q = (int)(d * 1000.0 + 0.5);
	}
	if (osip_uri_to_str(c->url, &s) != 0 || s == NULL)
		return -1;
	*uri = strdup(s);
	osip_free(s);
	return *uri != NULL ? 0 : -1;
}

int
bc_sipmsg_via_count(const bc_sipmsg *m)
{
	return osip_list_size(&m->m->vias);
}

int
bc_sipmsg_via(const bc_sipmsg *m, int i, struct bc_sipvia *out)
{
	osip_via_t *v = NULL;
	osip_generic_param_t *p = NULL;

	memset(out, 0, sizeof(*out));
	out->rport = -1;
	if (osip_message_get_via(m->m, i, &v) < 0 || v == NULL)
		return -1;
	if (copy(out->transport, sizeof(out->transport), v->protocol) != 0 ||
	    copy_host(out->host, sizeof(out->host), v->host) != 0)
		return -1;
	out->port = port_of(v->port);
	if (osip_via_param_get_byname(v, "branch", &p) == 0 && p != NULL &&
	    copy(out->branch, sizeof(out->branch), p->gvalue) != 0)
		return -1;
	p = NULL;
	if (osip_via_param_get_byname(v, "received", &p) == 0 && p != NULL &&
	    copy(out->received, sizeof(out->received), p->gvalue) != 0)
		return -1;
	p = NULL;
	if (osip_via_param_get_byname(v, "rport", &p) == 0 && p != NULL)
		out->rport = p->gvalue == NULL ? 0 : port_of(p->gvalue);
	return 0;
}

/* Sets (or adds) parameter name of Via v to value. */
static int
via_param_set(osip_via_t *v, const char *name, const char *value)
{
	osip_generic_param_t *p = NULL;
	char *n, *s;

	if ((s = osip_strdup(value)) == NULL)
		return -1;
	if (osip_via_param_get_byname(v, (char *)name, &p) == 0 && p != NULL) {
		osip_free(p->gvalue);
		p->gvalue = s;
		return 0;
	}
	if ((n = osip_strdup(name)) == NULL) {
		osip_free(s);
		return -1;
	}
	if (osip_via_param_add(v, n, s) != 0) {
		osip_free(n);
		osip_free(s);
		return -1;
	}
	return 0;
}

int
bc_sipmsg_via_mark(bc_sipmsg *m, const char *host, unsigned short port,
    int always_received, int always_rport)
{
	struct bc_sipvia via;
	osip_via_t *v = NULL;
	char pbuf[8];

	if (bc_sipmsg_via(m, 0, &via) != 0 ||
	    osip_message_get_via(m->m, 0, &v) < 0 || v == NULL)
		return -1;
	if ((always_received || strcmp(via.host, host) != 0) &&
	    via_param_set(v, "received", host) != 0)
		return -1;
	snprintf(pbuf, sizeof(pbuf), "%u", (unsigned)port);
	if ((always_rport || via.rport == 0) &&
	    via_param_set(v, "rport", pbuf) != 0)
		return -1;
	osip_message_force_update(m->m);
	return 0;
}

int
bc_sipmsg_via_push(bc_sipmsg *m, const char *text)
{
	osip_via_t *v;

	if (osip_via_init(&v) != 0)
		return -1;
	if (osip_via_parse(v, text) != 0 ||
	    osip_list_add(&m->m->vias, v, 0) < 0) {
		osip_via_free(v);
		return -1;
	}
	osip_message_force_update(m->m);
	return 0;
}

int
bc_sipmsg_via_pop(bc_sipmsg *m)
{
	osip_via_t *v = osip_list_get(&m->m->vias, 0);

	if (v == NULL)
		return -1;
	osip_list_remove(&m->m->vias, 0);
	osip_via_free(v);
	osip_message_force_update(m->m);
	return 0;
}

int
bc_sipmsg_route_count(const bc_sipmsg *m)
{
	return osip_list_size(&m->m->routes);
}

int
bc_sipmsg_route(const bc_sipmsg *m, int i, struct bc_sipuri *out)
{
	osip_route_t *r = NULL;

	if (osip_message_get_route(m->m, i, &r) < 0 || r == NULL)
		return -1;
	return uri_of(r->url, out);
}

int
bc_sipmsg_route_pop(bc_sipmsg *m)
{
	osip_route_t *r = osip_list_get(&m->m->routes, 0);

	if (r == NULL)
		return -1;
	osip_list_remove(&m->m->routes, 0);
	osip_route_free(r);
	osip_message_force_update(m->m);
	return 0;
}

int
bc_sipmsg_record_route_push(bc_sipmsg *m, const char *uri)
{
	osip_record_route_t *rr;
	char buf[600];

	snprintf(buf, sizeof(buf), "<%s>", uri);
	if (osip_record_route_init(&rr) != 0)
		return -1;
	if (osip_record_route_parse(rr, buf) != 0 ||
	    osip_list_add(&m->m->record_routes, rr, 0) < 0) {
		osip_record_route_free(rr);
		return -1;
	}
	osip_message_force_update(m->m);
	return 0;
}

int
bc_sipmsg_authorization(const bc_sipmsg *m, struct bc_sipauth *a)
{
	osip_authorization_t *h = NULL;

	memset(a, 0, sizeof(*a));
	if (osip_message_get_authorization(m->m, 0, &h) < 0 || h == NULL)
		return 1;
	if (copy(a->scheme, sizeof(a->scheme), h->auth_type) != 0 ||
	    copy_unquoted(a->username, sizeof(a->username), h->username) ||
	    copy_unquoted(a->realm, sizeof(a->realm), h->realm) ||
	    copy_unquoted(a->nonce, sizeof(a->nonce), h->nonce) ||
	    copy_unquoted(a->uri, sizeof(a->uri), h->uri) ||
	    copy_unquoted(a->response, sizeof(a->response), h->response) ||
	    copy_unquoted(a->algorithm, sizeof(a->algorithm), h->algorithm) ||
	    copy_unquoted(a->qop, sizeof(a->qop), h->message_qop) ||
	    copy_unquoted(a->nc, sizeof(a->nc), h->nonce_count) ||
	    copy_unquoted(a->cnonce, sizeof(a->cnonce), h->cnonce))
		return -1;
	return 0;
}

bc_sipmsg *
bc_sipmsg_response(const bc_sipmsg *req, int code, const char *reason,
    const char *to_tag)
{
	osip_message_t *q = req->m, *r;
	bc_sipmsg *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if (osip_message_init(&m->m) != 0) {
		free(m);
		return NULL;
	}
	r = m->m;
	osip_message_set_version(r, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(r, code);
	osip_message_set_reason_phrase(r, osip_strdup(reason));
	if (r->sip_version == NULL || r->reason_phrase == NULL ||
	    osip_list_clone(&q->vias, &r->vias,
	    (int (*)(void *, void **))&osip_via_clone) != 0 ||
	    osip_from_clone(q->from, &r->from) != 0 ||
	    osip_to_clone(q->to, &r->to) != 0 ||
	    osip_call_id_clone(q->call_id, &r->call_id) != 0 ||
	    osip_cseq_clone(q->cseq, &r->cseq) != 0)
		goto fail;
	if (code > 100 && to_tag != NULL && bc_sipmsg_to_tag(m) == NULL &&
	    osip_to_set_tag(r->to, osip_strdup(to_tag)) != 0)
		goto fail;
	return m;
fail:
	bc_sipmsg_free(m);
	return NULL;
}

/*
 * A request of method built from inv (a forwarded INVITE): its
 * Request-URI, top Via, From, Call-ID, CSeq number and Route set; To
 * from resp when given (ACK of a failure, RFC 3261 17.1.1.3), else from
 * inv (CANCEL, 9.1).
 */
static bc_sipmsg *
request_from(const bc_sipmsg *inv, const bc_sipmsg *resp, const char *method)
{
	osip_message_t *q = inv->m, *r;
	osip_via_t *v = osip_list_get(&q->vias, 0), *nv = NULL;
	bc_sipmsg *m;

	if (v == NULL || q->req_uri == NULL || q->cseq == NULL ||
	    q->cseq->number == NULL)
		return NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if (osip_message_init(&m->m) != 0) {
		free(m);
		return NULL;
	}
	r = m->m;
	osip_message_set_version(r, osip_strdup("SIP/2.0"));
	osip_message_set_method(r, osip_strdup(method));
	if (r->sip_version == NULL || r->sip_method == NULL ||
	    osip_uri_clone(q->req_uri, &r->req_uri) != 0 ||
	    osip_via_clone(v, &nv) != 0 ||
	    osip_list_add(&r->vias, nv, 0) < 0 ||
	    osip_from_clone(q->from, &r->from) != 0 ||
	    osip_to_clone(resp != NULL ? resp->m->to : q->to, &r->to) != 0 ||
	    osip_call_id_clone(q->call_id, &r->call_id) != 0 ||
	    osip_list_clone(&q->routes, &r->routes,
	    (int (*)(void *, void **))&osip_route_clone) != 0 ||
	    osip_cseq_init(&r->cseq) != 0) {
		if (nv != NULL && osip_list_size(&r->vias) == 0)
			osip_via_free(nv);
		goto fail;
	}
	osip_cseq_set_number(r->cseq, osip_strdup(q->cseq->number));
	osip_cseq_set_method(r->cseq, osip_strdup(method));
	if (r->cseq->number == NULL || r->cseq->method == NULL ||
	    osip_message_set_max_forwards(r, "70") != 0)
		goto fail;
	osip_message_force_update(r);
	return m;
fail:
	bc_sipmsg_free(m);
	return NULL;
}

bc_sipmsg *
bc_sipmsg_cancel(const bc_sipmsg *inv)
{
	return request_from(inv, NULL, "CANCEL");
}

bc_sipmsg *
bc_sipmsg_ack(const bc_sipmsg *inv, const bc_sipmsg *resp)
{
	return request_from(inv, resp, "ACK");
}

int
bc_sipmsg_add_header(bc_sipmsg *m, const char *name, const char *value)
{
	int rc;

	if (strcasecmp(name, "Contact") == 0)
		rc = osip_message_set_contact(m->m, value);
	else if (strcasecmp(name, "WWW-Authenticate") == 0)
		rc = osip_message_set_www_authenticate(m->m, value);
	else
		rc = osip_message_set_header(m->m, name, value);
	osip_message_force_update(m->m);
	return rc == 0 ? 0 : -1;
}

int
bc_sipmsg_to_string(bc_sipmsg *m, char **buf, size_t *len)
{
	char *s = NULL;
	size_t n = 0;

	*buf = NULL;
	*len = 0;
	osip_message_force_update(m->m);
	if (osip_message_to_str(m->m, &s, &n) != 0 || s == NULL)
		return -1;
	if ((*buf = malloc(n + 1)) != NULL) {
		memcpy(*buf, s, n);
		(*buf)[n] = '\0';
		*len = n;
	}
	osip_free(s);
	return *buf != NULL ? 0 : -1;
}

void
bc_sip_md5(const void *const *parts, const size_t *lens, size_t n,
    unsigned char out[16])
{
	osip_MD5_CTX ctx;
	size_t i;

	osip_MD5Init(&ctx);
	for (i = 0; i < n; i++)
		osip_MD5Update(&ctx, (unsigned char *)(uintptr_t)parts[i],
		    (unsigned int)lens[i]);
	osip_MD5Final(out, &ctx);
}
