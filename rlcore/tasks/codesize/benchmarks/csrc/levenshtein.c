/* desc: dynamic programming on generated strings: Levenshtein distance (full table and two-row), LCS with traceback, longest increasing subsequence */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#define MAXS 300

static uint32_t rng = 1u;

static uint32_t rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 16) & 0x7FFFu;
}

static int min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

static int lev_full(const char *a, int n, const char *b, int m)
{
    static int d[MAXS + 1][MAXS + 1];
    int i, j;
    for (i = 0; i <= n; i++)
        d[i][0] = i;
    for (j = 0; j <= m; j++)
        d[0][j] = j;
    for (i = 1; i <= n; i++)
        for (j = 1; j <= m; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
        }
    return d[n][m];
}

static int lev_two_rows(const char *a, int n, const char *b, int m)
{
    int *prev = (int *)malloc(sizeof(int) * (size_t)(m + 1));
    int *cur = (int *)malloc(sizeof(int) * (size_t)(m + 1));
    int i, j, result;
    if (prev == NULL || cur == NULL) {
        free(prev);
        free(cur);
        return -1;
    }
    for (j = 0; j <= m; j++)
        prev[j] = j;
    for (i = 1; i <= n; i++) {
        int *t;
        cur[0] = i;
        for (j = 1; j <= m; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        }
        t = prev;
        prev = cur;
        cur = t;
    }
    result = prev[m];
    free(prev);
    free(cur);
    return result;
}

static int lcs(const char *a, int n, const char *b, int m, char *out)
{
    static short L[MAXS + 1][MAXS + 1];
    int i, j, k;
    for (i = 0; i <= n; i++)
        L[i][0] = 0;
    for (j = 0; j <= m; j++)
        L[0][j] = 0;
    for (i = 1; i <= n; i++)
        for (j = 1; j <= m; j++) {
            if (a[i - 1] == b[j - 1])
                L[i][j] = (short)(L[i - 1][j - 1] + 1);
            else
                L[i][j] = L[i - 1][j] >= L[i][j - 1] ? L[i - 1][j] : L[i][j - 1];
        }
    k = L[n][m];
    out[k] = '\0';
    i = n;
    j = m;
    while (i > 0 && j > 0) {
        if (a[i - 1] == b[j - 1]) {
            out[--k] = a[i - 1];
            i--;
            j--;
        } else if (L[i - 1][j] >= L[i][j - 1]) {
            i--;
        } else {
            j--;
        }
    }
    return L[n][m];
}

static int is_subsequence(const char *s, const char *t)
{
    while (*s && *t) {
        if (*s == *t)
            s++;
        t++;
    }
    return *s == '\0';
}

/* patience-sorting LIS, O(n log n) */
static int lis(const int *v, int n)
{
    int tails[MAXS * 4];
    int len = 0, i;
    for (i = 0; i < n; i++) {
        int lo = 0, hi = len;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (tails[mid] < v[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        tails[lo] = v[i];
        if (lo == len)
            len++;
    }
    return len;
}

static void mutate(const char *src, int n, char *dst, int *m, int edits)
{
    int i, k = 0;
    for (i = 0; i < n && k < MAXS; i++) {
        uint32_t r = rnd() % 100u;
        if (r < (uint32_t)edits) {
            dst[k++] = (char)('a' + rnd() % 4u); /* substitute */
        } else if (r < (uint32_t)edits * 2u) {
            continue; /* delete */
        } else if (r < (uint32_t)edits * 3u && k + 1 < MAXS) {
            dst[k++] = (char)('a' + rnd() % 4u); /* insert */
            dst[k++] = src[i];
        } else {
            dst[k++] = src[i];
        }
    }
    dst[k] = '\0';
    *m = k;
}

int main(void)
{
    static char a[MAXS + 1], b[MAXS + 1], common[MAXS + 1];
    static int seq[MAXS * 4];
    uint32_t h = 0;
    int round, i;

    for (round = 0; round < 12; round++) {
        int n = 100 + round * 15, m, d1, d2, l;
        for (i = 0; i < n; i++)
            a[i] = (char)('a' + rnd() % 4u);
        a[n] = '\0';
        mutate(a, n, b, &m, 2 + round);
        d1 = lev_full(a, n, b, m);
        d2 = lev_two_rows(a, n, b, m);
        l = lcs(a, n, b, m, common);
        if (d1 != d2 || !is_subsequence(common, a) || !is_subsequence(common, b) ||
            (int)strlen(common) != l || d1 < abs(n - m) || n + m - 2 * l < d1) {
            printf("dp check failed in round %d\n", round);
            return 1;
        }
        h = h * 131u + (uint32_t)d1 * 7u + (uint32_t)l;
    }
    for (i = 0; i < MAXS * 4; i++)
        seq[i] = (int)(rnd() % 5000u) + i;
    h ^= (uint32_t)lis(seq, MAXS * 4) << 12;
    printf("levenshtein checksum %08x lis %d\n", (unsigned)h, lis(seq, MAXS * 4));
    return 0;
}
