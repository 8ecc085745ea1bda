/*
 * Entry from the boot loader, both protocols:
 *   Multiboot2 (GRUB): _start_mb2, eax = 0x36d76289, ebx = info (physical)
 *   PVH (QEMU -kernel, via the Xen ELF note): _start_pvh, ebx = start_info
 * Both arrive in 32-bit protected mode with paging off.  We build early page
 * tables (identity + direct map + higher half, first 4 GiB in 2 MiB pages),
 * enter long mode and jump to kmain(magic, info) in the higher half.
 * vmm_init later replaces these tables with the kernel's own.
 */
#define KERNEL_VBASE 0xffffffff80000000
#define PHYS(x) ((x) - KERNEL_VBASE)
#define MB2_MAGIC   0xe85250d6
#define MB2_ARCH    0
#define PVH_MAGIC   0x336ec578

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH + (mb2_header_end - mb2_header))
	/* end tag */
	.word 0
	.word 0
	.long 8
mb2_header_end:

	.section .note.Xen, "a"
	.balign 4
	.long 4                 /* name size */
	.long 4                 /* desc size */
	.long 18                /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long _start_pvh
	.balign 4

	.section .boot.text, "ax"
	.code32
	.globl _start_mb2
_start_mb2:
	cli
	mov %eax, %edi          /* magic: first kmain argument */
	mov %ebx, %esi          /* info:  second argument */
	jmp common32

	.globl _start_pvh
_start_pvh:
	cli
	mov $PVH_MAGIC, %edi
	mov %ebx, %esi

common32:
	cld
	/* PML4[0] and PML4[256] -> pdpt_low (identity and direct map, 4 GiB). */
	mov $PHYS(boot_pdpt_low), %eax
	or $0x3, %eax
	mov %eax, PHYS(boot_pml4)
	mov %eax, PHYS(boot_pml4) + 256 * 8
	/* PML4[511] -> pdpt_high; pdpt_high[510], [511] -> the first 2 GiB. */
	mov $PHYS(boot_pdpt_high), %eax
	or $0x3, %eax
	mov %eax, PHYS(boot_pml4) + 511 * 8

	/* pdpt_low[i] -> pd[i], i = 0..3 */
	mov $PHYS(boot_pd), %eax
	or $0x3, %eax
	mov $PHYS(boot_pdpt_low), %ebx
	mov $4, %ecx
1:	mov %eax, (%ebx)
	add $4096, %eax
	add $8, %ebx
	loop 1b
	mov $PHYS(boot_pd), %eax
	or $0x3, %eax
	mov %eax, PHYS(boot_pdpt_high) + 510 * 8
	add $4096, %eax
	mov %eax, PHYS(boot_pdpt_high) + 511 * 8

	/* pd entries: 2048 x 2 MiB, present | writable | huge */
	mov $PHYS(boot_pd), %ebx
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax
	mov %eax, (%ebx, %ecx, 8)
	/* high dword: bits 32+ of (ecx << 21) = ecx >> 11 */
	mov %ecx, %eax
	shr $11, %eax
	mov %eax, 4(%ebx, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jne 2b

	/* PAE, then CR3, then EFER.LME, then paging. */
	mov %cr4, %eax
	or $(1 << 5), %eax
	mov %eax, %cr4
	mov $PHYS(boot_pml4), %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx
	rdmsr
	or $(1 << 8), %eax
	wrmsr
	mov %cr0, %eax
	or $0x80000001, %eax
	mov %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $0x08, $long64

	.code64
long64:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %ax, %ax
	mov %ax, %fs
	mov %ax, %gs
	movabs $higher_half, %rax
	jmp *%rax

	.section .boot.data, "a"
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff  /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff  /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.text
	.code64
higher_half:
	movabs $boot_stack_top, %rsp
	xor %ebp, %ebp
	/* edi = magic, esi = info (zero-extended by the 32-bit moves) */
	mov %esi, %esi
	mov %edi, %edi
	call kmain
3:	cli
	hlt
	jmp 3b

	.bss
	.balign 4096
	.globl boot_pml4
boot_pml4:      .skip 4096
boot_pdpt_low:  .skip 4096
boot_pdpt_high: .skip 4096
boot_pd:        .skip 4 * 4096
	/* Left unmapped by vmm_init: a boot stack overflow faults (#DF on IST1). */
	.balign 4096
	.globl boot_stack_guard
boot_stack_guard:
	.skip 4096
	.globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip 16384
boot_stack_top:
