/*
 * tls smoke: PT_TLS set up by the kernel per the x86_64 ABI: initialised
 * .tdata holds its values, .tbss is zero, %fs:0 points at itself, the
 * block lies below the thread pointer, and the values survive being
 * written and preempted.
 *
 * Run by: smokes proc_smap_smep, proc_tls_rt
 * (tests/qemu/manifests/NAME.cue); selftests.cue (smoke
 * boot_selftests).
 */
#include "demo.h"

#define NAME "tls"

static _Thread_local uint64_t tls_magic = 0x1122334455667788ull;
static _Thread_local char tls_text[32] = "thread-local hello";
static _Thread_local int tls_array[4] = {1, 2, 3, 4};
static _Thread_local uint64_t tls_zero[128];
static _Thread_local int tls_counter;

int main(void)
{
	uint64_t tp = capos_tls_pointer();
	DEMO_CHECK(NAME, tp != 0 && *(volatile uint64_t *)tp == tp,
	           "%%fs:0 = %#lx points at itself\n", (unsigned long)tp);
	DEMO_CHECK(NAME, (uintptr_t)&tls_magic < tp && (uintptr_t)&tls_zero[127] < tp,
	           "TLS block below the thread pointer (variant II)\n");
	DEMO_CHECK(NAME, tls_magic == 0x1122334455667788ull, ".tdata u64 = %#llx\n",
	           (unsigned long long)tls_magic);
	DEMO_CHECK(NAME, strcmp(tls_text, "thread-local hello") == 0, ".tdata string = \"%s\"\n",
	           tls_text);
	DEMO_CHECK(NAME, tls_array[0] == 1 && tls_array[3] == 4, ".tdata array = %d %d %d %d\n",
	           tls_array[0], tls_array[1], tls_array[2], tls_array[3]);
	uint64_t nonzero = 0;
	for (int i = 0; i < 128; i++)
		nonzero |= tls_zero[i];
	DEMO_CHECK(NAME, nonzero == 0 && tls_counter == 0, ".tbss (1 KiB + int) is zero\n");

	/* Written values persist across preemption (FS base restored). */
	for (int i = 0; i < 128; i++)
		tls_zero[i] = (uint64_t)i * 3;
	for (int round = 0; round < 50; round++) {
		tls_counter++;
		demo_spin(200000);
	}
	uint64_t sum = 0;
	for (int i = 0; i < 128; i++)
		sum += tls_zero[i];
	DEMO_CHECK(NAME, tls_counter == 50 && sum == 3 * 127 * 128 / 2 && capos_tls_pointer() == tp,
	           "TLS writes persist across preemption (counter %d)\n", tls_counter);
	return demo_finish(NAME);
}
