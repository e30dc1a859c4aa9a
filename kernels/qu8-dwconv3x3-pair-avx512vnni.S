/* qu8-dwconv3x3-pair-avx512vnni.S: the inner run of the int8 3x3
 * depthwise row-pair kernel (qvk_qu8_dwconv3x3_pair_ukernel_64c4__avx512vnni
 * in qu8-dwconv-avx512vnni.c), half a 64-channel tile at a time.
 *
 *   void qvk_qu8_dwconv3x3_pair_run_64c4__avx512vnni (const qvk_qu8_dw_pair_run *run);
 *
 * run->passes passes, each two neighbouring output pixels of two output
 * rows, channel vectors 2h and 2h + 1 (C4 order) of a full 64-channel
 * tile, the four input rows inside the image.  Each column is loaded and
 * interleaved once (as interleave4 does: unpacklo bytes for half 0,
 * unpackhi for half 1, then words) and read by the taps of both pixels
 * and both rows; a column of padding (the first pass's left one, the last
 * pass's right one: run->left, run->right) is the zero point, which the
 * interleave leaves as it is.  In C, GCC spilled and copied registers in
 * this loop and moved with every small change to it; here they are fixed:
 *
 *   zmm0-7    four columns of two vectors; their roles swap every pass,
 *             so that no column is copied
 *   zmm8-15   the accumulators: row 0 pixel 0, row 0 pixel 1, row 1
 *             pixel 0, row 1 pixel 1, two vectors each
 *   zmm16-17  the two vectors' scales, zmm18 the output zero point (int16)
 *   zmm19     the interleave's and the final pack's temporary
 *   zmm20-31  the half's weights: variant 0 (row 0) taps 0-2, then
 *             variant 1 (row 1), two vectors each
 *
 * The requantization is qvk_qu8_scale_round_avx512's and pair_store's:
 * scaled in fp32 and rounded to nearest even, packed with saturation to
 * int16 and the zero point added with saturation; half 0 leaves those in
 * run->scratch, half 1 packs them beside its own to the 64 bytes of each
 * output, clamps them (only to the bounds that clamp anything:
 * run->variant) and stores them.  So the bytes are the C kernel's.
 * qu8-dwconv-avx512vnni.c checks the struct's layout against the offsets
 * below.
 */

        .intel_syntax noprefix

/* qvk_qu8_dw_pair_run */
        .set RUN_IN, 0          /* row 0 at the first pass's left column */
        .set RUN_IN_STRIDE, 8   /* bytes between two columns */
        .set RUN_ROW_STEP, 16   /* bytes between two rows */
        .set RUN_PASSES, 24
        .set RUN_OUT0, 32       /* row 0's first output pixel */
        .set RUN_OUT1, 40       /* row 1's */
        .set RUN_OUT_STRIDE, 48 /* bytes between two output pixels */
        .set RUN_WEIGHTS, 56    /* variant v, tap j, vector k of the half at 768 v + 256 j + 64 k */
        .set RUN_CONSTS, 64     /* 64-byte aligned: bias 2h, 2h + 1, scale 2h, 2h + 1, zp16, lo8, hi8, input zp */
        .set RUN_SCRATCH, 72    /* 64-byte aligned, 256 bytes a pass: half 0's int16 results */
        .set RUN_VARIANT, 80    /* half + 2 clamp (0: none, 1: lo8, 2: lo8 and hi8), uint32 */
        .set RUN_PREFETCH, 88   /* bytes from a pass's first new column to prefetch, 0: none */
        .set RUN_LEFT, 96       /* uint32: the first pass's left column is outside the image */
        .set RUN_RIGHT, 100     /* uint32: the last pass's right column is outside the image */

/* A quad column of half lh (l, h) of the four rows at \base (rcx apart,
 * rdi = 3 rcx) into \d0, \d1. */
        .macro COLUMN lh, base, d0, d1
        vmovdqu64 zmm19, ZMMWORD PTR [\base]
        vpunpck\lh\()bw zmm19, zmm19, ZMMWORD PTR [\base+rcx]
        vmovdqu64 \d0, ZMMWORD PTR [\base+rcx*2]
        vpunpck\lh\()bw \d0, \d0, ZMMWORD PTR [\base+rdi]
        vpunpckhwd \d1, zmm19, \d0
        vpunpcklwd \d0, zmm19, \d0
        .endm

