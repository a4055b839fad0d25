/* desc: population count by seven methods (naive, Kernighan, table, nibble table, SWAR, recursive, parallel bytes) plus parity and bit reversal */
#include <stdio.h>
#include <stdint.h>

#define ITER 20000

static unsigned char byte_bits[256];

static int count_naive(uint32_t x)
{
    int n = 0;
    while (x) {
        n += (int)(x & 1u);
        x >>= 1;
    }
    return n;
}

static int count_kernighan(uint32_t x)
{
    int n = 0;
    while (x) {
        x &= x - 1u;
        n++;
    }
    return n;
}

static void init_table(void)
{
    int i;
    byte_bits[0] = 0;
    for (i = 1; i < 256; i++)
        byte_bits[i] = (unsigned char)((i & 1) + byte_bits[i / 2]);
}

static int count_table(uint32_t x)
{
    return byte_bits[x & 0xFFu] + byte_bits[(x >> 8) & 0xFFu] + byte_bits[(x >> 16) & 0xFFu] +
           byte_bits[x >> 24];
}

static int count_nibble(uint32_t x)
{
    static const int nib[16] = { 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4 };
    int n = 0, i;
    for (i = 0; i < 8; i++) {
        n += nib[x & 15u];
        x >>= 4;
    }
    return n;
}

static int count_swar(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0F0F0F0Fu;
    return (int)((x * 0x01010101u) >> 24);
}

static int count_recursive(uint32_t x)
{
    if (x == 0)
        return 0;
    return (int)(x & 1u) + count_recursive(x >> 1);
}

static int count_bytes_parallel(uint32_t x)
{
    uint32_t m1 = 0x11111111u, s;
    s = x & m1;
    s += (x >> 1) & m1;
    s += (x >> 2) & m1;
    s += (x >> 3) & m1;
    s = (s & 0x0F0F0F0Fu) + ((s >> 4) & 0x0F0F0F0Fu);
    return (int)((s * 0x01010101u) >> 24);
}

static int parity(uint32_t x)
{
    x ^= x >> 16;
    x ^= x >> 8;
    x ^= x >> 4;
    x &= 0xFu;
    return (0x6996 >> x) & 1;
}

static uint32_t reverse_bits(uint32_t x)
{
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0F0F0F0Fu) | ((x & 0x0F0F0F0Fu) << 4);
    x = ((x >> 8) & 0x00FF00FFu) | ((x & 0x00FF00FFu) << 8);
    return (x >> 16) | (x << 16);
}

static int leading_zeros(uint32_t x)
{
    int n = 0;
    if (x == 0)
        return 32;
    if ((x & 0xFFFF0000u) == 0) { n += 16; x <<= 16; }
    if ((x & 0xFF000000u) == 0) { n += 8; x <<= 8; }
    if ((x & 0xF0000000u) == 0) { n += 4; x <<= 4; }
    if ((x & 0xC0000000u) == 0) { n += 2; x <<= 2; }
    if ((x & 0x80000000u) == 0) { n += 1; }
    return n;
}

typedef int (*counter)(uint32_t);

int main(void)
{
    static const counter methods[] = { count_naive, count_kernighan, count_table, count_nibble,
                                       count_swar, count_recursive, count_bytes_parallel };
    const int nmethods = (int)(sizeof methods / sizeof methods[0]);
    long totals[7] = { 0 };
    uint32_t x = 0x12345678u, acc = 0;
    int i, m;

    init_table();
    for (i = 0; i < ITER; i++) {
        int ref;
        x = x * 69069u + 1u;
        ref = count_naive(x);
        for (m = 0; m < nmethods; m++) {
            int c = methods[m](x);
            if (c != ref) {
                printf("method %d disagrees on %08x\n", m, (unsigned)x);
                return 1;
            }
            totals[m] += c;
        }
        if (parity(x) != (ref & 1)) {
            printf("parity wrong on %08x\n", (unsigned)x);
            return 1;
        }
        if (reverse_bits(reverse_bits(x)) != x) {
            printf("reverse wrong on %08x\n", (unsigned)x);
            return 1;
        }
        acc = acc * 3u + reverse_bits(x) + (uint32_t)leading_zeros(x >> (i % 32));
    }
    for (m = 0; m < nmethods; m++)
        acc ^= (uint32_t)totals[m] << m;
    printf("bitcount checksum %08x bits %ld\n", (unsigned)acc, totals[0]);
    return 0;
}
