/* desc: AVL balanced binary search tree: insert, delete, lookup, in-order and range queries with invariant checks on generated keys */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

typedef struct node {
    int key;
    int value;
    int height;
    struct node *left, *right;
} node;

static int height(const node *n)
{
    return n ? n->height : 0;
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

static void update(node *n)
{
    n->height = 1 + max_int(height(n->left), height(n->right));
}

static node *rotate_right(node *y)
{
    node *x = y->left;
    y->left = x->right;
    x->right = y;
    update(y);
    update(x);
    return x;
}

static node *rotate_left(node *x)
{
    node *y = x->right;
    x->right = y->left;
    y->left = x;
    update(x);
    update(y);
    return y;
}

static node *rebalance(node *n)
{
    int bal;
    update(n);
    bal = height(n->left) - height(n->right);
    if (bal > 1) {
        if (height(n->left->left) < height(n->left->right))
            n->left = rotate_left(n->left);
        return rotate_right(n);
    }
    if (bal < -1) {
        if (height(n->right->right) < height(n->right->left))
            n->right = rotate_right(n->right);
        return rotate_left(n);
    }
    return n;
}

static node *insert(node *n, int key, int value, int *added)
{
    if (n == NULL) {
        node *m = (node *)malloc(sizeof *m);
        if (m == NULL)
            exit(1);
        m->key = key;
        m->value = value;
        m->height = 1;
        m->left = m->right = NULL;
        *added = 1;
        return m;
    }
    if (key < n->key)
        n->left = insert(n->left, key, value, added);
    else if (key > n->key)
        n->right = insert(n->right, key, value, added);
    else {
        n->value = value;
        return n;
    }
    return rebalance(n);
}

static node *remove_min(node *n, node **min)
{
    if (n->left == NULL) {
        *min = n;
        return n->right;
    }
    n->left = remove_min(n->left, min);
    return rebalance(n);
}

static node *erase(node *n, int key, int *removed)
{
    if (n == NULL)
        return NULL;
    if (key < n->key)
        n->left = erase(n->left, key, removed);
    else if (key > n->key)
        n->right = erase(n->right, key, removed);
    else {
        node *l = n->left, *r = n->right, *m;
        free(n);
        *removed = 1;
        if (r == NULL)
            return l;
        r = remove_min(r, &m);
        m->left = l;
        m->right = r;
        return rebalance(m);
    }
    return rebalance(n);
}

static const node *find(const node *n, int key)
{
    while (n != NULL && n->key != key)
        n = key < n->key ? n->left : n->right;
    return n;
}

/* returns height if n is a valid AVL tree with keys in (lo, hi), else -1 */
static int check(const node *n, long lo, long hi)
{
    int hl, hr;
    if (n == NULL)
        return 0;
    if (n->key <= lo || n->key >= hi)
        return -1;
    hl = check(n->left, lo, n->key);
    hr = check(n->right, n->key, hi);
    if (hl < 0 || hr < 0 || hl - hr > 1 || hr - hl > 1 || n->height != 1 + max_int(hl, hr))
        return -1;
    return n->height;
}

static void range_sum(const node *n, int lo, int hi, long *sum, int *count)
{
    if (n == NULL)
        return;
    if (n->key > lo)
        range_sum(n->left, lo, hi, sum, count);
    if (n->key >= lo && n->key <= hi) {
        *sum += n->value;
        (*count)++;
    }
    if (n->key < hi)
        range_sum(n->right, lo, hi, sum, count);
}

static void inorder_hash(const node *n, uint32_t *h, int *prev, int *sorted)
{
    if (n == NULL)
        return;
    inorder_hash(n->left, h, prev, sorted);
    if (n->key <= *prev)
        *sorted = 0;
    *prev = n->key;
    *h = *h * 31u + (uint32_t)n->key;
    inorder_hash(n->right, h, prev, sorted);
}

static void destroy(node *n)
{
    if (n == NULL)
        return;
    destroy(n->left);
    destroy(n->right);
    free(n);
}

int main(void)
{
    node *root = NULL;
    uint32_t s = 90210u, h = 0;
    int i, size = 0, hits = 0, prev = -1, sorted = 1, count = 0;
    long sum = 0;

    for (i = 0; i < 6000; i++) {
        int added = 0, key;
        s = s * 1664525u + 1013904223u;
        key = (int)(s >> 18);
        root = insert(root, key, i, &added);
        size += added;
    }
    for (i = 0; i < 3000; i++) {
        int removed = 0;
        s = s * 1664525u + 1013904223u;
        root = erase(root, (int)(s >> 18), &removed);
        size -= removed;
        if (i % 500 == 0 && check(root, -1L, 1L << 20) < 0) {
            printf("AVL invariant broken after %d deletions\n", i);
            return 1;
        }
    }
    for (i = 0; i < 8000; i++)
        if (find(root, i * 2) != NULL)
            hits++;
    for (i = 0; i < 50; i++) {
        int lo = i * 300;
        range_sum(root, lo, lo + 1000, &sum, &count);
    }
    inorder_hash(root, &h, &prev, &sorted);
    if (!sorted || check(root, -1L, 1L << 20) < 0) {
        printf("final tree invalid\n");
        return 1;
    }
    printf("avltree checksum %08x size %d height %d hits %d range %ld/%d\n", (unsigned)h, size, height(root), hits,
           sum, count);
    destroy(root);
    return 0;
}
