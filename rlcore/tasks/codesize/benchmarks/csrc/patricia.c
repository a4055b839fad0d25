/* desc: PATRICIA trie (radix tree on key bits) of generated 32-bit IPv4-style keys: insert, exact lookup, longest-prefix match */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

#define NKEYS 3000

typedef struct pnode {
    uint32_t key;
    int bit; /* bit index tested at this node, 31..0; -1 for the header */
    int value;
    struct pnode *left, *right;
} pnode;

static int bit_at(uint32_t key, int bit)
{
    if (bit < 0 || bit > 31)
        return 0;
    return (int)((key >> bit) & 1u);
}

static pnode *new_node(uint32_t key, int bit, int value)
{
    pnode *n = (pnode *)malloc(sizeof *n);
    if (n == NULL) {
        printf("out of memory\n");
        exit(1);
    }
    n->key = key;
    n->bit = bit;
    n->value = value;
    n->left = n->right = n;
    return n;
}

static pnode *pat_init(void)
{
    pnode *head = new_node(0, 32, -1);
    head->left = head->right = head;
    return head;
}

static pnode *pat_search(pnode *head, uint32_t key)
{
    pnode *p = head, *x = head->left;
    while (p->bit > x->bit) {
        p = x;
        x = bit_at(key, x->bit) ? x->right : x->left;
    }
    return x;
}

/* Key 0 is reserved: the header holds it (Sedgewick's convention), so it is never inserted. */
static int pat_insert(pnode *head, uint32_t key, int value)
{
    pnode *t, *p, *x, *n;
    int i;
    if (key == 0)
        return 0;
    t = pat_search(head, key);
    if (t != head && t->key == key) {
        t->value = value;
        return 0;
    }
    for (i = 31; bit_at(key, i) == bit_at(t->key, i); i--)
        ;
    p = head;
    x = head->left;
    while (p->bit > x->bit && x->bit > i) {
        p = x;
        x = bit_at(key, x->bit) ? x->right : x->left;
    }
    n = new_node(key, i, value);
    if (bit_at(key, i)) {
        n->left = x;
        n->right = n;
    } else {
        n->left = n;
        n->right = x;
    }
    if (p == head || !bit_at(key, p->bit))
        p->left = n;
    else
        p->right = n;
    return 1;
}

static int pat_lookup(pnode *head, uint32_t key, int *value)
{
    pnode *t = pat_search(head, key);
    if (t != head && t->key == key) {
        *value = t->value;
        return 1;
    }
    return 0;
}

/* length of the longest prefix the probe shares with any stored key */
static int longest_common_prefix(pnode *head, uint32_t key)
{
    pnode *t = pat_search(head, key);
    int i;
    if (t == head)
        return 0;
    for (i = 31; i >= 0 && bit_at(key, i) == bit_at(t->key, i); i--)
        ;
    return 31 - i;
}

/* every real node is the target of exactly one downward link, so a downward walk frees each once */
static void free_tree(pnode *n, int parent_bit)
{
    if (n->bit >= parent_bit)
        return;
    free_tree(n->left, n->bit);
    free_tree(n->right, n->bit);
    free(n);
}

static int count_nodes(pnode *n, int parent_bit)
{
    if (n->bit >= parent_bit)
        return 0;
    return 1 + count_nodes(n->left, n->bit) + count_nodes(n->right, n->bit);
}

int main(void)
{
    static uint32_t keys[NKEYS];
    pnode *head = pat_init();
    uint32_t seed = 0xBEEFu, acc = 0;
    int i, inserted = 0, found = 0, missing = 0, nodes, lcp_total = 0;

    for (i = 0; i < NKEYS; i++) {
        seed = seed * 1664525u + 1013904223u;
        /* cluster keys into a few "networks" so prefixes are shared */
        keys[i] = ((uint32_t)(10 + (seed >> 30)) << 24) | ((seed >> 8) & 0x00FFFFF0u) | (seed & 3u);
        inserted += pat_insert(head, keys[i], i);
    }
    for (i = 0; i < NKEYS; i++) {
        int v = -1;
        if (pat_lookup(head, keys[i], &v)) {
            found++;
            acc = acc * 17u + (uint32_t)v;
        }
    }
    for (i = 0; i < NKEYS; i++) {
        int v;
        uint32_t probe;
        seed = seed * 1664525u + 1013904223u;
        probe = seed;
        if (!pat_lookup(head, probe, &v))
            missing++;
        lcp_total += longest_common_prefix(head, probe);
    }
    nodes = count_nodes(head->left, head->bit);
    free_tree(head->left, head->bit);
    free(head);
    printf("patricia checksum %08x inserted %d found %d missing %d nodes %d lcp %d\n", (unsigned)acc,
           inserted, found, missing, nodes, lcp_total);
    return 0;
}
