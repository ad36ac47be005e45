/*
 * boot.s: virtmig's built-in test guest
 *
 * A small boot program for SeaBIOS, in two stages:
 *
 *  - sector 0 (the boot sector, run at 0x7c00 in real mode) holds the
 *    parameter block at offset 8, the disk parameter block at offset
 *    40 and a loader: it reads sectors
 *    1..STAGE2_SECTORS to 0x7e00 with int 13h, enables A20, builds
 *    page tables that identity-map the first 4 GiB with 2 MiB pages and
 *    enters 64-bit long mode directly;
 *  - stage 2 drops to ring 3 (IOPL 3, so it may still use the serial
 *    port; interrupts stay off for good), calibrates the TSC against
 *    PIT channel 2 and then rewrites every 4 KiB page of a memory range
 *    forever, one pass after the other, printing "pass N\r\n" on COM1
 *    after each completed pass;
 *  - optionally (disk region and disk rate > 0), in the memory
 *    writer's throttle wait, it rewrites a region of its boot disk
 *    (primary ATA master, legacy ports 0x1f0-0x1f7, PIO, LBA28)
 *    sector by sector, pass after pass, throttled to the disk rate,
 *    flushes the disk cache after each pass and prints
 *    "disk round N\r\n".
 *
 * Ring 3 with paging is deliberate: on hosts whose KVM emulates
 * supervisor or unpaged code instruction by instruction (e.g. the PVM
 * flavour of nested KVM), user-mode code with paging still runs
 * natively, fast enough to dirty memory at migration-relevant rates.
 *
 * The parameter blocks and the page and sector patterns are the
 * contract with virtmig-guest-image, virtmig-memcheck and
 * virtmig-diskcheck (guestimage.h, guestpattern.h, README.md): keep the
 * constants below in sync.
 *
 * Build: as --64 boot.s -o boot.o
 *        ld -m elf_x86_64 -Ttext 0x7c00 --oformat binary boot.o -o boot.bin
 */

    .equ    PAGE_MAGIC, 0x50474d56      /* "VMGP" */
    .equ    CHECK_MUL_INDEX, 0x9e3779b1
    .equ    CHECK_MUL_PASS, 0x85ebca77
    .equ    BODY_STEP, 0x01000193
    .equ    BODY_WORDS, 1018            /* words 4 .. 1021 */
    .equ    FLAG_FILL, 1
    .equ    SECTOR_MAGIC, 0x53474d56    /* "VMGS" */
    .equ    SECTOR_BODY_WORDS, 122      /* words 4 .. 125 */

    .equ    STAGE2_SECTORS, 3
    .equ    STACK_TOP, 0x7c00

    /* page tables: PML4 0x1000, PDPT 0x2000, four PDs 0x3000..0x6fff */
    .equ    PML4, 0x1000
    .equ    PDPT, 0x2000
    .equ    PD0, 0x3000
    .equ    PT_END, 0x7000
    .equ    PTE_PRW_US, 0x07            /* present, writable, user */
    .equ    PDE_2M, 0x87                /* ... and 2 MiB page */

    .equ    KCODE_SEL, 0x08
    .equ    KDATA_SEL, 0x10
    .equ    UCODE_SEL, 0x1b             /* 0x18 | RPL 3 */
    .equ    UDATA_SEL, 0x23             /* 0x20 | RPL 3 */
    .equ    USER_RFLAGS, 0x3002         /* IOPL 3, IF 0 */

    .equ    COM1, 0x3f8
    .equ    COM1_LSR, 0x3fd
    .equ    LSR_THRE, 0x20

    .equ    PIT_TICKS_10MS, 11932       /* 1193182 Hz * 10 ms */

    /* primary ATA channel, legacy ports */
    .equ    ATA_DATA, 0x1f0
    .equ    ATA_COUNT, 0x1f2
    .equ    ATA_DRIVE, 0x1f6            /* LBA 24..27 | 0xe0: master, LBA */
    .equ    ATA_STATUS, 0x1f7           /* write: command */
    .equ    ATA_CTRL, 0x3f6
    .equ    ATA_MASTER_LBA, 0xe0
    .equ    ATA_BSY, 0x80
    .equ    ATA_DF, 0x20
    .equ    ATA_DRQ, 0x08
    .equ    ATA_ERR, 0x01
    .equ    ATA_NIEN, 0x02
    .equ    ATA_CMD_WRITE, 0x30         /* WRITE SECTORS, PIO, LBA28 */
    .equ    ATA_CMD_FLUSH, 0xe7         /* CACHE FLUSH */
    .equ    ATA_CMD_IDENTIFY, 0xec

    .code16
    .text
    .globl  _start
