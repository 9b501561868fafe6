/*
 * main.c -- run-xml: the CUnit runner of the XML codec tests.  Exit 0
 * when every assertion passed, 1 otherwise, 99 when CUnit fails.
 */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

#include "xmltest.h"

int
main(void)
{
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	if (xml_codec_suite() != 0 || xml_writer_suite() != 0) {
		CU_cleanup_registry();
		return 99;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() +
	    CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}
