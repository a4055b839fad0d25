/* desc: XTEA and RC5-32/12 block ciphers in ECB, CBC and CTR modes over generated data, encrypt/decrypt round trips */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define DATA_WORDS 4096
#define RC5_ROUNDS 12

static void xtea_encrypt(uint32_t v[2], const uint32_t key[4])
{
    uint32_t v0 = v[0], v1 = v[1], sum = 0, delta = 0x9E3779B9u;
    int i;
    for (i = 0; i < 32; i++) {
        v0 += (((v1 << 4) ^ (v1 >> 5)) + v1) ^ (sum + key[sum & 3u]);
        sum += delta;
        v1 += (((v0 << 4) ^ (v0 >> 5)) + v0) ^ (sum + key[(sum >> 11) & 3u]);
    }
    v[0] = v0;
    v[1] = v1;
}

static void xtea_decrypt(uint32_t v[2], const uint32_t key[4])
{
    uint32_t v0 = v[0], v1 = v[1], delta = 0x9E3779B9u, sum = delta * 32u;
    int i;
    for (i = 0; i < 32; i++) {
        v1 -= (((v0 << 4) ^ (v0 >> 5)) + v0) ^ (sum + key[(sum >> 11) & 3u]);
        sum -= delta;
        v0 -= (((v1 << 4) ^ (v1 >> 5)) + v1) ^ (sum + key[sum & 3u]);
    }
    v[0] = v0;
    v[1] = v1;
}

static uint32_t rotl32(uint32_t x, uint32_t n)
{
    n &= 31u;
    return n ? (x << n) | (x >> (32u - n)) : x;
}

static uint32_t rotr32(uint32_t x, uint32_t n)
{
    n &= 31u;
    return n ? (x >> n) | (x << (32u - n)) : x;
}

typedef struct {
    uint32_t s[2 * RC5_ROUNDS + 2];
} rc5_key;

static void rc5_setup(rc5_key *k, const uint8_t *key, int keylen)
{
    uint32_t L[4] = { 0, 0, 0, 0 };
    uint32_t A = 0, B = 0;
    int i, j, t = 2 * RC5_ROUNDS + 2, n;
    for (i = keylen - 1; i >= 0; i--)
        L[i / 4] = (L[i / 4] << 8) + key[i];
    k->s[0] = 0xB7E15163u;
    for (i = 1; i < t; i++)
        k->s[i] = k->s[i - 1] + 0x9E3779B9u;
    i = j = 0;
    for (n = 0; n < 3 * t; n++) {
        A = k->s[i] = rotl32(k->s[i] + A + B, 3);
        B = L[j] = rotl32(L[j] + A + B, A + B);
        i = (i + 1) % t;
        j = (j + 1) % 4;
    }
}

static void rc5_encrypt(const rc5_key *k, uint32_t v[2])
{
    uint32_t A = v[0] + k->s[0], B = v[1] + k->s[1];
    int i;
    for (i = 1; i <= RC5_ROUNDS; i++) {
        A = rotl32(A ^ B, B) + k->s[2 * i];
        B = rotl32(B ^ A, A) + k->s[2 * i + 1];
    }
    v[0] = A;
    v[1] = B;
}

static void rc5_decrypt(const rc5_key *k, uint32_t v[2])
{
    uint32_t A = v[0], B = v[1];
    int i;
    for (i = RC5_ROUNDS; i >= 1; i--) {
        B = rotr32(B - k->s[2 * i + 1], A) ^ A;
        A = rotr32(A - k->s[2 * i], B) ^ B;
    }
    v[1] = B - k->s[1];
    v[0] = A - k->s[0];
}

static void xtea_cbc(uint32_t *data, int nwords, const uint32_t key[4], uint32_t iv0, uint32_t iv1, int encrypt)
{
    uint32_t p0 = iv0, p1 = iv1;
    int i;
    for (i = 0; i + 1 < nwords; i += 2) {
        uint32_t v[2];
        if (encrypt) {
            v[0] = data[i] ^ p0;
            v[1] = data[i + 1] ^ p1;
            xtea_encrypt(v, key);
            p0 = data[i] = v[0];
            p1 = data[i + 1] = v[1];
        } else {
            uint32_t c0 = data[i], c1 = data[i + 1];
            v[0] = c0;
            v[1] = c1;
            xtea_decrypt(v, key);
            data[i] = v[0] ^ p0;
            data[i + 1] = v[1] ^ p1;
            p0 = c0;
            p1 = c1;
        }
    }
}

static void rc5_ctr(uint32_t *data, int nwords, const rc5_key *k, uint32_t nonce)
{
    uint32_t counter = 0;
    int i;
    for (i = 0; i + 1 < nwords; i += 2) {
        uint32_t ks[2];
        ks[0] = nonce;
        ks[1] = counter++;
        rc5_encrypt(k, ks);
        data[i] ^= ks[0];
        data[i + 1] ^= ks[1];
    }
}

static uint32_t digest(const uint32_t *d, int n)
{
    uint32_t h = 0x811C9DC5u;
    int i;
    for (i = 0; i < n; i++) {
        h ^= d[i];
        h *= 0x01000193u;
        h ^= h >> 15;
    }
    return h;
}

int main(void)
{
    static uint32_t plain[DATA_WORDS], work[DATA_WORDS];
    uint32_t key[4] = { 0x01234567u, 0x89ABCDEFu, 0xFEDCBA98u, 0x76543210u };
    uint8_t rkey[16];
    rc5_key rk;
    uint32_t seed = 77u, h1, h2, h3;
    int i, round;

    for (i = 0; i < DATA_WORDS; i++) {
        seed = seed * 1664525u + 1013904223u;
        plain[i] = seed ^ (uint32_t)i;
    }
    for (i = 0; i < 16; i++)
        rkey[i] = (uint8_t)(i * 17 + 3);
    rc5_setup(&rk, rkey, 16);

    memcpy(work, plain, sizeof plain);
    for (i = 0; i + 1 < DATA_WORDS; i += 2) {
        xtea_encrypt(work + i, key);
        rc5_encrypt(&rk, work + i);
    }
    h1 = digest(work, DATA_WORDS);
    for (i = 0; i + 1 < DATA_WORDS; i += 2) {
        rc5_decrypt(&rk, work + i);
        xtea_decrypt(work + i, key);
    }
    if (memcmp(work, plain, sizeof plain) != 0) {
        printf("ECB round trip failed\n");
        return 1;
    }
    h2 = 0;
    for (round = 0; round < 3; round++) {
        key[round] ^= 0x5A5A5A5Au;
        xtea_cbc(work, DATA_WORDS, key, 0x1111u * (uint32_t)round, 0x2222u, 1);
        h2 = h2 * 7u + digest(work, DATA_WORDS);
        xtea_cbc(work, DATA_WORDS, key, 0x1111u * (uint32_t)round, 0x2222u, 0);
        if (memcmp(work, plain, sizeof plain) != 0) {
            printf("CBC round trip failed in round %d\n", round);
            return 1;
        }
    }
    rc5_ctr(work, DATA_WORDS, &rk, 0xC0FFEEu);
    h3 = digest(work, DATA_WORDS);
    rc5_ctr(work, DATA_WORDS, &rk, 0xC0FFEEu);
    if (memcmp(work, plain, sizeof plain) != 0) {
        printf("CTR round trip failed\n");
        return 1;
    }
    printf("xtea checksum %08x %08x %08x\n", (unsigned)h1, (unsigned)h2, (unsigned)h3);
    return 0;
}
