/* desc: stack-based bytecode virtual machine with a tiny assembler: loops, calls, memory; runs sieve, gcd and Collatz programs and a faulting one */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

enum {
    OP_HALT, OP_PUSH, OP_POP, OP_DUP, OP_SWAP, OP_OVER, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
    OP_LT, OP_EQ, OP_NOT, OP_AND, OP_JMP, OP_JZ, OP_LOAD, OP_STORE, OP_CALL, OP_RET, OP_OUT,
    OP_COUNT
};

#define STACK 256
#define MEM 1024
#define CODE 512

typedef struct {
    int32_t code[CODE];
    int ncode;
    int32_t stack[STACK];
    int sp;
    int32_t rstack[64];
    int rsp;
    int32_t mem[MEM];
    uint32_t out_hash;
    int nout;
    long steps;
} vm;

static int emit(vm *m, int32_t v)
{
    if (m->ncode >= CODE)
        return -1;
    m->code[m->ncode] = v;
    return m->ncode++;
}

static int push(vm *m, int32_t v)
{
    if (m->sp >= STACK)
        return 0;
    m->stack[m->sp++] = v;
    return 1;
}

/* returns 0 on normal halt, nonzero error code otherwise */
static int run(vm *m, long max_steps)
{
    int pc = 0;
    m->sp = m->rsp = 0;
    while (m->steps < max_steps) {
        int32_t op, a, b;
        if (pc < 0 || pc >= m->ncode)
            return 1;
        op = m->code[pc++];
        m->steps++;
        if (op >= OP_ADD && op <= OP_AND && op != OP_NOT) {
            if (m->sp < 2)
                return 2;
            b = m->stack[--m->sp];
            a = m->stack[--m->sp];
            switch (op) {
            case OP_ADD: a = (int32_t)((uint32_t)a + (uint32_t)b); break;
            case OP_SUB: a = (int32_t)((uint32_t)a - (uint32_t)b); break;
            case OP_MUL: a = (int32_t)((uint32_t)a * (uint32_t)b); break;
            case OP_DIV: if (b == 0 || (a == INT32_MIN && b == -1)) return 3; a /= b; break;
            case OP_MOD: if (b == 0 || (a == INT32_MIN && b == -1)) return 3; a %= b; break;
            case OP_LT: a = a < b; break;
            case OP_EQ: a = a == b; break;
            default: a = a & b; break;
            }
            m->stack[m->sp++] = a;
            continue;
        }
        switch (op) {
        case OP_HALT:
            return 0;
        case OP_PUSH:
            if (pc >= m->ncode || !push(m, m->code[pc]))
                return 4;
            pc++;
            break;
        case OP_POP:
            if (m->sp < 1) return 2;
            m->sp--;
            break;
        case OP_DUP:
            if (m->sp < 1 || !push(m, m->stack[m->sp - 1])) return 2;
            break;
        case OP_SWAP:
            if (m->sp < 2) return 2;
            a = m->stack[m->sp - 1];
            m->stack[m->sp - 1] = m->stack[m->sp - 2];
            m->stack[m->sp - 2] = a;
            break;
        case OP_OVER:
            if (m->sp < 2 || !push(m, m->stack[m->sp - 2])) return 2;
            break;
        case OP_NOT:
            if (m->sp < 1) return 2;
            m->stack[m->sp - 1] = !m->stack[m->sp - 1];
            break;
        case OP_JMP:
            pc = m->code[pc];
            break;
        case OP_JZ:
            if (m->sp < 1) return 2;
            pc = m->stack[--m->sp] == 0 ? m->code[pc] : pc + 1;
            break;
        case OP_LOAD:
            if (m->sp < 1) return 2;
            a = m->stack[m->sp - 1];
            if (a < 0 || a >= MEM) return 5;
            m->stack[m->sp - 1] = m->mem[a];
            break;
        case OP_STORE: /* addr value STORE */
            if (m->sp < 2) return 2;
            b = m->stack[--m->sp];
            a = m->stack[--m->sp];
            if (a < 0 || a >= MEM) return 5;
            m->mem[a] = b;
            break;
        case OP_CALL:
            if (m->rsp >= 64) return 6;
            m->rstack[m->rsp++] = pc + 1;
            pc = m->code[pc];
            break;
        case OP_RET:
            if (m->rsp < 1) return 6;
            pc = m->rstack[--m->rsp];
            break;
        case OP_OUT:
            if (m->sp < 1) return 2;
            m->out_hash = m->out_hash * 31u + (uint32_t)m->stack[--m->sp];
            m->nout++;
            break;
        default:
            return 7;
        }
    }
    return 8;
}

static void reset(vm *m)
{
    memset(m, 0, sizeof *m);
}

