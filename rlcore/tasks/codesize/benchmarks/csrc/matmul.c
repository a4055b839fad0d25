/* desc: integer and fixed-point matrix multiply (naive, transposed, blocked), Gaussian elimination determinant mod p, matrix power */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define N 64
#define BS 16
#define P 1000003u

typedef int32_t mat[N][N];

static uint32_t seed = 5u;

static int32_t small_rand(void)
{
    seed = seed * 1664525u + 1013904223u;
    return (int32_t)(seed >> 24) - 128;
}

static void fill(mat a)
{
    int i, j;
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++)
            a[i][j] = small_rand();
}

static void mul_naive(mat a, mat b, mat c)
{
    int i, j, k;
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++) {
            int32_t s = 0;
            for (k = 0; k < N; k++)
                s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
}

static void mul_transposed(mat a, mat b, mat c)
{
    static mat bt;
    int i, j, k;
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++)
            bt[j][i] = b[i][j];
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++) {
            int32_t s = 0;
            for (k = 0; k < N; k++)
                s += a[i][k] * bt[j][k];
            c[i][j] = s;
        }
}

static void mul_blocked(mat a, mat b, mat c)
{
    int ii, jj, kk, i, j, k;
    memset(c, 0, sizeof(mat));
    for (ii = 0; ii < N; ii += BS)
        for (kk = 0; kk < N; kk += BS)
            for (jj = 0; jj < N; jj += BS)
                for (i = ii; i < ii + BS; i++)
                    for (k = kk; k < kk + BS; k++) {
                        int32_t aik = a[i][k];
                        for (j = jj; j < jj + BS; j++)
                            c[i][j] += aik * b[k][j];
                    }
}

/* Q16.16 fixed point with rounding */
static int32_t fx_mul(int32_t x, int32_t y)
{
    int64_t p = (int64_t)x * y;
    return (int32_t)((p + 32768) / 65536);
}

static void mul_fixed(mat a, mat b, mat c)
{
    int i, j, k;
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++) {
            int64_t s = 0;
            for (k = 0; k < N; k++)
                s += fx_mul(a[i][k] * 256, b[k][j] * 256);
            c[i][j] = (int32_t)(s / 256);
        }
}

static uint32_t pow_mod(uint32_t b, uint32_t e)
{
    uint64_t r = 1, x = b % P;
    while (e) {
        if (e & 1u)
            r = r * x % P;
        x = x * x % P;
        e >>= 1;
    }
    return (uint32_t)r;
}

static uint32_t det_mod(mat a)
{
    static uint32_t m[N][N];
    uint64_t det = 1;
    int i, j, k;
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++)
            m[i][j] = (uint32_t)(((int64_t)a[i][j] % (int64_t)P + (int64_t)P) % (int64_t)P);
    for (k = 0; k < N; k++) {
        int piv = -1;
        uint64_t inv;
        for (i = k; i < N; i++)
            if (m[i][k] != 0) {
                piv = i;
                break;
            }
        if (piv < 0)
            return 0;
        if (piv != k) {
            for (j = 0; j < N; j++) {
                uint32_t t = m[k][j];
                m[k][j] = m[piv][j];
                m[piv][j] = t;
            }
            det = (P - det) % P;
        }
        det = det * m[k][k] % P;
        inv = pow_mod(m[k][k], P - 2);
        for (i = k + 1; i < N; i++) {
            uint64_t f = m[i][k] * inv % P;
            if (f == 0)
                continue;
            for (j = k; j < N; j++)
                m[i][j] = (uint32_t)((m[i][j] + (P - f) * m[k][j]) % P);
        }
    }
    return (uint32_t)det;
}

static uint32_t mat_hash(mat a)
{
    uint32_t h = 0;
    int i, j;
    for (i = 0; i < N; i++)
        for (j = 0; j < N; j++)
            h = h * 31u + (uint32_t)a[i][j];
    return h;
}

int main(void)
{
    static mat a, b, c1, c2, c3, c4, p;
    uint32_t h, d;
    int i, j;
    fill(a);
    fill(b);
    mul_naive(a, b, c1);
    mul_transposed(a, b, c2);
    mul_blocked(a, b, c3);
    if (memcmp(c1, c2, sizeof(mat)) != 0 || memcmp(c1, c3, sizeof(mat)) != 0) {
        printf("multiply variants disagree\n");
        return 1;
    }
    mul_fixed(a, b, c4);
    h = mat_hash(c1) ^ (mat_hash(c4) << 1);
    d = det_mod(a);
    /* p = a^3 with entries reduced to keep them small */
    memcpy(p, a, sizeof(mat));
    for (i = 0; i < 2; i++) {
        mul_blocked(p, a, c1);
        for (j = 0; j < N * N; j++)
            p[j / N][j % N] = c1[j / N][j % N] % 1000;
    }
    printf("matmul checksum %08x det %u pow %08x\n", (unsigned)h, (unsigned)d, (unsigned)mat_hash(p));
    return 0;
}
