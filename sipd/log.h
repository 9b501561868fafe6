/*
 * log.h -- bcsipd's log: stderr in the foreground, syslog(3) as a daemon.
 * log_warn adds the errno text; fatal is for the impossible only.
 */
#ifndef SIPD_LOG_H
#define SIPD_LOG_H

void	log_init(int to_stderr, int debug);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
int	log_debugging(void);
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
