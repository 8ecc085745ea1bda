/* JSON objects printed in the layout of `capnp convert binary:json`, for the
 * reference round-trip tools (capnp_rt.c, upstream_rt.c).  One writer per
 * program: `first` says whether the next key opens its object. */
#ifndef CAPOS_TESTS_CAPNP_JSON_OUT_H
#define CAPOS_TESTS_CAPNP_JSON_OUT_H

#include <stdio.h>

static int first;

static void key(const char *k)
{
	printf("%s\"%s\": ", first ? "" : ", ", k);
	first = 0;
}

static void open_obj(void)
{
	printf("{");
	first = 1;
}

static void close_obj(void)
{
	printf("}");
	first = 0;
}

#endif
