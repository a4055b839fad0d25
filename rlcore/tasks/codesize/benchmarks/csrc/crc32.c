/* desc: CRC-32 (table and bitwise), CRC-16/CCITT, Adler-32 and Fletcher-16 over generated buffers */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define BUF_LEN 8192

static uint32_t lcg_state = 12345u;

static uint32_t lcg_next(void)
{
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state;
}

static uint32_t crc_table[256];

static void crc32_make_table(void)
{
    uint32_t n, c;
    int k;
    for (n = 0; n < 256; n++) {
        c = n;
        for (k = 0; k < 8; k++) {
            if (c & 1u)
                c = 0xEDB88320u ^ (c >> 1);
            else
                c = c >> 1;
        }
        crc_table[n] = c;
    }
}

static uint32_t crc32_table_update(uint32_t crc, const uint8_t *buf, size_t len)
{
    size_t i;
    crc = ~crc;
    for (i = 0; i < len; i++)
        crc = crc_table[(crc ^ buf[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

static uint32_t crc32_bitwise(const uint8_t *buf, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    int k;
    for (i = 0; i < len; i++) {
        crc ^= buf[i];
        for (k = 0; k < 8; k++) {
            uint32_t mask = (uint32_t)0 - (crc & 1u);
            crc = (crc >> 1) ^ (0xEDB88320u & mask);
        }
    }
    return ~crc;
}

static uint16_t crc16_ccitt(const uint8_t *buf, size_t len)
{
    uint16_t crc = 0xFFFFu;
    size_t i;
    int k;
    for (i = 0; i < len; i++) {
        crc = (uint16_t)(crc ^ ((uint16_t)buf[i] << 8));
        for (k = 0; k < 8; k++) {
            if (crc & 0x8000u)
                crc = (uint16_t)((crc << 1) ^ 0x1021u);
            else
                crc = (uint16_t)(crc << 1);
        }
    }
    return crc;
}

static uint32_t adler32(const uint8_t *buf, size_t len)
{
    uint32_t a = 1, b = 0;
    size_t i;
    for (i = 0; i < len; i++) {
        a = (a + buf[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    return (b << 16) | a;
}

static uint16_t fletcher16(const uint8_t *buf, size_t len)
{
    uint16_t s1 = 0, s2 = 0;
    size_t i;
    for (i = 0; i < len; i++) {
        s1 = (uint16_t)((s1 + buf[i]) % 255u);
        s2 = (uint16_t)((s2 + s1) % 255u);
    }
    return (uint16_t)((s2 << 8) | s1);
}

static void fill_buffer(uint8_t *buf, size_t len, int kind)
{
    size_t i;
    for (i = 0; i < len; i++) {
        switch (kind) {
        case 0:
            buf[i] = (uint8_t)(lcg_next() >> 24);
            break;
        case 1:
            buf[i] = (uint8_t)('a' + (lcg_next() >> 16) % 26u);
            break;
        case 2:
            buf[i] = (uint8_t)(i & 0xFFu);
            break;
        default:
            buf[i] = (uint8_t)((i % 7u) == 0 ? 0xFFu : 0x00u);
            break;
        }
    }
}

int main(void)
{
    static uint8_t buf[BUF_LEN];
    uint32_t total = 0;
    int kind, round;
    const char *check = "123456789";

    crc32_make_table();
    if (crc32_table_update(0, (const uint8_t *)check, strlen(check)) != 0xCBF43926u) {
        printf("crc32 self-test failed\n");
        return 1;
    }
    for (kind = 0; kind < 4; kind++) {
        for (round = 0; round < 3; round++) {
            size_t len = BUF_LEN - (size_t)round * 1000u;
            uint32_t c1, c2, chunked;
            size_t off;
            fill_buffer(buf, len, kind);
            c1 = crc32_table_update(0, buf, len);
            c2 = crc32_bitwise(buf, len);
            if (c1 != c2) {
                printf("mismatch kind=%d round=%d\n", kind, round);
                return 1;
            }
            chunked = 0;
            for (off = 0; off < len; off += 977u) {
                size_t n = len - off < 977u ? len - off : 977u;
                chunked = crc32_table_update(chunked, buf + off, n);
            }
            if (chunked != c1) {
                printf("chunk mismatch kind=%d round=%d\n", kind, round);
                return 1;
            }
            total ^= c1;
            total = (total << 5) | (total >> 27);
            total += crc16_ccitt(buf, len);
            total ^= adler32(buf, len);
            total += fletcher16(buf, len);
        }
    }
    printf("crc32 checksum %08x\n", (unsigned)total);
    return 0;
}
