// analysis.hpp: the whole geometry analysis of one model's latent sets (docs/method.md sections 3-7).
//
// Index: 1. SetResult (and its bandwidth scan)  2. GeometryResult  3. analyze_geometry()
//        4. CleanAnalysis (incremental)
//
// This is the entry point the CLI (`strata geometry`, `strata characterize`) and the page use:
// give it the clean set first and the noisy sets after it; get back, per set, ranks, strata,
// Hilbert-space dimensionality, kernel diagnostics, the 2-D kernel-PCA view and the principal
// angles against the clean set. The stage functions it calls live in one file each (spsd, rank,
// distance, kernel, angles) and can be used on their own.
#pragma once
#include "distance.hpp"
#include "kernel.hpp"
#include "landmarks.hpp"
#include "latent.hpp"
#include "rank.hpp"
#include "settings.hpp"

#include <Eigen/Dense>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace strata {

// 1. What the analysis reports for one set -----------------------------------------------------
// One factor of the bandwidth scan (settings.bandwidth_scan; docs/method.md, "Bandwidth scan"): the
// set's dim_eta and, for a noisy set, its principal angles against the clean set, both with the
// kernel at h' = factor * h on the same distances. The angles are NaN for the clean set and when
// either subspace is empty.
struct BandwidthScanPoint {
    double factor = 1.0;
    double bandwidth = 0.0;  // h' = factor * h
    int hilbert_dim = 0;
    double mean_angle_deg = 0.0;
    double max_angle_deg = 0.0;
};

struct SetResult {
    std::string name;
    bool clean = false;  // the reference set (sets[0])
    double sigma = 0.0;
    std::size_t n = 0;
    LatentShape shape;
    std::vector<std::array<int, 3>> ranks;               // per sample (r1, r2, r3)
    std::vector<std::array<double, 3>> effective_ranks;  // per sample, per mode
    std::vector<StratumCount> strata;                    // most frequent first
    bool smooth = false;                                 // one stratum only
    int hilbert_dim = 0;                                 // dim_eta of the centred kernel
    std::vector<double> kernel_spectrum;                 // centred kernel eigenvalues, descending, clipped >= 0
    double kernel_min_eigenvalue = 0.0;                  // of the uncentred kernel, before clipping
    std::vector<std::array<double, 2>> embedding_2d;     // kernel-PCA coordinates (clean components)
    std::vector<double> principal_angles_deg;            // noisy sets only: vs the clean set, ascending
    // `fixed-rank` only: pairs evaluated whose rank triples differ. Within the set (i < j), and
    // for noisy sets also between this set and the clean set (N x N pairs).
    std::optional<std::int64_t> cross_stratum_pairs;
    std::optional<std::int64_t> cross_stratum_pairs_vs_clean;
    // `fixed-rank` only: pairs i < j within the set for which some mode had principal angles of
    // 90 degrees, so that the distance needed docs/method.md's rule for zero cosines.
    // Not counted with landmarks (it would need every pair's distance).
    std::optional<std::int64_t> fixed_rank_ambiguous_pairs;
    // With landmarks: hilbert_dim, kernel_spectrum, kernel_min_eigenvalue (of the landmark kernel),
    // embedding_2d and principal_angles_deg come from Nystrom features (docs/method.md, "Landmarks").
    bool approximate = false;
    std::vector<BandwidthScanPoint> bandwidth_scan;  // one per settings.bandwidth_scan factor, in its order
};

// 2. The result of one analysis ----------------------------------------------------------------
// The landmarks of a Nystrom analysis (settings.landmarks = M with 0 < M < N; docs/method.md, "Landmarks").
struct LandmarkInfo {
    std::size_t m = 0;
    std::uint64_t seed = 0;
    std::vector<std::size_t> indices;  // into the clean set, ascending
    Eigen::Index feature_rank = 0;     // k: eigenvalues of W kept
    double min_eigenvalue = 0.0;       // of W
};

struct GeometryResult {
    GeometrySettings settings;              // as given
    double bandwidth = 0.0;                 // h actually used
    std::vector<SetResult> sets;            // clean first, then the noisy sets in the order given
    std::optional<LandmarkInfo> landmarks;  // set when the kernel analysis used landmarks
    // Wall-clock seconds per stage ("points", "distances", "spectra", "angles"), for benchmarks
    // and the page's timings; not part of the results proper.
    std::vector<std::pair<std::string, double>> stage_seconds;
};

// How the SPSD points of a set are computed for the metric (spsd.hpp): log-euclidean and
// bures-wasserstein take the fast route, the metrics that divide by small eigenvalues the accurate one.
FactorRoute factor_route(const GeometrySettings& settings);

// Progress: called with a short stage label and the fraction done in [0, 1].
using ProgressFn = std::function<void(const std::string& stage, double fraction)>;