_start:
    jmp     real_start
    .org    8

/* ---- parameter block: 32 bytes at image offset 8 (see README.md) ---- */
params:
    .ascii  "VMGUEST1"
p_base:
    .long   0x00200000          /* range base address, 4 KiB aligned */
p_pages:
    .long   4096                /* pages in the range */
p_rate:
    .long   4096                /* max pages written per second, 0: no limit */
p_first:
    .long   1                   /* number of the first pass */
p_flags:
    .long   FLAG_FILL           /* bit 0: fill the whole page */
    .long   0                   /* reserved, must be 0 */

/* ---- disk parameter block: 24 bytes at image offset 40 ---- */
disk_params:
    .ascii  "VMGDISK1"
p_disk_lba:
    .long   2048                /* first sector of the region (LBA28) */
p_disk_sectors:
    .long   0                   /* sectors in the region */
p_disk_rate:
    .long   0                   /* max sectors written per second, 0: off */
    .long   0                   /* reserved, must be 0 */

real_start:
    cli
    cld
    xorw    %ax, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    movw    $STACK_TOP, %sp
    ljmp    $0, $1f             /* normalise cs:ip to 0000:7cxx */
1:
    /* stage 2: sectors 2.. (CHS 0/0/2) of the boot drive dl to 0x7e00 */
    movw    $(0x0200 + STAGE2_SECTORS), %ax
    movw    $stage2, %bx
    movw    $0x0002, %cx
    xorb    %dh, %dh
    int     $0x13
    jnc     2f
    movb    $'E', %al           /* disk read failed: say so and stop */
    movw    $COM1, %dx
    outb    %al, %dx
halt16:
    hlt
    jmp     halt16
2:
    /* fast A20 gate (port 0x92 bit 1; keep bit 0, the reset bit, clear) */
    inb     $0x92, %al
    orb     $2, %al
    andb    $0xfe, %al
    outb    %al, $0x92

    /* identity map of 0..4 GiB, user accessible */
    movw    $PML4, %di
    xorl    %eax, %eax
    movw    $((PT_END - PML4) / 4), %cx
    rep     stosl
    movw    $(PDPT + PTE_PRW_US), PML4
    movw    $(PD0 + PTE_PRW_US), PDPT
    movw    $(PD0 + 0x1000 + PTE_PRW_US), PDPT + 8
    movw    $(PD0 + 0x2000 + PTE_PRW_US), PDPT + 16
    movw    $(PD0 + 0x3000 + PTE_PRW_US), PDPT + 24
    movw    $PD0, %di
    movl    $PDE_2M, %eax
    movw    $2048, %cx
3:
    movl    %eax, (%di)
    addl    $0x200000, %eax
    addw    $8, %di
    loop    3b

    /* long mode: PAE, EFER.LME, then PE and PG together */
    movl    $PML4, %eax
    movl    %eax, %cr3
    movl    %cr4, %eax
    orb     $0x20, %al
    movl    %eax, %cr4
    movl    $0xc0000080, %ecx
    rdmsr
    orw     $0x100, %ax
    wrmsr
    lgdtl   gdt_desc
    movl    %cr0, %eax
    orl     $0x80000001, %eax
    movl    %eax, %cr0
    ljmp    $KCODE_SEL, $lm_start

/* GDT: null, kernel code64/data, user code64/data; flat */
    .p2align 3
gdt:
    .quad   0
    .quad   0x00af9a000000ffff
    .quad   0x00cf92000000ffff
    .quad   0x00affa000000ffff
    .quad   0x00cff2000000ffff
gdt_desc:
    .word   gdt_desc - gdt - 1
    .long   gdt

    .org    510
    .byte   0x55, 0xaa

/* ---- stage 2, at 0x7e00 ---- */
stage2:
    .code64
