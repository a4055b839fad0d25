/* desc: Conway's Game of Life on a toroidal grid, byte-per-cell and bit-packed implementations cross-checked, with pattern census */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define GW 64
#define GH 64
#define GENS 120

static uint8_t grid[GH][GW], next_grid[GH][GW];
static uint64_t rows[GH], next_rows[GH];

static int neighbours(int y, int x)
{
    int dy, dx, n = 0;
    for (dy = -1; dy <= 1; dy++)
        for (dx = -1; dx <= 1; dx++) {
            if (dy == 0 && dx == 0)
                continue;
            n += grid[(y + dy + GH) % GH][(x + dx + GW) % GW];
        }
    return n;
}

static int step_bytes(void)
{
    int y, x, alive = 0;
    for (y = 0; y < GH; y++)
        for (x = 0; x < GW; x++) {
            int n = neighbours(y, x);
            uint8_t v = (uint8_t)(n == 3 || (n == 2 && grid[y][x]));
            next_grid[y][x] = v;
            alive += v;
        }
    memcpy(grid, next_grid, sizeof grid);
    return alive;
}

static uint64_t rotl1(uint64_t v) { return (v << 1) | (v >> 63); }
static uint64_t rotr1(uint64_t v) { return (v >> 1) | (v << 63); }

/* bit-sliced adder: counts neighbours of all 64 cells in a row at once */
static void step_bits(void)
{
    int y;
    for (y = 0; y < GH; y++) {
        uint64_t up = rows[(y + GH - 1) % GH], mid = rows[y], dn = rows[(y + 1) % GH];
        uint64_t in[8];
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k;
        in[0] = rotl1(up); in[1] = up; in[2] = rotr1(up);
        in[3] = rotl1(mid); in[4] = rotr1(mid);
        in[5] = rotl1(dn); in[6] = dn; in[7] = rotr1(dn);
        for (k = 0; k < 8; k++) {
            uint64_t c0 = s0 & in[k], c1, c2;
            s0 ^= in[k];
            c1 = s1 & c0;
            s1 ^= c0;
            c2 = s2 & c1;
            s2 ^= c1;
            s3 |= c2;
        }
        /* alive next iff count == 3, or count == 2 and alive now */
        next_rows[y] = ~s3 & ~s2 & s1 & (s0 | mid);
    }
    memcpy(rows, next_rows, sizeof rows);
}

static void bytes_to_bits(void)
{
    int y, x;
    for (y = 0; y < GH; y++) {
        rows[y] = 0;
        for (x = 0; x < GW; x++)
            if (grid[y][x])
                rows[y] |= (uint64_t)1 << x;
    }
}

static int same_state(void)
{
    int y, x;
    for (y = 0; y < GH; y++)
        for (x = 0; x < GW; x++)
            if (((rows[y] >> x) & 1u) != grid[y][x])
                return 0;
    return 1;
}

static void place(const char *pat, int w, int h, int oy, int ox)
{
    int y, x;
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
            if (pat[y * w + x] == '#')
                grid[(oy + y) % GH][(ox + x) % GW] = 1;
}

/* counts 2x2 blocks (still lifes) fully isolated by dead cells */
static int count_blocks(void)
{
    int y, x, n = 0;
    for (y = 0; y < GH; y++)
        for (x = 0; x < GW; x++) {
            int dy, dx, ok = 1;
            for (dy = -1; dy <= 2 && ok; dy++)
                for (dx = -1; dx <= 2 && ok; dx++) {
                    int inside = dy >= 0 && dy <= 1 && dx >= 0 && dx <= 1;
                    int v = grid[(y + dy + GH) % GH][(x + dx + GW) % GW];
                    if (v != inside)
                        ok = 0;
                }
            n += ok;
        }
    return n;
}

int main(void)
{
    uint32_t seed = 777u, h = 0;
    int y, x, g, alive = 0;
    for (y = 0; y < GH; y++)
        for (x = 0; x < GW; x++) {
            seed = seed * 1664525u + 1013904223u;
            grid[y][x] = (uint8_t)((seed >> 29) == 0 && y > 32);
        }
    place(".#...####", 3, 3, 2, 2);   /* glider */
    place("###", 3, 1, 10, 20);       /* blinker */
    place(".####..#.", 3, 3, 5, 40);  /* R-pentomino */
    place("####", 2, 2, 20, 50);      /* block */
    bytes_to_bits();
    for (g = 0; g < GENS; g++) {
        alive = step_bytes();
        step_bits();
        if (!same_state()) {
            printf("implementations diverge at generation %d\n", g);
            return 1;
        }
        h = h * 1000003u + (uint32_t)alive;
    }
    for (y = 0; y < GH; y++)
        h ^= (uint32_t)(rows[y] ^ (rows[y] >> 32)) + (uint32_t)y;
    printf("life checksum %08x alive %d blocks %d\n", (unsigned)h, alive, count_blocks());
    return 0;
}
