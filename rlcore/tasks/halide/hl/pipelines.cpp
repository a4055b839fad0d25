// The ten pipelines; their algorithms are described in catalog.go.
#include "pipelines.h"
#include <cmath>

using namespace Halide;

namespace {

Var x("x"), y("y"), c("c"), k("k"), dx("dx"), dy("dy"), co("co"), i("i");

Func clamped3(const Buffer<float> &in, const char *name = "clamped") {
    Func f(name);
    f(x, y, c) = in(clamp(x, 0, in.width() - 1), clamp(y, 0, in.height() - 1), c);
    return f;
}

Expr luminance(Func rgb, Expr xx, Expr yy) {
    return 0.299f * rgb(xx, yy, 0) + 0.587f * rgb(xx, yy, 1) + 0.114f * rgb(xx, yy, 2);
}

// harris: Harris corner response.
Func harris(const Buffer<float> &in) {
    Func clamped = clamped3(in);
    Func gray("gray"), Ix("Ix"), Iy("Iy"), Ixx("Ixx"), Iyy("Iyy"), Ixy("Ixy"),
        Sxx("Sxx"), Syy("Syy"), Sxy("Sxy"), out("harris");
    gray(x, y) = luminance(clamped, x, y);
    Iy(x, y) = (gray(x - 1, y + 1) - gray(x - 1, y - 1)) / 12.f +
               (gray(x, y + 1) - gray(x, y - 1)) * (2.f / 12.f) +
               (gray(x + 1, y + 1) - gray(x + 1, y - 1)) / 12.f;
    Ix(x, y) = (gray(x + 1, y - 1) - gray(x - 1, y - 1)) / 12.f +
               (gray(x + 1, y) - gray(x - 1, y)) * (2.f / 12.f) +
               (gray(x + 1, y + 1) - gray(x - 1, y + 1)) / 12.f;
    Ixx(x, y) = Ix(x, y) * Ix(x, y);
    Iyy(x, y) = Iy(x, y) * Iy(x, y);
    Ixy(x, y) = Ix(x, y) * Iy(x, y);
    auto box = [](Func f, Expr xx, Expr yy) {
        Expr s = 0.f;
        for (int j = -1; j <= 1; j++)
            for (int i2 = -1; i2 <= 1; i2++) s = s + f(xx + i2, yy + j);
        return s;
    };
    Sxx(x, y) = box(Ixx, x, y);
    Syy(x, y) = box(Iyy, x, y);
    Sxy(x, y) = box(Ixy, x, y);
    Expr det = Sxx(x, y) * Syy(x, y) - Sxy(x, y) * Sxy(x, y);
    Expr trace = Sxx(x, y) + Syy(x, y);
    out(x, y) = det - 0.04f * trace * trace;
    return out;
}

// interpolate: multi-scale interpolation of sparse samples over a pyramid.
Func interpolate(const Buffer<float> &in) {
    const int levels = 5;
    Func clamped = clamped3(in);
    std::vector<Func> down(levels), interp(levels);
    down[0] = Func("down0");
    Expr alpha = select((x * 7 + y * 13) % 11 == 0, 1.f, 0.f);
    down[0](x, y, c) = select(c < 3, clamped(x, y, min(c, 2)) * alpha, alpha);
    for (int l = 1; l < levels; l++) {
        Func dx_("downx" + std::to_string(l));
        down[l] = Func("down" + std::to_string(l));
        Func prev = down[l - 1];
        dx_(x, y, c) = (prev(2 * x - 1, y, c) + 2.f * prev(2 * x, y, c) + prev(2 * x + 1, y, c)) * 0.25f;
        down[l](x, y, c) = (dx_(x, 2 * y - 1, c) + 2.f * dx_(x, 2 * y, c) + dx_(x, 2 * y + 1, c)) * 0.25f;
    }
    interp[levels - 1] = down[levels - 1];
    for (int l = levels - 2; l >= 0; l--) {
        Func ux("upx" + std::to_string(l)), uy("upy" + std::to_string(l));
        interp[l] = Func("interp" + std::to_string(l));
        Func next = interp[l + 1];
        ux(x, y, c) = (next(x / 2, y, c) + next((x + 1) / 2, y, c)) * 0.5f;
        uy(x, y, c) = (ux(x, y / 2, c) + ux(x, (y + 1) / 2, c)) * 0.5f;
        interp[l](x, y, c) = down[l](x, y, c) + (1.f - down[l](x, y, 3)) * uy(x, y, c);
    }
    Func out("interpolated");
    out(x, y, c) = interp[0](x, y, c) / max(interp[0](x, y, 3), 1e-6f);
    return out;
}

// hist_eq: histogram equalization of the luminance.
Func hist_eq(const Buffer<float> &in) {
    Func input("input"), lum("lum"), bin("bin"), hist("hist"), cdf("cdf"), eq("eq"), out("equalized");
    input(x, y, c) = in(x, y, c);
    lum(x, y) = luminance(input, x, y);
    bin(x, y) = clamp(cast<int>(lum(x, y) * 255.f), 0, 255);
    RDom r(0, in.width(), 0, in.height(), "r");
    hist(i) = 0;
    hist(bin(r.x, r.y)) += 1;
    RDom b(0, 256, "b");
    cdf(i) = 0;
    cdf(b) = cdf(b - 1) + hist(b);
    eq(x, y) = cast<float>(cdf(bin(x, y))) * (1.f / (in.width() * in.height()));
    out(x, y, c) = clamp(input(x, y, c) * eq(x, y) / max(lum(x, y), 1e-3f), 0.f, 1.f);
    return out;
}

// max_filter: separable maximum over a square window.
Func max_filter(const Buffer<float> &in) {
    const int radius = 7;
    Func clamped = clamped3(in);
    Func vmax("vmax"), hmax("max_filter");
    RDom r(-radius, 2 * radius + 1, "r");
    vmax(x, y, c) = clamped(x, y, c);
    vmax(x, y, c) = max(vmax(x, y, c), clamped(x, y + r, c));
    hmax(x, y, c) = vmax(x, y, c);
    hmax(x, y, c) = max(hmax(x, y, c), vmax(x + r, y, c));
    return hmax;
}

// unsharp: unsharp masking of the luminance, applied to the colour.
Func unsharp(const Buffer<float> &in) {
    Func clamped = clamped3(in);
    Func gray("gray"), blur_y("blur_y"), blur_x("blur_x"), sharpen("sharpen"), ratio("ratio"), out("unsharp");
    const float w[7] = {0.0702f, 0.1311f, 0.1907f, 0.2161f, 0.1907f, 0.1311f, 0.0702f};
    gray(x, y) = luminance(clamped, x, y);
    Expr sy = 0.f, sx = 0.f;
    for (int j = 0; j < 7; j++) sy = sy + w[j] * gray(x, y + j - 3);
    blur_y(x, y) = sy;
    for (int j = 0; j < 7; j++) sx = sx + w[j] * blur_y(x + j - 3, y);
    blur_x(x, y) = sx;
    sharpen(x, y) = 2.f * gray(x, y) - blur_x(x, y);
    ratio(x, y) = sharpen(x, y) / max(gray(x, y), 1e-3f);
    out(x, y, c) = clamp(ratio(x, y) * clamped(x, y, c), 0.f, 1.f);
    return out;
}

// nl_means: non-local means denoising.
Func nl_means(const Buffer<float> &in) {
    const int patch = 5, search = 7;
    const float sigma = 0.12f;
    Func clamped = clamped3(in);
    Func d("dist"), blur_d_y("blur_d_y"), blur_d("blur_d"), w("weight"), sum("nlm_sum"), out("nl_means");
    Expr s = 0.f;
    for (int ch = 0; ch < 3; ch++) {
        Expr diff = clamped(x, y, ch) - clamped(x + dx, y + dy, ch);
        s = s + diff * diff;
    }
    d(x, y, dx, dy) = s;
    RDom p(-(patch / 2), patch, "p");
    blur_d_y(x, y, dx, dy) = 0.f;
    blur_d_y(x, y, dx, dy) += d(x, y + p, dx, dy);
    blur_d(x, y, dx, dy) = 0.f;
    blur_d(x, y, dx, dy) += blur_d_y(x + p, y, dx, dy);
    w(x, y, dx, dy) = fast_exp(-blur_d(x, y, dx, dy) * (1.f / (sigma * sigma * patch * patch)));
    RDom sa(-(search / 2), search, -(search / 2), search, "sa");
    sum(x, y, c) = 0.f;
    sum(x, y, c) += w(x, y, sa.x, sa.y) * select(c < 3, clamped(x + sa.x, y + sa.y, min(c, 2)), 1.f);
    out(x, y, c) = sum(x, y, c) / sum(x, y, 3);
    return out;
}

// lens_blur: depth-of-field blur with a per-pixel disc radius.
Func lens_blur(const Buffer<float> &in) {
    const int maxr = 4;
    const float focus = 0.5f;
    Func clamped = clamped3(in);
    Func depth("depth"), radius("radius"), blur("blur"), out("lens_blur");
    depth(x, y) = cast<float>(y) / in.height() + 0.15f * sin(cast<float>(x) * 0.05f);
    radius(x, y) = min(abs(depth(x, y) - focus) * (2.f * maxr), cast<float>(maxr));
    RDom r(-maxr, 2 * maxr + 1, -maxr, 2 * maxr + 1, "r");
    Expr rr = radius(x + r.x, y + r.y);
    Expr inside = cast<float>(r.x * r.x + r.y * r.y) <= rr * rr + 0.5f;
    blur(x, y, c) = 0.f;
    blur(x, y, c) += select(inside, select(c < 3, clamped(x + r.x, y + r.y, min(c, 2)), 1.f), 0.f);
    out(x, y, c) = blur(x, y, c) / blur(x, y, 3);
    return out;
}

// local_laplacian: local Laplacian filters (detail enhancement).
Func local_laplacian(const Buffer<float> &in) {
    const int J = 3, K = 8;
    const float alpha = 1.f, beta = 1.f;
    Func clamped = clamped3(in);
    Func gray("gray");
    gray(x, y) = luminance(clamped, x, y);
    int nd = 0, nu = 0;
    auto downsample = [&](Func f, bool has_k, const std::string &name) {
        Func dx_("downx" + std::to_string(nd)), d(name);
        nd++;
        if (has_k) {
            dx_(x, y, k) = (f(2 * x - 1, y, k) + 3.f * (f(2 * x, y, k) + f(2 * x + 1, y, k)) + f(2 * x + 2, y, k)) / 8.f;
            d(x, y, k) = (dx_(x, 2 * y - 1, k) + 3.f * (dx_(x, 2 * y, k) + dx_(x, 2 * y + 1, k)) + dx_(x, 2 * y + 2, k)) / 8.f;
        } else {
            dx_(x, y) = (f(2 * x - 1, y) + 3.f * (f(2 * x, y) + f(2 * x + 1, y)) + f(2 * x + 2, y)) / 8.f;
            d(x, y) = (dx_(x, 2 * y - 1) + 3.f * (dx_(x, 2 * y) + dx_(x, 2 * y + 1)) + dx_(x, 2 * y + 2)) / 8.f;
        }
        return d;
    };
    auto upsample = [&](Func f, bool has_k) {
        Func ux("upx" + std::to_string(nu)), uy("upy" + std::to_string(nu));
        nu++;
        if (has_k) {
            ux(x, y, k) = 0.25f * f((x / 2) - 1 + 2 * (x % 2), y, k) + 0.75f * f(x / 2, y, k);
            uy(x, y, k) = 0.25f * ux(x, (y / 2) - 1 + 2 * (y % 2), k) + 0.75f * ux(x, y / 2, k);
        } else {
            ux(x, y) = 0.25f * f((x / 2) - 1 + 2 * (x % 2), y) + 0.75f * f(x / 2, y);
            uy(x, y) = 0.25f * ux(x, (y / 2) - 1 + 2 * (y % 2)) + 0.75f * ux(x, y / 2);
        }
        return uy;
    };
    std::vector<Func> gP(J), lP(J), inG(J), outL(J), outG(J);
    gP[0] = Func("gPyr0");
    Expr level = k * (1.f / (K - 1));
    Expr v = gray(x, y) - level;
    gP[0](x, y, k) = beta * v + level + alpha * v * exp(-v * v * 8.f);
    for (int j = 1; j < J; j++) gP[j] = downsample(gP[j - 1], true, "gPyr" + std::to_string(j));
    lP[J - 1] = gP[J - 1];
    for (int j = J - 2; j >= 0; j--) {
        lP[j] = Func("lPyr" + std::to_string(j));
        Func up = upsample(gP[j + 1], true);
        lP[j](x, y, k) = gP[j](x, y, k) - up(x, y, k);
    }
    inG[0] = gray;
    for (int j = 1; j < J; j++) inG[j] = downsample(inG[j - 1], false, "inGPyr" + std::to_string(j));
    for (int j = 0; j < J; j++) {
        outL[j] = Func("outLPyr" + std::to_string(j));
        Expr lv = inG[j](x, y) * float(K - 1);
        Expr li = clamp(cast<int>(lv), 0, K - 2);
        Expr lf = lv - cast<float>(li);
        outL[j](x, y) = (1.f - lf) * lP[j](x, y, li) + lf * lP[j](x, y, li + 1);
    }
    outG[J - 1] = outL[J - 1];
    for (int j = J - 2; j >= 0; j--) {
        outG[j] = Func("outGPyr" + std::to_string(j));
        Func up = upsample(outG[j + 1], false);
        outG[j](x, y) = up(x, y) + outL[j](x, y);
    }
    Func out("local_laplacian");
    out(x, y, c) = clamp(outG[0](x, y) * (clamped(x, y, c) + 0.01f) / (gray(x, y) + 0.01f), 0.f, 1.f);
    return out;
}

// conv_layer: 3x3 convolution layer with bias and ReLU.
Func conv_layer(const Buffer<float> &in) {
    const int CI = 16, CO = 16, W = in.width() - 2, H = in.height() - 2;
    static Buffer<float> input, filter, bias;
    if (!input.defined()) {
        input = Buffer<float>(W + 2, H + 2, CI);
        for (int ci = 0; ci < CI; ci++)
            for (int yy = 0; yy < H + 2; yy++)
                for (int xx = 0; xx < W + 2; xx++)
                    input(xx, yy, ci) = in(xx, yy, ci % 3) * (ci + 1) / float(CI) - 0.25f;
        filter = Buffer<float>(3, 3, CI, CO);
        for (int o = 0; o < CO; o++)
            for (int ci = 0; ci < CI; ci++)
                for (int j = 0; j < 3; j++)
                    for (int i2 = 0; i2 < 3; i2++)
                        filter(i2, j, ci, o) = std::sin(0.7f * (i2 + 3 * j + 9 * ci + 7 * o)) * 0.1f;
        bias = Buffer<float>(CO);
        for (int o = 0; o < CO; o++) bias(o) = 0.01f * o - 0.05f;
    }
    Func conv("conv"), relu("relu");
    RDom r(0, 3, 0, 3, 0, CI, "r");
    conv(x, y, co) = bias(co);
    conv(x, y, co) += filter(r.x, r.y, r.z, co) * input(x + r.x, y + r.y, r.z);
    relu(x, y, co) = max(0.f, conv(x, y, co));
    return relu;
}

// stencil_chain: eight 3x3 stencils applied one after the other.
Func stencil_chain(const Buffer<float> &in) {
    const int stages = 8;
    Func clamped = clamped3(in);
    Func prev("gray");
    prev(x, y) = luminance(clamped, x, y);
    for (int s = 1; s <= stages; s++) {
        Func f(s == stages ? std::string("stencil_chain") : "stencil" + std::to_string(s));
        Expr e = 0.f;
        for (int j = -1; j <= 1; j++)
            for (int i2 = -1; i2 <= 1; i2++) e = e + float((i2 + 2) * (j + 2) % 5 + 1) / 30.f * prev(x + i2, y + j);
        f(x, y) = e;
        prev = f;
    }
    return prev;
}

}  // namespace