/* Accumulators \a0, \a1 (one output's two vectors) scaled, rounded,
 * packed to int16 with the zero point added.  Half 0 keeps them at
 * r12 + \off; half 1 packs them beside those to 64 bytes, clamps and
 * stores them at \dst. */
        .macro OUTPUT lh, a0, a1, off, dst, clamp
        vcvtdq2ps \a0, \a0
        vcvtdq2ps \a1, \a1
        vmulps \a0, \a0, zmm16
        vmulps \a1, \a1, zmm17
        vcvtps2dq \a0, \a0
        vcvtps2dq \a1, \a1
        vpackssdw \a0, \a0, \a1
        vpaddsw \a0, \a0, zmm18
        .ifc \lh, l
        vmovdqa64 ZMMWORD PTR [r12+\off], \a0
        .else
        vmovdqa64 zmm19, ZMMWORD PTR [r12+\off]
        vpackuswb \a0, zmm19, \a0
        .if \clamp >= 1
        vpmaxub \a0, \a0, ZMMWORD PTR [rax+320]
        .endif
        .if \clamp >= 2
        vpminub \a0, \a0, ZMMWORD PTR [rax+384]
        .endif
        vmovdqu64 ZMMWORD PTR [\dst], \a0
        .endif
        .endm

/* One tap for both pixels (the left one's column \cl, the right one's \cr,
 * vector k in \cl\k) and both rows (weights \a of row 0, \b of row 1). */
        .macro TAP cl0, cl1, cr0, cr1, a0, a1, b0, b1
        vpdpbusd zmm8, \cl0, \a0
        vpdpbusd zmm9, \cl1, \a1
        vpdpbusd zmm10, \cr0, \a0
        vpdpbusd zmm11, \cr1, \a1
        vpdpbusd zmm12, \cl0, \b0
        vpdpbusd zmm13, \cl1, \b1
        vpdpbusd zmm14, \cr0, \b0
        vpdpbusd zmm15, \cr1, \b1
        .endm

/* One pass: columns c0, c1 (loaded by the pass before), c2, c3 (loaded
 * here from rsi and rsi + rdx; c3 the zero point in the last pass, r8 =
 * 1, when r14 = run->right is 1); pixel x reads c0 c1 c2, pixel x + 1 c1
 * c2 c3; row 0's outputs at r9, row 1's at r10; r13 bytes on, the
 * columns to prefetch. */
        .macro PASS lh, clamp, c0a, c0b, c1a, c1b, c2a, c2b, c3a, c3b
        test r13, r13
        jz 1f
        lea rbx, [rsi+r13]
        prefetcht0 [rbx]
        prefetcht0 [rbx+rcx]
        prefetcht0 [rbx+rcx*2]
        prefetcht0 [rbx+rdi]
        prefetcht0 [rbx+63]
        prefetcht0 [rbx+rcx+63]
        prefetcht0 [rbx+rcx*2+63]
        prefetcht0 [rbx+rdi+63]
1:
        COLUMN \lh, rsi, \c2a, \c2b
        cmp r8, r14
        je 4f
        lea rbx, [rsi+rdx]
        COLUMN \lh, rbx, \c3a, \c3b
        jmp 5f
4:
        vmovdqa64 \c3a, ZMMWORD PTR [rax+448]
        vmovdqa64 \c3b, ZMMWORD PTR [rax+448]
5:
        vmovdqa32 zmm8, ZMMWORD PTR [rax]
        vmovdqa32 zmm9, ZMMWORD PTR [rax+64]
        vmovdqa32 zmm10, ZMMWORD PTR [rax]
        vmovdqa32 zmm11, ZMMWORD PTR [rax+64]
        vmovdqa32 zmm12, ZMMWORD PTR [rax]
        vmovdqa32 zmm13, ZMMWORD PTR [rax+64]
        vmovdqa32 zmm14, ZMMWORD PTR [rax]
        vmovdqa32 zmm15, ZMMWORD PTR [rax+64]
        TAP \c0a, \c0b, \c1a, \c1b, zmm20, zmm21, zmm26, zmm27
        TAP \c1a, \c1b, \c2a, \c2b, zmm22, zmm23, zmm28, zmm29
        TAP \c2a, \c2b, \c3a, \c3b, zmm24, zmm25, zmm30, zmm31
        OUTPUT \lh, zmm8, zmm9, 0, r9, \clamp
        OUTPUT \lh, zmm10, zmm11, 64, r9+r11, \clamp
        OUTPUT \lh, zmm12, zmm13, 128, r10, \clamp
        OUTPUT \lh, zmm14, zmm15, 192, r10+r11, \clamp
        add r12, 256
        lea rsi, [rsi+rdx*2]
        lea r9, [r9+r11*2]
        lea r10, [r10+r11*2]
        .endm

/* The whole run: the first two columns (the first the zero point when
 * r15 = run->left is 1), then passes two at a time. */
        .macro RUN lh, clamp
        test r15, r15
        jz 6f
        vmovdqa64 zmm0, ZMMWORD PTR [rax+448]
        vmovdqa64 zmm1, ZMMWORD PTR [rax+448]
        jmp 7f
