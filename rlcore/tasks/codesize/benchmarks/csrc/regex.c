/* desc: regular-expression matching: a backtracking matcher (literals, ., [classes], *, +, ?, ^, $) checked against a Thompson NFA simulation */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define MAXTOK 64

/* compiled pattern: a sequence of atoms, each with a repetition */
typedef struct {
    uint8_t set[32]; /* bitmap of accepted bytes */
    char rep;        /* '1', '*', '+', '?' */
} atom;

typedef struct {
    atom a[MAXTOK];
    int n;
    int anchored_start, anchored_end;
} pattern;

static void set_bit(uint8_t *set, unsigned c) { set[c >> 3] = (uint8_t)(set[c >> 3] | (1u << (c & 7u))); }
static int has_bit(const uint8_t *set, unsigned c) { return (set[c >> 3] >> (c & 7u)) & 1; }

/* returns 1 on success, 0 on a malformed pattern */
static int compile(const char *re, pattern *p)
{
    size_t i = 0, n = strlen(re);
    memset(p, 0, sizeof *p);
    if (n > 0 && re[0] == '^') {
        p->anchored_start = 1;
        i = 1;
    }
    while (i < n) {
        atom *a;
        if (re[i] == '$' && i + 1 == n) {
            p->anchored_end = 1;
            break;
        }
        if (p->n >= MAXTOK || re[i] == '*' || re[i] == '+' || re[i] == '?')
            return 0;
        a = &p->a[p->n++];
        a->rep = '1';
        if (re[i] == '.') {
            unsigned c;
            for (c = 1; c < 256; c++)
                if (c != '\n')
                    set_bit(a->set, c);
            i++;
        } else if (re[i] == '[') {
            int negate = 0;
            unsigned c;
            i++;
            if (i < n && re[i] == '^') {
                negate = 1;
                i++;
            }
            while (i < n && re[i] != ']') {
                unsigned lo = (unsigned char)re[i], hi = lo;
                if (i + 2 < n && re[i + 1] == '-' && re[i + 2] != ']') {
                    hi = (unsigned char)re[i + 2];
                    i += 2;
                }
                for (c = lo; c <= hi; c++)
                    set_bit(a->set, c);
                i++;
            }
            if (i >= n)
                return 0;
            i++;
            if (negate)
                for (c = 0; c < 32; c++)
                    a->set[c] = (uint8_t)~a->set[c];
            a->set[0] &= (uint8_t)~1u; /* never match NUL */
        } else {
            if (re[i] == '\\' && i + 1 < n)
                i++;
            set_bit(a->set, (unsigned char)re[i]);
            i++;
        }
        if (i < n && (re[i] == '*' || re[i] == '+' || re[i] == '?'))
            a->rep = re[i++];
    }
    return 1;
}

static long steps;

/* backtracking: does p->a[k..] match text starting at s? */
static int match_here(const pattern *p, int k, const char *s)
{
    const atom *a;
    steps++;
    if (k == p->n)
        return !p->anchored_end || *s == '\0';
    a = &p->a[k];
    if (a->rep == '1')
        return *s && has_bit(a->set, (unsigned char)*s) && match_here(p, k + 1, s + 1);
    if (a->rep == '?')
        return (*s && has_bit(a->set, (unsigned char)*s) && match_here(p, k + 1, s + 1)) || match_here(p, k + 1, s);
    {
        const char *t = s;
        while (*t && has_bit(a->set, (unsigned char)*t))
            t++;
        do {
            if ((a->rep == '*' || t > s) && match_here(p, k + 1, t))
                return 1;
        } while (t-- > s);
        return 0;
    }
}

static int match_backtrack(const pattern *p, const char *s)
{
    if (p->anchored_start)
        return match_here(p, 0, s);
    do {
        if (match_here(p, 0, s))
            return 1;
    } while (*s++);
    return 0;
}

/* NFA state k = "about to match atom k"; closure follows skippable atoms */
static void add_state(const pattern *p, uint8_t *set, int k)
{
    while (k <= p->n && !set[k]) {
        set[k] = 1;
        if (k < p->n && (p->a[k].rep == '*' || p->a[k].rep == '?'))
            k++;
        else
            break;
    }
}

static int match_nfa(const pattern *p, const char *s)
{
    uint8_t cur[MAXTOK + 1], nxt[MAXTOK + 1];
    int k;
    memset(cur, 0, sizeof cur);
    add_state(p, cur, 0);
    for (;; s++) {
        if (cur[p->n] && (!p->anchored_end || *s == '\0'))
            return 1;
        if (*s == '\0')
            return 0;
        memset(nxt, 0, sizeof nxt);
        for (k = 0; k < p->n; k++) {
            if (!cur[k] || !has_bit(p->a[k].set, (unsigned char)*s))
                continue;
            if (p->a[k].rep == '*' || p->a[k].rep == '+')
                add_state(p, nxt, k); /* stay on the repeated atom */
            add_state(p, nxt, k + 1);
        }
        if (!p->anchored_start)
            add_state(p, nxt, 0);
        memcpy(cur, nxt, sizeof cur);
    }
}

int main(void)
{
    static const char *patterns[] = { "ab*c", "^a.c$", "[0-9]+-[0-9]+", "colou?r", "^[^ ]+ [a-z]*x", "q[aeiou]+z?",
                                      "\\.txt$", "[A-Z][a-z]+[0-9]?", "a+b+a+", "x*y*z*w", "^$", "[abc" };
    static char lines[400][48];
    static const char alphabet[] = "abcxyz qrt0123-.ACou";
    pattern p;
    uint32_t seed = 4321u, h = 0;
    int i, j, matches = 0, bad = 0;

    for (i = 0; i < 400; i++) {
        int len;
        seed = seed * 1664525u + 1013904223u;
        len = (int)((seed >> 24) % 40u);
        for (j = 0; j < len; j++) {
            seed = seed * 1664525u + 1013904223u;
            lines[i][j] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        lines[i][len] = '\0';
        if (i % 7 == 0)
            strcat(lines[i], ".txt");
    }
    for (i = 0; i < (int)(sizeof patterns / sizeof patterns[0]); i++) {
        int count = 0;
        if (!compile(patterns[i], &p)) {
            bad++;
            continue;
        }
        for (j = 0; j < 400; j++) {
            int m1 = match_backtrack(&p, lines[j]), m2 = match_nfa(&p, lines[j]);
            if (m1 != m2) {
                printf("matchers disagree: /%s/ on \"%s\": %d vs %d\n", patterns[i], lines[j], m1, m2);
                return 1;
            }
            count += m1;
        }
        matches += count;
        h = h * 131u + (uint32_t)count;
    }
    printf("regex checksum %08x matches %d malformed %d steps %ld\n", (unsigned)h, matches, bad, steps);
    return 0;
}
