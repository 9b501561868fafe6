/*
 * sip-msg.h -- SIP messages for the SIP core of the library: raw checks,
 * parsing, accessors and building.  sip-msg.c is the one file of sipbc
 * that includes libosip2's headers; everything else sees this API.  Not
 * installed; used by core/sip-*.c, the SIP tests and the fuzz target.
 *
 * Strings returned as const char * are borrowed from the message and
 * live until it is freed or changed.
 */
#ifndef BC_SIP_MSG_H
#define BC_SIP_MSG_H

#include <stddef.h>

#include "bc-sip.h"

/* Limits checked on the raw bytes before libosip2 sees them. */
#define BC_SIP_MSG_MAX		65535	/* bytes */
#define BC_SIP_LINE_MAX		4096	/* bytes per header line */
#define BC_SIP_HEADERS_MAX	96	/* header lines */
#define BC_SIP_VIAS_MAX		32	/* Via values (loop check cost) */

typedef struct bc_sipmsg bc_sipmsg;

/* A URI taken apart; text fields empty when absent. */
struct bc_sipuri {
	char		scheme[8];		/* "sip", "sips", "tel" */
	char		user[128];
	char		host[BC_SIP_HOST_MAX];	/* no brackets */
	unsigned short	port;			/* 0: none */
	int		transport;	/* -1: none, else bc_sip_transport */
	int		lr;		/* ;lr present */
};

/* One Via value. */
struct bc_sipvia {
	char		transport[8];	/* "UDP", "TCP", ... */
	char		host[BC_SIP_HOST_MAX];
	unsigned short	port;		/* 0: none */
	char		branch[128];
	char		received[64];
	int		rport;		/* -1 absent, 0 no value, else port */
};

/* Digest credentials (Authorization), unquoted. */
struct bc_sipauth {
	char	scheme[16];
	char	username[128];
	char	realm[128];
	char	nonce[128];
	char	uri[512];
	char	response[64];
	char	algorithm[32];
	char	qop[32];
	char	nc[16];
	char	cnonce[128];
};

/*
 * Checks raw bytes before parsing: size, NUL bytes in the head, line
 * length, number of header lines, a start line that looks like SIP.
 * 0 when acceptable, else -1 with a reason in why.
 */
int	bc_sipmsg_raw_check(const char *, size_t, char *why, size_t whylen);
/* Parses a message; 0, or -1 when libosip2 rejects it. */
int	bc_sipmsg_parse(bc_sipmsg **, const char *, size_t);
void	bc_sipmsg_free(bc_sipmsg *);

int	bc_sipmsg_is_request(const bc_sipmsg *);
const char *bc_sipmsg_method(const bc_sipmsg *);	/* requests */
int	bc_sipmsg_status(const bc_sipmsg *);		/* responses */
/*
 * The headers every message needs (Via, From, To, Call-ID, CSeq; for a
 * request a Request-URI and a CSeq method equal to the method): 0 when
 * present, -1 with the missing one in why.
 */
int	bc_sipmsg_check(const bc_sipmsg *, char *why, size_t whylen);
/* Enough to build a response (a Via, From, To, Call-ID, CSeq): 1 or 0. */
int	bc_sipmsg_can_respond(const bc_sipmsg *);

/* "number@host" into buf; 0, or -1 when missing or too long. */
int	bc_sipmsg_call_id(const bc_sipmsg *, char *, size_t);
/* CSeq number (0 when bad) and method. */
unsigned long bc_sipmsg_cseq(const bc_sipmsg *, const char **method);
const char *bc_sipmsg_from_tag(const bc_sipmsg *);
const char *bc_sipmsg_to_tag(const bc_sipmsg *);
int	bc_sipmsg_to_uri(const bc_sipmsg *, struct bc_sipuri *);
/* Max-Forwards: -1 absent, -2 malformed, else the value. */
int	bc_sipmsg_max_forwards(const bc_sipmsg *);
int	bc_sipmsg_set_max_forwards(bc_sipmsg *, int);
/* Expires header: -1 absent, -2 malformed, else seconds. */
long	bc_sipmsg_expires(const bc_sipmsg *);
const char *bc_sipmsg_header(const bc_sipmsg *, const char *name);

int	bc_sipmsg_ruri(const bc_sipmsg *, struct bc_sipuri *);
int	bc_sipmsg_set_ruri(bc_sipmsg *, const char *uri);
/* The Request-URI as text into buf. */
int	bc_sipmsg_ruri_text(const bc_sipmsg *, char *, size_t);
/* Parses a URI text; 0 or -1. */
int	bc_sip_uri_parse(const char *, struct bc_sipuri *);

/* Contacts: count, and the i-th (uri malloc'd, caller frees). */
int	bc_sipmsg_contact_count(const bc_sipmsg *);
/*
 * i-th Contact: *star set for "*"; else *uri (malloc'd) is the URI,
 * *expires its expires parameter (-1 none), *q its q times 1000 (-1
 * none).  0 or -1.
 */
int	bc_sipmsg_contact(const bc_sipmsg *, int i, char **uri, long *expires,
	    int *q, int *star);

int	bc_sipmsg_via_count(const bc_sipmsg *);
int	bc_sipmsg_via(const bc_sipmsg *, int i, struct bc_sipvia *);
/*
 * RFC 3261 18.2.1 and RFC 3581 on the top Via: received=host when the
 * sent-by differs (or always_received), rport=port when it asks for it
 * (or always_rport).
 */
int	bc_sipmsg_via_mark(bc_sipmsg *, const char *host, unsigned short port,
	    int always_received, int always_rport);
/* Adds a Via value ("SIP/2.0/UDP h:p;branch=...") at the top. */
int	bc_sipmsg_via_push(bc_sipmsg *, const char *);
int	bc_sipmsg_via_pop(bc_sipmsg *);

int	bc_sipmsg_route_count(const bc_sipmsg *);
int	bc_sipmsg_route(const bc_sipmsg *, int i, struct bc_sipuri *);
int	bc_sipmsg_route_pop(bc_sipmsg *);
/* Adds "<uri>" as the top Record-Route. */
int	bc_sipmsg_record_route_push(bc_sipmsg *, const char *uri);

/* Authorization header: 0 found, 1 none, -1 malformed or too long. */
int	bc_sipmsg_authorization(const bc_sipmsg *, struct bc_sipauth *);

/*
 * A response to req (Via, From, To, Call-ID, CSeq copied; to_tag added
 * to To when it has none and code > 100).  NULL when out of memory.
 */
bc_sipmsg *bc_sipmsg_response(const bc_sipmsg *req, int code,
	    const char *reason, const char *to_tag);
/*
 * The CANCEL (RFC 3261 9.1) of a forwarded INVITE, and the ACK of a
 * failure response to it (17.1.1.3): same Request-URI, top Via, From,
 * Call-ID, CSeq number and Route set; the ACK's To is the response's.
 * NULL when out of memory.
 */
bc_sipmsg *bc_sipmsg_cancel(const bc_sipmsg *inv);
bc_sipmsg *bc_sipmsg_ack(const bc_sipmsg *inv, const bc_sipmsg *resp);
int	bc_sipmsg_add_header(bc_sipmsg *, const char *name,
	    const char *value);
/* Serializes; *buf is malloc'd, the caller frees it. */
int	bc_sipmsg_to_string(bc_sipmsg *, char **buf, size_t *len);

/* MD5 of the concatenation of n parts (libosip2's implementation). */
void	bc_sip_md5(const void *const *parts, const size_t *lens, size_t n,
	    unsigned char out[16]);

#endif /* BC_SIP_MSG_H */
