/*
 * net.c -- bcsipd's transports: UDP sockets and TCP listeners and
 * connections, IPv4 and IPv6.  A UDP datagram is one message; on TCP,
 * messages are framed by their Content-Length (RFC 3261 18.3).  Every
 * message goes to the engine with the address it came from, and what the
 * engine returns is sent: over UDP from the listener it names, over TCP
 * on the connection to that address (opened when there is none).
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"
#include "sipd.h"

#define RECV_BURST	64		/* datagrams per wake-up per socket */
#define MSG_MAX		65535		/* as the engine's raw check */
#define BUF_MAX		65536

struct listener {
	int			 fd;
	enum bc_sip_transport	 transport;
	int			 family;
	char			 host[64];	/* as configured */
	unsigned short		 port;
};

struct conn {
	int			 fd;
	int			 listener;
	char			 host[64];
	unsigned short		 port;
	char			*in;
	size_t			 inlen;
	char			*outb;
	size_t			 outlen;
	long long		 last;
	int			 connecting;
};

struct net {
	struct listener		 l[BC_SIP_LISTEN_MAX];
	size_t			 nl;
	struct conn		*c[SIPD_TCP_MAX];
	size_t			 nc;
	char			 buf[BUF_MAX + 1];
};

size_t
net_max_fds(void)
{
	return BC_SIP_LISTEN_MAX + SIPD_TCP_MAX;
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* host/port to a sockaddr; numeric first, then the resolver. */
static int
to_sockaddr(const char *host, unsigned short port,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct addrinfo hints, *ai;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
		return 0;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, NULL, &hints, &ai) != 0)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (ss->ss_family == AF_INET)
		s4->sin_port = htons(port);
	else
		s6->sin6_port = htons(port);
	return 0;
}

static void
from_sockaddr(const struct sockaddr_storage *ss, char *host, size_t len,
    unsigned short *port)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, (socklen_t)len);
		*port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, (socklen_t)len);
		*port = ntohs(s4->sin_port);
	}
}

/* Opens, binds (and for TCP listens on) the socket of cl into l. */
static int
listener_open(struct listener *l, const struct bc_sip_listen *cl)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, on = 1, sz = 4 * 1024 * 1024;
	int tcp = cl->transport == BC_SIP_TCP;

	if (to_sockaddr(cl->host, cl->port, &ss, &len) != 0) {
		log_warnx("listen %s:%s:%u: bad address",
		    bc_sip_transport_name(cl->transport), cl->host, cl->port);
		return -1;
	}
	fd = socket(ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (!tcp) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) == -1) {
		log_warn("listen %s:%s:%u",
		    bc_sip_transport_name(cl->transport), cl->host, cl->port);
		close(fd);
		return -1;
	}
	if ((tcp && listen(fd, 128) == -1) || set_nonblock(fd) == -1) {
		log_warn("listen");
		close(fd);
		return -1;
	}
	l->fd = fd;
	l->transport = cl->transport;
	l->family = ss.ss_family;
	snprintf(l->host, sizeof(l->host), "%s", cl->host);
	l->port = cl->port;
	log_info("listening on %s:%s%s%s:%u",
	    bc_sip_transport_name(cl->transport),
	    ss.ss_family == AF_INET6 ? "[" : "", cl->host,
	    ss.ss_family == AF_INET6 ? "]" : "", cl->port);
	return 0;
}

struct net *
net_open(const struct bc_sip_conf *conf)
{
	struct net *n;
	size_t i;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		log_warn("net");
		return NULL;
	}
	for (i = 0; i < conf->nlisten; i++) {
		if (listener_open(&n->l[n->nl], &conf->listen[i]) != 0) {
			net_close(n);
			return NULL;
		}
		n->nl++;
	}
	return n;
}

static int
listener_is(const struct listener *l, const struct bc_sip_listen *cl)
{
	return l->fd != -1 && l->transport == cl->transport &&
	    l->port == cl->port && strcmp(l->host, cl->host) == 0;
}

static void conn_close(struct net *, size_t);

