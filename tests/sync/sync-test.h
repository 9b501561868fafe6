/*
 * sync-test.h -- the CUnit suites of two-site comparison and
 * synchronization (tests/sync/run-sync).  The helpers of tests/unit
 * (unit.h, util.c) are shared.
 */
#ifndef SYNC_TEST_H
#define SYNC_TEST_H

int	suite_sync_meta(void);
int	suite_sync_diff(void);
int	suite_sync_oneway(void);
int	suite_sync_twoway(void);
int	suite_sync_conflicts(void);
int	suite_sync_feed(void);

#endif
