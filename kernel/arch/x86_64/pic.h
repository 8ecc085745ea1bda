/* The two 8259 PICs, remapped to vectors 32..47. */
#ifndef CAPOS_ARCH_PIC_H
#define CAPOS_ARCH_PIC_H

#include <stdbool.h>

void pic_init(void);    /* remap, mask everything */
void pic_disable(void); /* mask all, cascade included (APIC mode) */
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
void pic_eoi(unsigned irq);
/* True (and the cascade acknowledged) when IRQ 7/15 fired without being in service. */
bool pic_is_spurious(unsigned irq);

#endif