int
net_reopen(struct net *n, const struct bc_sip_conf *conf)
{
	struct listener nl[BC_SIP_LISTEN_MAX];
	int from[BC_SIP_LISTEN_MAX], to[BC_SIP_LISTEN_MAX];
	size_t i, j;

	for (j = 0; j < n->nl; j++)
		to[j] = -1;
	for (i = 0; i < conf->nlisten; i++) {
		from[i] = -1;
		for (j = 0; j < n->nl; j++)
			if (to[j] == -1 && listener_is(&n->l[j],
			    &conf->listen[i])) {
				from[i] = (int)j;
				to[j] = (int)i;
				nl[i] = n->l[j];
				break;
			}
		if (from[i] == -1 && listener_open(&nl[i],
		    &conf->listen[i]) != 0) {
			/* undo: close what this reload opened */
			while (i-- > 0)
				if (from[i] == -1)
					close(nl[i].fd);
			return -1;
		}
	}
	for (j = 0; j < n->nl; j++)
		if (to[j] == -1) {
			log_info("closing %s:%s:%u",
			    bc_sip_transport_name(n->l[j].transport),
			    n->l[j].host, n->l[j].port);
			close(n->l[j].fd);
		}
	/* connections follow their listener, or close with it */
	for (i = n->nc; i > 0; i--) {
		struct conn *c = n->c[i - 1];

		if (c->listener >= 0 && (size_t)c->listener < n->nl &&
		    to[c->listener] >= 0)
			c->listener = to[c->listener];
		else
			conn_close(n, i - 1);
	}
	memcpy(n->l, nl, conf->nlisten * sizeof(nl[0]));
	n->nl = conf->nlisten;
	return 0;
}

static void
conn_close(struct net *n, size_t i)
{
	struct conn *c = n->c[i];

	log_debug("tcp %s:%u closed", c->host, c->port);
	close(c->fd);
	free(c->in);
	free(c->outb);
	free(c);
	n->c[i] = n->c[--n->nc];
}

void
net_close(struct net *n)
{
	size_t i;

	if (n == NULL)
		return;
	while (n->nc > 0)
		conn_close(n, n->nc - 1);
	for (i = 0; i < n->nl; i++)
		close(n->l[i].fd);
	free(n);
}

size_t
net_pollfds(struct net *n, struct pollfd *p, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < n->nl && k < max; i++, k++) {
		p[k].fd = n->l[i].fd;
		p[k].events = POLLIN;
		p[k].revents = 0;
	}
	for (i = 0; i < n->nc && k < max; i++, k++) {
		p[k].fd = n->c[i]->fd;
		p[k].events = POLLIN | (n->c[i]->outlen > 0 ||
		    n->c[i]->connecting ? POLLOUT : 0);
		p[k].revents = 0;
	}
	return k;
}

static struct conn *
conn_add(struct net *n, int fd, int listener, const char *host,
    unsigned short port, long long now)
{
	struct conn *c;

	if (n->nc == SIPD_TCP_MAX || (c = calloc(1, sizeof(*c))) == NULL) {
		log_warnx("tcp %s:%u refused: too many connections", host,
		    port);
		close(fd);
		return NULL;
	}
	c->fd = fd;
	c->listener = listener;
	snprintf(c->host, sizeof(c->host), "%s", host);
	c->port = port;
	c->last = now;
	n->c[n->nc++] = c;
	return c;
}

static struct conn *
conn_find(struct net *n, const char *host, unsigned short port)
{
	size_t i;

	for (i = 0; i < n->nc; i++)
		if (n->c[i]->port == port && strcmp(n->c[i]->host, host) == 0)
			return n->c[i];
	return NULL;
}

/* Queues or writes bytes on c; -1 when the connection is broken. */
static int
conn_write(struct conn *c, const char *buf, size_t len)
{
	ssize_t w = 0;
	char *nb;

	if (c->outlen == 0 && !c->connecting) {
		w = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (w == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (w < 0)
			w = 0;
	}
	if ((size_t)w == len)
		return 0;
	if (c->outlen + len - (size_t)w > 4 * BUF_MAX)
		return -1;	/* the peer does not read */
	if ((nb = realloc(c->outb, c->outlen + len - (size_t)w)) == NULL)
		return -1;
	memcpy(nb + c->outlen, buf + w, len - (size_t)w);
	c->outb = nb;
	c->outlen += len - (size_t)w;
	return 0;
}

static void
conn_flush(struct net *n, size_t i)
{
	struct conn *c = n->c[i];
	ssize_t w;
	int e = 0;
	socklen_t el = sizeof(e);

	if (c->connecting) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) == -1 ||
		    e != 0) {
			log_warnx("tcp %s:%u: cannot connect: %s", c->host,
			    c->port, strerror(e));
			conn_close(n, i);
			return;
		}
		c->connecting = 0;
	}
	if (c->outlen == 0)
		return;
	w = send(c->fd, c->outb, c->outlen, MSG_NOSIGNAL);
	if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (w <= 0) {
		conn_close(n, i);
		return;
	}
	memmove(c->outb, c->outb + w, c->outlen - (size_t)w);
	c->outlen -= (size_t)w;
}

