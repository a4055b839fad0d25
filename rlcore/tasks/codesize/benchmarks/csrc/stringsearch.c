/* desc: substring search with Boyer-Moore-Horspool, KMP and naive scanning over generated text, case-insensitive variant */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define TEXT_LEN 60000
#define NPAT 24

static char text[TEXT_LEN + 1];

static const char *words[] = { "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog",
                               "alpha", "beta", "gamma", "delta", "search", "string", "pattern",
                               "horspool", "boyer", "moore", "table", "shift" };

static uint32_t lcg = 424242u;

static uint32_t rnd(void)
{
    lcg = lcg * 1664525u + 1013904223u;
    return lcg >> 10;
}

static void make_text(void)
{
    size_t pos = 0;
    const size_t nwords = sizeof words / sizeof words[0];
    while (pos < TEXT_LEN) {
        const char *w = words[rnd() % nwords];
        size_t n = strlen(w), i;
        int upper = (rnd() % 9u) == 0;
        for (i = 0; i < n && pos < TEXT_LEN; i++) {
            char c = w[i];
            if (upper && c >= 'a' && c <= 'z')
                c = (char)(c - 'a' + 'A');
            text[pos++] = c;
        }
        if (pos < TEXT_LEN)
            text[pos++] = (rnd() % 11u) == 0 ? '\n' : ' ';
    }
    text[TEXT_LEN] = '\0';
}

static int count_naive(const char *t, size_t n, const char *p, size_t m)
{
    size_t i, j;
    int count = 0;
    if (m == 0 || m > n)
        return 0;
    for (i = 0; i + m <= n; i++) {
        for (j = 0; j < m && t[i + j] == p[j]; j++)
            ;
        if (j == m)
            count++;
    }
    return count;
}

static int count_bmh(const char *t, size_t n, const char *p, size_t m)
{
    size_t shift[256];
    size_t i, k;
    int count = 0;
    if (m == 0 || m > n)
        return 0;
    for (i = 0; i < 256; i++)
        shift[i] = m;
    for (i = 0; i + 1 < m; i++)
        shift[(unsigned char)p[i]] = m - 1 - i;
    k = 0;
    while (k + m <= n) {
        size_t j = m;
        while (j > 0 && t[k + j - 1] == p[j - 1])
            j--;
        if (j == 0)
            count++;
        k += shift[(unsigned char)t[k + m - 1]];
    }
    return count;
}

static int count_kmp(const char *t, size_t n, const char *p, size_t m)
{
    int fail[64];
    size_t i;
    int k = 0, count = 0;
    if (m == 0 || m > n || m > 64)
        return 0;
    fail[0] = 0;
    for (i = 1; i < m; i++) {
        while (k > 0 && p[i] != p[k])
            k = fail[k - 1];
        if (p[i] == p[k])
            k++;
        fail[i] = k;
    }
    k = 0;
    for (i = 0; i < n; i++) {
        while (k > 0 && t[i] != p[k])
            k = fail[k - 1];
        if (t[i] == p[k])
            k++;
        if ((size_t)k == m) {
            count++;
            k = fail[k - 1];
        }
    }
    return count;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int count_bmh_nocase(const char *t, size_t n, const char *p, size_t m)
{
    size_t shift[256];
    size_t i, k;
    int count = 0;
    if (m == 0 || m > n)
        return 0;
    for (i = 0; i < 256; i++)
        shift[i] = m;
    for (i = 0; i + 1 < m; i++)
        shift[(unsigned char)lower(p[i])] = m - 1 - i;
    for (k = 0; k + m <= n;) {
        size_t j = m;
        while (j > 0 && lower(t[k + j - 1]) == lower(p[j - 1]))
            j--;
        if (j == 0)
            count++;
        k += shift[(unsigned char)lower(t[k + m - 1])];
    }
    return count;
}

int main(void)
{
    char patterns[NPAT][40];
    uint32_t acc = 0;
    int total = 0, total_nocase = 0, i;

    make_text();
    for (i = 0; i < NPAT; i++) {
        const char *a = words[(i * 7) % 20], *b = words[(i * 3 + 1) % 20];
        if (i % 3 == 0)
            snprintf(patterns[i], sizeof patterns[i], "%s", a);
        else if (i % 3 == 1)
            snprintf(patterns[i], sizeof patterns[i], "%s %s", a, b);
        else
            snprintf(patterns[i], sizeof patterns[i], "%.3s", b + 1);
    }
    for (i = 0; i < NPAT; i++) {
        size_t m = strlen(patterns[i]);
        int c1 = count_naive(text, TEXT_LEN, patterns[i], m);
        int c2 = count_bmh(text, TEXT_LEN, patterns[i], m);
        int c3 = count_kmp(text, TEXT_LEN, patterns[i], m);
        int c4 = count_bmh_nocase(text, TEXT_LEN, patterns[i], m);
        if (c1 != c2 || c1 != c3 || c4 < c1) {
            printf("disagreement on '%s': %d %d %d %d\n", patterns[i], c1, c2, c3, c4);
            return 1;
        }
        total += c1;
        total_nocase += c4;
        acc = acc * 2654435761u + (uint32_t)c1 * 31u + (uint32_t)c4;
    }
    printf("stringsearch checksum %08x matches %d nocase %d\n", (unsigned)acc, total, total_nocase);
    return 0;
}
