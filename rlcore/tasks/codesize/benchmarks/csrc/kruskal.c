/* desc: minimum spanning trees of a generated graph: Kruskal with union-find (path compression, union by rank) cross-checked against Prim */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define NV 300
#define NE 3000

typedef struct {
    int u, v, w;
} edge;

static edge edges[NE];
static int nedges;
static int parent[NV], rank_[NV];
static int wmat[NV][NV];

static void uf_init(int n)
{
    int i;
    for (i = 0; i < n; i++) {
        parent[i] = i;
        rank_[i] = 0;
    }
}

static int uf_find(int x)
{
    int root = x;
    while (parent[root] != root)
        root = parent[root];
    while (parent[x] != root) {
        int next = parent[x];
        parent[x] = root;
        x = next;
    }
    return root;
}

static int uf_union(int a, int b)
{
    a = uf_find(a);
    b = uf_find(b);
    if (a == b)
        return 0;
    if (rank_[a] < rank_[b]) {
        int t = a;
        a = b;
        b = t;
    }
    parent[b] = a;
    if (rank_[a] == rank_[b])
        rank_[a]++;
    return 1;
}

static int cmp_edge(const void *pa, const void *pb)
{
    const edge *a = (const edge *)pa, *b = (const edge *)pb;
    if (a->w != b->w)
        return a->w < b->w ? -1 : 1;
    if (a->u != b->u)
        return a->u < b->u ? -1 : 1;
    return (a->v > b->v) - (a->v < b->v);
}

static void build_graph(uint32_t seed, int components)
{
    int i, j;
    nedges = 0;
    for (i = 0; i < NV; i++)
        for (j = 0; j < NV; j++)
            wmat[i][j] = 0;
    /* a path inside each component keeps it connected */
    for (i = 1; i < NV; i++) {
        if (i % (NV / components) == 0)
            continue;
        seed = seed * 1664525u + 1013904223u;
        edges[nedges].u = i - 1;
        edges[nedges].v = i;
        edges[nedges].w = 500 + (int)(seed >> 23);
        wmat[i - 1][i] = wmat[i][i - 1] = edges[nedges].w;
        nedges++;
    }
    while (nedges < NE) {
        int u, v, w;
        seed = seed * 1664525u + 1013904223u;
        u = (int)((seed >> 8) % NV);
        seed = seed * 1664525u + 1013904223u;
        v = (int)((seed >> 8) % NV);
        w = 1 + (int)(seed >> 22);
        if (u == v || u / (NV / components) != v / (NV / components) || wmat[u][v] != 0)
            continue;
        edges[nedges].u = u < v ? u : v;
        edges[nedges].v = u < v ? v : u;
        edges[nedges].w = w;
        wmat[u][v] = wmat[v][u] = w;
        nedges++;
    }
}

static long kruskal(int *used_edges, int *trees)
{
    long total = 0;
    int i, used = 0;
    qsort(edges, (size_t)nedges, sizeof(edge), cmp_edge);
    uf_init(NV);
    for (i = 0; i < nedges && used < NV - 1; i++)
        if (uf_union(edges[i].u, edges[i].v)) {
            total += edges[i].w;
            used++;
        }
    *used_edges = used;
    *trees = 0;
    for (i = 0; i < NV; i++)
        if (uf_find(i) == i)
            (*trees)++;
    return total;
}

/* O(V^2) Prim run from every unvisited vertex, giving a minimum spanning forest */
static long prim(void)
{
    static int in_tree[NV], best[NV];
    long total = 0;
    int start, i;
    memset(in_tree, 0, sizeof in_tree);
    for (start = 0; start < NV; start++) {
        if (in_tree[start])
            continue;
        for (i = 0; i < NV; i++)
            best[i] = -1;
        best[start] = 0;
        for (;;) {
            int u = -1;
            for (i = 0; i < NV; i++)
                if (!in_tree[i] && best[i] >= 0 && (u < 0 || best[i] < best[u]))
                    u = i;
            if (u < 0)
                break;
            in_tree[u] = 1;
            total += best[u];
            for (i = 0; i < NV; i++)
                if (!in_tree[i] && wmat[u][i] > 0 && (best[i] < 0 || wmat[u][i] < best[i]))
                    best[i] = wmat[u][i];
        }
    }
    return total;
}

int main(void)
{
    uint32_t h = 0;
    int round;
    for (round = 0; round < 3; round++) {
        int used, trees, components = 1 + round * 2;
        long k, p;
        build_graph(1000u + (uint32_t)round, components);
        k = kruskal(&used, &trees);
        p = prim();
        if (k != p || trees != components) {
            printf("round %d: kruskal %ld prim %ld trees %d\n", round, k, p, trees);
            return 1;
        }
        printf("round %d: forest weight %ld edges %d trees %d\n", round, k, used, trees);
        h = h * 1000003u + (uint32_t)k + (uint32_t)used;
    }
    printf("kruskal checksum %08x\n", (unsigned)h);
    return 0;
}