/* sieve of Eratosthenes over mem[0..limit), output the primes */
static void prog_sieve(vm *m, int limit)
{
    int outer, inner, inner_end, next, skip;
    emit(m, OP_PUSH); emit(m, 2);                 /* i */
    outer = m->ncode;
    emit(m, OP_DUP); emit(m, OP_PUSH); emit(m, limit); emit(m, OP_LT);
    emit(m, OP_JZ); next = emit(m, 0);
    emit(m, OP_DUP); emit(m, OP_LOAD); emit(m, OP_NOT);
    emit(m, OP_JZ); skip = emit(m, 0);
    emit(m, OP_DUP); emit(m, OP_OUT);
    emit(m, OP_DUP); emit(m, OP_DUP); emit(m, OP_ADD); /* i j */
    inner = m->ncode;
    emit(m, OP_DUP); emit(m, OP_PUSH); emit(m, limit); emit(m, OP_LT);
    emit(m, OP_JZ); inner_end = emit(m, 0);
    emit(m, OP_DUP); emit(m, OP_PUSH); emit(m, 1); emit(m, OP_STORE);
    emit(m, OP_OVER); emit(m, OP_ADD);
    emit(m, OP_JMP); emit(m, inner);
    m->code[inner_end] = m->ncode;
    emit(m, OP_POP);
    m->code[skip] = m->ncode;
    emit(m, OP_PUSH); emit(m, 1); emit(m, OP_ADD);
    emit(m, OP_JMP); emit(m, outer);
    m->code[next] = m->ncode;
    emit(m, OP_HALT);
}

/* gcd subroutine called on pairs: a b -> gcd */
static void prog_gcd(vm *m, int pairs)
{
    int loop, done, gcd_fn, jump_main, k;
    emit(m, OP_JMP); jump_main = emit(m, 0);
    gcd_fn = m->ncode;
    loop = m->ncode;
    emit(m, OP_DUP); emit(m, OP_JZ); done = emit(m, 0);
    emit(m, OP_SWAP); emit(m, OP_OVER); emit(m, OP_MOD);
    emit(m, OP_JMP); emit(m, loop);
    m->code[done] = m->ncode;
    emit(m, OP_POP); emit(m, OP_RET);
    m->code[jump_main] = m->ncode;
    for (k = 0; k < pairs; k++) {
        emit(m, OP_PUSH); emit(m, 1071 * (k + 1));
        emit(m, OP_PUSH); emit(m, 462 * (k + 3));
        emit(m, OP_CALL); emit(m, gcd_fn);
        emit(m, OP_OUT);
    }
    emit(m, OP_HALT);
}

/* collatz step counts for n in [1, count] */
static void prog_collatz(vm *m, int count)
{
    int outer, inner, odd, join, finish, end;
    emit(m, OP_PUSH); emit(m, 1);                              /* n */
    outer = m->ncode;
    emit(m, OP_DUP); emit(m, OP_PUSH); emit(m, count + 1); emit(m, OP_LT);
    emit(m, OP_JZ); end = emit(m, 0);
    emit(m, OP_PUSH); emit(m, 0); emit(m, OP_OVER);            /* n steps x */
    inner = m->ncode;
    emit(m, OP_DUP); emit(m, OP_PUSH); emit(m, 1); emit(m, OP_EQ); emit(m, OP_NOT);
    emit(m, OP_JZ); finish = emit(m, 0);
    emit(m, OP_DUP); emit(m, OP_PUSH); emit(m, 2); emit(m, OP_MOD);
    emit(m, OP_JZ); odd = emit(m, 0);
    emit(m, OP_PUSH); emit(m, 3); emit(m, OP_MUL); emit(m, OP_PUSH); emit(m, 1); emit(m, OP_ADD);
    emit(m, OP_JMP); join = emit(m, 0);
    m->code[odd] = m->ncode;
    emit(m, OP_PUSH); emit(m, 2); emit(m, OP_DIV);
    m->code[join] = m->ncode;
    emit(m, OP_SWAP); emit(m, OP_PUSH); emit(m, 1); emit(m, OP_ADD); emit(m, OP_SWAP);
    emit(m, OP_JMP); emit(m, inner);
    m->code[finish] = m->ncode;
    emit(m, OP_POP); emit(m, OP_OUT);
    emit(m, OP_PUSH); emit(m, 1); emit(m, OP_ADD);
    emit(m, OP_JMP); emit(m, outer);
    m->code[end] = m->ncode;
    emit(m, OP_HALT);
}

int main(void)
{
    static vm m;
    static const int bad_code[] = { OP_PUSH, 1, OP_PUSH, 0, OP_DIV, OP_HALT };
    uint32_t h = 0;
    int rc, i;

    reset(&m);
    prog_sieve(&m, 1000);
    rc = run(&m, 2000000);
    printf("sieve rc %d primes %d steps %ld\n", rc, m.nout, m.steps);
    h = h * 7u + m.out_hash;

    reset(&m);
    prog_gcd(&m, 40);
    rc = run(&m, 2000000);
    printf("gcd rc %d outputs %d steps %ld\n", rc, m.nout, m.steps);
    h = h * 7u + m.out_hash;

    reset(&m);
    prog_collatz(&m, 300);
    rc = run(&m, 5000000);
    printf("collatz rc %d outputs %d steps %ld\n", rc, m.nout, m.steps);
    h = h * 7u + m.out_hash;

    reset(&m);
    for (i = 0; i < 6; i++)
        emit(&m, bad_code[i]);
    rc = run(&m, 100);
    printf("division by zero rc %d\n", rc);
    h = h * 7u + (uint32_t)rc;
    printf("vm checksum %08x\n", (unsigned)h);
    return 0;
}
