/*
 * bc-agent.h -- runtime state of a site's SIP core in the store: the
 * agents logged in here (bc_agent_*) and what bcsipd reports about
 * itself or is asked to do (bc_sip_status_*).
 *
 * Both are runtime tables (schema/007-agent-state.sql): per site, never
 * synchronized, never part of a diff or an export.  bcadm writes them on
 * an administrator's behalf, bcsipd when calls start and end; bcsipd
 * reads them back within a second.  Conventions as in bc.h: BC_OK or a
 * status with a one-line message in err, every write one transaction.
 */
#ifndef BC_AGENT_H
#define BC_AGENT_H

#include "bc.h"

/* ---- agents ------------------------------------------------------- */

struct bc_agent {
	char		*code;		/* agent login code */
	char		*person;	/* its holder's user name */
	char		*dn;		/* extension number */
	int		 ready;		/* 1 ready, 0 not ready */
	int		 calls;		/* calls in progress (busy when > 0) */
	int		 logout_pending;	/* logs out when calls end */
	long long	 login_at;	/* Unix times */
	long long	 state_at;
	long long	 idle_since;
};

void	bc_agent_clear(struct bc_agent *);
/* "busy" (calls > 0), "ready" or "not-ready". */
const char *bc_agent_state_name(const struct bc_agent *);

/*
 * Logs the agent login code in on extension number at time now, not
 * ready.  Refused (BC_ENOENT, BC_ERULE) when the login does not exist,
 * is disabled or held by no enabled person, when its person is logged
 * in already (with any login), when the DN is not an enabled extension
 * or another agent is logged in on it.
 */
int	bc_agent_login(bc_store *, const char *code, const char *number,
	    long long now, struct bc_err *);
/* BC_ENOENT when the login is not logged in. */
int	bc_agent_logout(bc_store *, const char *code, struct bc_err *);
/* Ready (1) or not ready (0); a ready agent counts as idle from now. */
int	bc_agent_set_ready(bc_store *, const char *code, int ready,
	    long long now, struct bc_err *);
int	bc_agent_get(bc_store *, const char *code, struct bc_agent *,
	    struct bc_err *);
/* The agent logged in on extension number; BC_ENOENT when none. */
int	bc_agent_on_dn(bc_store *, const char *number, struct bc_agent *,
	    struct bc_err *);
/* Every logged-in agent, by login code.  Non-zero from cb stops. */
typedef int (*bc_agent_cb)(const struct bc_agent *, void *);
int	bc_agent_foreach(bc_store *, bc_agent_cb, void *, struct bc_err *);

/*
 * For bcsipd.  bc_agent_pick() fills out with the ready agent without a
 * call that has been idle longest and whose DN usable() accepts (a
 * registered extension); BC_ENOENT when none.
 */
int	bc_agent_pick(bc_store *, int (*usable)(const char *number, void *),
	    void *arg, struct bc_agent *out, struct bc_err *);
/* One more call for the agent (busy); BC_ENOENT when not logged in. */
int	bc_agent_call_begin(bc_store *, const char *code, long long now,
	    struct bc_err *);
/*
 * One call less; free again at the last one, idle from now, and logged
 * out when a logout is pending.  Not logged in (any more): BC_OK.
 */
int	bc_agent_call_end(bc_store *, const char *code, long long now,
	    struct bc_err *);
/* No call is in progress (bcsipd starts): every count back to 0. */
int	bc_agent_calls_reset(bc_store *, long long now, struct bc_err *);
/*
 * Graceful shutdown: logs out every agent without a call, marks the
 * others to log out when their calls end.  *left gets how many remain.
 */
int	bc_agent_logout_idle(bc_store *, size_t *left, struct bc_err *);

/* ---- bcsipd's status ------------------------------------------------ */

#define BC_SIP_STATUS_PEER	"peer"		/* in-service, ... */
#define BC_SIP_STATUS_SHUTDOWN	"shutdown"	/* requested, graceful */
#define BC_SIP_STATUS_DAEMON	"daemon"	/* running, stopped */

struct bc_sip_status {
	char		*name;
	char		*value;
	char		*detail;	/* may be NULL */
	long long	 since;
};

void	bc_sip_status_clear(struct bc_sip_status *);
/*
 * Sets name to value; since changes only when value does (a new detail
 * alone keeps it).  value NULL removes the entry.
 */
int	bc_sip_status_set(bc_store *, const char *name, const char *value,
	    const char *detail, long long now, struct bc_err *);
/* BC_ENOENT when name is not set. */
int	bc_sip_status_get(bc_store *, const char *name,
	    struct bc_sip_status *, struct bc_err *);
typedef int (*bc_sip_status_cb)(const struct bc_sip_status *, void *);
int	bc_sip_status_foreach(bc_store *, bc_sip_status_cb, void *,
	    struct bc_err *);

#endif /* BC_AGENT_H */
