/* desc: Dijkstra shortest paths on a generated weighted graph, array scan and binary-heap variants, with path reconstruction */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define NV 400
#define MAXDEG 12
#define INF 0x3fffffff

typedef struct {
    int to;
    int w;
} edge;

static edge adj[NV][MAXDEG];
static int deg[NV];
static uint32_t seed = 31337u;

static uint32_t rnd(void)
{
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
}

static void add_edge(int u, int v, int w)
{
    if (deg[u] < MAXDEG) {
        adj[u][deg[u]].to = v;
        adj[u][deg[u]].w = w;
        deg[u]++;
    }
}

static void build_graph(void)
{
    int u, k;
    memset(deg, 0, sizeof deg);
    for (u = 0; u < NV; u++) {
        add_edge(u, (u + 1) % NV, 50 + (int)(rnd() % 50u));
        for (k = 0; k < 6; k++) {
            int v = (int)(rnd() % NV);
            if (v != u)
                add_edge(u, v, 1 + (int)(rnd() % 200u));
        }
    }
}

static void dijkstra_array(int src, int *dist, int *prev)
{
    static int done[NV];
    int i, it;
    for (i = 0; i < NV; i++) {
        dist[i] = INF;
        prev[i] = -1;
        done[i] = 0;
    }
    dist[src] = 0;
    for (it = 0; it < NV; it++) {
        int best = -1, e;
        for (i = 0; i < NV; i++)
            if (!done[i] && dist[i] < INF && (best < 0 || dist[i] < dist[best]))
                best = i;
        if (best < 0)
            break;
        done[best] = 1;
        for (e = 0; e < deg[best]; e++) {
            int v = adj[best][e].to;
            int nd = dist[best] + adj[best][e].w;
            if (nd < dist[v]) {
                dist[v] = nd;
                prev[v] = best;
            }
        }
    }
}

typedef struct {
    int node;
    int d;
} heap_item;

static heap_item heap[NV * MAXDEG + 1];
static int heap_n;

static void heap_push(int node, int d)
{
    int i = heap_n++;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (heap[p].d <= d)
            break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i].node = node;
    heap[i].d = d;
}

static heap_item heap_pop(void)
{
    heap_item top = heap[0], last = heap[--heap_n];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= heap_n)
            break;
        if (c + 1 < heap_n && heap[c + 1].d < heap[c].d)
            c++;
        if (last.d <= heap[c].d)
            break;
        heap[i] = heap[c];
        i = c;
    }
    if (heap_n > 0)
        heap[i] = last;
    return top;
}

static void dijkstra_heap(int src, int *dist)
{
    int i;
    for (i = 0; i < NV; i++)
        dist[i] = INF;
    heap_n = 0;
    dist[src] = 0;
    heap_push(src, 0);
    while (heap_n > 0) {
        heap_item it = heap_pop();
        int e;
        if (it.d > dist[it.node])
            continue;
        for (e = 0; e < deg[it.node]; e++) {
            int v = adj[it.node][e].to;
            int nd = it.d + adj[it.node][e].w;
            if (nd < dist[v]) {
                dist[v] = nd;
                heap_push(v, nd);
            }
        }
    }
}

static int path_length(const int *prev, int dst, int *hops)
{
    int n = 0, v = dst;
    while (prev[v] >= 0) {
        v = prev[v];
        n++;
        if (n > NV)
            return -1;
    }
    *hops = n;
    return v;
}

int main(void)
{
    static int d1[NV], d2[NV], prev[NV];
    uint32_t sum = 0;
    int src, v, total_hops = 0;

    build_graph();
    for (src = 0; src < NV; src += 23) {
        dijkstra_array(src, d1, prev);
        dijkstra_heap(src, d2);
        for (v = 0; v < NV; v++) {
            int hops = 0;
            if (d1[v] != d2[v]) {
                printf("distance mismatch src=%d v=%d\n", src, v);
                return 1;
            }
            if (path_length(prev, v, &hops) != src) {
                printf("bad path src=%d v=%d\n", src, v);
                return 1;
            }
            total_hops += hops;
            sum = sum * 131u + (uint32_t)d1[v];
        }
    }
    printf("dijkstra checksum %08x hops %d\n", (unsigned)sum, total_hops);
    return 0;
}
