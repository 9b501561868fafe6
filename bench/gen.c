/*
 * bcbench-gen -- fill a new site store with a synthetic contact centre.
 *
 *	bcbench-gen [-a] [-q QUEUES] [-p PORTS] STORE N
 *
 * Creates STORE (site "bench") and, inside one transaction, writes
 * through the library API (never SQL):
 *  - N agents, each an agent login, a place, an Extension DN in that
 *    place and an agent person with the place as default place and the
 *    login at wrap-up 30 s;
 *  - QUEUES ACD Queue DNs (default N/100, at least 1);
 *  - PORTS Call Processing Port DNs with contact URIs (default N/50, at
 *    least 1).
 * Each extension joins its place as with "dn add N --place P"; with -a
 * as with "place add P --dn N" instead (the DN is created first).
 * Some DNs carry annex options (TServer/dr-forward=no-agent).  Prints
 * the wall time, the objects created and the peak resident set size.
 *
 * Exit status: 0 done, 1 library error (its message on stderr), 64 usage.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bc.h"

#define PROG		"bcbench-gen"
#define EX_USAGE	64

/* Numbering plan: 7-digit indexes give 8-digit numbers and codes. */
#define MAX_AGENTS	8999999L
#define MAX_QUEUES	499999L
#define MAX_PORTS	499999L
#define EXT_BASE	10000000L	/* extensions 10000001.. */
#define QUEUE_BASE	90000000L	/* ACD queues 90000001.. */
#define PORT_BASE	95000000L	/* IVR ports  95000001.. */
#define LOGIN_PREFIX	"1"		/* login codes 10000001.. */
#define WRAPUP		30

/* -a: the place names its extension, not the extension its place. */
static int	assign_by_place;

struct counts {
	unsigned long	logins;
	unsigned long	dns;
	unsigned long	places;
	unsigned long	persons;
	unsigned long	options;
};

static const char *const first_names[] = {
	"Anna", "Ben", "Chloé", "David", "Eva", "Farid", "Grace", "Hugo",
	"Ines", "Jonas", "Katarzyna", "Liam", "Maya", "Noah", "Olga",
	"Pedro", "Quentin", "Rosa", "Sven", "Tariq",
};
static const char *const last_names[] = {
	"Smith", "Müller", "O'Brien", "García", "Nowak", "Rossi", "Dubois",
	"Jensen", "Kowalski", "Van der Berg", "Silva", "Novák", "Larsen",
	"Costa", "Ahmed", "Fischer", "Moreau", "Ivanova", "Byrne", "Lopez",
};
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-a] [-q QUEUES] [-p PORTS] STORE N\n",
	    PROG);
	exit(EX_USAGE);
}

static long
parse_count(const char *s, const char *what, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0 || v > max) {
		fprintf(stderr, "%s: %s '%s': not a number in 0..%ld\n",
		    PROG, what, s, max);
		exit(EX_USAGE);
	}
	return v;
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL) {
		perror(PROG);
		exit(1);
	}
	return p;
}

