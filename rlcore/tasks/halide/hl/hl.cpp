// The scheduler and measurement half of package hl: applies a schedule
// given as directive lines to a freshly built pipeline, JIT-compiles it
// (cached by pipeline and schedule text), times it interleaved with the
// default schedule and compares its output with the default's.
#include "hl.h"
#include "pipelines.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <list>
#include <malloc.h>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>

using namespace Halide;

namespace {

std::mutex mu;  // Halide's JIT is not re-entrant for our caches

char *dup(const std::string &s) {
    char *p = (char *)malloc(s.size() + 1);
    memcpy(p, s.c_str(), s.size() + 1);
    return p;
}

const PipelineDef *find_def(const std::string &name) {
    for (const auto &d : pipeline_defs())
        if (d.name == name) return &d;
    return nullptr;
}

const Buffer<float> &input_of(const PipelineDef &d) {
    static std::map<std::string, Buffer<float>> inputs;
    auto it = inputs.find(d.name);
    if (it == inputs.end()) it = inputs.emplace(d.name, test_image(d.in_w, d.in_h, d.in_c)).first;
    return it->second;
}

// Stages of a pipeline in producer-first order, the output last.
std::vector<Internal::Function> stages_of(Func out) {
    std::map<std::string, Internal::Function> all = Internal::find_transitive_calls(out.function());
    std::vector<Internal::Function> order;
    std::set<std::string> done;
    std::function<void(const Internal::Function &)> visit = [&](const Internal::Function &f) {
        if (done.count(f.name())) return;
        done.insert(f.name());
        for (const auto &kv : Internal::find_direct_calls(f))
            if (kv.first != f.name()) visit(kv.second);
        order.push_back(f);
    };
    visit(all.at(out.name()));
    return order;
}

bool pure_updates(const Internal::Function &f) {
    for (const auto &u : f.updates()) {
        const auto &args = u.args();
        if (args.size() != f.args().size()) return false;
        for (size_t j = 0; j < args.size(); j++) {
            const Internal::Variable *v = args[j].as<Internal::Variable>();
            if (!v || v->name != f.args()[j]) return false;
        }
    }
    return true;
}

// canon strips the "$N" suffix Halide adds to a name already used in the
// process: a pipeline built twice has the same canonical stage names.
std::string canon(const std::string &n) {
    std::string out;
    size_t j = 0;
    while (j < n.size()) {
        if (n[j] == '$') {
            size_t e = j + 1;
            while (e < n.size() && isdigit((unsigned char)n[e])) e++;
            if (e > j + 1 && (e == n.size() || n[e] == '$')) {
                j = e;
                continue;
            }
        }
        out += n[j++];
    }
    return out;
}

// Calls finds how a definition calls other Funcs: a call is pointwise when
// its first (up to two) arguments are the definition's own x and y
// variables, so inlining the callee recomputes nothing; it is a stencil
// when they are x and y plus offsets that no pure variable of the
// definition changes (constants, reduction variables), resampled
// otherwise (2x, x/2, a computed coordinate: a pyramid level, a gather);
// and it broadcasts when one of the definition's pure variables appears in
// none of its arguments (inlining the callee recomputes it for every value
// of that variable, as a grey level read by each colour channel).
struct CallKind {
    bool pointwise = true, stencil = true, broadcast = false;
    // merge folds the kind of another call (or consumer) into this one.
    void merge(const CallKind &o) {
        pointwise = pointwise && o.pointwise;
        stencil = stencil && o.stencil;
        broadcast = broadcast || o.broadcast;
    }
};

// merge_into folds k into m[name].
void merge_into(std::map<std::string, CallKind> &m, const std::string &name, CallKind k) {
    auto it = m.find(name);
    if (it != m.end()) k.merge(it->second);
    m[name] = k;
}

class Calls : public Internal::IRVisitor {
public:
    explicit Calls(const std::vector<Expr> &lhs) : lhs_(lhs) {
        for (const auto &e : lhs)
            if (const Internal::Variable *v = e.as<Internal::Variable>()) pure_.push_back(v->name);
    }
    std::map<std::string, CallKind> calls;  // callee -> how every call reads it

private:
    using Internal::IRVisitor::visit;
    bool uses_pure(const Expr &e) const {
        for (const auto &n : pure_)
            if (Internal::expr_uses_var(e, n)) return true;
        return false;
    }
    // offset_of says whether e is v plus or minus terms that no pure
    // variable changes.
    bool offset_of(const Expr &e, const std::string &v) const {
        if (const Internal::Variable *a = e.as<Internal::Variable>()) return a->name == v;
        if (const Internal::Add *a = e.as<Internal::Add>())
            return (offset_of(a->a, v) && !uses_pure(a->b)) || (offset_of(a->b, v) && !uses_pure(a->a));
        if (const Internal::Sub *a = e.as<Internal::Sub>()) return offset_of(a->a, v) && !uses_pure(a->b);
        return false;
    }
    void visit(const Internal::Call *op) override {
        if (op->call_type == Internal::Call::Halide) {
            CallKind k;
            for (size_t j = 0; j < std::min<size_t>(2, op->args.size()); j++) {
                const Internal::Variable *a = op->args[j].as<Internal::Variable>();
                const Internal::Variable *l = j < lhs_.size() ? lhs_[j].as<Internal::Variable>() : nullptr;
                k.pointwise = k.pointwise && a && l && a->name == l->name;
                k.stencil = k.stencil && l && offset_of(op->args[j], l->name);
            }
            for (const auto &n : pure_) {
                bool used = false;
                for (const auto &a : op->args) used = used || Internal::expr_uses_var(a, n);
                k.broadcast = k.broadcast || !used;
            }
            merge_into(calls, canon(op->name), k);
        }
        IRVisitor::visit(op);
    }
    const std::vector<Expr> &lhs_;
    std::vector<std::string> pure_;
};

// call_kinds says, per Func f calls, how all of f's calls read it (see
// Calls).
std::map<std::string, CallKind> call_kinds(const Internal::Function &f) {
    std::map<std::string, CallKind> all;
    auto add = [&](const Internal::Definition &d) {
        // the front end binds repeated subexpressions with lets (a call
        // inside one reads let variables): substitute them first
        Calls c(d.args());
        for (const Expr &v : d.values()) Internal::substitute_in_all_lets(v).accept(&c);
        for (const Expr &a : d.args()) Internal::substitute_in_all_lets(a).accept(&c);
        if (d.predicate().defined()) Internal::substitute_in_all_lets(d.predicate()).accept(&c);
        for (const auto &kv : c.calls) merge_into(all, kv.first, kv.second);
    };
    add(f.definition());
    for (const auto &u : f.updates()) add(u);
    return all;
}

std::string join(const std::vector<std::string> &v) {
    std::string s;
    for (size_t j = 0; j < v.size(); j++) s += (j ? "," : "") + v[j];
    return s;
}

Target jit_target() {
    static Target t = get_jit_target_from_environment();
    return t;
}

std::vector<std::string> words(const std::string &line) {
    std::istringstream in(line);
    std::vector<std::string> w;
    std::string s;
    while (in >> s) w.push_back(s);
    return w;
}

int to_int(const std::string &s, const std::string &line) {
    char *end = nullptr;
    long v = strtol(s.c_str(), &end, 10);
    if (s.empty() || *end) throw std::runtime_error("schedule line \"" + line + "\": " + s + " is not an integer");
    return (int)v;
}

VarOrRVar loop_var(const std::string &name) {
    return VarOrRVar(Var(name));
}

// apply_schedule applies directive lines of the form
//   FUNC inline | root | at CONSUMER VAR | store_root | store_at CONSUMER VAR
//   FUNC STAGE split VAR OUTER INNER FACTOR
//   FUNC STAGE vectorize VAR WIDTH | unroll VAR [FACTOR] | parallel VAR
//   FUNC STAGE reorder VAR... (innermost first)
// where STAGE is 0 for the pure definition and u for update u-1.
void apply_schedule(const std::vector<Internal::Function> &stages, const std::string &schedule) {
    std::map<std::string, Func> funcs;
    for (const auto &f : stages) funcs.emplace(canon(f.name()), Func(f));
    auto func = [&](const std::string &n, const std::string &line) {
        auto it = funcs.find(n);
        if (it == funcs.end()) throw std::runtime_error("schedule line \"" + line + "\": no stage named " + n);
        return it->second;
    };
    std::istringstream in(schedule);
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> w = words(line);
        if (w.empty()) continue;
        auto need = [&](size_t n) {
            if (w.size() != n) throw std::runtime_error("schedule line \"" + line + "\": want " + std::to_string(n) + " words");
        };
        Func f = func(w[0], line);
        if (w.size() >= 2 && w[1] == "inline") {
            need(2);
            f.compute_inline();
        } else if (w.size() >= 2 && w[1] == "root") {
            need(2);
            f.compute_root();
        } else if (w.size() >= 2 && w[1] == "store_root") {
            need(2);
            f.store_root();
        } else if (w.size() >= 2 && w[1] == "at") {
            need(4);
            f.compute_at(func(w[2], line), Var(w[3]));
        } else if (w.size() >= 2 && w[1] == "store_at") {
            need(4);
            f.store_at(func(w[2], line), Var(w[3]));
        } else {
            if (w.size() < 3) throw std::runtime_error("schedule line \"" + line + "\": too short");
            int st = to_int(w[1], line);
            if (st < 0 || st > f.num_update_definitions())
                throw std::runtime_error("schedule line \"" + line + "\": " + f.name() + " has no stage " + w[1]);
            Stage s = st == 0 ? Stage(f) : f.update(st - 1);
            const std::string &op = w[2];
            if (op == "split") {
                need(7);
                s.split(Var(w[3]), Var(w[4]), Var(w[5]), to_int(w[6], line));
            } else if (op == "vectorize") {
                need(5);
                s.vectorize(Var(w[3]), to_int(w[4], line));
            } else if (op == "unroll" && w.size() == 4) {
                s.unroll(Var(w[3]));
            } else if (op == "unroll") {
                need(5);
                s.unroll(Var(w[3]), to_int(w[4], line));
            } else if (op == "parallel") {
                need(4);
                s.parallel(Var(w[3]));
            } else if (op == "reorder") {
                std::vector<VarOrRVar> vs;
                for (size_t j = 3; j < w.size(); j++) {
                    // reduction variables keep their RVar identity
                    std::string rname;
                    if (st > 0) {
                        for (const auto &rv : f.function().update(st - 1).schedule().rvars())
                            if (canon(rv.var) == w[j]) rname = rv.var;
                    }
                    if (!rname.empty()) {
                        vs.push_back(VarOrRVar(RVar(rname)));
                    } else {
                        vs.push_back(loop_var(w[j]));
                    }
                }
                s.reorder(vs);
            } else {
                throw std::runtime_error("schedule line \"" + line + "\": unknown directive " + op);
            }
        }
    }
}

