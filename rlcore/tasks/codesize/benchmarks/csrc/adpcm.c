/* desc: IMA ADPCM 4-bit encoder and decoder on a generated multi-tone signal, with SNR-style error checksum */
#include <stdio.h>
#include <stdint.h>

#define NSAMPLES 20000
#define BLOCK 1017 /* samples per block; odd like WAV IMA blocks, the first travels in the header */
#define NBLOCKS ((NSAMPLES + BLOCK - 1) / BLOCK)

static const int index_table[16] = { -1, -1, -1, -1, 2, 4, 6, 8, -1, -1, -1, -1, 2, 4, 6, 8 };

static const int step_table[89] = {
    7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 21, 23, 25, 28, 31, 34, 37, 41, 45,
    50, 55, 60, 66, 73, 80, 88, 97, 107, 118, 130, 143, 157, 173, 190, 209, 230, 253, 279, 307,
    337, 371, 408, 449, 494, 544, 598, 658, 724, 796, 876, 963, 1060, 1166, 1282, 1411, 1552, 1707, 1878, 2066,
    2272, 2499, 2749, 3024, 3327, 3660, 4026, 4428, 4871, 5358, 5894, 6484, 7132, 7845, 8630, 9493, 10442, 11487, 12635, 13899,
    15289, 16818, 18500, 20350, 22385, 24623, 27086, 29794, 32767
};

typedef struct {
    int predicted;
    int index;
} adpcm_state;

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

static int encode_sample(adpcm_state *st, int sample)
{
    int step = step_table[st->index];
    int diff = sample - st->predicted;
    int code = 0, delta;
    if (diff < 0) {
        code = 8;
        diff = -diff;
    }
    delta = step >> 3;
    if (diff >= step) {
        code |= 4;
        diff -= step;
        delta += step;
    }
    step >>= 1;
    if (diff >= step) {
        code |= 2;
        diff -= step;
        delta += step;
    }
    step >>= 1;
    if (diff >= step) {
        code |= 1;
        delta += step;
    }
    if (code & 8)
        st->predicted -= delta;
    else
        st->predicted += delta;
    st->predicted = clamp(st->predicted, -32768, 32767);
    st->index = clamp(st->index + index_table[code], 0, 88);
    return code;
}

static int decode_sample(adpcm_state *st, int code)
{
    int step = step_table[st->index];
    int delta = step >> 3;
    if (code & 4)
        delta += step;
    if (code & 2)
        delta += step >> 1;
    if (code & 1)
        delta += step >> 2;
    if (code & 8)
        st->predicted -= delta;
    else
        st->predicted += delta;
    st->predicted = clamp(st->predicted, -32768, 32767);
    st->index = clamp(st->index + index_table[code], 0, 88);
    return st->predicted;
}

/* Each block carries a header with the first sample and the step index, as
 * in WAV IMA ADPCM, so the decoder starts in step with the encoder. */
typedef struct {
    int16_t first;
    uint8_t index;
} block_header;

static void adpcm_encode(const int16_t *in, uint8_t *out, block_header *hdr, int n)
{
    adpcm_state st = { 0, 0 };
    int i, nib = 0;
    for (i = 0; i < n; i++) {
        int code;
        if (i % BLOCK == 0) {
            hdr[i / BLOCK].first = in[i];
            hdr[i / BLOCK].index = (uint8_t)st.index;
            st.predicted = in[i];
            continue;
        }
        code = encode_sample(&st, in[i]);
        if (nib & 1)
            out[nib / 2] = (uint8_t)(out[nib / 2] | (code << 4));
        else
            out[nib / 2] = (uint8_t)code;
        nib++;
    }
}

static void adpcm_decode(const uint8_t *in, const block_header *hdr, int16_t *out, int n)
{
    adpcm_state st = { 0, 0 };
    int i, nib = 0;
    for (i = 0; i < n; i++) {
        int code;
        if (i % BLOCK == 0) {
            st.predicted = hdr[i / BLOCK].first;
            st.index = hdr[i / BLOCK].index;
            out[i] = hdr[i / BLOCK].first;
            continue;
        }
        code = (nib & 1) ? (in[nib / 2] >> 4) : (in[nib / 2] & 15);
        nib++;
        out[i] = (int16_t)decode_sample(&st, code);
    }
}

/* integer triangle-wave oscillator: phase in [0, period) maps to [-amp, amp] */
static int triangle(int phase, int period, int amp)
{
    int half = period / 2;
    int v = phase < half ? phase : period - phase;
    return (v * 4 * amp) / period - amp;
}

static void make_signal(int16_t *s, int n)
{
    uint32_t noise = 1u;
    int i;
    for (i = 0; i < n; i++) {
        int v = triangle(i % 200, 200, 9000) + triangle(i % 37, 37, 4000) + triangle(i % 1013, 1013, 12000);
        noise = noise * 1103515245u + 12345u;
        v += (int)((noise >> 16) % 1001u) - 500;
        if ((i / 3000) % 2 == 1)
            v /= 4;
        s[i] = (int16_t)clamp(v, -32768, 32767);
    }
}

int main(void)
{
    static int16_t signal[NSAMPLES], decoded[NSAMPLES];
    static uint8_t packed[NSAMPLES / 2];
    static block_header headers[NBLOCKS];
    uint32_t hash = 5381u;
    long long err2 = 0;
    int maxerr = 0, i;

    make_signal(signal, NSAMPLES);
    adpcm_encode(signal, packed, headers, NSAMPLES);
    adpcm_decode(packed, headers, decoded, NSAMPLES);
    for (i = 0; i < (NSAMPLES - NBLOCKS) / 2; i++)
        hash = hash * 33u + packed[i];
    for (i = 0; i < NBLOCKS; i++)
        hash = hash * 7u + (uint32_t)(uint16_t)headers[i].first + headers[i].index;
    for (i = 0; i < NSAMPLES; i++) {
        int e = signal[i] - decoded[i];
        if (e < 0)
            e = -e;
        if (e > maxerr)
            maxerr = e;
        err2 += (long long)e * e;
        hash ^= (uint32_t)(uint16_t)decoded[i] << (i % 17);
    }
    printf("adpcm checksum %08x maxerr %d mse %lld\n", (unsigned)hash, maxerr, err2 / NSAMPLES);
    return 0;
}
