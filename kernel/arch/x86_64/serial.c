/* COM1 driver: polled transmit, receive by interrupt or poll, 115200 8N1,
 * FIFO on. */
#include "arch/x86_64/serial.h"
#include "arch/x86_64/io.h"

#define COM1 0x3f8

void serial_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 0x01); /* divisor 1: 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0xc7); /* FIFO on, cleared, 14-byte threshold */
	outb(COM1 + 4, 0x03); /* DTR, RTS */
}

static void serial_raw(char c)
{
	/* Bounded wait: a missing UART must not hang the kernel. */
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		;
	outb(COM1, (unsigned char)c);
}

void serial_putc(char c)
{
	if (c == '\n')
		serial_raw('\r');
	serial_raw(c);
}

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		serial_putc(s[i]);
}

bool serial_rx_ready(void) { return (inb(COM1 + 5) & 0x01) != 0; }

uint8_t serial_rx_byte(void) { return inb(COM1); }

/* Receive-data-available interrupts; OUT2 gates the UART's IRQ line onto
 * the ISA bus on PCs. */
void serial_rx_irq_enable(void)
{
	outb(COM1 + 4, 0x0b); /* DTR, RTS, OUT2 */
	outb(COM1 + 1, 0x01);
}