/* Opens a TCP connection to host:port from listener l's address family. */
static struct conn *
conn_open(struct net *n, int l, const char *host, unsigned short port,
    long long now)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct conn *c;
	int fd;

	if (to_sockaddr(host, port, &ss, &len) != 0) {
		log_warnx("tcp %s:%u: cannot resolve", host, port);
		return NULL;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    set_nonblock(fd) == -1) {
		log_warn("socket");
		if (fd != -1)
			close(fd);
		return NULL;
	}
	if (connect(fd, (struct sockaddr *)&ss, len) == -1 &&
	    errno != EINPROGRESS) {
		log_warn("tcp %s:%u: connect", host, port);
		close(fd);
		return NULL;
	}
	if ((c = conn_add(n, fd, l, host, port, now)) != NULL)
		c->connecting = 1;
	return c;
}

static void
send_all(struct net *n, struct bc_sip_out *out, long long now)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct conn *c;
	size_t i;

	for (i = 0; i < out->n; i++) {
		struct bc_sip_send *s = &out->v[i];

		if (s->to.listener < 0 || (size_t)s->to.listener >= n->nl)
			continue;
		if (log_debugging())
			log_debug("send %s:%s:%u %zu bytes: %.*s",
			    bc_sip_transport_name(s->to.transport), s->to.host,
			    s->to.port, s->len,
			    (int)strcspn(s->buf, "\r\n"), s->buf);
		if (s->to.transport == BC_SIP_UDP) {
			if (to_sockaddr(s->to.host, s->to.port, &ss, &len) != 0) {
				log_warnx("udp %s:%u: cannot resolve",
				    s->to.host, s->to.port);
				continue;
			}
			if (sendto(n->l[s->to.listener].fd, s->buf, s->len, 0,
			    (struct sockaddr *)&ss, len) == -1)
				log_warn("udp %s:%u: send", s->to.host,
				    s->to.port);
			continue;
		}
		if ((c = conn_find(n, s->to.host, s->to.port)) == NULL &&
		    (c = conn_open(n, s->to.listener, s->to.host, s->to.port,
		    now)) == NULL)
			continue;
		c->last = now;
		if (conn_write(c, s->buf, s->len) != 0) {
			size_t k;

			for (k = 0; k < n->nc; k++)
				if (n->c[k] == c) {
					conn_close(n, k);
					break;
				}
		}
	}
}

void
net_send(struct net *n, struct bc_sip_out *out, long long now)
{
	send_all(n, out, now);
}

void
net_timers(struct net *n, bc_sip_server *srv, long long now)
{
	struct bc_sip_out out;
	struct bc_err err;

	out.n = 0;
	if (bc_sip_server_timers(srv, now, &out, &err) != BC_OK)
		log_warnx("%s", err.msg);
	send_all(n, &out, now);
	bc_sip_out_clear(&out);
}

static void
handle(struct net *n, bc_sip_server *srv, const char *buf, size_t len,
    const struct bc_sip_peer *peer, long long now)
{
	struct bc_sip_out out;
	struct bc_err err;

	out.n = 0;
	if (log_debugging())
		log_debug("recv %s:%s:%u %zu bytes: %.*s",
		    bc_sip_transport_name(peer->transport), peer->host,
		    peer->port, len, (int)strcspn(buf, "\r\n"), buf);
	if (bc_sip_server_input(srv, buf, len, peer, now, &out, &err) != BC_OK)
		log_warnx("%s", err.msg);
	send_all(n, &out, now);
	bc_sip_out_clear(&out);
}

static void
udp_read(struct net *n, bc_sip_server *srv, size_t li, long long now)
{
	struct sockaddr_storage ss;
	struct bc_sip_peer peer;
	socklen_t len;
	ssize_t r;
	int k;

	for (k = 0; k < RECV_BURST; k++) {
		len = sizeof(ss);
		r = recvfrom(n->l[li].fd, n->buf, sizeof(n->buf) - 1,
		    MSG_TRUNC, (struct sockaddr *)&ss, &len);
		if (r == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn("udp recv");
			return;
		}
		if ((size_t)r >= sizeof(n->buf) - 1)
			continue;	/* truncated: too big for SIP over UDP */
		n->buf[r] = '\0';
		memset(&peer, 0, sizeof(peer));
		peer.transport = BC_SIP_UDP;
		peer.listener = (int)li;
		from_sockaddr(&ss, peer.host, sizeof(peer.host), &peer.port);
		handle(n, srv, n->buf, (size_t)r, &peer, now);
	}
}

