/* desc: sorting generated integers and records with our own quicksort, shell sort, merge sort and libc qsort */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define N 6000

typedef struct {
    uint32_t key;
    int id;
    char name[8];
} record;

static uint32_t rng = 99991u;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void swap_int(int *a, int *b)
{
    int t = *a;
    *a = *b;
    *b = t;
}

static void insertion_sort(int *a, int lo, int hi)
{
    int i, j;
    for (i = lo + 1; i <= hi; i++) {
        int v = a[i];
        for (j = i - 1; j >= lo && a[j] > v; j--)
            a[j + 1] = a[j];
        a[j + 1] = v;
    }
}

static int median3(int *a, int lo, int hi)
{
    int mid = lo + (hi - lo) / 2;
    if (a[mid] < a[lo])
        swap_int(&a[mid], &a[lo]);
    if (a[hi] < a[lo])
        swap_int(&a[hi], &a[lo]);
    if (a[hi] < a[mid])
        swap_int(&a[hi], &a[mid]);
    return a[mid];
}

static void quick_sort(int *a, int lo, int hi)
{
    while (hi - lo > 12) {
        int pivot = median3(a, lo, hi);
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                swap_int(&a[i], &a[j]);
                i++;
                j--;
            }
        }
        if (j - lo < hi - i) {
            quick_sort(a, lo, j);
            lo = i;
        } else {
            quick_sort(a, i, hi);
            hi = j;
        }
    }
    insertion_sort(a, lo, hi);
}

static void shell_sort(int *a, int n)
{
    static const int gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
    size_t g;
    int i, j;
    for (g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        int gap = gaps[g];
        for (i = gap; i < n; i++) {
            int v = a[i];
            for (j = i; j >= gap && a[j - gap] > v; j -= gap)
                a[j] = a[j - gap];
            a[j] = v;
        }
    }
}

static void merge_sort(int *a, int *tmp, int lo, int hi)
{
    int mid, i, j, k;
    if (hi - lo < 1)
        return;
    mid = lo + (hi - lo) / 2;
    merge_sort(a, tmp, lo, mid);
    merge_sort(a, tmp, mid + 1, hi);
    i = lo;
    j = mid + 1;
    k = lo;
    while (i <= mid && j <= hi)
        tmp[k++] = (a[i] <= a[j]) ? a[i++] : a[j++];
    while (i <= mid)
        tmp[k++] = a[i++];
    while (j <= hi)
        tmp[k++] = a[j++];
    memcpy(a + lo, tmp + lo, (size_t)(hi - lo + 1) * sizeof(int));
}

static int cmp_int(const void *pa, const void *pb)
{
    int a = *(const int *)pa, b = *(const int *)pb;
    return (a > b) - (a < b);
}

static int cmp_record(const void *pa, const void *pb)
{
    const record *a = (const record *)pa, *b = (const record *)pb;
    int c = strcmp(a->name, b->name);
    if (c != 0)
        return c;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

static int is_sorted(const int *a, int n)
{
    int i;
    for (i = 1; i < n; i++)
        if (a[i - 1] > a[i])
            return 0;
    return 1;
}

static uint32_t mix(const int *a, int n)
{
    uint32_t h = 2166136261u;
    int i;
    for (i = 0; i < n; i++) {
        h ^= (uint32_t)a[i];
        h *= 16777619u;
    }
    return h;
}

int main(void)
{
    static int orig[N], a[N], b[N], c[N], d[N], tmp[N];
    static record recs[N / 4];
    uint32_t h = 0;
    int i, pass;

    for (pass = 0; pass < 3; pass++) {
        for (i = 0; i < N; i++) {
            if (pass == 0)
                orig[i] = (int)(next_rand() % 100000u) - 50000;
            else if (pass == 1)
                orig[i] = (int)(next_rand() % 50u);
            else
                orig[i] = (i % 2) ? N - i : i;
        }
        memcpy(a, orig, sizeof orig);
        memcpy(b, orig, sizeof orig);
        memcpy(c, orig, sizeof orig);
        memcpy(d, orig, sizeof orig);
        quick_sort(a, 0, N - 1);
        shell_sort(b, N);
        merge_sort(c, tmp, 0, N - 1);
        qsort(d, N, sizeof(int), cmp_int);
        if (!is_sorted(a, N) || memcmp(a, b, sizeof a) != 0 || memcmp(a, c, sizeof a) != 0 ||
            memcmp(a, d, sizeof a) != 0) {
            printf("sort mismatch in pass %d\n", pass);
            return 1;
        }
        h = h * 31u + mix(a, N);
        h ^= (uint32_t)a[N / 2];
    }
    for (i = 0; i < N / 4; i++) {
        int k;
        recs[i].key = next_rand() % 1000u;
        recs[i].id = i;
        for (k = 0; k < 3; k++)
            recs[i].name[k] = (char)('a' + next_rand() % 4u);
        recs[i].name[3] = '\0';
    }
    qsort(recs, N / 4, sizeof(record), cmp_record);
    for (i = 0; i < N / 4; i++) {
        h = h * 33u + recs[i].key;
        h ^= (uint32_t)recs[i].id << (i % 16);
    }
    printf("qsort checksum %08x first %s/%u last %s/%u\n", (unsigned)h, recs[0].name,
           (unsigned)recs[0].key, recs[N / 4 - 1].name, (unsigned)recs[N / 4 - 1].key);
    return 0;
}
