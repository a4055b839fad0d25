/* desc: arbitrary-precision decimal-limb arithmetic: add, subtract, multiply, small divide; factorials, Fibonacci and powers of two */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define MAXLIMBS 700
#define BASE 10000u

typedef struct {
    int n; /* limbs in use, little endian base 10^4 */
    uint32_t d[MAXLIMBS];
} big;

static void big_set(big *a, uint32_t v)
{
    a->n = 0;
    while (v > 0) {
        a->d[a->n++] = v % BASE;
        v /= BASE;
    }
}

static void big_trim(big *a)
{
    while (a->n > 0 && a->d[a->n - 1] == 0)
        a->n--;
}

static int big_cmp(const big *a, const big *b)
{
    int i;
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (i = a->n - 1; i >= 0; i--)
        if (a->d[i] != b->d[i])
            return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

static void big_add(big *r, const big *a, const big *b)
{
    uint32_t carry = 0;
    int i, n = a->n > b->n ? a->n : b->n;
    for (i = 0; i < n || carry; i++) {
        uint32_t s = carry;
        if (i < a->n)
            s += a->d[i];
        if (i < b->n)
            s += b->d[i];
        r->d[i] = s % BASE;
        carry = s / BASE;
    }
    r->n = i;
    big_trim(r);
}

/* r = a - b, requires a >= b */
static void big_sub(big *r, const big *a, const big *b)
{
    uint32_t borrow = 0;
    int i;
    for (i = 0; i < a->n; i++) {
        uint32_t sub = borrow + (i < b->n ? b->d[i] : 0);
        if (a->d[i] >= sub) {
            r->d[i] = a->d[i] - sub;
            borrow = 0;
        } else {
            r->d[i] = a->d[i] + BASE - sub;
            borrow = 1;
        }
    }
    r->n = a->n;
    big_trim(r);
}

static void big_mul_small(big *a, uint32_t m)
{
    uint64_t carry = 0;
    int i;
    for (i = 0; i < a->n; i++) {
        uint64_t p = (uint64_t)a->d[i] * m + carry;
        a->d[i] = (uint32_t)(p % BASE);
        carry = p / BASE;
    }
    while (carry > 0) {
        a->d[a->n++] = (uint32_t)(carry % BASE);
        carry /= BASE;
    }
}

static void big_mul(big *r, const big *a, const big *b)
{
    static uint64_t acc[2 * MAXLIMBS];
    int i, j;
    memset(acc, 0, sizeof(uint64_t) * (size_t)(a->n + b->n + 1));
    for (i = 0; i < a->n; i++)
        for (j = 0; j < b->n; j++)
            acc[i + j] += (uint64_t)a->d[i] * b->d[j];
    r->n = a->n + b->n;
    for (i = 0; i < r->n; i++) {
        acc[i + 1] += acc[i] / BASE;
        r->d[i] = (uint32_t)(acc[i] % BASE);
    }
    big_trim(r);
}

static uint32_t big_div_small(big *a, uint32_t m)
{
    uint64_t rem = 0;
    int i;
    for (i = a->n - 1; i >= 0; i--) {
        uint64_t cur = rem * BASE + a->d[i];
        a->d[i] = (uint32_t)(cur / m);
        rem = cur % m;
    }
    big_trim(a);
    return (uint32_t)rem;
}

static int big_digit_sum(const big *a, int *ndigits)
{
    int i, sum = 0, digits = 0;
    for (i = 0; i < a->n; i++) {
        uint32_t v = a->d[i];
        int k;
        for (k = 0; k < 4; k++) {
            sum += (int)(v % 10u);
            v /= 10u;
        }
    }
    if (a->n > 0) {
        uint32_t top = a->d[a->n - 1];
        digits = (a->n - 1) * 4;
        while (top > 0) {
            digits++;
            top /= 10u;
        }
    }
    *ndigits = digits;
    return sum;
}

static void big_print_head(const big *a, int limbs)
{
    int i;
    if (a->n == 0) {
        printf("0");
        return;
    }
    printf("%u", (unsigned)a->d[a->n - 1]);
    for (i = a->n - 2; i >= 0 && i >= a->n - limbs; i--)
        printf("%04u", (unsigned)a->d[i]);
}

int main(void)
{
    static big f, fa, fb, t, p, q;
    int i, digits, sum;
    uint32_t rem_acc = 0;

    big_set(&f, 1);
    for (i = 2; i <= 400; i++)
        big_mul_small(&f, (uint32_t)i);
    sum = big_digit_sum(&f, &digits);
    printf("400! digits %d digit-sum %d head ", digits, sum);
    big_print_head(&f, 3);
    printf("\n");

    big_set(&fa, 0);
    big_set(&fb, 1);
    for (i = 0; i < 3000; i++) {
        big_add(&t, &fa, &fb);
        fa = fb;
        fb = t;
    }
    sum = big_digit_sum(&fa, &digits);
    printf("fib(3000) digits %d digit-sum %d\n", digits, sum);

    big_set(&p, 1);
    for (i = 0; i < 10; i++)
        big_mul_small(&p, 1u << 30);
    big_mul(&q, &p, &p); /* 2^600 */
    big_mul(&t, &q, &fa);
    big_sub(&p, &t, &q);
    if (big_cmp(&t, &p) <= 0) {
        printf("subtraction check failed\n");
        return 1;
    }
    for (i = 3; i < 60; i += 2)
        rem_acc = rem_acc * 31u + big_div_small(&p, (uint32_t)i);
    sum = big_digit_sum(&p, &digits);
    printf("bignum checksum %08x digits %d digit-sum %d\n", (unsigned)rem_acc, digits, sum);
    return 0;
}
