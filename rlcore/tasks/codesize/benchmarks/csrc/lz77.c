/* desc: LZ77 compression with a hash-chain matcher plus run-length encoding, both with decompress-and-compare round trips */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define IN_LEN 24000
#define WINDOW 4096
#define MIN_MATCH 3
#define MAX_MATCH 258
#define HASH_BITS 12
#define NIL -1

static int head[1 << HASH_BITS];
static int prev_pos[IN_LEN];

static unsigned hash3(const uint8_t *p)
{
    uint32_t v = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
    return (unsigned)((v * 2654435761u) >> (32 - HASH_BITS));
}

/* token format: 0x00 len literal bytes... (len 1..128) | 0x80|lenhi, lenlo, disthi, distlo */
static size_t lz_compress(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t i = 0, o = 0, lit_start = 0;
    int k;
    for (k = 0; k < (1 << HASH_BITS); k++)
        head[k] = NIL;
    while (i < n) {
        int best_len = 0, best_dist = 0, chain = 32;
        if (i + MIN_MATCH <= n) {
            unsigned hsh = hash3(in + i);
            int cand = head[hsh];
            while (cand != NIL && chain-- > 0 && (int)i - cand <= WINDOW) {
                int l = 0;
                while (l < MAX_MATCH && i + (size_t)l < n && in[cand + l] == in[i + (size_t)l])
                    l++;
                if (l > best_len) {
                    best_len = l;
                    best_dist = (int)i - cand;
                }
                cand = prev_pos[cand];
            }
            prev_pos[i] = head[hsh];
            head[hsh] = (int)i;
        }
        if (best_len >= MIN_MATCH) {
            size_t j;
            while (lit_start < i) {
                size_t cnt = i - lit_start > 128 ? 128 : i - lit_start;
                out[o++] = (uint8_t)(cnt - 1);
                memcpy(out + o, in + lit_start, cnt);
                o += cnt;
                lit_start += cnt;
            }
            out[o++] = (uint8_t)(0x80 | (best_len >> 8));
            out[o++] = (uint8_t)(best_len & 0xFF);
            out[o++] = (uint8_t)(best_dist >> 8);
            out[o++] = (uint8_t)(best_dist & 0xFF);
            for (j = 1; j < (size_t)best_len && i + j + MIN_MATCH <= n; j++) {
                unsigned hsh = hash3(in + i + j);
                prev_pos[i + j] = head[hsh];
                head[hsh] = (int)(i + j);
            }
            i += (size_t)best_len;
            lit_start = i;
        } else {
            i++;
        }
    }
    while (lit_start < n) {
        size_t cnt = n - lit_start > 128 ? 128 : n - lit_start;
        out[o++] = (uint8_t)(cnt - 1);
        memcpy(out + o, in + lit_start, cnt);
        o += cnt;
        lit_start += cnt;
    }
    return o;
}

static long lz_decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
    size_t i = 0, o = 0;
    while (i < n) {
        uint8_t tag = in[i++];
        if (tag & 0x80) {
            size_t len, dist, k;
            if (i + 3 > n)
                return -1;
            len = ((size_t)(tag & 0x7F) << 8) | in[i];
            dist = ((size_t)in[i + 1] << 8) | in[i + 2];
            i += 3;
            if (dist == 0 || dist > o || o + len > cap)
                return -1;
            for (k = 0; k < len; k++, o++)
                out[o] = out[o - dist];
        } else {
            size_t cnt = (size_t)tag + 1;
            if (i + cnt > n || o + cnt > cap)
                return -1;
            memcpy(out + o, in + i, cnt);
            i += cnt;
            o += cnt;
        }
    }
    return (long)o;
}

/* RLE: byte value followed by run length (1..255) */
static size_t rle_compress(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        size_t run = 1;
        while (i + run < n && in[i + run] == in[i] && run < 255)
            run++;
        out[o++] = in[i];
        out[o++] = (uint8_t)run;
        i += run;
    }
    return o;
}

static size_t rle_decompress(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t i, o = 0;
    for (i = 0; i + 1 < n; i += 2) {
        memset(out + o, in[i], in[i + 1]);
        o += in[i + 1];
    }
    return o;
}

static void make_input(uint8_t *buf, size_t n, int kind)
{
    static const char *phrases[] = { "compression ", "of repeated ", "phrases ", "is easy ",
                                     "when the window ", "remembers ", "them. " };
    uint32_t s = 1234u + (uint32_t)kind;
    size_t i = 0;
    while (i < n) {
        s = s * 1664525u + 1013904223u;
        if (kind == 0) {
            const char *p = phrases[(s >> 20) % 7u];
            while (*p && i < n)
                buf[i++] = (uint8_t)*p++;
        } else if (kind == 1) {
            size_t run = 1 + (s >> 26), k;
            for (k = 0; k < run && i < n; k++)
                buf[i++] = (uint8_t)('A' + (s >> 12) % 4u);
        } else {
            buf[i++] = (uint8_t)(s >> 24);
        }
    }
}

int main(void)
{
    static uint8_t input[IN_LEN], packed[IN_LEN * 2 + 16], output[IN_LEN];
    uint32_t h = 0;
    int kind;
    for (kind = 0; kind < 3; kind++) {
        size_t lz, rle, k;
        long back;
        make_input(input, IN_LEN, kind);
        lz = lz_compress(input, IN_LEN, packed);
        for (k = 0; k < lz; k++)
            h = (h << 3 | h >> 29) ^ packed[k];
        back = lz_decompress(packed, lz, output, IN_LEN);
        if (back != IN_LEN || memcmp(input, output, IN_LEN) != 0) {
            printf("lz77 round trip failed on kind %d\n", kind);
            return 1;
        }
        rle = rle_compress(input, IN_LEN, packed);
        if (rle_decompress(packed, rle, output) != IN_LEN || memcmp(input, output, IN_LEN) != 0) {
            printf("rle round trip failed on kind %d\n", kind);
            return 1;
        }
        printf("kind %d: lz77 %u rle %u\n", kind, (unsigned)lz, (unsigned)rle);
        h = h * 31u + (uint32_t)lz + (uint32_t)rle;
    }
    printf("lz77 checksum %08x\n", (unsigned)h);
    return 0;
}
