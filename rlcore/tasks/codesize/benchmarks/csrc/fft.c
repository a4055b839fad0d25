/* desc: radix-2 complex FFT in double precision (needs -lm), inverse FFT round trip, spectrum peak detection and convolution */
#include <stdio.h>
#include <stdint.h>
#include <math.h>

#define LOG2N 10
#define NPTS (1 << LOG2N)

typedef struct {
    double re, im;
} cplx;

static const double PI = 3.14159265358979323846;

static cplx twiddle[NPTS / 2];

static void make_twiddles(void)
{
    int k;
    for (k = 0; k < NPTS / 2; k++) {
        double ang = -2.0 * PI * (double)k / (double)NPTS;
        twiddle[k].re = cos(ang);
        twiddle[k].im = sin(ang);
    }
}

static unsigned reverse(unsigned x, int bits)
{
    unsigned r = 0;
    int i;
    for (i = 0; i < bits; i++) {
        r = (r << 1) | (x & 1u);
        x >>= 1;
    }
    return r;
}

static void fft(cplx *a, int inverse)
{
    unsigned i, j;
    int len;
    for (i = 0; i < NPTS; i++) {
        j = reverse(i, LOG2N);
        if (j > i) {
            cplx t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
    for (len = 2; len <= NPTS; len <<= 1) {
        int half = len / 2, step = NPTS / len, start, k;
        for (start = 0; start < NPTS; start += len) {
            for (k = 0; k < half; k++) {
                cplx w = twiddle[k * step], u, v, x;
                if (inverse)
                    w.im = -w.im;
                x = a[start + k + half];
                v.re = x.re * w.re - x.im * w.im;
                v.im = x.re * w.im + x.im * w.re;
                u = a[start + k];
                a[start + k].re = u.re + v.re;
                a[start + k].im = u.im + v.im;
                a[start + k + half].re = u.re - v.re;
                a[start + k + half].im = u.im - v.im;
            }
        }
    }
    if (inverse)
        for (i = 0; i < NPTS; i++) {
            a[i].re /= NPTS;
            a[i].im /= NPTS;
        }
}

static double magnitude(cplx c)
{
    return sqrt(c.re * c.re + c.im * c.im);
}

static void make_signal(cplx *s)
{
    uint32_t r = 99u;
    int i;
    for (i = 0; i < NPTS; i++) {
        double t = (double)i / NPTS;
        r = r * 1664525u + 1013904223u;
        s[i].re = 3.0 * sin(2.0 * PI * 50.0 * t) + 1.5 * cos(2.0 * PI * 120.0 * t) +
                  0.75 * sin(2.0 * PI * 333.0 * t) + ((double)(r >> 20) / 4096.0 - 0.5) * 0.2;
        s[i].im = 0.0;
    }
}

static int find_peaks(const cplx *spec, int *peaks, int maxpeaks)
{
    int k, n = 0;
    for (k = 1; k < NPTS / 2 - 1 && n < maxpeaks; k++) {
        double m = magnitude(spec[k]);
        if (m > magnitude(spec[k - 1]) && m > magnitude(spec[k + 1]) && m > NPTS * 0.1)
            peaks[n++] = k;
    }
    return n;
}

/* circular convolution of two integer sequences via FFT, rounded back to integers */
static long convolve_check(void)
{
    static cplx x[NPTS], y[NPTS];
    static long direct[NPTS];
    long sum = 0;
    int i, j;
    for (i = 0; i < NPTS; i++) {
        x[i].re = (i < 40) ? (double)((i * 7) % 11) : 0.0;
        y[i].re = (i < 30) ? (double)((i * 5) % 13) : 0.0;
        x[i].im = y[i].im = 0.0;
    }
    for (i = 0; i < NPTS; i++)
        direct[i] = 0;
    for (i = 0; i < 40; i++)
        for (j = 0; j < 30; j++)
            direct[(i + j) % NPTS] += (long)((i * 7) % 11) * ((j * 5) % 13);
    fft(x, 0);
    fft(y, 0);
    for (i = 0; i < NPTS; i++) {
        double re = x[i].re * y[i].re - x[i].im * y[i].im;
        double im = x[i].re * y[i].im + x[i].im * y[i].re;
        x[i].re = re;
        x[i].im = im;
    }
    fft(x, 1);
    for (i = 0; i < NPTS; i++) {
        long v = lround(x[i].re);
        if (v != direct[i])
            return -1;
        sum += v * (i + 1);
    }
    return sum;
}

int main(void)
{
    static cplx sig[NPTS], work[NPTS];
    int peaks[16], npeaks, i;
    double maxerr = 0.0, energy = 0.0;
    long conv;

    make_twiddles();
    make_signal(sig);
    for (i = 0; i < NPTS; i++)
        work[i] = sig[i];
    fft(work, 0);
    npeaks = find_peaks(work, peaks, 16);
    for (i = 0; i < NPTS; i++)
        energy += magnitude(work[i]);
    fft(work, 1);
    for (i = 0; i < NPTS; i++) {
        double e = fabs(work[i].re - sig[i].re) + fabs(work[i].im);
        if (e > maxerr)
            maxerr = e;
    }
    if (maxerr > 1e-9) {
        printf("inverse FFT error too large\n");
        return 1;
    }
    conv = convolve_check();
    if (conv < 0) {
        printf("convolution mismatch\n");
        return 1;
    }
    printf("fft peaks:");
    for (i = 0; i < npeaks; i++)
        printf(" %d", peaks[i]);
    printf("\nfft checksum energy %ld conv %ld\n", (long)floor(energy / 10.0), conv);
    return 0;
}
