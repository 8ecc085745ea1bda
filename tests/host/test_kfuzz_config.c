/* tests/qemu/progs/kfuzz/config.c: the kernel fuzzer's kfuzz.* command line words. */
#include <criterion/criterion.h>

#include "config.h"

static struct kf_config c;
static char err[96];

Test(kfuzz_config, defaults_when_absent)
{
	cr_assert_eq(kf_config_parse("", &c, err, sizeof err), 0);
	cr_assert_eq(c.seed, 1);
	cr_assert_eq(c.ops, 2000);
	cr_assert_eq(c.workers, 2);
	cr_assert_eq(c.off, 0);
	cr_assert_eq(c.trace, 0);
}

Test(kfuzz_config, every_word)
{
	cr_assert_eq(kf_config_parse("nosmap kfuzz.seed=18446744073709551615 kfuzz.ops=20000 "
	                             "kfuzz.workers=4 kfuzz.off=effect,nt kfuzz.trace=1",
	                             &c, err, sizeof err),
	             0);
	cr_assert_eq(c.seed, UINT64_MAX);
	cr_assert_eq(c.ops, 20000);
	cr_assert_eq(c.workers, 4);
	cr_assert_eq(c.off, OFF_EFFECT | OFF_NT);
	cr_assert_eq(c.trace, 1);
}

Test(kfuzz_config, every_off_name)
{
	cr_assert_eq(kf_config_parse("kfuzz.off=nt,selfcopy,hugehint,effect", &c, err, sizeof err), 0);
	cr_assert_eq(c.off, OFF_NT | OFF_SELFCOPY | OFF_HUGEHINT | OFF_EFFECT);
}

Test(kfuzz_config, refuses_bad_values)
{
	const char *bad[] = {
		"kfuzz.seed=",
		"kfuzz.seed=12x",
		"kfuzz.seed=-1",
		"kfuzz.seed=18446744073709551616",
		"kfuzz.ops=4294967296",
		"kfuzz.workers=5",
		"kfuzz.trace=2",
		"kfuzz.off=nt,bogus",
		"kfuzz.off=ntx",
		"kfuzz.off=NT",
	};
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = 0;
		cr_assert_eq(kf_config_parse(bad[i], &c, err, sizeof err), -1, "%s", bad[i]);
		cr_assert_neq(err[0], 0, "%s: no message", bad[i]);
	}
}

Test(kfuzz_config, off_names)
{
	char buf[48];
	cr_assert_str_eq(kf_off_names(0, buf, sizeof buf), " none");
	cr_assert_str_eq(kf_off_names(OFF_NT | OFF_EFFECT, buf, sizeof buf), " nt effect");
	cr_assert_str_eq(kf_off_names(OFF_NT | OFF_SELFCOPY | OFF_HUGEHINT | OFF_EFFECT, buf, 12),
	                 " nt selfcop");
}
