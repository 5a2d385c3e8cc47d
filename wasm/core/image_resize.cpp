// image_resize.cpp: the channel and resize rule of image_resize.hpp.
//
// Index: 1. reading a source element  2. per-axis integer weights  3. resample_image
//
// Compiled with -ffp-contract=off (wasm/CMakeLists.txt): a fused multiply-add would round
// differently from the separate multiply and add that WebAssembly performs.
#include "image_resize.hpp"

#include "error.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

namespace strata {
namespace {

constexpr long long kMaxSide = 32768;

// 1. Reading a source element ------------------------------------------------------------------------
double at(const ImageView& v, int c, int y, int x) {
    const std::ptrdiff_t e = c * v.stride_c + y * v.stride_y + x * v.stride_x;
    switch (v.type) {
        case ImageView::Type::U8: return double(v.base[e]);
        case ImageView::Type::F32: {
            float f;
            std::memcpy(&f, v.base + 4 * e, 4);
            return double(f);
        }
        case ImageView::Type::F64: {
            double d;
            std::memcpy(&d, v.base + 8 * e, 8);
            return d;
        }
    }
    return 0.0;
}

// 2. Per-axis weights ------------------------------------------------------------------------------------
// Positions along an axis in units of 1 / (2p) of a source pixel: source pixel k spans
// [2pk, 2p(k + 1)); the crop starts at L p - T q (the centred crop of T q / p source pixels);
// target pixel t spans [start + 2qt, start + 2q(t + 1)) and its centre is start + q(2t + 1).
struct Axis {
    std::vector<int> first, count;    // per target index: first source index, number of taps
    std::vector<std::size_t> offset;  // into weights
    std::vector<long long> weights;
    long long denominator = 1;  // the weights of one target index sum to this
};

long long floor_div(long long a, long long b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

Axis axis_weights(long long L, long long T, long long p, long long q) {
    Axis a;
    const long long start = L * p - T * q, unit = 2 * p;
    a.denominator = p <= q ? 2 * q : 2 * p;
    for (long long t = 0; t < T; ++t) {
        a.offset.push_back(a.weights.size());
        std::vector<std::pair<long long, long long>> taps;  // (source index, weight)
        if (p <= q) {                                       // area: the overlap of [lo, hi) with each source pixel
            const long long lo = start + 2 * q * t, hi = lo + 2 * q;
            for (long long k = lo / unit; k <= (hi - 1) / unit; ++k) {
                const long long w = std::min(hi, unit * (k + 1)) - std::max(lo, unit * k);
                if (w > 0) taps.emplace_back(k, w);
            }
        } else {  // bilinear: the centre relative to the source pixel centres (2pk + p)
            const long long c = start + q * (2 * t + 1) - p;
            const long long k = floor_div(c, unit), r = c - unit * k;
            if (k < 0) taps.emplace_back(0, unit);
            else if (k >= L - 1) taps.emplace_back(L - 1, unit);
            else if (r == 0) taps.emplace_back(k, unit);
            else {
                taps.emplace_back(k, unit - r);
                taps.emplace_back(k + 1, r);
            }
        }
        a.first.push_back(int(taps.front().first));
        a.count.push_back(int(taps.size()));
        for (std::size_t i = 0; i < taps.size(); ++i) a.weights.push_back(taps[i].second);
    }
    return a;
}

void check_side(long long v, const char* what) {
    if (v < 1 || v > kMaxSide)
        throw Error(std::string("image resize: ") + what + " of " + std::to_string(v) + " pixels (must be 1 to " +
                    std::to_string(kMaxSide) + ")");
}

}  // namespace

ImageView interleaved_u8(const std::uint8_t* pixels, int channels, int height, int width) {
    ImageView v;
    v.type = ImageView::Type::U8;
    v.base = pixels;
    v.channels = channels;
    v.height = height;
    v.width = width;
    v.stride_c = 1;
    v.stride_x = channels;
    v.stride_y = std::ptrdiff_t(width) * channels;
    v.full_scale = 255.0;
    return v;
}

// 3. Resampling ----------------------------------------------------------------------------------------------
void resample_image(const ImageView& src, int channels, int height, int width, float* out) {
    check_side(src.height, "a source height");
    check_side(src.width, "a source width");
    check_side(height, "a target height");
    check_side(width, "a target width");
    if (src.channels != 1 && src.channels != 3)
        throw Error("image resize: a source of " + std::to_string(src.channels) + " channels (must be 1 or 3)");
    if (channels != 1 && channels != 3)
        throw Error("image resize: a target of " + std::to_string(channels) + " channels (must be 1 or 3)");

    // s = p / q: the axis whose ratio target / source is larger fits exactly, the other is cropped.
    const long long h = src.height, w = src.width, H = height, W = width;
    long long p = H, q = h;
    if (H * w < W * h) {
        p = W;
        q = w;
    }
    const long long g = std::gcd(p, q);
    p /= g;
    q /= g;
    const Axis ax = axis_weights(w, W, p, q), ay = axis_weights(h, H, p, q);

    const bool luma = src.channels == 3 && channels == 1;
    const int planes = src.channels == channels ? channels : 1;               // gray -> RGB: one plane, copied
    const int y0 = ay.first.front(), y1 = ay.first.back() + ay.count.back();  // source rows used
    const double denominator = double(ax.denominator * ay.denominator) * (src.full_scale * (luma ? 1000.0 : 1.0));
    const std::size_t plane_size = std::size_t(H) * std::size_t(W);
    std::vector<double> rows(std::size_t(y1 - y0) * std::size_t(W));
    for (int c = 0; c < planes; ++c) {
        // Along x: rows[y - y0][j] = sum_k wx[j][k] v(y, k).
        for (int y = y0; y < y1; ++y) {
            for (long long j = 0; j < W; ++j) {
                double sum = 0.0;
                for (int t = 0; t < ax.count[j]; ++t) {
                    const int x = ax.first[j] + t;
                    const double v =
                        luma ? 299.0 * at(src, 0, y, x) + 587.0 * at(src, 1, y, x) + 114.0 * at(src, 2, y, x)
                             : at(src, c, y, x);
                    sum += double(ax.weights[ax.offset[j] + std::size_t(t)]) * v;
                }
                rows[std::size_t(y - y0) * std::size_t(W) + std::size_t(j)] = sum;
            }
        }
        // Along y, then the one division.
        float* plane = out + std::size_t(c) * plane_size;
        for (long long i = 0; i < H; ++i)
            for (long long j = 0; j < W; ++j) {
                double sum = 0.0;
                for (int t = 0; t < ay.count[i]; ++t)
                    sum += double(ay.weights[ay.offset[i] + std::size_t(t)]) *
                           rows[std::size_t(ay.first[i] + t - y0) * std::size_t(W) + std::size_t(j)];
                plane[std::size_t(i) * std::size_t(W) + std::size_t(j)] =
                    float(std::min(1.0, std::max(0.0, sum / denominator)));
            }
    }
    if (planes == 1 && channels == 3)
        for (int c = 1; c < 3; ++c) std::copy(out, out + plane_size, out + std::size_t(c) * plane_size);
}

}  // namespace strata
