// The ten image pipelines, written in Halide's C++ front end. Each builds a
// fresh set of Funcs (so every schedule starts from an unscheduled
// pipeline) over inputs generated once per process.
#ifndef SUPERSONIC_PIPELINES_H
#define SUPERSONIC_PIPELINES_H
#include "Halide.h"
#include <functional>
#include <string>
#include <vector>

struct PipelineDef {
    std::string name;
    // input image extents (x, y, channels) of the generated test image
    int in_w, in_h, in_c;
    // output extents, one per output dimension
    std::vector<int> out_extents;
    // build defines the pipeline over in and returns its output Func.
    std::function<Halide::Func(const Halide::Buffer<float> &in)> build;
};

const std::vector<PipelineDef> &pipeline_defs();

// test_image is a deterministic synthetic photograph-like image (sky
// gradient, lit discs, a checkerboard, stripes and fine noise), values in
// [0, 1], planar (x, y, c).
Halide::Buffer<float> test_image(int w, int h, int c);
#endif
