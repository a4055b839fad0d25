/* desc: tokenizer and recursive-descent parser/evaluator for integer expressions with variables, generated expression strings */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

typedef enum { T_NUM, T_IDENT, T_OP, T_LPAREN, T_RPAREN, T_END, T_ERROR } tok_kind;

typedef struct {
    tok_kind kind;
    int64_t value;
    char op[3];
    char name[16];
} token;

typedef struct {
    const char *src;
    size_t pos;
    token cur;
    int error;
    int64_t vars[26];
} parser;

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || c == '_'; }

static void next_token(parser *p)
{
    const char *s = p->src;
    while (s[p->pos] == ' ' || s[p->pos] == '\t')
        p->pos++;
    if (s[p->pos] == '\0') {
        p->cur.kind = T_END;
        return;
    }
    if (is_digit(s[p->pos])) {
        int64_t v = 0;
        while (is_digit(s[p->pos])) {
            v = (v * 10 + (s[p->pos] - '0')) % 1000000007;
            p->pos++;
        }
        p->cur.kind = T_NUM;
        p->cur.value = v;
        return;
    }
    if (is_alpha(s[p->pos])) {
        size_t n = 0;
        while ((is_alpha(s[p->pos]) || is_digit(s[p->pos])) && n < sizeof p->cur.name - 1)
            p->cur.name[n++] = s[p->pos++];
        p->cur.name[n] = '\0';
        p->cur.kind = T_IDENT;
        return;
    }
    if (s[p->pos] == '(' || s[p->pos] == ')') {
        p->cur.kind = s[p->pos] == '(' ? T_LPAREN : T_RPAREN;
        p->pos++;
        return;
    }
    if (strchr("+-*/%<>=!&|^", s[p->pos]) != NULL) {
        p->cur.kind = T_OP;
        p->cur.op[0] = s[p->pos++];
        p->cur.op[1] = '\0';
        if ((p->cur.op[0] == '<' || p->cur.op[0] == '>' || p->cur.op[0] == '=' || p->cur.op[0] == '!') &&
            s[p->pos] == '=') {
            p->cur.op[1] = '=';
            p->cur.op[2] = '\0';
            p->pos++;
        } else if ((p->cur.op[0] == '&' || p->cur.op[0] == '|') && s[p->pos] == p->cur.op[0]) {
            p->cur.op[1] = p->cur.op[0];
            p->cur.op[2] = '\0';
            p->pos++;
        }
        return;
    }
    p->cur.kind = T_ERROR;
    p->error = 1;
}

static int is_op(parser *p, const char *op)
{
    return p->cur.kind == T_OP && strcmp(p->cur.op, op) == 0;
}

static int64_t wrap(int64_t v)
{
    v %= 1000000007;
    return v < 0 ? v + 1000000007 : v;
}

static int64_t parse_expr(parser *p);

static int64_t parse_primary(parser *p)
{
    int64_t v;
    if (p->cur.kind == T_NUM) {
        v = p->cur.value;
        next_token(p);
        return v;
    }
    if (p->cur.kind == T_IDENT) {
        v = p->vars[(p->cur.name[0] - 'a' + 26) % 26];
        next_token(p);
        return v;
    }
    if (p->cur.kind == T_LPAREN) {
        next_token(p);
        v = parse_expr(p);
        if (p->cur.kind != T_RPAREN)
            p->error = 1;
        else
            next_token(p);
        return v;
    }
    if (is_op(p, "-")) {
        next_token(p);
        return wrap(-parse_primary(p));
    }
    if (is_op(p, "!")) {
        next_token(p);
        return parse_primary(p) == 0;
    }
    p->error = 1;
    return 0;
}

static int64_t parse_mul(parser *p)
{
    int64_t v = parse_primary(p);
    while (!p->error && (is_op(p, "*") || is_op(p, "/") || is_op(p, "%"))) {
        char op = p->cur.op[0];
        int64_t r;
        next_token(p);
        r = parse_primary(p);
        if (op == '*')
            v = wrap(v * r);
        else if (r == 0)
            v = 0;
        else if (op == '/')
            v = v / r;
        else
            v = v % r;
    }
    return v;
}

static int64_t parse_add(parser *p)
{
    int64_t v = parse_mul(p);
    while (!p->error && (is_op(p, "+") || is_op(p, "-"))) {
        char op = p->cur.op[0];
        int64_t r;
        next_token(p);
        r = parse_mul(p);
        v = wrap(op == '+' ? v + r : v - r);
    }
    return v;
}

