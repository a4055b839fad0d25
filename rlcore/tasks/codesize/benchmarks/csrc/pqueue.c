/* desc: priority queues: binary heap with decrease-key, heapsort, and a discrete-event simulation of a multi-server queue */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define CAP 4096

typedef struct {
    int64_t prio[CAP];
    int id[CAP];
    int where[CAP]; /* position of id in heap or -1 */
    int n;
} heap;

static void heap_init(heap *h)
{
    int i;
    h->n = 0;
    for (i = 0; i < CAP; i++)
        h->where[i] = -1;
}

static void heap_swap(heap *h, int a, int b)
{
    int64_t tp = h->prio[a];
    int ti = h->id[a];
    h->prio[a] = h->prio[b];
    h->id[a] = h->id[b];
    h->prio[b] = tp;
    h->id[b] = ti;
    h->where[h->id[a]] = a;
    h->where[h->id[b]] = b;
}

static void sift_up(heap *h, int i)
{
    while (i > 0) {
        int p = (i - 1) / 2;
        if (h->prio[p] < h->prio[i] || (h->prio[p] == h->prio[i] && h->id[p] <= h->id[i]))
            break;
        heap_swap(h, i, p);
        i = p;
    }
}

static void sift_down(heap *h, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && (h->prio[l] < h->prio[m] || (h->prio[l] == h->prio[m] && h->id[l] < h->id[m])))
            m = l;
        if (r < h->n && (h->prio[r] < h->prio[m] || (h->prio[r] == h->prio[m] && h->id[r] < h->id[m])))
            m = r;
        if (m == i)
            return;
        heap_swap(h, i, m);
        i = m;
    }
}

static int heap_push(heap *h, int id, int64_t prio)
{
    if (h->n >= CAP || id < 0 || id >= CAP || h->where[id] >= 0)
        return 0;
    h->prio[h->n] = prio;
    h->id[h->n] = id;
    h->where[id] = h->n;
    h->n++;
    sift_up(h, h->n - 1);
    return 1;
}

static int heap_pop(heap *h, int64_t *prio)
{
    int id;
    if (h->n == 0)
        return -1;
    id = h->id[0];
    *prio = h->prio[0];
    h->n--;
    h->where[id] = -1;
    if (h->n > 0) {
        h->prio[0] = h->prio[h->n];
        h->id[0] = h->id[h->n];
        h->where[h->id[0]] = 0;
        sift_down(h, 0);
    }
    return id;
}

static int heap_decrease(heap *h, int id, int64_t prio)
{
    int i;
    if (id < 0 || id >= CAP || h->where[id] < 0)
        return 0;
    i = h->where[id];
    if (prio >= h->prio[i])
        return 0;
    h->prio[i] = prio;
    sift_up(h, i);
    return 1;
}

static void heapsort_ints(int *a, int n)
{
    int start, end;
    for (start = n / 2 - 1; start >= 0; start--) {
        int root = start;
        while (2 * root + 1 < n) {
            int c = 2 * root + 1, t;
            if (c + 1 < n && a[c + 1] > a[c])
                c++;
            if (a[root] >= a[c])
                break;
            t = a[root]; a[root] = a[c]; a[c] = t;
            root = c;
        }
    }
    for (end = n - 1; end > 0; end--) {
        int root = 0, t = a[0];
        a[0] = a[end];
        a[end] = t;
        while (2 * root + 1 < end) {
            int c = 2 * root + 1;
            if (c + 1 < end && a[c + 1] > a[c])
                c++;
            if (a[root] >= a[c])
                break;
            t = a[root]; a[root] = a[c]; a[c] = t;
            root = c;
        }
    }
}

static uint32_t rs = 2u;
static uint32_t rnd(uint32_t n)
{
    rs ^= rs << 13;
    rs ^= rs >> 17;
    rs ^= rs << 5;
    return rs % n;
}

/* events: ids < 2000 are customer arrivals, ids >= 2000 are server completions */
static void simulate(int servers, int customers, int64_t *total_wait, int64_t *end_time)
{
    static heap ev;
    int queue[2048], qhead = 0, qtail = 0, busy = 0, i;
    int64_t arrival_time[2048], now = 0, t = 0;
    heap_init(&ev);
    for (i = 0; i < customers; i++) {
        t += 1 + rnd(10);
        arrival_time[i] = t;
        heap_push(&ev, i, t);
    }
    *total_wait = 0;
    while (ev.n > 0) {
        int id = heap_pop(&ev, &now);
        if (id >= 2000) {
            busy--;
        } else {
            queue[qtail++] = id;
        }
        while (busy < servers && qhead < qtail) {
            int c = queue[qhead++];
            *total_wait += now - arrival_time[c];
            busy++;
            heap_push(&ev, 2000 + c, now + 5 + rnd(20));
        }
    }
    *end_time = now;
}

int main(void)
{
    static heap h;
    static int arr[3000];
    int64_t prio, last = -1, wait, end;
    uint32_t acc = 0;
    int i, id, decreased = 0, s;

    heap_init(&h);
    for (i = 0; i < 3000; i++)
        heap_push(&h, i, (int64_t)rnd(100000));
    for (i = 0; i < 1000; i++) {
        int victim = (int)rnd(3000);
        int64_t newprio = (int64_t)rnd(50000);
        decreased += heap_decrease(&h, victim, newprio);
    }
    while ((id = heap_pop(&h, &prio)) >= 0) {
        if (prio < last) {
            printf("heap order violated\n");
            return 1;
        }
        last = prio;
        acc = acc * 31u + (uint32_t)id;
    }
    for (i = 0; i < 3000; i++)
        arr[i] = (int)rnd(1000000) - 500000;
    heapsort_ints(arr, 3000);
    for (i = 1; i < 3000; i++)
        if (arr[i - 1] > arr[i]) {
            printf("heapsort failed\n");
            return 1;
        }
    acc ^= (uint32_t)arr[1500];
    for (s = 1; s <= 4; s++) {
        simulate(s, 1500, &wait, &end);
        printf("servers %d: total wait %lld end %lld\n", s, (long long)wait, (long long)end);
        acc = acc * 7u + (uint32_t)wait;
    }
    printf("pqueue checksum %08x decreased %d\n", (unsigned)acc, decreased);
    return 0;
}
