/* COM1 (0x3f8), 115200 8N1, polled output. */
#ifndef CAPOS_ARCH_SERIAL_H
#define CAPOS_ARCH_SERIAL_H

#include <stddef.h>

void serial_init(void);
void serial_putc(char c);   /* "\n" is sent as "\r\n" */
void serial_write(const char *s, size_t len);

#endif