lm_start:
    movw    $KDATA_SEL, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    movl    $STACK_TOP, %esp
    pushq   $UDATA_SEL
    pushq   $STACK_TOP
    pushq   $USER_RFLAGS
    pushq   $UCODE_SEL
    leaq    user_start(%rip), %rax
    pushq   %rax
    iretq

user_start:
    call    tsc_calibrate
    call    print_banner
    call    disk_init

    /* ticks per page = tsc_khz * 1000 / rate (rate 0: no throttle) */
    movl    p_rate(%rip), %ecx
    jecxz   1f
    movl    $1000, %eax
    mull    tsc_khz(%rip)
    divl    %ecx
    movl    %eax, ticks_per_page(%rip)
1:
    rdtsc
    movl    %eax, last_tsc(%rip)
    movl    p_first(%rip), %ebp /* ebp: pass number */

pass_loop:
    movl    p_base(%rip), %edi  /* rdi: page address */
    xorl    %ebx, %ebx          /* ebx: page index */
page_loop:
    call    write_page
    cmpl    %ebx, -8(%rdi)      /* read back: is there RAM? */
    jne     no_ram
    call    throttle
    incl    %ebx
    cmpl    p_pages(%rip), %ebx
    jb      page_loop

    leaq    s_pass(%rip), %rsi
    call    puts
    movl    %ebp, %eax
    call    putdec
    call    puts                /* the "\r\n" after "pass " */
    incl    %ebp
    jmp     pass_loop

no_ram:
    leaq    s_noram(%rip), %rsi
    call    puts
    leaq    -4096(%rdi), %rax
    call    putdec
    call    puts
spin:
    pause                       /* no hlt in ring 3: spin */
    jmp     spin

/*
 * write_page: writes page @ebx of pass @ebp at @rdi, in ascending
 * address order, one aligned 32-bit store per word (see
 * guestpattern.h).  Leaves rdi at the next page.  Clobbers eax, ecx,
 * edx.
 */
write_page:
    imull   $CHECK_MUL_INDEX, %ebx, %eax
    imull   $CHECK_MUL_PASS, %ebp, %edx
    xorl    %eax, %edx          /* edx: check word */
    movl    $PAGE_MAGIC, %eax
    stosl
    movl    %ebx, %eax
    stosl
    movl    %ebp, %eax
    stosl
    movl    %edx, %eax
    stosl
    movl    $BODY_WORDS, %ecx
    testb   $FLAG_FILL, p_flags(%rip)
    jz      2f
    addl    $(4 * BODY_STEP), %eax
1:
    stosl
    addl    $BODY_STEP, %eax
    loop    1b
    jmp     3f
2:
    leaq    (%rdi, %rcx, 4), %rdi
3:
    movl    %ebx, %eax
    stosl
    movl    %ebp, %eax
    stosl
    ret

/*
 * throttle: waits until ticks_per_page TSC ticks have passed since the
 * previous page.  Falling behind by two pages or more (vCPU not
 * running, TSC jump after migration) restarts the schedule from now
 * instead of writing a catch-up burst; a TSC that went backwards shows
 * up as a huge unsigned distance and does the same.  The disk writer
 * runs in the wait (disk_poll), or after each page when the memory
 * writer is unthrottled.  Clobbers eax, ecx, edx.
 */
throttle:
    movl    ticks_per_page(%rip), %ecx
    testl   %ecx, %ecx
    jz      disk_poll
1:
    pause
    rdtsc
    movl    %eax, %edx
    subl    last_tsc(%rip), %edx    /* edx: ticks since the previous page */
    cmpl    %ecx, %edx
    jae     2f
    call    disk_poll
    jmp     1b
2:
    addl    %ecx, last_tsc(%rip)
    shll    $1, %ecx
    cmpl    %ecx, %edx
    jb      3f
    movl    %eax, last_tsc(%rip)
3:
    ret

/*
 * disk_init: with a disk region and a disk rate, checks that the
 * primary master is an ATA disk (IDENTIFY) that holds the region,
 * prints "virtmig-guest disk lba L sectors S rate R capacity C" and
 * arms disk_poll; else leaves the disk writer off.
 */