6:
        COLUMN \lh, rsi, zmm0, zmm1
7:
        lea rbx, [rsi+rdx]
        COLUMN \lh, rbx, zmm2, zmm3
        lea rsi, [rsi+rdx*2]
2:
        PASS \lh, \clamp, zmm0, zmm1, zmm2, zmm3, zmm4, zmm5, zmm6, zmm7
        dec r8
        jz 3f
        PASS \lh, \clamp, zmm4, zmm5, zmm6, zmm7, zmm0, zmm1, zmm2, zmm3
        dec r8
        jnz 2b
3:
        jmp .Ldone
        .endm

        .text
        .p2align 5
        .globl qvk_qu8_dwconv3x3_pair_run_64c4__avx512vnni
        .hidden qvk_qu8_dwconv3x3_pair_run_64c4__avx512vnni
        .type qvk_qu8_dwconv3x3_pair_run_64c4__avx512vnni, @function
qvk_qu8_dwconv3x3_pair_run_64c4__avx512vnni:
        .cfi_startproc
        push rbx
        .cfi_adjust_cfa_offset 8
        .cfi_offset rbx, -16
        push r13
        .cfi_adjust_cfa_offset 8
        .cfi_offset r13, -24
        push r12
        .cfi_adjust_cfa_offset 8
        .cfi_offset r12, -32
        push r14
        .cfi_adjust_cfa_offset 8
        .cfi_offset r14, -40
        push r15
        .cfi_adjust_cfa_offset 8
        .cfi_offset r15, -48
        mov r8, QWORD PTR [rdi+RUN_PASSES]
        test r8, r8
        jz .Lreturn
        mov rsi, QWORD PTR [rdi+RUN_IN]
        mov rdx, QWORD PTR [rdi+RUN_IN_STRIDE]
        mov rcx, QWORD PTR [rdi+RUN_ROW_STEP]
        mov r9, QWORD PTR [rdi+RUN_OUT0]
        mov r10, QWORD PTR [rdi+RUN_OUT1]
        mov r11, QWORD PTR [rdi+RUN_OUT_STRIDE]
        mov r12, QWORD PTR [rdi+RUN_SCRATCH]
        mov r14d, DWORD PTR [rdi+RUN_RIGHT]
        mov r15d, DWORD PTR [rdi+RUN_LEFT]
        mov r13, QWORD PTR [rdi+RUN_PREFETCH]
        mov ebx, DWORD PTR [rdi+RUN_VARIANT]
        mov rax, QWORD PTR [rdi+RUN_WEIGHTS]
        vmovdqu64 zmm20, ZMMWORD PTR [rax]
        vmovdqu64 zmm21, ZMMWORD PTR [rax+64]
        vmovdqu64 zmm22, ZMMWORD PTR [rax+256]
        vmovdqu64 zmm23, ZMMWORD PTR [rax+320]
        vmovdqu64 zmm24, ZMMWORD PTR [rax+512]
        vmovdqu64 zmm25, ZMMWORD PTR [rax+576]
        vmovdqu64 zmm26, ZMMWORD PTR [rax+768]
        vmovdqu64 zmm27, ZMMWORD PTR [rax+832]
        vmovdqu64 zmm28, ZMMWORD PTR [rax+1024]
        vmovdqu64 zmm29, ZMMWORD PTR [rax+1088]
        vmovdqu64 zmm30, ZMMWORD PTR [rax+1280]
        vmovdqu64 zmm31, ZMMWORD PTR [rax+1344]
        mov rax, QWORD PTR [rdi+RUN_CONSTS]
        vmovdqa64 zmm16, ZMMWORD PTR [rax+128]
        vmovdqa64 zmm17, ZMMWORD PTR [rax+192]
        vmovdqa64 zmm18, ZMMWORD PTR [rax+256]
        lea rdi, [rcx+rcx*2]
        cmp ebx, 1
        je .Lh0
        cmp ebx, 3
        je .Lh1
        cmp ebx, 5
        je .Lh2
        RUN l, 0
.Lh0:   RUN h, 0
.Lh1:   RUN h, 1
.Lh2:   RUN h, 2
.Ldone:
        vzeroupper
.Lreturn:
        pop r15
        .cfi_adjust_cfa_offset -8
        pop r14
        .cfi_adjust_cfa_offset -8
        pop r12
        .cfi_adjust_cfa_offset -8
        pop r13
        .cfi_adjust_cfa_offset -8
        pop rbx
        .cfi_adjust_cfa_offset -8
        ret
        .cfi_endproc
        .size qvk_qu8_dwconv3x3_pair_run_64c4__avx512vnni, .-qvk_qu8_dwconv3x3_pair_run_64c4__avx512vnni

        .section .note.GNU-stack, "", @progbits
