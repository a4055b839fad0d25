/* desc: JPEG-style image coding core: 8x8 fixed-point forward/inverse DCT, quantisation, zig-zag scan and run-length symbol counting */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define IW 128
#define IH 96
#define CBITS 13

static uint8_t image[IH][IW], decoded[IH][IW];
static int32_t costab[8][8]; /* C(u) * cos((2x+1) u pi / 16) in Q13 */

/* cos(k * pi / 16) in Q13 for k = 0..8, from the definition (precomputed constants) */
static const int32_t cos16[9] = { 8192, 8035, 7568, 6811, 5793, 4551, 3135, 1598, 0 };

static const int quant[64] = {
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99
};

static int zigzag[64];

/* cos(m * pi / 16) for any integer m >= 0 using symmetry */
static int32_t cos_pi16(int m)
{
    m %= 32;
    if (m <= 8)
        return cos16[m];
    if (m <= 16)
        return -cos16[16 - m];
    if (m <= 24)
        return -cos16[m - 16];
    return cos16[32 - m];
}

static void init_tables(void)
{
    int u, x, i = 0, s;
    for (u = 0; u < 8; u++)
        for (x = 0; x < 8; x++) {
            int32_t c = cos_pi16((2 * x + 1) * u);
            costab[u][x] = u == 0 ? (c * 5793) >> CBITS : c; /* C(0) = 1/sqrt(2) */
        }
    for (s = 0; s < 15; s++) {
        int lo = s < 8 ? 0 : s - 7, hi = s < 8 ? s : 7, k;
        for (k = lo; k <= hi; k++) {
            int r = (s % 2 == 0) ? hi - (k - lo) : k;
            zigzag[i++] = r * 8 + (s - r);
        }
    }
}

static int32_t round_shift(int64_t v, int bits)
{
    int64_t half = (int64_t)1 << (bits - 1);
    return (int32_t)(v >= 0 ? (v + half) >> bits : -((-v + half) >> bits));
}

static void fdct(const int32_t in[64], int32_t out[64])
{
    int32_t tmp[64];
    int u, v, x, y;
    for (y = 0; y < 8; y++)
        for (u = 0; u < 8; u++) {
            int64_t s = 0;
            for (x = 0; x < 8; x++)
                s += (int64_t)costab[u][x] * in[y * 8 + x];
            tmp[y * 8 + u] = round_shift(s, CBITS - 2); /* keep 2 extra bits */
        }
    for (u = 0; u < 8; u++)
        for (v = 0; v < 8; v++) {
            int64_t s = 0;
            for (y = 0; y < 8; y++)
                s += (int64_t)costab[v][y] * tmp[y * 8 + u];
            out[v * 8 + u] = round_shift(s, CBITS + 4); /* /4 for the 1/2 * 1/2 factors, /4 extra bits */
        }
}

static void idct(const int32_t in[64], int32_t out[64])
{
    int32_t tmp[64];
    int u, v, x, y;
    for (v = 0; v < 8; v++)
        for (x = 0; x < 8; x++) {
            int64_t s = 0;
            for (u = 0; u < 8; u++)
                s += (int64_t)costab[u][x] * in[v * 8 + u];
            tmp[v * 8 + x] = round_shift(s, CBITS - 2);
        }
    for (y = 0; y < 8; y++)
        for (x = 0; x < 8; x++) {
            int64_t s = 0;
            for (v = 0; v < 8; v++)
                s += (int64_t)costab[v][y] * tmp[v * 8 + x];
            out[y * 8 + x] = round_shift(s, CBITS + 4);
        }
}

static void make_image(void)
{
    uint32_t r = 5150u;
    int x, y;
    for (y = 0; y < IH; y++)
        for (x = 0; x < IW; x++) {
            int v = (x * 2 + y) % 256;
            if ((x - 64) * (x - 64) + (y - 48) * (y - 48) < 900)
                v = 230 - y;
            if (x > 90 && y > 60)
                v = ((x / 4 + y / 4) % 2) ? 30 : 200;
            r = r * 1664525u + 1013904223u;
            v += (int)(r >> 29) - 4;
            image[y][x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
}

int main(void)
{
    int32_t block[64], coef[64], back[64];
    int bx, by, i, zeros_total = 0, symbols = 0, maxerr = 0;
    uint32_t h = 0;

    init_tables();
    make_image();
    for (by = 0; by < IH; by += 8)
        for (bx = 0; bx < IW; bx += 8) {
            int run = 0;
            for (i = 0; i < 64; i++)
                block[i] = image[by + i / 8][bx + i % 8] - 128;
            fdct(block, coef);
            for (i = 0; i < 64; i++) {
                int32_t c = coef[i], half = quant[i] / 2;
                int32_t q = c >= 0 ? (c + half) / quant[i] : -((-c + half) / quant[i]);
                coef[i] = q * quant[i];
            }
            for (i = 0; i < 64; i++) {
                int32_t c = coef[zigzag[i]] / quant[zigzag[i]];
                if (c == 0) {
                    run++;
                    zeros_total++;
                } else {
                    symbols++;
                    h = h * 31u + (uint32_t)(run * 64) + (uint32_t)(c & 63);
                    run = 0;
                }
            }
            symbols++; /* end of block */
            idct(coef, back);
            for (i = 0; i < 64; i++) {
                int v = back[i] + 128, e;
                v = v < 0 ? 0 : v > 255 ? 255 : v;
                decoded[by + i / 8][bx + i % 8] = (uint8_t)v;
                e = v - image[by + i / 8][bx + i % 8];
                if (e < 0)
                    e = -e;
                if (e > maxerr)
                    maxerr = e;
            }
        }
    for (i = 0; i < IW * IH; i++)
        h ^= (uint32_t)decoded[i / IW][i % IW] << (i % 24);
    printf("dct checksum %08x symbols %d zeros %d maxerr %d\n", (unsigned)h, symbols, zeros_total, maxerr);
    return 0;
}