disk_init:
    cmpl    $0, p_disk_sectors(%rip)
    je      9f
    cmpl    $0, p_disk_rate(%rip)
    je      9f
    movb    $ATA_NIEN, %al      /* polled: no interrupts */
    movw    $ATA_CTRL, %dx
    outb    %al, %dx
    movb    $ATA_MASTER_LBA, %al
    movw    $ATA_DRIVE, %dx
    outb    %al, %dx
    movw    $ATA_STATUS, %dx
    inb     %dx, %al
    cmpb    $0xff, %al          /* floating bus: no controller */
    je      no_disk
    movb    $ATA_CMD_IDENTIFY, %al
    outb    %al, %dx
    inb     %dx, %al
    testb   %al, %al            /* no drive */
    jz      no_disk
1:
    inb     %dx, %al
    testb   $ATA_BSY, %al
    jnz     1b
    testb   $(ATA_ERR | ATA_DF), %al    /* ATAPI aborts IDENTIFY */
    jnz     no_disk
    testb   $ATA_DRQ, %al
    jz      no_disk
    leaq    sector_buf(%rip), %rdi
    movl    $256, %ecx
    movw    $ATA_DATA, %dx
    rep     insw
    movl    sector_buf + 120(%rip), %eax    /* words 60-61: LBA28 sectors */
    movl    %eax, disk_capacity(%rip)
    movl    p_disk_lba(%rip), %eax
    addl    p_disk_sectors(%rip), %eax
    cmpl    disk_capacity(%rip), %eax
    ja      disk_too_small
    movl    $1000, %eax         /* ticks per sector */
    mull    tsc_khz(%rip)
    divl    p_disk_rate(%rip)
    movl    %eax, ticks_per_sector(%rip)
    movl    p_first(%rip), %eax
    movl    %eax, disk_pass(%rip)
    leaq    disk_banner(%rip), %rsi
    leaq    p_disk_lba(%rip), %rdi
    movl    $3, %ecx
    call    print_fields
    leaq    disk_capacity(%rip), %rdi
    movl    $1, %ecx
    call    print_fields
    call    puts
    rdtsc
    movl    %eax, disk_last_tsc(%rip)
9:
    ret

no_disk:
    leaq    s_nodisk(%rip), %rsi
    call    puts
    jmp     spin

disk_too_small:
    leaq    s_small(%rip), %rsi
    leaq    disk_capacity(%rip), %rdi
    movl    $1, %ecx
    call    print_fields
    call    puts
    jmp     spin

/*
 * disk_poll: writes the next sector of the region when it is due,
 * ticks_per_sector TSC ticks after the previous one; falling behind by
 * two sectors or more restarts the schedule (as in throttle).  Does
 * nothing while the disk writer is off.  Preserves all registers.
 */
disk_poll:
    cmpl    $0, ticks_per_sector(%rip)
    jne     1f
    ret
1:
    pushq   %rax
    pushq   %rcx
    pushq   %rdx
    rdtsc
    movl    %eax, %edx
    subl    disk_last_tsc(%rip), %edx
    movl    ticks_per_sector(%rip), %ecx
    cmpl    %ecx, %edx
    jb      3f
    addl    %ecx, disk_last_tsc(%rip)
    shll    $1, %ecx
    cmpl    %ecx, %edx
    jb      2f
    movl    %eax, disk_last_tsc(%rip)
2:
    call    disk_write_next
3:
    popq    %rdx
    popq    %rcx
    popq    %rax
    ret

/*
 * disk_write_next: writes sector disk_index of the region in pass
 * disk_pass; after the last one flushes the disk's cache, prints
 * "disk round N" and starts the next pass.  Clobbers eax, ecx, edx.
 */
disk_write_next:
    pushq   %rbx
    pushq   %rbp
    pushq   %rsi
    pushq   %rdi
    movl    disk_index(%rip), %ebx
    movl    disk_pass(%rip), %ebp
    leaq    sector_buf(%rip), %rdi
    call    fill_sector
    movl    p_disk_lba(%rip), %eax
    addl    %ebx, %eax
    call    ata_write_sector
    incl    %ebx
    cmpl    p_disk_sectors(%rip), %ebx
    jb      1f
    call    ata_flush
    leaq    s_round(%rip), %rsi
    call    puts
    movl    %ebp, %eax
    call    putdec
    call    puts                /* the "\r\n" after "disk round " */
    incl    %ebp
    xorl    %ebx, %ebx
