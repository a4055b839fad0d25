/* desc: JSON tokenizer and recursive validator with string escapes, numbers and nesting limits, run over generated documents */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define DOC_CAP 16384
#define MAX_DEPTH 32

typedef struct {
    const char *s;
    size_t pos, len;
    int depth;
    int objects, arrays, strings, numbers, literals;
    uint32_t hash;
} jparser;

static void skip_ws(jparser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\n' || p->s[p->pos] == '\t' || p->s[p->pos] == '\r'))
        p->pos++;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_string(jparser *p)
{
    if (p->pos >= p->len || p->s[p->pos] != '"')
        return 0;
    p->pos++;
    while (p->pos < p->len) {
        unsigned char c = (unsigned char)p->s[p->pos++];
        if (c == '"') {
            p->strings++;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c == '\\') {
            char e;
            if (p->pos >= p->len)
                return 0;
            e = p->s[p->pos++];
            if (e == 'u') {
                int k, cp = 0;
                for (k = 0; k < 4; k++) {
                    int v = p->pos < p->len ? hexval(p->s[p->pos]) : -1;
                    if (v < 0)
                        return 0;
                    cp = cp * 16 + v;
                    p->pos++;
                }
                p->hash = p->hash * 31u + (uint32_t)cp;
            } else if (strchr("\"\\/bfnrt", e) == NULL || e == '\0') {
                return 0;
            }
        } else {
            p->hash = p->hash * 31u + c;
        }
    }
    return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int parse_number(jparser *p)
{
    size_t start = p->pos;
    int64_t ipart = 0;
    if (p->pos < p->len && p->s[p->pos] == '-')
        p->pos++;
    if (p->pos >= p->len || !is_digit(p->s[p->pos]))
        return 0;
    if (p->s[p->pos] == '0') {
        p->pos++;
    } else {
        while (p->pos < p->len && is_digit(p->s[p->pos])) {
            ipart = (ipart * 10 + (p->s[p->pos] - '0')) % 1000000007;
            p->pos++;
        }
    }
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        if (p->pos >= p->len || !is_digit(p->s[p->pos]))
            return 0;
        while (p->pos < p->len && is_digit(p->s[p->pos]))
            p->pos++;
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
            p->pos++;
        if (p->pos >= p->len || !is_digit(p->s[p->pos]))
            return 0;
        while (p->pos < p->len && is_digit(p->s[p->pos]))
            p->pos++;
    }
    p->numbers++;
    p->hash = p->hash * 131u + (uint32_t)ipart + (uint32_t)(p->pos - start);
    return 1;
}

static int parse_value(jparser *p);

static int parse_container(jparser *p, char open, char close)
{
    int first = 1;
    if (++p->depth > MAX_DEPTH)
        return 0;
    p->pos++; /* open */
    (void)open;
    for (;;) {
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == close && first) {
            p->pos++;
            break;
        }
        if (close == '}') {
            if (!parse_string(p))
                return 0;
            skip_ws(p);
            if (p->pos >= p->len || p->s[p->pos] != ':')
                return 0;
            p->pos++;
        }
        if (!parse_value(p))
            return 0;
        skip_ws(p);
        if (p->pos < p->len && p->s[p->pos] == ',') {
            p->pos++;
            first = 0;
            continue;
        }
        if (p->pos < p->len && p->s[p->pos] == close) {
            p->pos++;
            break;
        }
        return 0;
    }
    p->depth--;
    if (close == '}')
        p->objects++;
    else
        p->arrays++;
    return 1;
}

static int parse_literal(jparser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || strncmp(p->s + p->pos, word, n) != 0)
        return 0;
    p->pos += n;
    p->literals++;
    return 1;
}

static int parse_value(jparser *p)
{
    skip_ws(p);
    if (p->pos >= p->len)
        return 0;
    switch (p->s[p->pos]) {
    case '{': return parse_container(p, '{', '}');
    case '[': return parse_container(p, '[', ']');
    case '"': return parse_string(p);
    case 't': return parse_literal(p, "true");
    case 'f': return parse_literal(p, "false");
    case 'n': return parse_literal(p, "null");
    default: return parse_number(p);
    }
}

static int validate(const char *doc, jparser *p)
{
    memset(p, 0, sizeof *p);
    p->s = doc;
    p->len = strlen(doc);
    if (!parse_value(p))
        return 0;
    skip_ws(p);
    return p->pos == p->len;
}

static uint32_t rs = 12u;
static uint32_t rnd(uint32_t n)
{
    rs = rs * 1664525u + 1013904223u;
    return (rs >> 12) % n;
}

static size_t gen(char *b, size_t cap, size_t o, int depth)
{
    static const char *keys[] = { "id", "name", "tags", "value", "children", "esc\\n\\u00e9" };
    uint32_t kind = depth > 5 || o + 64 > cap ? 2 + rnd(4) : rnd(6);
    int n, i;
    if (o + 32 > cap)
        return o + (size_t)snprintf(b + o, cap - o, "0");
    switch (kind) {
    case 0:
    case 1:
        n = (int)rnd(5);
        o += (size_t)snprintf(b + o, cap - o, kind == 0 ? "{" : "[ ");
        for (i = 0; i < n && o + 64 < cap; i++) {
            if (i > 0)
                o += (size_t)snprintf(b + o, cap - o, ", ");
            if (kind == 0)
                o += (size_t)snprintf(b + o, cap - o, "\"%s\": ", keys[rnd(6)]);
            o = gen(b, cap, o, depth + 1);
        }
        return o + (size_t)snprintf(b + o, cap - o, kind == 0 ? "}" : "]");
    case 2: {
        int whole = (int)rnd(20000) - 10000;
        uint32_t frac = rnd(100);
        int exp10 = (int)rnd(5) - 2;
        return o + (size_t)snprintf(b + o, cap - o, "%d.%02ue%d", whole, frac, exp10);
    }
    case 3:
        return o + (size_t)snprintf(b + o, cap - o, "\"s%u\\t\\\"q\\\"\"", rnd(1000));
    case 4:
        return o + (size_t)snprintf(b + o, cap - o, "%s", rnd(2) ? "true" : "null");
    default:
        return o + (size_t)snprintf(b + o, cap - o, "%u", rnd(100000));
    }
}

int main(void)
{
    static char doc[DOC_CAP];
    static const char *bad[] = { "{\"a\" 1}", "[1, 2,]", "01", "\"tab\there\"", "[1e]", "{\"a\":tru}",
                                 "\"\\x\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "" };
    jparser p;
    uint32_t h = 0;
    int i, valid = 0, rejected = 0;
    long objects = 0, numbers = 0;

    for (i = 0; i < (int)(sizeof bad / sizeof bad[0]); i++)
        if (!validate(bad[i], &p))
            rejected++;
    for (i = 0; i < 400; i++) {
        size_t n = gen(doc, sizeof doc, 0, 0);
        if (i % 10 == 9)
            doc[n / 2] = ']';
        if (validate(doc, &p)) {
            valid++;
            objects += p.objects;
            numbers += p.numbers;
            h = h * 1000003u + p.hash + (uint32_t)p.strings;
        }
    }
    printf("json checksum %08x valid %d rejected %d/%d objects %ld numbers %ld\n", (unsigned)h, valid, rejected,
           (int)(sizeof bad / sizeof bad[0]), objects, numbers);
    return 0;
}