struct Compiled {
    Pipeline pipeline;
    Buffer<float> out;
    std::string source;
    double compile_ms = 0;
};

// cache of compiled pipelines, least recently used first
const size_t max_compiled = 24;
std::list<std::pair<std::string, std::shared_ptr<Compiled>>> cache;

double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

void load_autoscheduler(const std::string &name) {
    static std::set<std::string> loaded;
    std::string lib = name;
    std::transform(lib.begin(), lib.end(), lib.begin(), ::tolower);
    if (loaded.count(lib)) return;
    const char *dir = getenv("SUPERSONIC_HALIDE_PLUGINS");
    std::string path = std::string(dir && *dir ? dir : "/usr/lib/x86_64-linux-gnu/halide14") +
                       "/libautoschedule_" + lib + ".so";
    load_plugin(path);
    loaded.insert(lib);
}

std::shared_ptr<Compiled> compile(const PipelineDef &d, const std::string &schedule, const std::string &autoscheduler,
                                  int parallelism, long long cache_bytes, double balance) {
    std::string key = d.name + "\n" + schedule + "\n" + autoscheduler + "\n" +
                      (autoscheduler.empty() ? "" : std::to_string(parallelism) + "," + std::to_string(cache_bytes) + "," + std::to_string(balance));
    for (auto it = cache.begin(); it != cache.end(); ++it) {
        if (it->first == key) {
            auto c = it->second;
            cache.erase(it);
            cache.emplace_back(key, c);
            return c;
        }
    }
    double t0 = now_ms();
    Func out = d.build(input_of(d));
    auto c = std::make_shared<Compiled>();
    if (!autoscheduler.empty()) {
        load_autoscheduler(autoscheduler);
        std::vector<Range> est;
        for (int e : d.out_extents) est.push_back(Range(0, e));
        out.set_estimates(est);
        c->pipeline = Pipeline(out);
        AutoSchedulerResults r = c->pipeline.auto_schedule(autoscheduler, jit_target(),
                                                          MachineParams(parallelism, (uint64_t)cache_bytes, (float)balance));
        c->source = r.schedule_source;
    } else {
        std::vector<Internal::Function> stages = stages_of(out);
        if (schedule.empty()) {
            for (auto &f : stages) Func(f).compute_root();
        } else {
            apply_schedule(stages, schedule);
        }
        c->pipeline = Pipeline(out);
    }
    c->pipeline.compile_jit(jit_target());
    c->compile_ms = now_ms() - t0;
    c->out = Buffer<float>(d.out_extents);
    cache.emplace_back(key, c);
    while (cache.size() > max_compiled) cache.pop_front();
    return c;
}

std::shared_ptr<Compiled> reference(const PipelineDef &d) {
    static std::map<std::string, std::shared_ptr<Compiled>> refs;
    auto it = refs.find(d.name);
    if (it != refs.end()) return it->second;
    auto c = compile(d, "", "", 0, 0, 0);
    c->pipeline.realize(c->out);
    auto kept = std::make_shared<Compiled>(*c);
    kept->out = c->out.copy();
    refs[d.name] = kept;
    return kept;
}

// steady_malloc makes glibc's malloc keep the memory a run frees, so
// every run of a schedule finds its buffers where the last one left them.
// Left alone, glibc serves each large buffer (a compute_root stage's,
// megabytes) with a fresh mmap and returns it with munmap on free, so a
// run pays a page fault per 4 KiB it touches, until glibc's adaptive mmap
// threshold rises past the buffer's size — some time later, depending on
// what the process freed before. Measured under load on this machine,
// the default schedule of unsharp ran in 80-300 ms before that moment and
// 3 ms after it, in the same process: speedups over the default swung
// twenty-fold with the process's history (a schedule that allocated
// little looked 60x faster, re-timed later 2x). A fixed threshold of 32
// MiB (glibc's largest; every buffer of these pipelines is smaller) and
// no trimming make every run a steady-state run, as in a long-running
// application.
void steady_malloc() {
    static bool done = [] {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 1 << 30);
        return true;
    }();
    (void)done;
}

// thread_cpu_ms is the CPU time the calling thread has used.
double thread_cpu_ms() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// run_once runs c once and returns its wall time; cpu_ms, when given,
// receives the calling thread's CPU time over the run (all of the run's
// work for a serial schedule, which Halide runs on the calling thread).
double run_once(Compiled &c, double *cpu_ms = nullptr) {
    double c0 = cpu_ms ? thread_cpu_ms() : 0;
    double t0 = now_ms();
    c.pipeline.realize(c.out);
    double t = now_ms() - t0;
    if (cpu_ms) *cpu_ms = thread_cpu_ms() - c0;
    return t;
}

}  // namespace

extern "C" char *hl_catalog(void) {
    std::lock_guard<std::mutex> lock(mu);
    std::ostringstream o;
    try {
        for (const auto &d : pipeline_defs()) {
            o << "pipeline " << d.name << " " << d.in_w << " " << d.in_h << " " << d.in_c;
            for (int e : d.out_extents) o << " " << e;
            o << "\n";
            Func out = d.build(input_of(d));
            std::vector<Internal::Function> st = stages_of(out);
            std::map<std::string, std::vector<std::string>> consumers;
            std::map<std::string, CallKind> read;  // how every consumer reads it
            for (const auto &f : st) {
                auto kinds = call_kinds(f);
                for (const auto &kv : Internal::find_direct_calls(f))
                    if (kv.first != f.name()) {
                        std::string callee = canon(kv.first);
                        consumers[callee].push_back(canon(f.name()));
                        merge_into(read, callee, kinds[callee]);
                    }
            }
            for (const auto &f : st) {
                std::vector<std::string> rv;
                for (size_t u = 0; u < f.updates().size(); u++)
                    for (const auto &r : f.update(u).schedule().rvars()) rv.push_back(canon(r.var));
                auto it = read.find(canon(f.name()));
                CallKind k = it == read.end() ? CallKind{false, false, false} : it->second;
                o << "stage " << canon(f.name()) << " vars=" << join(f.args()) << " updates=" << f.updates().size()
                  << " pure_updates=" << (pure_updates(f) ? 1 : 0) << " rvars=" << join(rv)
                  << " consumers=" << join(consumers[canon(f.name())])
                  << " pointwise=" << (k.pointwise ? 1 : 0) << " resampled=" << (it != read.end() && !k.stencil ? 1 : 0)
                  << " broadcast=" << (k.broadcast ? 1 : 0) << "\n";
            }
        }
    } catch (const std::exception &e) {
        o << "error " << e.what() << "\n";
    }
    return dup(o.str());
}