1:
    movl    %ebx, disk_index(%rip)
    movl    %ebp, disk_pass(%rip)
    popq    %rdi
    popq    %rsi
    popq    %rbp
    popq    %rbx
    ret

/*
 * fill_sector: the pattern of sector @ebx of the region in pass @ebp
 * (see guestpattern.h) at @rdi, 128 words.  Clobbers eax, ecx, edx,
 * rdi.
 */
fill_sector:
    imull   $CHECK_MUL_INDEX, %ebx, %eax
    imull   $CHECK_MUL_PASS, %ebp, %edx
    xorl    %eax, %edx          /* edx: check word */
    movl    $SECTOR_MAGIC, %eax
    stosl
    movl    %ebx, %eax
    stosl
    movl    %ebp, %eax
    stosl
    movl    %edx, %eax
    stosl
    movl    $SECTOR_BODY_WORDS, %ecx
    addl    $(4 * BODY_STEP), %eax
1:
    stosl
    addl    $BODY_STEP, %eax
    loop    1b
    movl    %ebx, %eax
    stosl
    movl    %ebp, %eax
    stosl
    ret

/*
 * ata_write_sector: WRITE SECTORS (PIO, LBA28) of sector_buf to LBA
 * @eax of the primary master; returns once the drive took it.
 * Clobbers eax, ecx, edx, rsi.
 */
ata_write_sector:
    movl    %eax, disk_cur_lba(%rip)
    call    ata_wait
    movl    disk_cur_lba(%rip), %ecx
    movl    %ecx, %eax
    shrl    $24, %eax
    orb     $ATA_MASTER_LBA, %al
    movw    $ATA_DRIVE, %dx
    outb    %al, %dx
    movb    $1, %al
    movw    $ATA_COUNT, %dx
    outb    %al, %dx
    movl    %ecx, %eax
    incw    %dx                 /* 0x1f3: LBA 0..7 */
    outb    %al, %dx
    movb    %ah, %al
    incw    %dx                 /* 0x1f4: LBA 8..15 */
    outb    %al, %dx
    shrl    $16, %eax
    incw    %dx                 /* 0x1f5: LBA 16..23 */
    outb    %al, %dx
    movb    $ATA_CMD_WRITE, %al
    movw    $ATA_STATUS, %dx
    outb    %al, %dx
    call    ata_wait
    testb   $ATA_DRQ, %al
    jz      ata_error
    leaq    sector_buf(%rip), %rsi
    movl    $128, %ecx          /* 32-bit PIO: half the port accesses */
    movw    $ATA_DATA, %dx
    rep     outsl
    jmp     ata_wait

/* ata_flush: CACHE FLUSH; returns once the data is on stable storage. */
ata_flush:
    call    ata_wait
    movb    $ATA_MASTER_LBA, %al
    movw    $ATA_DRIVE, %dx
    outb    %al, %dx
    movb    $ATA_CMD_FLUSH, %al
    movw    $ATA_STATUS, %dx
    outb    %al, %dx
    jmp     ata_wait

/*
 * ata_wait: waits until the drive is not busy; returns its status in
 * al, or reports an error (ERR or DF) and stops.  Clobbers eax, edx.
 */
ata_wait:
    movw    $ATA_STATUS, %dx
1:
    inb     %dx, %al
    testb   $ATA_BSY, %al
    jz      2f
    pause
    jmp     1b
2:
    testb   $(ATA_ERR | ATA_DF), %al
    jnz     ata_error
    ret

/* "virtmig-guest: disk error at LBA L status S", then stop. */
ata_error:
    movzbl  %al, %eax
    movl    %eax, disk_status(%rip)
    leaq    s_diskerr(%rip), %rsi
    leaq    disk_cur_lba(%rip), %rdi
    movl    $2, %ecx
    call    print_fields
    call    puts
    jmp     spin

/*
 * tsc_calibrate: counts TSC ticks during 10 ms of PIT channel 2 (mode 0,
 * gated through port 0x61, output read back in bit 5) and stores the
 * TSC frequency in kHz.
 */
