/* desc: Huffman coding: frequency count, tree build with a min-heap, canonical codes, bit-level encode and table decode round trip */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define TEXT_LEN 30000
#define NSYM 256

typedef struct {
    uint32_t freq;
    int left, right; /* children, -1 for leaves */
    int sym;
} hnode;

static hnode nodes[2 * NSYM];
static int heap[2 * NSYM];
static int heap_size;

static int less(int a, int b)
{
    if (nodes[a].freq != nodes[b].freq)
        return nodes[a].freq < nodes[b].freq;
    return a < b;
}

static void heap_push(int n)
{
    int i = heap_size++;
    while (i > 0 && less(n, heap[(i - 1) / 2])) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = n;
}

static int heap_pop(void)
{
    int top = heap[0], last = heap[--heap_size], i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= heap_size)
            break;
        if (c + 1 < heap_size && less(heap[c + 1], heap[c]))
            c++;
        if (!less(heap[c], last))
            break;
        heap[i] = heap[c];
        i = c;
    }
    if (heap_size > 0)
        heap[i] = last;
    return top;
}

static void code_lengths(int n, int depth, uint8_t *len)
{
    if (nodes[n].left < 0) {
        len[nodes[n].sym] = (uint8_t)(depth == 0 ? 1 : depth);
        return;
    }
    code_lengths(nodes[n].left, depth + 1, len);
    code_lengths(nodes[n].right, depth + 1, len);
}

static int build_lengths(const uint32_t *freq, uint8_t *len)
{
    int i, count = NSYM;
    heap_size = 0;
    memset(len, 0, NSYM);
    for (i = 0; i < NSYM; i++) {
        nodes[i].freq = freq[i];
        nodes[i].left = nodes[i].right = -1;
        nodes[i].sym = i;
        if (freq[i] > 0)
            heap_push(i);
    }
    if (heap_size == 0)
        return 0;
    while (heap_size > 1) {
        int a = heap_pop(), b = heap_pop();
        nodes[count].freq = nodes[a].freq + nodes[b].freq;
        nodes[count].left = a;
        nodes[count].right = b;
        nodes[count].sym = -1;
        heap_push(count++);
    }
    code_lengths(heap_pop(), 0, len);
    return 1;
}

/* canonical Huffman: codes assigned in order of (length, symbol) */
static void canonical_codes(const uint8_t *len, uint32_t *code)
{
    uint32_t bl_count[33] = { 0 }, next_code[33];
    uint32_t c = 0;
    int i, bits;
    for (i = 0; i < NSYM; i++)
        bl_count[len[i]]++;
    bl_count[0] = 0;
    for (bits = 1; bits <= 32; bits++) {
        c = (c + bl_count[bits - 1]) << 1;
        next_code[bits] = c;
    }
    for (i = 0; i < NSYM; i++)
        if (len[i])
            code[i] = next_code[len[i]]++;
}

typedef struct {
    uint8_t *buf;
    size_t pos; /* in bits */
} bitstream;

static void put_bits(bitstream *bs, uint32_t v, int n)
{
    int i;
    for (i = n - 1; i >= 0; i--) {
        size_t byte = bs->pos >> 3;
        if ((bs->pos & 7u) == 0)
            bs->buf[byte] = 0;
        if ((v >> i) & 1u)
            bs->buf[byte] = (uint8_t)(bs->buf[byte] | (0x80u >> (bs->pos & 7u)));
        bs->pos++;
    }
}

static int get_bit(bitstream *bs)
{
    int b = (bs->buf[bs->pos >> 3] >> (7u - (bs->pos & 7u))) & 1;
    bs->pos++;
    return b;
}

/* canonical decoding tables: per length, the first code, how many codes, and where its symbols start */
typedef struct {
    uint32_t first[33];
    int count[33];
    int offset[33];
    int symbols[NSYM];
} decoder;

static void build_decoder(decoder *d, const uint8_t *len, const uint32_t *code)
{
    int l, s, pos = 0;
    for (l = 1; l <= 32; l++) {
        d->count[l] = 0;
        d->first[l] = 0;
        d->offset[l] = pos;
        for (s = 0; s < NSYM; s++)
            if (len[s] == l) {
                if (d->count[l] == 0)
                    d->first[l] = code[s];
                d->count[l]++;
                d->symbols[pos++] = s;
            }
    }
}

static int decode_symbol(bitstream *bs, const decoder *d)
{
    uint32_t acc = 0;
    int l;
    for (l = 1; l <= 32; l++) {
        acc = (acc << 1) | (uint32_t)get_bit(bs);
        if (d->count[l] > 0 && acc >= d->first[l] && acc - d->first[l] < (uint32_t)d->count[l])
            return d->symbols[d->offset[l] + (int)(acc - d->first[l])];
    }
    return -1;
}

static void make_text(uint8_t *t, size_t n)
{
    static const char *alphabet = "eeeeeeeeettttttaaaaaooooiiinnnsssrrhhlldcumfpgwybvkxjqz     ,.\n";
    uint32_t s = 8675309u;
    size_t i, k = strlen(alphabet);
    for (i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        t[i] = (uint8_t)alphabet[(s >> 16) % k];
    }
}

int main(void)
{
    static uint8_t text[TEXT_LEN], packed[TEXT_LEN], decoded[TEXT_LEN];
    uint32_t freq[NSYM], code[NSYM];
    uint8_t len[NSYM];
    bitstream bs;
    static decoder dec;
    uint32_t h = 0;
    size_t i, nbits;
    int s;

    make_text(text, TEXT_LEN);
    memset(freq, 0, sizeof freq);
    for (i = 0; i < TEXT_LEN; i++)
        freq[text[i]]++;
    if (!build_lengths(freq, len)) {
        printf("empty input\n");
        return 1;
    }
    canonical_codes(len, code);
    bs.buf = packed;
    bs.pos = 0;
    for (i = 0; i < TEXT_LEN; i++)
        put_bits(&bs, code[text[i]], len[text[i]]);
    nbits = bs.pos;
    bs.pos = 0;
    build_decoder(&dec, len, code);
    for (i = 0; i < TEXT_LEN; i++) {
        s = decode_symbol(&bs, &dec);
        if (s < 0) {
            printf("decode error at %u\n", (unsigned)i);
            return 1;
        }
        decoded[i] = (uint8_t)s;
    }
    if (memcmp(text, decoded, TEXT_LEN) != 0) {
        printf("round trip failed\n");
        return 1;
    }
    for (i = 0; i < (nbits + 7) / 8; i++)
        h = h * 16777619u ^ packed[i];
    for (s = 0; s < NSYM; s++)
        h += (uint32_t)len[s] * (uint32_t)(s + 1);
    printf("huffman checksum %08x bits %u ratio %u/1000\n", (unsigned)h, (unsigned)nbits,
           (unsigned)(nbits * 1000u / (TEXT_LEN * 8u)));
    return 0;
}