extern "C" hl_result hl_measure(const char *pipeline, const char *schedule, const char *autoscheduler, int parallelism,
                                long long cache_bytes, double balance, int warmup, int runs, int max_runs,
                                double min_time_ms, int interleave, double run_timeout_ms) {
    std::lock_guard<std::mutex> lock(mu);
    steady_malloc();
    hl_result r;
    memset(&r, 0, sizeof r);
    const PipelineDef *d = find_def(pipeline);
    if (!d) {
        r.error = dup(std::string("no pipeline named ") + pipeline);
        return r;
    }
    try {
        auto ref = reference(*d);
        bool fresh = true;
        for (const auto &e : cache) fresh = fresh && !(e.first.rfind(d->name + "\n" + schedule + "\n" + autoscheduler + "\n", 0) == 0);
        auto c = compile(*d, schedule, autoscheduler, parallelism, cache_bytes, balance);
        r.compile_ms = fresh ? c->compile_ms : 0;
        if (!c->source.empty()) r.source = dup(c->source);
        // first run: checks output and the time-out
        double first = run_once(*c);
        if (run_timeout_ms > 0 && first > run_timeout_ms) {
            std::ostringstream m;
            m << "run took " << first << " ms, over the run time-out of " << run_timeout_ms << " ms";
            r.error = dup(m.str());
            return r;
        }
        double maxerr = 0, maxref = 0;
        const float *a = c->out.data(), *b = ref->out.data();
        for (size_t j = 0; j < c->out.number_of_elements(); j++) {
            double e = std::fabs((double)a[j] - (double)b[j]);
            if (!(e <= maxerr)) maxerr = e;  // NaN propagates
            maxref = std::max(maxref, (double)std::fabs(b[j]));
        }
        r.max_abs_err = maxerr;
        r.max_ref = maxref;
        for (int j = 1; j < warmup; j++) {
            if (interleave) run_once(*ref);
            run_once(*c);
        }
        if (max_runs < runs) max_runs = runs;
        r.times_ms = (double *)calloc(max_runs > 0 ? max_runs : 1, sizeof(double));
        r.ref_times_ms = (double *)calloc(max_runs > 0 ? max_runs : 1, sizeof(double));
        r.ref_cpu_ms = (double *)calloc(max_runs > 0 ? max_runs : 1, sizeof(double));
        double spent = 0;
        int j = 0;
        for (; j < runs || (j < max_runs && spent < min_time_ms); j++) {
            if (!interleave) {
                r.times_ms[j] = run_once(*c);
            } else if (j % 2 == 0) {
                r.ref_times_ms[j] = run_once(*ref, &r.ref_cpu_ms[j]);
                r.times_ms[j] = run_once(*c);
            } else {
                r.times_ms[j] = run_once(*c);
                r.ref_times_ms[j] = run_once(*ref, &r.ref_cpu_ms[j]);
            }
            spent += r.times_ms[j] + r.ref_times_ms[j];
        }
        r.runs = j;
    } catch (const Halide::Error &e) {
        r.error = dup(e.what());
    } catch (const std::exception &e) {
        r.error = dup(e.what());
    }
    return r;
}

extern "C" void hl_free_result(hl_result *r) {
    free(r->error);
    free(r->times_ms);
    free(r->ref_times_ms);
    free(r->ref_cpu_ms);
    free(r->source);
    memset(r, 0, sizeof *r);
}

extern "C" float *hl_image(const char *pipeline, int which, int *dims, char **error) {
    std::lock_guard<std::mutex> lock(mu);
    *error = nullptr;
    const PipelineDef *d = find_def(pipeline);
    if (!d) {
        *error = dup(std::string("no pipeline named ") + pipeline);
        return nullptr;
    }
    try {
        Buffer<float> b = which == 0 ? input_of(*d) : reference(*d)->out;
        int w = b.dim(0).extent(), h = b.dimensions() > 1 ? b.dim(1).extent() : 1,
            nc = b.dimensions() > 2 ? b.dim(2).extent() : 1;
        dims[0] = w;
        dims[1] = h;
        dims[2] = nc;
        float *p = (float *)malloc(sizeof(float) * w * h * nc);
        for (int yy = 0; yy < h; yy++)
            for (int xx = 0; xx < w; xx++)
                for (int ch = 0; ch < nc; ch++) {
                    float v;
                    if (b.dimensions() == 2) v = b(xx, yy);
                    else v = b(xx, yy, ch);
                    p[((size_t)yy * w + xx) * nc + ch] = v;
                }
        return p;
    } catch (const std::exception &e) {
        *error = dup(e.what());
        return nullptr;
    }
}