tsc_calibrate:
    inb     $0x61, %al
    andb    $0xfc, %al
    orb     $1, %al             /* gate on, speaker off */
    outb    %al, $0x61
    movb    $0xb0, %al          /* channel 2, lo/hi byte, mode 0, binary */
    outb    %al, $0x43
    movw    $PIT_TICKS_10MS, %ax
    outb    %al, $0x42
    movb    %ah, %al
    outb    %al, $0x42
    rdtsc
    movl    %eax, %ecx
1:
    inb     $0x61, %al
    testb   $0x20, %al
    jz      1b
    rdtsc
    subl    %ecx, %eax
    xorl    %edx, %edx
    movl    $10, %ecx
    divl    %ecx
    movl    %eax, tsc_khz(%rip)
    ret

/* print_banner: "virtmig-guest base B pages N rate R tsc-khz K\r\n" */
print_banner:
    leaq    banner(%rip), %rsi
    leaq    p_base(%rip), %rdi
    movl    $3, %ecx
    call    print_fields
    leaq    tsc_khz(%rip), %rdi
    movl    $1, %ecx
    call    print_fields
    jmp     puts

/*
 * print_fields: prints @ecx (string, value) pairs: the next string at
 * rsi, then the next 32-bit value at rdi in decimal.  Leaves rsi after
 * the last string.  Clobbers eax, ecx, edx, rdi.
 */
print_fields:
    call    puts
    movl    (%rdi), %eax
    addq    $4, %rdi
    call    putdec
    loop    print_fields
    ret

/* puts: prints the NUL-terminated string at rsi; leaves rsi after it. */
puts:
    lodsb
    testb   %al, %al
    jz      1f
    call    putc
    jmp     puts
1:
    ret

/* putdec: prints eax in decimal.  Clobbers eax, edx. */
putdec:
    pushq   %rcx
    pushq   %rbx
    xorl    %ecx, %ecx
    movl    $10, %ebx
1:
    xorl    %edx, %edx
    divl    %ebx
    pushq   %rdx
    incl    %ecx
    testl   %eax, %eax
    jnz     1b
2:
    popq    %rax
    addb    $'0', %al
    call    putc
    loop    2b
    popq    %rbx
    popq    %rcx
    ret

/* putc: prints al on COM1 once the transmitter is empty.  Clobbers dx. */
putc:
    movb    %al, %ah
    movw    $COM1_LSR, %dx
1:
    inb     %dx, %al
    testb   $LSR_THRE, %al
    jz      1b
    movb    %ah, %al
    movw    $COM1, %dx
    outb    %al, %dx
    ret

/* ---- data ---- */
banner:
    .asciz  "virtmig-guest base "
    .asciz  " pages "
    .asciz  " rate "
    .asciz  " tsc-khz "
    .asciz  "\r\n"
s_pass:
    .asciz  "pass "
    .asciz  "\r\n"
s_noram:
    .asciz  "virtmig-guest: no RAM at "
    .asciz  "\r\n"
disk_banner:
    .asciz  "virtmig-guest disk lba "
    .asciz  " sectors "
    .asciz  " rate "
    .asciz  " capacity "
    .asciz  "\r\n"
s_round:
    .asciz  "disk round "
    .asciz  "\r\n"
s_nodisk:
    .asciz  "virtmig-guest: no ATA disk at 0x1f0\r\n"
s_small:
    .asciz  "virtmig-guest: disk region beyond the end of the disk, capacity "
    .asciz  " sectors\r\n"
s_diskerr:
    .asciz  "virtmig-guest: disk error at LBA "
    .asciz  " status "
    .asciz  "\r\n"

    .p2align 2
tsc_khz:
    .long   0
ticks_per_page:
    .long   0
last_tsc:
    .long   0
ticks_per_sector:               /* 0: disk writer off */
    .long   0
disk_last_tsc:
    .long   0
disk_index:                     /* next sector of the region */
    .long   0
disk_pass:
    .long   0
disk_capacity:
    .long   0
disk_cur_lba:                   /* these two: for the error message */
    .long   0
disk_status:
    .long   0

    .org    512 * (1 + STAGE2_SECTORS)

/* one sector of scratch (IDENTIFY data, the sector to write), not in
 * the image */
sector_buf:
