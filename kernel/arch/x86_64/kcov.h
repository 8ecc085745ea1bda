/*
 * Kernel coverage for the fuzzer: only in the coverage build (`make
 * fuzz-coverage`, COVERAGE=1, tree build/coverage; docs/fuzzing.md).
 * Every kernel file is then compiled with -fsanitize-coverage=trace-pc, so
 * gcc calls __sanitizer_cov_trace_pc at the start of every basic block;
 * kcov.c keeps one bit per return address and qemu_exit sends the bitmap
 * to QEMU's debugcon (port 0xe9) before leaving.  The normal build
 * compiles kcov.c to nothing and qemu_exit calls nothing.
 *
 * Stream: "KCOV1\n", the .text start (8 bytes, little endian), the bitmap
 * length in bytes (8 bytes), the count of return addresses that fell
 * outside the bitmap (8 bytes), then the bitmap: bit i of byte j set when
 * the block call returning to __text_start + 8 * j + i ran.  Then one text
 * line per method of every registered kernel capability type, "M
 * Type.method N" (N: how many times its perform ran; by_process types list
 * their opcodes CALL, RECV and RETURN), and "END".
 * tools/kcov-report.sh maps the bits to functions and lines.
 */
#ifndef CAPOS_ARCH_KCOV_H
#define CAPOS_ARCH_KCOV_H

#define KCOV_PORT     0xe9
#define KCOV_TEXT_MAX (2u << 20) /* bytes of .text the bitmap covers */

struct kcap_type;
struct kcap_call;

void __sanitizer_cov_trace_pc(void);
/* ring_dispatch's run_op, before perform (coverage build only). */
void kcov_perform(const struct kcap_type *t, const struct kcap_call *c);
void kcov_dump(void);

#endif
