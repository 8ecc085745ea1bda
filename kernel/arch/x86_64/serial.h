/* COM1 (0x3f8), 115200 8N1, polled output; input read by the Terminal
 * (kernel/cap/terminal.c) from its IRQ 4 handler or by polling. */
#ifndef CAPOS_ARCH_SERIAL_H
#define CAPOS_ARCH_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void serial_init(void);
void serial_putc(char c); /* "\n" is sent as "\r\n" */
void serial_write(const char *s, size_t len);

bool serial_rx_ready(void);      /* a received byte is waiting */
uint8_t serial_rx_byte(void);    /* takes it                   */
void serial_rx_irq_enable(void); /* the UART raises IRQ 4 on input */

#endif
