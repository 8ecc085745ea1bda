/* The two 8259 PICs, remapped to vectors 32..47. */
#ifndef CAPOS_ARCH_PIC_H
#define CAPOS_ARCH_PIC_H

void pic_init(void);             /* remap, mask everything */
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
void pic_eoi(unsigned irq);

#endif
