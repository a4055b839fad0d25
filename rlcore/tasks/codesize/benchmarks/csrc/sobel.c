/* desc: SUSAN-like edge detection: Gaussian smoothing, Sobel gradients, non-maximum suppression and thresholding of a generated image */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

#define W 192
#define H 144

static uint8_t img[H][W], smooth[H][W], edges[H][W];
static int gmag[H][W];
static uint8_t gdir[H][W];

static void make_image(void)
{
    uint32_t s = 2718u;
    int x, y;
    for (y = 0; y < H; y++) {
        for (x = 0; x < W; x++) {
            int v = 40;
            int dx = x - 96, dy = y - 72;
            if (dx * dx + dy * dy < 40 * 40)
                v = 200;
            if (x > 20 && x < 60 && y > 20 && y < 110)
                v = 120;
            if (x + y > 250)
                v = 90 + (x % 16) * 4;
            if ((x / 8 + y / 8) % 2 == 0 && y > 115)
                v += 50;
            s = s * 1664525u + 1013904223u;
            v += (int)(s >> 28) - 8;
            if (v < 0)
                v = 0;
            if (v > 255)
                v = 255;
            img[y][x] = (uint8_t)v;
        }
    }
}

static int pixel(int y, int x)
{
    if (x < 0)
        x = 0;
    if (x >= W)
        x = W - 1;
    if (y < 0)
        y = 0;
    if (y >= H)
        y = H - 1;
    return img[y][x];
}

static void gaussian(void)
{
    static const int k[5][5] = { { 1, 4, 7, 4, 1 },
                                 { 4, 16, 26, 16, 4 },
                                 { 7, 26, 41, 26, 7 },
                                 { 4, 16, 26, 16, 4 },
                                 { 1, 4, 7, 4, 1 } };
    int x, y, i, j;
    for (y = 0; y < H; y++)
        for (x = 0; x < W; x++) {
            int sum = 0;
            for (j = -2; j <= 2; j++)
                for (i = -2; i <= 2; i++)
                    sum += k[j + 2][i + 2] * pixel(y + j, x + i);
            smooth[y][x] = (uint8_t)((sum + 136) / 273);
        }
}

static int isqrt(int v)
{
    int r = 0, bit = 1 << 30;
    while (bit > v)
        bit >>= 2;
    while (bit != 0) {
        if (v >= r + bit) {
            v -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

static void sobel(void)
{
    int x, y;
    for (y = 0; y < H; y++)
        for (x = 0; x < W; x++) {
            int gx, gy, ax, ay;
            if (x == 0 || y == 0 || x == W - 1 || y == H - 1) {
                gmag[y][x] = 0;
                gdir[y][x] = 0;
                continue;
            }
            gx = -smooth[y - 1][x - 1] - 2 * smooth[y][x - 1] - smooth[y + 1][x - 1] +
                 smooth[y - 1][x + 1] + 2 * smooth[y][x + 1] + smooth[y + 1][x + 1];
            gy = -smooth[y - 1][x - 1] - 2 * smooth[y - 1][x] - smooth[y - 1][x + 1] +
                 smooth[y + 1][x - 1] + 2 * smooth[y + 1][x] + smooth[y + 1][x + 1];
            gmag[y][x] = isqrt(gx * gx + gy * gy);
            ax = abs(gx);
            ay = abs(gy);
            if (ay * 5 < ax * 2)
                gdir[y][x] = 0;
            else if (ax * 5 < ay * 2)
                gdir[y][x] = 2;
            else
                gdir[y][x] = (uint8_t)(((gx > 0) == (gy > 0)) ? 1 : 3);
        }
}

static int suppress_and_threshold(int lo, int hi)
{
    static const int off[4][2] = { { 0, 1 }, { 1, 1 }, { 1, 0 }, { 1, -1 } };
    int x, y, strong = 0, changed = 1;
    for (y = 0; y < H; y++)
        for (x = 0; x < W; x++) {
            int m = gmag[y][x], dy, dx;
            edges[y][x] = 0;
            if (x == 0 || y == 0 || x == W - 1 || y == H - 1 || m < lo)
                continue;
            dy = off[gdir[y][x]][0];
            dx = off[gdir[y][x]][1];
            if (m < gmag[y + dy][x + dx] || m < gmag[y - dy][x - dx])
                continue;
            edges[y][x] = (uint8_t)(m >= hi ? 2 : 1);
        }
    while (changed) {
        changed = 0;
        for (y = 1; y < H - 1; y++)
            for (x = 1; x < W - 1; x++) {
                int i, j;
                if (edges[y][x] != 1)
                    continue;
                for (j = -1; j <= 1; j++)
                    for (i = -1; i <= 1; i++)
                        if (edges[y + j][x + i] == 2 && edges[y][x] == 1) {
                            edges[y][x] = 2;
                            changed = 1;
                        }
            }
    }
    for (y = 0; y < H; y++)
        for (x = 0; x < W; x++)
            if (edges[y][x] == 2)
                strong++;
    return strong;
}

int main(void)
{
    uint32_t h = 0;
    int x, y, n;
    make_image();
    gaussian();
    sobel();
    n = suppress_and_threshold(20, 60);
    for (y = 0; y < H; y++)
        for (x = 0; x < W; x++) {
            h = h * 31u + (uint32_t)(edges[y][x] == 2);
            h ^= (uint32_t)gmag[y][x] << (x % 8);
        }
    printf("sobel checksum %08x edge pixels %d\n", (unsigned)h, n);
    return 0;
}
