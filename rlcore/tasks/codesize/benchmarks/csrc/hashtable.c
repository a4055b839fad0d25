/* desc: string-keyed hash tables, separate chaining and open addressing with tombstones and resizing, word-frequency workload */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define NWORDS 20000

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s) {
        h ^= (uint8_t)*s++;
        h *= 16777619u;
    }
    return h;
}

/* ---- separate chaining ---- */
typedef struct entry {
    char *key;
    int count;
    struct entry *next;
} entry;

typedef struct {
    entry **buckets;
    size_t nbuckets, size;
} chain_table;

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = (char *)malloc(n);
    if (d == NULL)
        exit(1);
    memcpy(d, s, n);
    return d;
}

static void chain_init(chain_table *t, size_t nb)
{
    t->buckets = (entry **)calloc(nb, sizeof(entry *));
    if (t->buckets == NULL)
        exit(1);
    t->nbuckets = nb;
    t->size = 0;
}

static void chain_add(chain_table *t, const char *key)
{
    size_t b = fnv1a(key) % t->nbuckets;
    entry *e;
    for (e = t->buckets[b]; e != NULL; e = e->next)
        if (strcmp(e->key, key) == 0) {
            e->count++;
            return;
        }
    e = (entry *)malloc(sizeof *e);
    if (e == NULL)
        exit(1);
    e->key = dup_str(key);
    e->count = 1;
    e->next = t->buckets[b];
    t->buckets[b] = e;
    t->size++;
}

static int chain_get(const chain_table *t, const char *key)
{
    const entry *e;
    for (e = t->buckets[fnv1a(key) % t->nbuckets]; e != NULL; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e->count;
    return 0;
}

static int chain_remove(chain_table *t, const char *key)
{
    entry **link = &t->buckets[fnv1a(key) % t->nbuckets];
    while (*link != NULL) {
        entry *e = *link;
        if (strcmp(e->key, key) == 0) {
            *link = e->next;
            free(e->key);
            free(e);
            t->size--;
            return 1;
        }
        link = &e->next;
    }
    return 0;
}

static void chain_free(chain_table *t)
{
    size_t i;
    for (i = 0; i < t->nbuckets; i++) {
        entry *e = t->buckets[i];
        while (e != NULL) {
            entry *n = e->next;
            free(e->key);
            free(e);
            e = n;
        }
    }
    free(t->buckets);
}

/* ---- open addressing, linear probing ---- */
typedef struct {
    char key[12];
    int count;
    int state; /* 0 empty, 1 used, 2 deleted */
} slot;

typedef struct {
    slot *slots;
    size_t cap, used, live;
} open_table;

static void open_init(open_table *t, size_t cap)
{
    t->slots = (slot *)calloc(cap, sizeof(slot));
    if (t->slots == NULL)
        exit(1);
    t->cap = cap;
    t->used = t->live = 0;
}

static slot *open_find(open_table *t, const char *key, int for_insert)
{
    size_t i = fnv1a(key) & (t->cap - 1), n;
    slot *tomb = NULL;
    for (n = 0; n < t->cap; n++, i = (i + 1) & (t->cap - 1)) {
        slot *s = &t->slots[i];
        if (s->state == 0)
            return for_insert ? (tomb ? tomb : s) : NULL;
        if (s->state == 2) {
            if (tomb == NULL)
                tomb = s;
        } else if (strcmp(s->key, key) == 0) {
            return s;
        }
    }
    return for_insert ? tomb : NULL;
}

static void open_add(open_table *t, const char *key, int count);

static void open_grow(open_table *t)
{
    open_table bigger;
    size_t i;
    open_init(&bigger, t->cap * 2);
    for (i = 0; i < t->cap; i++)
        if (t->slots[i].state == 1)
            open_add(&bigger, t->slots[i].key, t->slots[i].count);
    free(t->slots);
    *t = bigger;
}

static void open_add(open_table *t, const char *key, int count)
{
    slot *s;
    if ((t->used + 1) * 4 > t->cap * 3)
        open_grow(t);
    s = open_find(t, key, 1);
    if (s->state == 1) {
        s->count += count;
        return;
    }
    if (s->state == 0)
        t->used++;
    strncpy(s->key, key, sizeof s->key - 1);
    s->key[sizeof s->key - 1] = '\0';
    s->count = count;
    s->state = 1;
    t->live++;
}

static int open_remove(open_table *t, const char *key)
{
    slot *s = open_find(t, key, 0);
    if (s == NULL)
        return 0;
    s->state = 2;
    t->live--;
    return 1;
}

static void make_word(uint32_t r, char *w)
{
    static const char syll[][3] = { "ka", "lo", "mi", "ne", "ru", "ta", "zo", "pe", "xi", "du" };
    int n = 1 + (int)(r % 4u), i;
    r /= 4u;
    w[0] = '\0';
    for (i = 0; i < n; i++) {
        strcat(w, syll[r % 10u]);
        r /= 10u;
    }
}

int main(void)
{
    chain_table ct;
    open_table ot;
    char w[12];
    uint32_t seed = 4242u, h = 0;
    int i, removed = 0, max_count = 0;

    chain_init(&ct, 257);
    open_init(&ot, 16);
    for (i = 0; i < NWORDS; i++) {
        seed = seed * 1664525u + 1013904223u;
        make_word((seed >> 8) % ((seed & 0x100u) ? 50u : 20000u), w);
        chain_add(&ct, w);
        open_add(&ot, w, 1);
    }
    for (i = 0; i < 3000; i++) {
        int c1, c2;
        slot *s;
        seed = seed * 1664525u + 1013904223u;
        make_word((seed >> 8) % 20000u, w);
        c1 = chain_get(&ct, w);
        s = open_find(&ot, w, 0);
        c2 = s ? s->count : 0;
        if (c1 != c2) {
            printf("tables disagree on %s: %d vs %d\n", w, c1, c2);
            return 1;
        }
        if (c1 > max_count)
            max_count = c1;
        h = h * 31u + (uint32_t)c1;
        if (i % 3 == 0 && c1 > 0) {
            int r1 = chain_remove(&ct, w), r2 = open_remove(&ot, w);
            if (r1 != r2) {
                printf("remove disagrees on %s\n", w);
                return 1;
            }
            removed += r1;
        }
    }
    for (i = 0; i < 2000; i++) {
        seed = seed * 1664525u + 1013904223u;
        make_word((seed >> 8) % 20000u, w);
        open_add(&ot, w, 2);
    }
    h ^= (uint32_t)ot.live * 2654435761u;
    printf("hashtable checksum %08x distinct %u live %u removed %d max %d cap %u\n", (unsigned)h,
           (unsigned)ct.size, (unsigned)ot.live, removed, max_count, (unsigned)ot.cap);
    chain_free(&ct);
    free(ot.slots);
    return 0;
}
