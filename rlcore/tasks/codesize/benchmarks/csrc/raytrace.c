/* desc: fixed-point (Q16.16) ray tracer: ray-sphere and ray-plane intersection, Lambert shading, shadows, one reflection, ASCII-art histogram */
#include <stdio.h>
#include <stdint.h>

#define WIDTH 96
#define HEIGHT 64
#define FP 16
#define ONE (1 << FP)

typedef int32_t fx;
typedef struct { fx x, y, z; } vec;
typedef struct { vec c; fx r; int shade; } sphere;

static fx fmul(fx a, fx b) { return (fx)(((int64_t)a * b) / ONE); }
static fx fdiv(fx a, fx b) { return b == 0 ? 0 : (fx)(((int64_t)a * ONE) / b); }
static fx to_fx(int v) { return (fx)(v * ONE); }

static vec v_make(fx x, fx y, fx z) { vec v; v.x = x; v.y = y; v.z = z; return v; }
static vec v_add(vec a, vec b) { return v_make(a.x + b.x, a.y + b.y, a.z + b.z); }
static vec v_sub(vec a, vec b) { return v_make(a.x - b.x, a.y - b.y, a.z - b.z); }
static vec v_scale(vec a, fx s) { return v_make(fmul(a.x, s), fmul(a.y, s), fmul(a.z, s)); }
static fx v_dot(vec a, vec b) { return fmul(a.x, b.x) + fmul(a.y, b.y) + fmul(a.z, b.z); }

/* integer square root of a Q16.16 value, result Q16.16 */
static fx fx_sqrt(fx a)
{
    uint64_t v = (uint64_t)(a < 0 ? 0 : a) << FP, r = 0, bit = (uint64_t)1 << 46;
    while (bit > v)
        bit >>= 2;
    while (bit) {
        if (v >= r + bit) {
            v -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return (fx)r;
}

static vec v_norm(vec a)
{
    fx len = fx_sqrt(v_dot(a, a));
    if (len == 0)
        return a;
    return v_make(fdiv(a.x, len), fdiv(a.y, len), fdiv(a.z, len));
}

static sphere scene[4];
static const int nspheres = 4;

static void build_scene(void)
{
    scene[0].c = v_make(to_fx(0), to_fx(0), to_fx(6)); scene[0].r = to_fx(2); scene[0].shade = 3;
    scene[1].c = v_make(to_fx(-3), to_fx(-1), to_fx(8)); scene[1].r = to_fx(1); scene[1].shade = 2;
    scene[2].c = v_make(to_fx(3), ONE / 2, to_fx(5)); scene[2].r = ONE + ONE / 2; scene[2].shade = 1;
    scene[3].c = v_make(to_fx(1), to_fx(-2), to_fx(3)); scene[3].r = ONE / 2; scene[3].shade = 4;
}

/* returns distance along unit direction d, or -1 */
static fx hit_sphere(const sphere *s, vec o, vec d)
{
    vec oc = v_sub(o, s->c);
    fx b = v_dot(oc, d);
    fx c = v_dot(oc, oc) - fmul(s->r, s->r);
    fx disc = fmul(b, b) - c, t;
    if (disc < 0)
        return -1;
    t = -b - fx_sqrt(disc);
    if (t > ONE / 64)
        return t;
    t = -b + fx_sqrt(disc);
    return t > ONE / 64 ? t : -1;
}

/* floor plane y = -3 */
static fx hit_plane(vec o, vec d)
{
    fx t;
    if (d.y >= 0)
        return -1;
    t = fdiv(to_fx(-3) - o.y, d.y);
    return t > ONE / 64 && t < to_fx(40) ? t : -1;
}

static int closest(vec o, vec d, fx *tbest)
{
    int i, which = -1;
    fx t;
    *tbest = to_fx(1000);
    for (i = 0; i < nspheres; i++) {
        t = hit_sphere(&scene[i], o, d);
        if (t > 0 && t < *tbest) {
            *tbest = t;
            which = i;
        }
    }
    t = hit_plane(o, d);
    if (t > 0 && t < *tbest) {
        *tbest = t;
        which = nspheres;
    }
    return which;
}

static int trace(vec o, vec d, int depth)
{
    vec light = v_norm(v_make(to_fx(-1), to_fx(2), to_fx(-1)));
    vec p, n;
    fx t, lambert, tshadow;
    int which = closest(o, d, &t), base, intensity;
    if (which < 0)
        return 0;
    p = v_add(o, v_scale(d, t));
    if (which == nspheres) {
        n = v_make(0, ONE, 0);
        base = (((p.x >> FP) + (p.z >> FP)) & 1) ? 2 : 5;
    } else {
        n = v_norm(v_sub(p, scene[which].c));
        base = scene[which].shade;
    }
    lambert = v_dot(n, light);
    if (lambert < 0)
        lambert = 0;
    if (closest(v_add(p, v_scale(n, ONE / 32)), light, &tshadow) >= 0)
        lambert /= 4;
    intensity = 1 + (int)((lambert * 6) >> FP) + base;
    if (depth < 1 && which == 0) {
        vec r = v_sub(d, v_scale(n, 2 * v_dot(d, n)));
        intensity = (intensity + trace(v_add(p, v_scale(n, ONE / 32)), v_norm(r), depth + 1)) / 2;
    }
    return intensity > 9 ? 9 : intensity;
}

int main(void)
{
    static const char ramp[] = " .:-=+*#%@";
    int hist[10] = { 0 }, x, y, k;
    uint32_t h = 0;
    vec eye = v_make(0, 0, to_fx(-2));
    build_scene();
    for (y = 0; y < HEIGHT; y++) {
        for (x = 0; x < WIDTH; x++) {
            fx px = fdiv(to_fx(2 * x - WIDTH), to_fx(WIDTH));
            fx py = fdiv(to_fx(HEIGHT - 2 * y), to_fx(WIDTH));
            vec d = v_norm(v_make(px, py, ONE));
            int v = trace(eye, d, 0);
            hist[v]++;
            h = h * 31u + (uint32_t)v;
            if (y % 8 == 0 && x % 2 == 0)
                putchar(ramp[v]);
        }
        if (y % 8 == 0)
            putchar('\n');
    }
    printf("histogram:");
    for (k = 0; k < 10; k++)
        printf(" %d", hist[k]);
    printf("\nraytrace checksum %08x\n", (unsigned)h);
    return 0;
}