// 3. Runs the analysis. sets[0] is the clean set; every set must have the clean set's latent shape
// and at least 2 samples (normally the same images at another noise level).
// Throws strata::Error on bad input (names the set).
// `clean_out`, if given, receives the clean set's analysis (for interpolation and neighbours).
class CleanAnalysis;
GeometryResult analyze_geometry(const std::vector<LatentSet>& sets, const GeometrySettings& settings,
                                const ProgressFn& progress = {},
                                std::shared_ptr<const CleanAnalysis>* clean_out = nullptr);

// 4. Incremental analysis -------------------------------------------------------------------------
// A noisy set's results depend only on itself and the clean set (the bandwidth, the clean kernel
// and its spectrum, the 2-D view's components). CleanAnalysis does the clean set's work once and
// keeps what noisy sets need; add_noisy() then costs only that set's own work. The page analyses
// each noise level this way as soon as it is encoded; analyze_geometry() is built on the same
// steps, so both give the same numbers.
class CleanAnalysis {
public:
    // Throws strata::Error on bad settings or a bad clean set (named).
    CleanAnalysis(const LatentSet& clean, const GeometrySettings& settings);

    const SetResult& clean() const { return clean_; }
    double bandwidth() const { return bandwidth_; }
    const GeometrySettings& settings() const { return settings_; }
    // Set when the kernel analysis runs on landmarks (0 < settings.landmarks < N).
    const std::optional<LandmarkInfo>& landmarks() const { return landmark_info_; }

    // The full result of one noisy set. Const: several may run at once.
    SetResult add_noisy(const LatentSet& noisy) const;

    // add_noisy() in its two steps: the distance products (parallel inside), then the set's
    // eigenproblem, 2-D view and angles (serial inside, so several sets can run side by side).
    // With landmarks K and K_cross stay empty; the three blocks against the clean landmarks L_X
    // and the set's own landmarks L_Y (docs/method.md, "Landmarks") are filled instead.
    struct NoisyKernels {
        SetResult result;              // name, sigma, n, shape, ranks, strata (and cross-stratum pairs)
        Eigen::MatrixXd K;             // the set's own kernel
        Eigen::MatrixXd K_cross;       // K(clean, set): N_clean x N_set
        Eigen::MatrixXd K_landmarks;   // landmarks only: K(set, L_X), N_set x M
        Eigen::MatrixXd K_own;         // landmarks only: K(set, L_Y), N_set x M_Y
        Eigen::MatrixXd K_clean_own;   // landmarks only: K(clean, L_Y), N_clean x M_Y
        std::vector<std::size_t> own;  // landmarks only: the indices of L_Y in the set
        Eigen::MatrixXd D2;            // bandwidth scan only: the set's own squared distances
        Eigen::MatrixXd D2_cross;      // bandwidth scan only: clean to set, N_clean x N_set
    };
    NoisyKernels noisy_kernels(const LatentSet& noisy) const;
    SetResult finish(NoisyKernels kernels) const;

    // What the interpolation and the neighbours (interpolation.hpp, neighbours.hpp) read of the clean set:
    // the squared distances d_PM^2 from clean point i to every clean point (computed on demand: the
    // N x N matrix is not kept), its kernel spectrum, and the squared distances from other points (a
    // path's steps) to every clean point (points.size() x N), prepared as the clean points are (the
    // same metric, the same shift of the log features).
    Eigen::VectorXd distances_sq_from(std::size_t i) const;
    const KernelSpectrum& spectrum() const { return spectrum_; }
    Eigen::MatrixXd distances_sq_to_clean(std::vector<SpsdPoint> points, std::vector<std::array<int, 3>> ranks) const;

private:
    void clean_landmarks(const std::string& clean_name);
    void check_bandwidth(const std::string& clean_name) const;
    void clean_scan(const Eigen::MatrixXd& D2);
    std::vector<BandwidthScanPoint> noisy_scan(const Eigen::MatrixXd& D2, const Eigen::MatrixXd& D2_cross) const;

    GeometrySettings settings_;
    PointSet points_;            // the clean points, prepared for the metric
    Eigen::RowVectorXd origin_;  // log-euclidean: the clean features' mean (all sets are shifted by it)
    Eigen::MatrixXd K_;          // the clean kernel
    KernelSpectrum spectrum_;    // and its spectrum
    double bandwidth_ = 0.0;
    SetResult clean_;
    // Landmarks only (then K_ and spectrum_ stay empty).
    std::optional<LandmarkInfo> landmark_info_;
    PointSet landmarks_;              // the landmark points, prepared for the metric
    Eigen::MatrixXd W_;               // K(L_X, L_X)
    Eigen::MatrixXd C_;               // K(clean, L_X), N x M
    NystromMap map_;                  // the clean landmarks' feature map
    FeatureSpectrum clean_features_;  // the clean features' mean and directions
    // Bandwidth scan only: the clean kernel's spectrum and dim_eta at each factor.
    std::vector<KernelSpectrum> scan_spectra_;
};

}  // namespace strata