static int64_t parse_cmp(parser *p)
{
    int64_t v = parse_add(p);
    while (!p->error && p->cur.kind == T_OP &&
           (is_op(p, "<") || is_op(p, ">") || is_op(p, "<=") || is_op(p, ">=") || is_op(p, "==") || is_op(p, "!="))) {
        char op[3];
        int64_t r;
        strcpy(op, p->cur.op);
        next_token(p);
        r = parse_add(p);
        if (strcmp(op, "<") == 0) v = v < r;
        else if (strcmp(op, ">") == 0) v = v > r;
        else if (strcmp(op, "<=") == 0) v = v <= r;
        else if (strcmp(op, ">=") == 0) v = v >= r;
        else if (strcmp(op, "==") == 0) v = v == r;
        else v = v != r;
    }
    return v;
}

static int64_t parse_expr(parser *p)
{
    int64_t v = parse_cmp(p);
    while (!p->error && (is_op(p, "&&") || is_op(p, "||") || is_op(p, "&") || is_op(p, "|") || is_op(p, "^"))) {
        char op[3];
        int64_t r;
        strcpy(op, p->cur.op);
        next_token(p);
        r = parse_cmp(p);
        if (strcmp(op, "&&") == 0) v = v && r;
        else if (strcmp(op, "||") == 0) v = v || r;
        else if (op[0] == '&') v = v & r;
        else if (op[0] == '|') v = v | r;
        else v = v ^ r;
    }
    return v;
}

static int evaluate(const char *src, const int64_t *vars, int64_t *out)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.src = src;
    memcpy(p.vars, vars, sizeof p.vars);
    next_token(&p);
    *out = parse_expr(&p);
    if (p.cur.kind != T_END)
        p.error = 1;
    return !p.error;
}

static uint32_t rs = 17u;
static unsigned rnd(unsigned n)
{
    rs = rs * 1103515245u + 12345u;
    return (rs >> 16) % n;
}

static size_t gen_expr(char *buf, size_t cap, size_t pos, int depth)
{
    static const char *ops[] = { "+", "-", "*", "/", "%", "<", "==", "&&", "|", "^", ">=" };
    unsigned choice = depth > 4 ? rnd(2) : rnd(5);
    if (pos + 40 >= cap)
        return pos + (size_t)snprintf(buf + pos, cap - pos, "1");
    if (choice == 0)
        return pos + (size_t)snprintf(buf + pos, cap - pos, "%u", rnd(1000));
    if (choice == 1)
        return pos + (size_t)snprintf(buf + pos, cap - pos, "%c", 'a' + (int)rnd(26));
    if (choice == 2) {
        pos += (size_t)snprintf(buf + pos, cap - pos, "(");
        pos = gen_expr(buf, cap, pos, depth + 1);
        return pos + (size_t)snprintf(buf + pos, cap - pos, ")");
    }
    if (choice == 3) {
        pos += (size_t)snprintf(buf + pos, cap - pos, "-");
        return gen_expr(buf, cap, pos, depth + 1);
    }
    pos = gen_expr(buf, cap, pos, depth + 1);
    pos += (size_t)snprintf(buf + pos, cap - pos, " %s ", ops[rnd(11)]);
    return gen_expr(buf, cap, pos, depth + 1);
}

int main(void)
{
    static const char *fixed[] = { "1 + 2 * 3", "(1 + 2) * 3", "10 / 3 + 10 % 3", "a * b - c",
                                   "x >= 5 && y < 3 || !z", "2 * (3 + 4) == 14", "1 +", "(4 * 5",
                                   "7 $ 3", "-(-(5))" };
    static const int64_t expect[] = { 7, 9, 4, 5, 0, 1, -1, -1, -1, 5 };
    int64_t vars[26];
    char buf[512];
    uint32_t h = 0;
    int i, ok = 0, bad = 0;

    for (i = 0; i < 26; i++)
        vars[i] = (int64_t)(i * i + 3);
    for (i = 0; i < 10; i++) {
        int64_t v;
        int valid = evaluate(fixed[i], vars, &v);
        if ((expect[i] < 0 && valid) || (expect[i] >= 0 && (!valid || v != expect[i]))) {
            printf("fixed case %d failed\n", i);
            return 1;
        }
    }
    for (i = 0; i < 3000; i++) {
        int64_t v;
        gen_expr(buf, sizeof buf, 0, 0);
        if (i % 50 == 49)
            buf[strlen(buf) / 2] = '#';
        if (evaluate(buf, vars, &v)) {
            ok++;
            h = h * 1000003u + (uint32_t)v;
        } else {
            bad++;
        }
    }
    printf("exprparse checksum %08x ok %d bad %d\n", (unsigned)h, ok, bad);
    return 0;
}
