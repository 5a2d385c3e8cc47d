// peak_flops.cpp: what the cores can do, in float32 GFLOP/s, natively and in WebAssembly.
//
//   bench_peak_flops [--threads T] [--seconds S]
//
// Why: to say how far ONNX Runtime Web's achieved GFLOP/s is from what the cores can do. The
// ceiling depends on the instruction set: natively (-march=native) the loop below becomes fused
// multiply-adds on 512-bit vectors; in WebAssembly (-msimd128) 128-bit multiplies and adds, since
// wasm SIMD has no fused multiply-add. So the same source measures both ceilings here.
//
// The kernel: independent vector accumulators, acc = acc * a + b, so no dependency chain limits
// the throughput: natively 8 vectors of 16 floats (AVX-512; GCC fuses the multiply-add), enough
// to cover the FMA latency on two units; in wasm 12 vectors of 4 floats (of the 16 x86 vector
// registers V8 compiles wasm SIMD to, leaving room for a and b). 2 FLOPs per float per round.
// GCC/clang vector extensions keep the accumulators in registers in both builds. Each thread runs
// it for about S seconds; the figure is the threads' FLOPs over the wall time.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

#ifdef __EMSCRIPTEN__
typedef float Vec __attribute__((vector_size(16)));
constexpr int kVecs = 12;
#else
typedef float Vec __attribute__((vector_size(64)));
constexpr int kVecs = 8;
#endif
constexpr int kLanes = int(sizeof(Vec) / sizeof(float));
constexpr int kAcc = kVecs * kLanes;  // floats updated per round

// Runs `iters` rounds; returns a checksum so the work cannot be optimized away.
float kernel(std::int64_t iters, float a, float b) {
    Vec acc[kVecs], va, vb;
    for (int l = 0; l < kLanes; ++l) {
        va[l] = a;
        vb[l] = b;
    }
    for (int j = 0; j < kVecs; ++j)
        for (int l = 0; l < kLanes; ++l) acc[j][l] = float(j * kLanes + l) * 1e-3f;
    for (std::int64_t i = 0; i < iters; ++i) {
        for (int j = 0; j < kVecs; ++j) acc[j] = acc[j] * va + vb;
    }
    float s = 0;
    for (int j = 0; j < kVecs; ++j)
        for (int l = 0; l < kLanes; ++l) s += acc[j][l];
    return s;
}

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

}  // namespace

int main(int argc, char** argv) {
    int threads = 2;
    double seconds = 2.0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--threads")) threads = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
    }
    if (threads < 1 || !(seconds > 0)) {
        std::fprintf(stderr, "usage: bench_peak_flops [--threads T >= 1] [--seconds S > 0]\n");
        return 2;
    }
    // a and b come from the clock so the compiler cannot fold the loop.
    const float a = 0.9999f + float(std::int64_t(now()) % 2) * 1e-8f, b = 1e-4f;

    // Warm up and calibrate on one thread: how many rounds take about 0.3 s (in chunks, below).
    const std::int64_t chunk = 1 << 16;
    std::int64_t calls = 1;
    double t_cal = 0;
    for (;;) {
        const double t0 = now();
        volatile float sink = 0;
        for (std::int64_t c = 0; c < calls; ++c) sink = sink + kernel(chunk, a, b);
        t_cal = now() - t0;
        if (t_cal > 0.3) break;
        calls *= 2;
    }
    const std::int64_t rounds = std::int64_t(double(calls * chunk) * seconds / t_cal) + 1;

    std::vector<float> sums(static_cast<std::size_t>(threads), 0.0f);
    std::vector<std::thread> pool;
    const double t0 = now();
    // In chunks: V8 first runs WebAssembly in its baseline compiler and swaps in optimized code
    // only between calls, so one endless call would measure the baseline code.
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (std::int64_t done = 0; done < rounds; done += chunk) sums[std::size_t(t)] += kernel(chunk, a, b);
        });
    for (auto& th : pool) th.join();
    const double wall = now() - t0;
    const double flops = 2.0 * kAcc * double(rounds) * threads;
#ifdef __EMSCRIPTEN__
    const char* where = "WebAssembly (SIMD128, no FMA)";
#else
    const char* where = "native";
#endif
    std::printf("%s: %d thread(s), %.2f s: %.1f GFLOP/s float32 (checksum %g)\n", where, threads, wall,
                flops / wall * 1e-9, double(sums[0]));
    return 0;
}
