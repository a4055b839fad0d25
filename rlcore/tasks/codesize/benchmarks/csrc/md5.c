/* desc: MD5 message digest (RFC 1321 definition) with streaming update over generated text and binary data */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    uint32_t a, b, c, d;
    uint8_t buf[64];
    size_t used;
    uint64_t len;
} md5_ctx;

static const uint32_t T[64] = {
    0xd76aa478u, 0xe8c7b756u, 0x242070dbu, 0xc1bdceeeu, 0xf57c0fafu, 0x4787c62au, 0xa8304613u, 0xfd469501u,
    0x698098d8u, 0x8b44f7afu, 0xffff5bb1u, 0x895cd7beu, 0x6b901122u, 0xfd987193u, 0xa679438eu, 0x49b40821u,
    0xf61e2562u, 0xc040b340u, 0x265e5a51u, 0xe9b6c7aau, 0xd62f105du, 0x02441453u, 0xd8a1e681u, 0xe7d3fbc8u,
    0x21e1cde6u, 0xc33707d6u, 0xf4d50d87u, 0x455a14edu, 0xa9e3e905u, 0xfcefa3f8u, 0x676f02d9u, 0x8d2a4c8au,
    0xfffa3942u, 0x8771f681u, 0x6d9d6122u, 0xfde5380cu, 0xa4beea44u, 0x4bdecfa9u, 0xf6bb4b60u, 0xbebfbc70u,
    0x289b7ec6u, 0xeaa127fau, 0xd4ef3085u, 0x04881d05u, 0xd9d4d039u, 0xe6db99e5u, 0x1fa27cf8u, 0xc4ac5665u,
    0xf4292244u, 0x432aff97u, 0xab9423a7u, 0xfc93a039u, 0x655b59c3u, 0x8f0ccc92u, 0xffeff47du, 0x85845dd1u,
    0x6fa87e4fu, 0xfe2ce6e0u, 0xa3014314u, 0x4e0811a1u, 0xf7537e82u, 0xbd3af235u, 0x2ad7d2bbu, 0xeb86d391u
};

static const int S[64] = {
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21
};

static uint32_t rotl(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void md5_init(md5_ctx *c)
{
    c->a = 0x67452301u;
    c->b = 0xefcdab89u;
    c->c = 0x98badcfeu;
    c->d = 0x10325476u;
    c->used = 0;
    c->len = 0;
}

static void md5_block(md5_ctx *c, const uint8_t *p)
{
    uint32_t x[16];
    uint32_t a = c->a, b = c->b, cc = c->c, d = c->d;
    int i;
    for (i = 0; i < 16; i++)
        x[i] = (uint32_t)p[4 * i] | ((uint32_t)p[4 * i + 1] << 8) |
               ((uint32_t)p[4 * i + 2] << 16) | ((uint32_t)p[4 * i + 3] << 24);
    for (i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16) {
            f = (b & cc) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & cc);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ cc ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = cc ^ (b | ~d);
            g = (7 * i) % 16;
        }
        f = f + a + T[i] + x[g];
        a = d;
        d = cc;
        cc = b;
        b = b + rotl(f, S[i]);
    }
    c->a += a;
    c->b += b;
    c->c += cc;
    c->d += d;
}

static void md5_update(md5_ctx *c, const uint8_t *data, size_t n)
{
    c->len += n;
    while (n > 0) {
        size_t take = 64 - c->used;
        if (take > n)
            take = n;
        memcpy(c->buf + c->used, data, take);
        c->used += take;
        data += take;
        n -= take;
        if (c->used == 64) {
            md5_block(c, c->buf);
            c->used = 0;
        }
    }
}

static void md5_final(md5_ctx *c, uint8_t out[16])
{
    static const uint8_t pad[64] = { 0x80 };
    uint8_t lenb[8];
    uint64_t bits = c->len * 8u;
    size_t padlen;
    int i;
    for (i = 0; i < 8; i++)
        lenb[i] = (uint8_t)(bits >> (8 * i));
    padlen = c->used < 56 ? 56 - c->used : 120 - c->used;
    md5_update(c, pad, padlen);
    md5_update(c, lenb, 8);
    for (i = 0; i < 4; i++) {
        out[i] = (uint8_t)(c->a >> (8 * i));
        out[4 + i] = (uint8_t)(c->b >> (8 * i));
        out[8 + i] = (uint8_t)(c->c >> (8 * i));
        out[12 + i] = (uint8_t)(c->d >> (8 * i));
    }
}

static void md5_hex(const char *s, char out[33])
{
    md5_ctx c;
    uint8_t d[16];
    int i;
    md5_init(&c);
    md5_update(&c, (const uint8_t *)s, strlen(s));
    md5_final(&c, d);
    for (i = 0; i < 16; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

int main(void)
{
    static const char *vectors[][2] = {
        { "", "d41d8cd98f00b204e9800998ecf8427e" },
        { "a", "0cc175b9c0f1b6a831c399e269772661" },
        { "abc", "900150983cd24fb0d6963f7d28e17f72" },
        { "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
    };
    static uint8_t data[3000];
    char hex[33];
    uint8_t d[16];
    uint32_t x = 7u, acc = 0;
    size_t i;
    int v, r;

    for (v = 0; v < 4; v++) {
        md5_hex(vectors[v][0], hex);
        if (strcmp(hex, vectors[v][1]) != 0) {
            printf("md5 self-test %d failed: %s\n", v, hex);
            return 1;
        }
    }
    for (r = 0; r < 50; r++) {
        md5_ctx c;
        size_t n = 100u + (size_t)r * 57u;
        for (i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            data[i] = (r & 1) ? (uint8_t)(' ' + x % 95u) : (uint8_t)x;
        }
        md5_init(&c);
        for (i = 0; i < n; i += 33u)
            md5_update(&c, data + i, n - i < 33u ? n - i : 33u);
        md5_final(&c, d);
        for (i = 0; i < 16; i++)
            acc = rotl(acc, 3) ^ d[i];
    }
    for (i = 0; i < 16; i++)
        sprintf(hex + 2 * i, "%02x", d[i]);
    printf("md5 checksum %08x last %s\n", (unsigned)acc, hex);
    return 0;
}
