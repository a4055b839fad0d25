/* desc: backtracking search: N-queens solution counting with bitmasks and arrays, and a sudoku solver with constraint propagation */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static int count_queens_bits(int n, uint32_t cols, uint32_t d1, uint32_t d2)
{
    uint32_t full = (1u << n) - 1u, avail;
    int count = 0;
    if (cols == full)
        return 1;
    avail = full & ~(cols | d1 | d2);
    while (avail) {
        uint32_t bit = avail & (0u - avail);
        avail ^= bit;
        count += count_queens_bits(n, cols | bit, ((d1 | bit) << 1) & full, (d2 | bit) >> 1);
    }
    return count;
}

static int queen_pos[16];

static int safe(int row, int col)
{
    int r;
    for (r = 0; r < row; r++) {
        int c = queen_pos[r];
        if (c == col || c - col == r - row || c - col == row - r)
            return 0;
    }
    return 1;
}

static int count_queens_array(int n, int row)
{
    int col, count = 0;
    if (row == n)
        return 1;
    for (col = 0; col < n; col++)
        if (safe(row, col)) {
            queen_pos[row] = col;
            count += count_queens_array(n, row + 1);
        }
    return count;
}

typedef struct {
    uint8_t cell[81];
    uint16_t row[9], col[9], box[9]; /* bit d set: digit d+1 used */
} sudoku;

static long nodes_visited;

static int box_of(int i)
{
    return (i / 27) * 3 + (i % 9) / 3;
}

static int popcount16(uint16_t v)
{
    int n = 0;
    while (v) {
        v &= (uint16_t)(v - 1);
        n++;
    }
    return n;
}

static int sudoku_load(sudoku *s, const char *txt)
{
    int i;
    memset(s, 0, sizeof *s);
    for (i = 0; i < 81; i++) {
        int d = txt[i] == '.' ? 0 : txt[i] - '0';
        uint16_t bit;
        if (d == 0)
            continue;
        bit = (uint16_t)(1u << (d - 1));
        if ((s->row[i / 9] | s->col[i % 9] | s->box[box_of(i)]) & bit)
            return 0;
        s->cell[i] = (uint8_t)d;
        s->row[i / 9] |= bit;
        s->col[i % 9] |= bit;
        s->box[box_of(i)] |= bit;
    }
    return 1;
}

static int sudoku_solve(sudoku *s)
{
    int i, best = -1, best_count = 10, d;
    uint16_t best_free = 0;
    nodes_visited++;
    for (i = 0; i < 81; i++) {
        uint16_t freeb;
        int c;
        if (s->cell[i])
            continue;
        freeb = (uint16_t)(~(s->row[i / 9] | s->col[i % 9] | s->box[box_of(i)]) & 0x1FFu);
        c = popcount16(freeb);
        if (c == 0)
            return 0;
        if (c < best_count) {
            best_count = c;
            best = i;
            best_free = freeb;
        }
    }
    if (best < 0)
        return 1;
    for (d = 0; d < 9; d++) {
        uint16_t bit = (uint16_t)(1u << d);
        if (!(best_free & bit))
            continue;
        s->cell[best] = (uint8_t)(d + 1);
        s->row[best / 9] |= bit;
        s->col[best % 9] |= bit;
        s->box[box_of(best)] |= bit;
        if (sudoku_solve(s))
            return 1;
        s->row[best / 9] &= (uint16_t)~bit;
        s->col[best % 9] &= (uint16_t)~bit;
        s->box[box_of(best)] &= (uint16_t)~bit;
        s->cell[best] = 0;
    }
    return 0;
}

static int sudoku_valid(const sudoku *s)
{
    int i, k;
    for (i = 0; i < 9; i++) {
        uint16_t r = 0, c = 0, b = 0;
        for (k = 0; k < 9; k++) {
            r |= (uint16_t)(1u << (s->cell[i * 9 + k] - 1));
            c |= (uint16_t)(1u << (s->cell[k * 9 + i] - 1));
            b |= (uint16_t)(1u << (s->cell[(i / 3) * 27 + (i % 3) * 3 + (k / 3) * 9 + k % 3] - 1));
        }
        if (r != 0x1FF || c != 0x1FF || b != 0x1FF)
            return 0;
    }
    return 1;
}

int main(void)
{
    static const char *puzzles[] = {
        "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79",
        "..9748...7.........2.1.9.....7...24..64.1.59..98...3.....8.3.2.........6...2759..",
        "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4..",
        "11..............................................................................."
    };
    uint32_t h = 0;
    int n, p;
    for (n = 4; n <= 9; n++) {
        int a = count_queens_bits(n, 0, 0, 0);
        int b = count_queens_array(n, 0);
        if (a != b) {
            printf("queens mismatch at n=%d\n", n);
            return 1;
        }
        printf("queens(%d) = %d\n", n, a);
        h = h * 131u + (uint32_t)a;
    }
    for (p = 0; p < 4; p++) {
        sudoku s;
        int i;
        nodes_visited = 0;
        if (!sudoku_load(&s, puzzles[p])) {
            printf("sudoku %d: invalid puzzle\n", p);
            continue;
        }
        if (!sudoku_solve(&s) || !sudoku_valid(&s)) {
            printf("sudoku %d: no solution\n", p);
            return 1;
        }
        for (i = 0; i < 81; i++)
            h = h * 10u + s.cell[i];
        printf("sudoku %d: solved, %ld nodes\n", p, nodes_visited);
    }
    printf("backtrack checksum %08x\n", (unsigned)h);
    return 0;
}
