// C interface of the Halide 14 pipelines and their scheduler, for cgo.
#ifndef SUPERSONIC_HL_H
#define SUPERSONIC_HL_H
#ifdef __cplusplus
extern "C" {
#endif

// hl_catalog returns a malloc'd text describing every pipeline and its
// stages (see catalog.go for the format).
char *hl_catalog(void);

typedef struct {
    char *error;          // malloc'd; NULL when the measurement succeeded
    double compile_ms;    // JIT compile time of the candidate (0 when cached)
    int runs;             // entries in times_ms and ref_times_ms
    double *times_ms;     // candidate run times, malloc'd
    double *ref_times_ms; // default-schedule run times, interleaved, malloc'd
    double *ref_cpu_ms;   // the calling thread's CPU time over each default-schedule run, malloc'd
    double max_abs_err;   // largest |candidate - reference| over the output
    double max_ref;       // largest |reference| over the output
    char *source;         // malloc'd C++ schedule text (auto-schedulers) or NULL
} hl_result;

// hl_measure compiles pipeline under schedule (directive lines, see
// apply_schedule in hl.cpp) or, when autoscheduler is non-empty, under that
// auto-scheduler's schedule; runs it warmup times, then times it runs
// times and more, up to max_runs, until the timed runs took min_time_ms in
// all, each run next to a run of the default schedule when interleave is
// non-zero; compares its output with the default schedule's.
hl_result hl_measure(const char *pipeline, const char *schedule,
                     const char *autoscheduler, int parallelism,
                     long long cache_bytes, double balance, int warmup,
                     int runs, int max_runs, double min_time_ms,
                     int interleave, double run_timeout_ms);
void hl_free_result(hl_result *r);

// hl_image copies the pipeline's input (which=0) or default-schedule
// output (which=1) into a malloc'd float array, row-major with channels
// innermost (x, y, c → data[(y*w + x)*c + ch]); dims receive w, h, c.
float *hl_image(const char *pipeline, int which, int *dims, char **error);

#ifdef __cplusplus
}
#endif
#endif
