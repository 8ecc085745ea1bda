/* 8259A pair: remapped to IRQ_BASE..IRQ_BASE+15, everything masked at first. */
#include "arch/x86_64/pic.h"

#include "arch/x86_64/io.h"
#include "arch/x86_64/trap.h"
#include "log.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1

void pic_init(void)
{
	outb(PIC1_CMD, 0x11); /* ICW1: init, ICW4 follows */
	io_wait();
	outb(PIC2_CMD, 0x11);
	io_wait();
	outb(PIC1_DATA, IRQ_BASE); /* ICW2: vector offsets */
	io_wait();
	outb(PIC2_DATA, IRQ_BASE + 8);
	io_wait();
	outb(PIC1_DATA, 4); /* ICW3: slave on IRQ2 */
	io_wait();
	outb(PIC2_DATA, 2);
	io_wait();
	outb(PIC1_DATA, 0x01); /* ICW4: 8086 mode */
	io_wait();
	outb(PIC2_DATA, 0x01);
	io_wait();
	outb(PIC1_DATA, 0xfb); /* all masked except the cascade (IRQ2) */
	outb(PIC2_DATA, 0xff);
	kprintf("pic: 8259 remapped to vectors %d-%d, all IRQs masked\n", IRQ_BASE, IRQ_BASE + 15);
}

void pic_disable(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	kprintf("pic: 8259 fully masked (interrupts come through the APICs)\n");
}

static uint16_t data_port(unsigned irq) { return irq < 8 ? PIC1_DATA : PIC2_DATA; }

void pic_unmask(unsigned irq)
{
	uint16_t port = data_port(irq);
	outb(port, inb(port) & ~(1u << (irq & 7)));
}

void pic_mask(unsigned irq)
{
	uint16_t port = data_port(irq);
	outb(port, inb(port) | (1u << (irq & 7)));
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, 0x20);
	outb(PIC1_CMD, 0x20);
}

bool pic_is_spurious(unsigned irq)
{
	uint16_t cmd = irq < 8 ? PIC1_CMD : PIC2_CMD;
	outb(cmd, 0x0b); /* read ISR */
	if (inb(cmd) & (1u << (irq & 7)))
		return false;
	if (irq >= 8)
		outb(PIC1_CMD, 0x20); /* the master did see the cascade */
	return true;
}
