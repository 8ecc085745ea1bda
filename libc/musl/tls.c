/*
 * capOS replacement for musl's src/env/__init_tls.c (static programs).
 *
 * musl's version lays the main thread's TLS block and struct pthread out
 * in its own memory and moves the thread pointer there with
 * arch_prctl(ARCH_SET_FS).  A capOS process cannot move its fs base: the
 * kernel already made the TLS block at CAPOS_TLS_VADDR (the .tdata image
 * copied, .tbss zeroed, %fs:0 = the thread pointer, room for a thread
 * descriptor above it: ELF_TLS_TCB_SIZE in lib/elf64.h).  So the main
 * thread's struct pthread is built in place at the thread pointer.
 * __init_tp and __copy_tls are musl's (MIT licence, musl 1.2.3), less the
 * __set_thread_area call.
 *
 * Threads: pthread_create copies main_tls into each new thread's block
 * (__copy_tls), which becomes that thread's FS base (libc/musl/clone.c);
 * main_tls.size/offset are taken from where the kernel put the thread
 * pointer (exact when the TLS size is a multiple of 16 or its alignment
 * is 16 or more).  Without a ThreadSpawner cap, pthread_create fails with
 * EAGAIN.
 */
#define SYSCALL_NO_TLS 1
#include <stddef.h>
#include <string.h>
#include "pthread_impl.h"
#include "libc.h"
#include "syscall.h"

/* include/capos/abi.h and lib/elf64.h (not on musl's include path). */
#define CAPOS_TLS_VADDR  0x00007f0000100000ull
#define CAPOS_TLS_TCB_SZ 256u

_Static_assert(sizeof(struct pthread) <= CAPOS_TLS_TCB_SZ,
               "the kernel's TCB room above the thread pointer must hold struct pthread");

volatile int __thread_list_lock;

int __init_tp(void *p)
{
	pthread_t td = p;
	td->self = td;
	/* New threads get musl's own blocks (libc/musl/clone.c). */
	libc.can_do_threads = 1;
	td->detach_state = DT_JOINABLE;
	td->tid = __syscall(SYS_set_tid_address, &__thread_list_lock);
	td->locale = &libc.global_locale;
	td->robust_list.head = &td->robust_list.head;
	td->sysinfo = __sysinfo;
	td->next = td->prev = td;
	return 0;
}

static struct tls_module main_tls;
static uintptr_t main_dtv[2];

void *__copy_tls(unsigned char *mem)
{
	pthread_t td;
	struct tls_module *p;
	size_t i;
	uintptr_t *dtv;

	dtv = (uintptr_t *)mem;

	mem += libc.tls_size - sizeof(struct pthread);
	mem -= (uintptr_t)mem & (libc.tls_align - 1);
	td = (pthread_t)mem;

	for (i = 1, p = libc.tls_head; p; i++, p = p->next) {
		dtv[i] = (uintptr_t)(mem - p->offset) + DTP_OFFSET;
		memcpy(mem - p->offset, p->image, p->len);
	}
	dtv[0] = libc.tls_cnt;
	td->dtv = dtv;
	return td;
}

/* runtime/user.ld: the .tdata image. */
extern const unsigned char __tdata_start[], __tdata_end[];

static void capos_init_tls(size_t *aux)
{
	(void)aux;
	unsigned char *tp = (unsigned char *)__get_tp();
	size_t below = (uintptr_t)tp - CAPOS_TLS_VADDR;

	main_tls.image = (void *)__tdata_start;
	main_tls.len = (size_t)(__tdata_end - __tdata_start);
	main_tls.size = below;
	main_tls.offset = below;
	main_tls.align = 16;
	if (below > 0) {
		libc.tls_head = &main_tls;
		libc.tls_cnt = 1;
	}
	libc.tls_align = main_tls.align;
	libc.tls_size = 2 * sizeof(void *) + sizeof(struct pthread) + main_tls.size +
	                main_tls.align;

	pthread_t td = (pthread_t)tp;
	main_dtv[0] = libc.tls_cnt;
	main_dtv[1] = (uintptr_t)(tp - main_tls.offset) + DTP_OFFSET;
	td->dtv = main_dtv;
	if (__init_tp(td) < 0)
		a_crash();
}

weak_alias(capos_init_tls, __init_tls);
