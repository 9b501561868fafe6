/* xmltest.h -- the CUnit suites of the XML codec (tests/xml/run-xml). */
#ifndef XMLTEST_H
#define XMLTEST_H

#include <CUnit/CUnit.h>

int	xml_codec_suite(void);
int	xml_writer_suite(void);

#endif