static char	*xprintf(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

static char *
xprintf(const char *fmt, ...)
{
	char	 buf[256];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		fprintf(stderr, "%s: internal: name too long\n", PROG);
		exit(1);
	}
	return xstrdup(buf);
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
add_agent(bc_store *st, long i, struct counts *c, struct bc_err *err)
{
	struct bc_login		lg;
	struct bc_dn		dn;
	struct bc_place		pl;
	struct bc_person	ps;
	char			code[32], number[32], place[32];
	int			rc;

	snprintf(code, sizeof(code), LOGIN_PREFIX "%07ld", i);
	snprintf(number, sizeof(number), "%08ld", EXT_BASE + i);
	snprintf(place, sizeof(place), "Place %07ld", i);

	bc_login_init(&lg);
	lg.code = xstrdup(code);
	lg.password = xprintf("pw%07ld", i);
	rc = bc_login_add(st, &lg, err);
	bc_login_clear(&lg);
	if (rc != BC_OK)
		return rc;
	c->logins++;

	/*
	 * The place and its Extension DN, registering under its number:
	 * like "place add P" then "dn add N --place P", or with -a like
	 * "dn add N" then "place add P --dn N".
	 */
	if (!assign_by_place) {
		bc_place_init(&pl);
		pl.name = xstrdup(place);
		rc = bc_place_add(st, &pl, err);
		bc_place_clear(&pl);
		if (rc != BC_OK)
			return rc;
		c->places++;
	}

	bc_dn_init(&dn);
	dn.number = xstrdup(number);
	dn.type = BC_DN_EXTENSION;
	dn.password = xprintf("s1p%07ld", i);
	if (!assign_by_place)
		dn.place = xstrdup(place);
	if (i % 4 == 0) {
		if ((rc = bc_options_set(&dn.options, "TServer", "dr-forward",
		    "no-agent", err)) != BC_OK) {
			bc_dn_clear(&dn);
			return rc;
		}
		c->options++;
	}
	rc = bc_dn_add(st, &dn, err);
	bc_dn_clear(&dn);
	if (rc != BC_OK)
		return rc;
	c->dns++;

	if (assign_by_place) {
		bc_place_init(&pl);
		pl.name = xstrdup(place);
		if ((rc = bc_place_add_dn(&pl, number, BC_DN_EXTENSION,
		    err)) == BC_OK)
			rc = bc_place_add(st, &pl, err);
		bc_place_clear(&pl);
		if (rc != BC_OK)
			return rc;
		c->places++;
	}

	/* The agent. */
	bc_person_init(&ps);
	ps.username = xprintf("agent%07ld", i);
	ps.first = xstrdup(first_names[i % NELEM(first_names)]);
	ps.last = xstrdup(last_names[(i / NELEM(first_names)) %
	    NELEM(last_names)]);
	ps.employee_id = xprintf("E%07ld", i);
	ps.agent = 1;
	ps.preferred_site = xstrdup(i % 2 ? "east" : "west");
	ps.place = xstrdup(place);
	if ((rc = bc_person_add_login(&ps, code, WRAPUP, err)) == BC_OK)
		rc = bc_person_add(st, &ps, err);
	bc_person_clear(&ps);
	if (rc != BC_OK)
		return rc;
	c->persons++;
	return BC_OK;
}

static int
add_queue(bc_store *st, long j, struct counts *c, struct bc_err *err)
{
	struct bc_dn	dn;
	int		rc;

	bc_dn_init(&dn);
	dn.number = xprintf("%08ld", QUEUE_BASE + j);
	dn.type = BC_DN_ACD_QUEUE;
	dn.alias = xprintf("Queue %ld", j);
	dn.reg = BC_REG_FALSE;
	if (j % 2 == 1) {
		if ((rc = bc_options_set(&dn.options, "TServer", "dr-forward",
		    "no-agent", err)) != BC_OK) {
			bc_dn_clear(&dn);
			return rc;
		}
		c->options++;
	}
	rc = bc_dn_add(st, &dn, err);
	bc_dn_clear(&dn);
	if (rc == BC_OK)
		c->dns++;
	return rc;
}

static int
add_port(bc_store *st, long j, struct counts *c, struct bc_err *err)
{
	struct bc_dn	dn;
	int		rc;

	bc_dn_init(&dn);
	dn.number = xprintf("%08ld", PORT_BASE + j);
	dn.type = BC_DN_CALL_PROCESSING_PORT;
	dn.reg = BC_REG_FALSE;
	/* An IVR port: media servers of 30 ports each. */
	dn.contact = xprintf("sip:%08ld@ivr%02ld.bench.example.net:5060",
	    PORT_BASE + j, (j - 1) / 30 + 1);
	if (j % 5 == 0) {
		if ((rc = bc_options_set(&dn.options, "TServer", "dr-forward",
		    "no-agent", err)) != BC_OK) {
			bc_dn_clear(&dn);
			return rc;
		}
		c->options++;
	}
	rc = bc_dn_add(st, &dn, err);
	bc_dn_clear(&dn);
	if (rc == BC_OK)
		c->dns++;
	return rc;
}

int
main(int argc, char *argv[])
{
	struct counts	 c;
	struct bc_err	 err;
	struct rusage	 ru;
	bc_store	*st = NULL;
	const char	*path;
	long		 n, nq = -1, np = -1, i;
	double		 t0, t_fill, t_commit, t_close, t_end;
	int		 ch, rc;

	while ((ch = getopt(argc, argv, "aq:p:")) != -1) {
		switch (ch) {
		case 'a':
			assign_by_place = 1;
			break;
		case 'q':
			nq = parse_count(optarg, "QUEUES", MAX_QUEUES);
			break;
		case 'p':
			np = parse_count(optarg, "PORTS", MAX_PORTS);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage();
	path = argv[0];
	n = parse_count(argv[1], "N", MAX_AGENTS);
	if (nq < 0)
		nq = n / 100 > 0 ? n / 100 : 1;
	if (np < 0)
		np = n / 50 > 0 ? n / 50 : 1;
	if (nq > MAX_QUEUES)
		nq = MAX_QUEUES;
	if (np > MAX_PORTS)
		np = MAX_PORTS;

	memset(&c, 0, sizeof(c));
	memset(&err, 0, sizeof(err));

	t0 = now();
	if ((rc = bc_store_open(&st, path, BC_OPEN_CREATE,
	    BC_BUSY_TIMEOUT_DEFAULT, &err)) != BC_OK)
		goto fail;
	if ((rc = bc_site_init(st, "bench", "bench", &err)) != BC_OK)
		goto fail;

	t_fill = now();
	if ((rc = bc_tx_begin_load(st, &err)) != BC_OK)
		goto fail;
	for (i = 1; i <= n; i++)
		if ((rc = add_agent(st, i, &c, &err)) != BC_OK)
			goto rollback;
	for (i = 1; i <= nq; i++)
		if ((rc = add_queue(st, i, &c, &err)) != BC_OK)
			goto rollback;
	for (i = 1; i <= np; i++)
		if ((rc = add_port(st, i, &c, &err)) != BC_OK)
			goto rollback;
	t_commit = now();
	if ((rc = bc_tx_commit(st, &err)) != BC_OK)
		goto rollback;
	t_close = now();
	bc_store_close(st);
	t_end = now();

	if (getrusage(RUSAGE_SELF, &ru) == -1) {
		perror(PROG ": getrusage");
		return 1;
	}
	printf("store: %s\n", path);
	printf("agents: %ld (extension joins place by %s)\n", n,
	    assign_by_place ? "place add --dn" : "dn add --place");
	printf("queues: %ld\n", nq);
	printf("ports: %ld\n", np);
	printf("objects: %lu\n", c.logins + c.dns + c.places + c.persons);
	printf("  logins: %lu\n  dns: %lu\n  places: %lu\n  persons: %lu\n"
	    "  dn-options: %lu\n", c.logins, c.dns, c.places, c.persons,
	    c.options);
	printf("seconds: %.3f\n", t_end - t0);
	printf("  create: %.3f\n  fill: %.3f\n  commit: %.3f\n  close: %.3f\n",
	    t_fill - t0, t_commit - t_fill, t_close - t_commit,
	    t_end - t_close);
	printf("objects-per-second: %.0f\n",
	    (double)(c.logins + c.dns + c.places + c.persons) /
	    (t_end - t0 > 0 ? t_end - t0 : 1e-9));
	/* Linux: ru_maxrss is in KiB. */
	printf("peak-rss-kib: %ld\n", (long)ru.ru_maxrss);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror(PROG ": stdout");
		return 1;
	}
	return 0;

rollback:
	bc_tx_rollback(st);
fail:
	fprintf(stderr, "%s: %s\n", PROG,
	    err.msg[0] != '\0' ? err.msg : bc_status_name((enum bc_status)rc));
	if (st != NULL)
		bc_store_close(st);
	return 1;
}
