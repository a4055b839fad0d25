/* desc: Burrows-Wheeler transform by suffix sorting, move-to-front and zero-run coding, with the inverse transform as a round trip */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define BLOCK 2400

static const uint8_t *sort_text;
static int sort_len;

/* compare the cyclic rotations starting at a and b */
static int cmp_rot(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb, k;
    for (k = 0; k < sort_len; k++) {
        uint8_t ca = sort_text[(a + k) % sort_len], cb = sort_text[(b + k) % sort_len];
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    return (a > b) - (a < b);
}

static int bwt_forward(const uint8_t *in, int n, uint8_t *out)
{
    static int rot[BLOCK];
    int i, primary = -1;
    for (i = 0; i < n; i++)
        rot[i] = i;
    sort_text = in;
    sort_len = n;
    qsort(rot, (size_t)n, sizeof(int), cmp_rot);
    for (i = 0; i < n; i++) {
        out[i] = in[(rot[i] + n - 1) % n];
        if (rot[i] == 0)
            primary = i;
    }
    return primary;
}

static void bwt_inverse(const uint8_t *last, int n, int primary, uint8_t *out)
{
    static int next[BLOCK];
    int count[256] = { 0 }, start[256];
    int i, sum = 0, p;
    for (i = 0; i < n; i++)
        count[last[i]]++;
    for (i = 0; i < 256; i++) {
        start[i] = sum;
        sum += count[i];
    }
    for (i = 0; i < n; i++)
        next[start[last[i]]++] = i;
    p = next[primary];
    for (i = 0; i < n; i++) {
        out[i] = last[p];
        p = next[p];
    }
}

static void mtf_encode(const uint8_t *in, int n, uint8_t *out)
{
    uint8_t order[256];
    int i, j;
    for (i = 0; i < 256; i++)
        order[i] = (uint8_t)i;
    for (i = 0; i < n; i++) {
        uint8_t c = in[i];
        for (j = 0; order[j] != c; j++)
            ;
        out[i] = (uint8_t)j;
        for (; j > 0; j--)
            order[j] = order[j - 1];
        order[0] = c;
    }
}

static void mtf_decode(const uint8_t *in, int n, uint8_t *out)
{
    uint8_t order[256];
    int i, j;
    for (i = 0; i < 256; i++)
        order[i] = (uint8_t)i;
    for (i = 0; i < n; i++) {
        uint8_t c = order[in[i]];
        out[i] = c;
        for (j = in[i]; j > 0; j--)
            order[j] = order[j - 1];
        order[0] = c;
    }
}

/* zero runs become (0, runlength-1) pairs capped at 256 */
static int zrle(const uint8_t *in, int n, uint8_t *out)
{
    int i = 0, o = 0;
    while (i < n) {
        if (in[i] == 0) {
            int run = 0;
            while (i < n && in[i] == 0 && run < 256) {
                run++;
                i++;
            }
            out[o++] = 0;
            out[o++] = (uint8_t)(run - 1);
        } else {
            out[o++] = in[i++];
        }
    }
    return o;
}

static int unzrle(const uint8_t *in, int n, uint8_t *out)
{
    int i = 0, o = 0;
    while (i < n) {
        if (in[i] == 0) {
            int run = in[i + 1] + 1;
            memset(out + o, 0, (size_t)run);
            o += run;
            i += 2;
        } else {
            out[o++] = in[i++];
        }
    }
    return o;
}

int main(void)
{
    static uint8_t text[BLOCK], last[BLOCK], mtf[BLOCK], packed[2 * BLOCK], back[BLOCK], restored[BLOCK];
    static const char *words[] = { "banana ", "bandana ", "cabana ", "nab ", "ban ", "a ", "canal " };
    uint32_t s = 3u, h = 0;
    int blockno;
    for (blockno = 0; blockno < 3; blockno++) {
        int n = BLOCK - blockno * 600, i = 0, primary, packed_len, k;
        while (i < n) {
            const char *w;
            s = s * 1664525u + 1013904223u;
            if (blockno == 2) {
                text[i++] = (uint8_t)('a' + (s >> 24) % 8u); /* low-redundancy block */
                continue;
            }
            w = words[(s >> 16) % 7u];
            while (*w && i < n)
                text[i++] = (uint8_t)*w++;
        }
        primary = bwt_forward(text, n, last);
        mtf_encode(last, n, mtf);
        packed_len = zrle(mtf, n, packed);
        if (unzrle(packed, packed_len, back) != n) {
            printf("zero-run round trip failed\n");
            return 1;
        }
        mtf_decode(back, n, mtf);
        bwt_inverse(mtf, n, primary, restored);
        if (memcmp(restored, text, (size_t)n) != 0) {
            printf("bwt round trip failed on block %d\n", blockno);
            return 1;
        }
        for (k = 0; k < packed_len; k++)
            h = h * 16777619u ^ packed[k];
        printf("block %d: %d bytes -> %d, primary %d\n", blockno, n, packed_len, primary);
    }
    printf("bwt checksum %08x\n", (unsigned)h);
    return 0;
}
