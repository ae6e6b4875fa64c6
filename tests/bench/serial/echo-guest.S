/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tests/bench/serial/echo-guest.S: a boot sector that echoes its first serial port.
 *
 * SeaBIOS loads it at 0x7c00; it installs an IRQ 4 (UART receive) and an IRQ 0 (the
 * PIT, 18.2 Hz) handler and halts between interrupts, so an idle guest costs nothing.
 * Every byte received is written back at once; the byte 't' also switches "ticks" on and
 * 'u' off: while on, the guest writes '.' every 36 PIT ticks (65536 * 36 / 1193182 s), output
 * that nobody asked for, on a schedule the measuring side knows. Benchmark input only
 * (tests/bench/serial/run.mjs): never part of the daemon. */
    .code16
    .globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %ss
    mov $0x7c00, %sp
    movw $uart_isr, 0x30 /* IRQ 4: vector 0x0c (the master PIC's base is 0x08) */
    movw $0, 0x32
    movw $tick_isr, 0x20 /* IRQ 0: vector 0x08 */
    movw $0, 0x22
    mov $0x3f9, %dx /* IER: received data */
    mov $0x01, %al
    out %al, %dx
    mov $0x3fc, %dx /* MCR: DTR, RTS, OUT2 (gates the IRQ) */
    mov $0x0b, %al
    out %al, %dx
    mov $0x36, %al /* PIT channel 0: mode 3, divisor 65536 (18.2 Hz) */
    out %al, $0x43
    xor %al, %al
    out %al, $0x40
    out %al, $0x40
    in $0x21, %al /* unmask IRQ 0 and 4 */
    and $0xee, %al
    out %al, $0x21
    sti
idle:
    hlt
    jmp idle

uart_isr:
    push %ax
    push %dx
1:  mov $0x3fd, %dx /* LSR: data ready? */
    in %dx, %al
    test $1, %al
    jz 2f
    mov $0x3f8, %dx
    in %dx, %al
    out %al, %dx
    cmp $'u', %al
    jne 4f
    movb $0, ticking
4:  cmp $'t', %al
    jne 1b
    movb $1, ticking
    movw $0, count
    jmp 1b
2:  mov $0x20, %al /* EOI */
    out %al, $0x20
    pop %dx
    pop %ax
    iret

tick_isr:
    push %ax
    push %dx
    cmpb $0, ticking
    je 3f
    incw count
    cmpw $36, count
    jb 3f
    movw $0, count
    mov $0x3f8, %dx
    mov $'.', %al
    out %al, %dx
3:  mov $0x20, %al
    out %al, $0x20
    pop %dx
    pop %ax
    iret

ticking: .byte 0
count: .word 0
    .org 510
    .byte 0x55, 0xaa