Buffer<float> test_image(int w, int h, int nc) {
    Buffer<float> b(w, h, nc);
    for (int yy = 0; yy < h; yy++) {
        for (int xx = 0; xx < w; xx++) {
            float u = xx / float(w - 1), v = yy / float(h - 1);
            float rgb[3] = {0.35f + 0.3f * v, 0.55f + 0.2f * v, 0.85f - 0.1f * v};  // sky
            if (v > 0.62f) {  // ground: checkerboard tiles
                bool odd = ((xx / 16) + (yy / 16)) % 2;
                rgb[0] = odd ? 0.75f : 0.3f;
                rgb[1] = odd ? 0.7f : 0.35f;
                rgb[2] = odd ? 0.55f : 0.2f;
            }
            float d1 = std::hypot(u - 0.32f, v - 0.38f);  // a lit sphere
            if (d1 < 0.2f) {
                float shade = 1.f - d1 / 0.2f * 0.7f;
                rgb[0] = 0.95f * shade;
                rgb[1] = 0.45f * shade;
                rgb[2] = 0.15f * shade;
            }
            float d2 = std::hypot(u - 0.72f, v - 0.55f);  // a striped disc
            if (d2 < 0.16f) {
                float stripe = 0.5f + 0.5f * std::sin(u * 90.f);
                rgb[0] = 0.2f + 0.3f * stripe;
                rgb[1] = 0.5f + 0.4f * stripe;
                rgb[2] = 0.3f;
            }
            unsigned hsh = (unsigned)(xx * 73856093u) ^ (unsigned)(yy * 19349663u);
            hsh = (hsh ^ (hsh >> 13)) * 0x5bd1e995u;
            float noise = ((hsh >> 8) & 0xffff) / 65535.f - 0.5f;
            for (int ch = 0; ch < nc; ch++) {
                float val = rgb[ch % 3] + 0.04f * noise;
                b(xx, yy, ch) = val < 0.f ? 0.f : (val > 1.f ? 1.f : val);
            }
        }
    }
    return b;
}

const std::vector<PipelineDef> &pipeline_defs() {
    static const std::vector<PipelineDef> defs = {
        {"harris", 768, 768, 3, {768, 768}, harris},
        {"interpolate", 512, 512, 3, {512, 512, 3}, interpolate},
        {"hist_eq", 1024, 1024, 3, {1024, 1024, 3}, hist_eq},
        {"max_filter", 768, 768, 3, {768, 768, 3}, max_filter},
        {"unsharp", 768, 768, 3, {768, 768, 3}, unsharp},
        {"nl_means", 128, 128, 3, {128, 128, 3}, nl_means},
        {"lens_blur", 192, 192, 3, {192, 192, 3}, lens_blur},
        {"local_laplacian", 384, 384, 3, {384, 384, 3}, local_laplacian},
        {"conv_layer", 66, 66, 3, {64, 64, 16}, conv_layer},
        {"stencil_chain", 768, 768, 3, {768, 768}, stencil_chain},
    };
    return defs;
}