static void
tcp_accept(struct net *n, size_t li, long long now)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[64];
	unsigned short port;
	int fd, on = 1;

	if ((fd = accept4(n->l[li].fd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			log_warn("tcp accept");
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	from_sockaddr(&ss, host, sizeof(host), &port);
	log_debug("tcp %s:%u accepted", host, port);
	conn_add(n, fd, (int)li, host, port, now);
}

/*
 * Length of the first whole message in buf (head and Content-Length
 * body), 0 when more bytes are needed, -1 when the stream is broken.
 */
static long
frame(const char *buf, size_t len)
{
	const char *end = NULL, *p, *line;
	size_t i, head;
	long clen = -1;

	for (i = 0; i + 3 < len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' &&
		    buf[i + 3] == '\n') {
			end = buf + i + 4;
			break;
		}
	if (end == NULL)
		return len > MSG_MAX ? -1 : 0;
	head = (size_t)(end - buf);
	for (line = buf; line < end; line = p + 1) {
		if ((p = memchr(line, '\n', (size_t)(end - line))) == NULL)
			break;
		if ((strncasecmp(line, "Content-Length", 14) == 0 &&
		    (line[14] == ':' || line[14] == ' ' || line[14] == '\t')) ||
		    (strncasecmp(line, "l", 1) == 0 &&
		    (line[1] == ':' || line[1] == ' '))) {
			const char *v = memchr(line, ':', (size_t)(p - line));
			char *e;

			if (v == NULL)
				return -1;
			clen = strtol(v + 1, &e, 10);
			while (*e == ' ' || *e == '\t' || *e == '\r')
				e++;
			if (e != p || clen < 0 || clen > MSG_MAX)
				return -1;
		}
	}
	if (clen < 0)
		return -1;	/* RFC 3261 18.3: mandatory on streams */
	if (head + (size_t)clen > MSG_MAX)
		return -1;
	return len >= head + (size_t)clen ? (long)(head + (size_t)clen) : 0;
}

/* Reads from connection i; 0, or -1 when it was closed. */
static int
tcp_read(struct net *n, bc_sip_server *srv, size_t i, long long now)
{
	struct conn *c = n->c[i];
	struct bc_sip_peer peer;
	ssize_t r;
	long m;
	char *nb;

	r = recv(c->fd, n->buf, sizeof(n->buf) - 1, 0);
	if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return 0;
	if (r <= 0) {
		conn_close(n, i);
		return -1;
	}
	c->last = now;
	if ((nb = realloc(c->in, c->inlen + (size_t)r + 1)) == NULL) {
		conn_close(n, i);
		return -1;
	}
	c->in = nb;
	memcpy(c->in + c->inlen, n->buf, (size_t)r);
	c->inlen += (size_t)r;
	for (;;) {
		size_t skip = 0;

		while (skip < c->inlen && (c->in[skip] == '\r' ||
		    c->in[skip] == '\n'))
			skip++;		/* keep-alives */
		if (skip > 0) {
			memmove(c->in, c->in + skip, c->inlen - skip);
			c->inlen -= skip;
		}
		if ((m = frame(c->in, c->inlen)) < 0) {
			log_warnx("tcp %s:%u: bad framing, closing", c->host,
			    c->port);
			conn_close(n, i);
			return -1;
		}
		if (m == 0)
			return 0;
		memset(&peer, 0, sizeof(peer));
		peer.transport = BC_SIP_TCP;
		peer.listener = c->listener;
		snprintf(peer.host, sizeof(peer.host), "%s", c->host);
		peer.port = c->port;
		memcpy(n->buf, c->in, (size_t)m);
		n->buf[m] = '\0';
		memmove(c->in, c->in + m, c->inlen - (size_t)m);
		c->inlen -= (size_t)m;
		handle(n, srv, n->buf, (size_t)m, &peer, now);
		/* handle() may have closed or moved connections */
		if (i >= n->nc || n->c[i] != c)
			return -1;
	}
}

void
net_dispatch(struct net *n, bc_sip_server *srv, struct pollfd *p, size_t np,
    long long now)
{
	struct conn *ready[SIPD_TCP_MAX];
	short rev[SIPD_TCP_MAX];
	size_t i, j, k, nr = 0;

	/* remember connections by pointer: the list changes as we go */
	for (i = n->nl; i < np && i - n->nl < n->nc; i++)
		if (p[i].revents != 0) {
			ready[nr] = n->c[i - n->nl];
			rev[nr++] = p[i].revents;
		}
	for (i = 0; i < n->nl && i < np; i++) {
		if (!(p[i].revents & POLLIN))
			continue;
		if (n->l[i].transport == BC_SIP_UDP)
			udp_read(n, srv, i, now);
		else
			tcp_accept(n, i, now);
	}
	for (j = 0; j < nr; j++) {
		for (k = 0; k < n->nc && n->c[k] != ready[j]; k++)
			;
		if (k == n->nc)
			continue;	/* closed meanwhile */
		if (rev[j] & POLLOUT) {
			conn_flush(n, k);
			if (k >= n->nc || n->c[k] != ready[j])
				continue;
		}
		if (rev[j] & (POLLIN | POLLHUP | POLLERR))
			(void)tcp_read(n, srv, k, now);
	}
}

void
net_idle(struct net *n, long long now)
{
	size_t i;

	for (i = n->nc; i > 0; i--)
		if (now - n->c[i - 1]->last > SIPD_TCP_IDLE)
			conn_close(n, i - 1);
}
