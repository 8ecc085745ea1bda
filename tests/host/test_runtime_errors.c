/*
 * Names and one-line descriptions of runtime errors.
 */
#include <criterion/criterion.h>
#include <capos/call.h>

Test(errors, every_transport_code_has_its_name)
{
	cr_expect_str_eq(capos_strerror(CAPOS_ERR_BAD_CAP), "CAPOS_ERR_BAD_CAP");
	cr_expect_str_eq(capos_strerror(CAPOS_ERR_RING_CORRUPT), "CAPOS_ERR_RING_CORRUPT");
	for (int code = CAPOS_ERR_MIN; code <= 0; code++)
		cr_expect_str_neq(capos_strerror(code), "CAPOS_ERR_(unknown)", "code %d", code);
	cr_expect_str_eq(capos_strerror(CAPOS_ERR_MIN - 1), "CAPOS_ERR_(unknown)");
	cr_expect_str_eq(capos_strerror(5), "CAPOS_ERR_(unknown)");
}

Test(errors, exception_type_names_follow_the_schema)
{
	cr_expect_str_eq(capos_exception_type_name(0), "failed");
	cr_expect_str_eq(capos_exception_type_name(2), "disconnected");
	cr_expect_str_eq(capos_exception_type_name(4), "invalidArgument");
	cr_expect_str_eq(capos_exception_type_name(CAPOS_EXCEPTION_UNKNOWN), "unknown");
	cr_expect_str_eq(capos_exception_type_name(99), "unrecognised");
}

Test(errors, format_distinguishes_the_kinds)
{
	char buf[128];
	struct capos_call_error e = {.kind = CAPOS_ERROR_TRANSPORT, .code = CAPOS_ERR_BAD_BUFFER};
	capos_error_format(&e, buf, sizeof(buf));
	cr_expect_str_eq(buf, "transport error CAPOS_ERR_BAD_BUFFER (-4)");
	struct capos_call_error x = {.kind = CAPOS_ERROR_EXCEPTION,
	                             .code = CAPOS_ERR_APPLICATION_EXCEPTION,
	                             .exception_type = 4,
	                             .message = "text too long"};
	capos_error_format(&x, buf, sizeof(buf));
	cr_expect_str_eq(buf, "exception invalidArgument: text too long");
	struct capos_call_error l;
	cr_expect_eq(capos_error_local(&l, CAPOS_ERR_NO_RESOURCES), CAPOS_ERR_NO_RESOURCES);
	cr_expect_eq(l.kind, CAPOS_ERROR_LOCAL);
	capos_error_format(&l, buf, sizeof(buf));
	cr_expect_str_eq(buf, "local error CAPOS_ERR_NO_RESOURCES (-7)");
	cr_expect_eq(capos_error_local(NULL, -3), -3);
}
