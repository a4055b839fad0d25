/* desc: Base64 (RFC 4648, standard and URL-safe alphabets) and hex encode/decode with validation of malformed input */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define MAXLEN 3000

static const char std_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t b64_encode(const uint8_t *in, size_t n, char *out, const char *alpha, int pad)
{
    size_t i, o = 0;
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];
        out[o++] = alpha[(v >> 18) & 63u];
        out[o++] = alpha[(v >> 12) & 63u];
        out[o++] = alpha[(v >> 6) & 63u];
        out[o++] = alpha[v & 63u];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = alpha[(v >> 18) & 63u];
        out[o++] = alpha[(v >> 12) & 63u];
        if (pad) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
        out[o++] = alpha[(v >> 18) & 63u];
        out[o++] = alpha[(v >> 12) & 63u];
        out[o++] = alpha[(v >> 6) & 63u];
        if (pad)
            out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

static void build_reverse(const char *alpha, int8_t *rev)
{
    int i;
    for (i = 0; i < 256; i++)
        rev[i] = -1;
    for (i = 0; i < 64; i++)
        rev[(unsigned char)alpha[i]] = (int8_t)i;
}

/* returns decoded length or -1 on malformed input */
static long b64_decode(const char *in, size_t n, uint8_t *out, const int8_t *rev)
{
    uint32_t acc = 0;
    int bits = 0, pads = 0;
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '=') {
            pads++;
            continue;
        }
        if (pads > 0 || rev[c] < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)rev[c];
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1u;
        }
    }
    if (pads > 2 || bits >= 6 || acc != 0)
        return -1;
    if (pads > 0 && (n % 4) != 0)
        return -1;
    return (long)o;
}

static void hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15u];
    }
    out[2 * n] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static long hex_decode(const char *in, uint8_t *out)
{
    size_t n = strlen(in), i;
    if (n % 2 != 0)
        return -1;
    for (i = 0; i < n; i += 2) {
        int hi = hex_value(in[i]), lo = hex_value(in[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (uint8_t)(hi * 16 + lo);
    }
    return (long)(n / 2);
}

int main(void)
{
    static uint8_t data[MAXLEN], back[MAXLEN];
    static char text[2 * MAXLEN + 8];
    static const char *bad[] = { "QUJD=A==", "QU=JD", "Q", "QUJ*", "QUJDR===", "QR==" };
    int8_t rev_std[256], rev_url[256];
    uint32_t seed = 31u, h = 0;
    int round, rejected = 0;
    size_t i;

    build_reverse(std_alpha, rev_std);
    build_reverse(url_alpha, rev_url);
    b64_encode((const uint8_t *)"foobar", 6, text, std_alpha, 1);
    if (strcmp(text, "Zm9vYmFy") != 0) {
        printf("self-test failed\n");
        return 1;
    }
    for (round = 0; round < 60; round++) {
        size_t n = (size_t)(round * 47) % MAXLEN;
        size_t enc;
        long dec;
        for (i = 0; i < n; i++) {
            seed = seed * 1664525u + 1013904223u;
            data[i] = (uint8_t)(seed >> 23);
        }
        enc = b64_encode(data, n, text, (round & 1) ? url_alpha : std_alpha, round % 3 != 0);
        for (i = 0; i < enc; i++)
            h = h * 33u + (uint8_t)text[i];
        dec = b64_decode(text, enc, back, (round & 1) ? rev_url : rev_std);
        if (dec != (long)n || memcmp(data, back, n) != 0) {
            printf("base64 round trip failed in round %d\n", round);
            return 1;
        }
        hex_encode(data, n, text);
        dec = hex_decode(text, back);
        if (dec != (long)n || memcmp(data, back, n) != 0) {
            printf("hex round trip failed in round %d\n", round);
            return 1;
        }
        h ^= (uint32_t)enc << (round % 20);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (b64_decode(bad[i], strlen(bad[i]), back, rev_std) < 0)
            rejected++;
    if (hex_decode("abc", back) < 0)
        rejected++;
    if (hex_decode("zz", back) < 0)
        rejected++;
    printf("base64 checksum %08x rejected %d\n", (unsigned)h, rejected);
    return 0;
}
