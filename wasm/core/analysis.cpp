// analysis.cpp: the pipeline of docs/method.md sections 3-7 for one model's latent sets.
//
// Index: 1. input checks  2. SPSD points, ranks, strata (per set)  3. the clean set
//        (CleanAnalysis)  4. a noisy set: kernels, then spectrum, 2-D view, angles
//        5. analyze_geometry
//
// With landmarks (0 < settings.landmarks < N) the kernel quantities come from Nystrom features
// (landmarks.hpp) and no N x N matrix is formed; ranks and strata are the same either way.
//
// Work is arranged for speed and memory: a set's points are reduced to what the metric needs
// (for `log-euclidean` one feature row per point), each distance block becomes its kernel as soon
// as the bandwidth is known, and in analyze_geometry the independent per-set eigenproblems run in
// parallel.
#include "analysis.hpp"

#include "angles.hpp"
#include "distance.hpp"
#include "error.hpp"
#include "kernel.hpp"
#include "parallel.hpp"
#include "rank.hpp"
#include "spsd.hpp"

#include <chrono>
#include <cmath>

namespace strata {

FactorRoute factor_route(const GeometrySettings& s) {
    return (s.metric == "log-euclidean" || s.metric == "bures-wasserstein") ? FactorRoute::Fast
                                                                            : FactorRoute::Accurate;  // see spsd.hpp
}

namespace {

std::string shape_text(const LatentShape& s) {
    return std::to_string(s.C) + "x" + std::to_string(s.H) + "x" + std::to_string(s.W);
}

// 1. Input checks ------------------------------------------------------------------------------------
void check_set(const LatentSet& set) {
    validate(set);
    if (set.n < 2) throw Error(set.name + ": needs at least 2 samples, got " + std::to_string(set.n));
}

void check_same_shape(const LatentSet& set, const LatentShape& clean_shape, const std::string& clean_name) {
    if (set.shape != clean_shape)
        throw Error(set.name + ": latent shape " + shape_text(set.shape) + " differs from the clean set's " +
                    shape_text(clean_shape) + " (" + clean_name + ")");
}

// 2. Points of one set ----------------------------------------------------------------------------------
struct PreparedSet {
    PointSet points;
    std::vector<std::array<double, 3>> effective_ranks;
};

PreparedSet prepare(const LatentSet& set, const GeometrySettings& s) {
    std::vector<SpsdPoint> points(set.n);
    std::vector<std::array<int, 3>> ranks(set.n);
    PreparedSet out;
    out.effective_ranks.resize(set.n);
    const FactorRoute route = factor_route(s);
    parallel_for(set.n, s.threads, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            points[i] = spsd_point(set.sample(i), set.shape, s.centered, route);
            ranks[i] = rank_triple(points[i], s.rank_rtol);
            for (int n = 0; n < 3; ++n) out.effective_ranks[i][std::size_t(n)] = effective_rank(points[i].factors[n]);
        }
    });
    out.points = make_point_set(std::move(points), std::move(ranks), s);
    return out;
}

SetResult rank_results(const LatentSet& set, const PreparedSet& p) {
    SetResult r;
    r.name = set.name;
    r.sigma = set.sigma;
    r.n = set.n;
    r.shape = set.shape;
    r.ranks = p.points.ranks;
    r.effective_ranks = p.effective_ranks;
    r.strata = count_strata(r.ranks);
    r.smooth = r.strata.size() == 1;
    return r;
}

void fill_spectrum_results(SetResult& r, const KernelSpectrum& spec, double energy) {
    r.kernel_min_eigenvalue = spec.min_eigenvalue;
    r.kernel_spectrum.assign(spec.mu.data(), spec.mu.data() + spec.mu.size());
    r.hilbert_dim = hilbert_dimension(spec.mu, energy);
}

void fill_feature_results(SetResult& r, const FeatureSpectrum& spec, const NystromMap& map, double energy) {
    r.approximate = true;
    r.kernel_min_eigenvalue = map.min_eigenvalue;
    r.kernel_spectrum.assign(spec.mu.data(), spec.mu.data() + spec.mu.size());
    r.hilbert_dim = hilbert_dimension(spec.mu, energy);
}

std::vector<std::array<double, 2>> rows_2d(const Eigen::MatrixXd& Y) {
    std::vector<std::array<double, 2>> out(std::size_t(Y.rows()));
    for (Eigen::Index i = 0; i < Y.rows(); ++i) out[std::size_t(i)] = {Y(i, 0), Y(i, 1)};
    return out;
}

}  // namespace

// 3. The clean set ------------------------------------------------------------------------------------------
CleanAnalysis::CleanAnalysis(const LatentSet& clean, const GeometrySettings& settings) : settings_(settings) {
    validate(settings_);
    check_set(clean);
    PreparedSet p = prepare(clean, settings_);
    clean_ = rank_results(clean, p);
    clean_.clean = true;
    points_ = std::move(p.points);
    // Distances are translation invariant: centring the log features on the clean set's mean
    // keeps their norms small, so ||a||^2 + ||b||^2 - 2 a.b loses little to cancellation.
    if (settings_.metric == "log-euclidean") {
        origin_ = points_.features.colwise().mean();
        points_.features.rowwise() -= origin_;
    }
    if (settings_.landmarks > 0 && std::size_t(settings_.landmarks) < clean.n) {
        if (!settings_.bandwidth_scan.empty())
            throw Error("--bandwidth-scan: needs the exact kernel analysis; it is not available with --landmarks " +
                        std::to_string(settings_.landmarks) + " < N = " + std::to_string(clean.n));
        clean_landmarks(clean.name);
        return;
    }
    std::int64_t ambiguous = 0;
    const Eigen::MatrixXd D2 = pairwise_sq(points_, settings_, &ambiguous);
    bandwidth_ = settings_.bandwidth ? *settings_.bandwidth : median_bandwidth(D2);
    check_bandwidth(clean.name);
    K_ = gaussian_kernel(D2, bandwidth_);
    spectrum_ = kernel_spectrum(K_);
    fill_spectrum_results(clean_, spectrum_, settings_.energy);
    clean_.embedding_2d = rows_2d(kpca_coordinates(spectrum_, 2));
    if (settings_.metric == "fixed-rank") {
        clean_.cross_stratum_pairs = cross_stratum_pairs(points_.ranks);
        clean_.fixed_rank_ambiguous_pairs = ambiguous;
    }
    clean_scan(D2);
}

void CleanAnalysis::check_bandwidth(const std::string& clean_name) const {
    if (!(bandwidth_ > 0.0))
        throw Error(clean_name + ": all clean " + (landmark_info_ ? "landmark " : "") +
                    "latents are at distance 0 from each other, so the median bandwidth is 0; give a bandwidth "
                    "explicitly");
}

// The clean set on landmarks: the bandwidth from the landmarks' own distances, W, the feature map,
// and the clean features' spectrum and 2-D view. Only N x M and M x M blocks are formed.
void CleanAnalysis::clean_landmarks(const std::string& clean_name) {
    LandmarkInfo info;
    info.m = std::size_t(settings_.landmarks);
    info.seed = settings_.landmark_seed;
    info.indices = landmark_indices(points_.size(), info.m, info.seed);
    landmark_info_ = info;
    landmarks_ = select_points(points_, info.indices);
    const Eigen::MatrixXd W2 = pairwise_sq(landmarks_, settings_);
    if (!settings_.bandwidth && info.m < 2)
        throw Error("--landmarks: the median bandwidth needs at least 2 landmarks; give a bandwidth with 1");
    bandwidth_ = settings_.bandwidth ? *settings_.bandwidth : median_bandwidth(W2);
    check_bandwidth(clean_name);
    W_ = gaussian_kernel(W2, bandwidth_);
    map_ = nystrom_map(W_);
    landmark_info_->feature_rank = map_.projection.cols();
    landmark_info_->min_eigenvalue = map_.min_eigenvalue;
    C_ = gaussian_kernel(pairwise_sq(points_, landmarks_, settings_), bandwidth_);
    const Eigen::MatrixXd Phi = nystrom_features(C_, map_);
    clean_features_ = feature_spectrum(Phi);
    fill_feature_results(clean_, clean_features_, map_, settings_.energy);
    clean_.embedding_2d = rows_2d(feature_coordinates(Phi, clean_features_, 2));
    if (settings_.metric == "fixed-rank") clean_.cross_stratum_pairs = cross_stratum_pairs(points_.ranks);
}

// 4. A noisy set ----------------------------------------------------------------------------------------------
CleanAnalysis::NoisyKernels CleanAnalysis::noisy_kernels(const LatentSet& noisy) const {
    check_set(noisy);
    check_same_shape(noisy, clean_.shape, clean_.name);
    PreparedSet p = prepare(noisy, settings_);
    if (settings_.metric == "log-euclidean") p.points.features.rowwise() -= origin_;
    NoisyKernels k;
    k.result = rank_results(noisy, p);
    if (landmark_info_) {
        // The set's own landmarks: the same rule on the set (the same images when it has N samples).
        k.own = landmark_indices(p.points.size(), landmark_info_->m, landmark_info_->seed);
        const PointSet own = select_points(p.points, k.own);
        k.K_landmarks = gaussian_kernel(pairwise_sq(p.points, landmarks_, settings_), bandwidth_);
        k.K_own = gaussian_kernel(pairwise_sq(p.points, own, settings_), bandwidth_);
        k.K_clean_own = gaussian_kernel(pairwise_sq(points_, own, settings_), bandwidth_);
        if (settings_.metric == "fixed-rank") {
            k.result.cross_stratum_pairs = cross_stratum_pairs(p.points.ranks);
            k.result.cross_stratum_pairs_vs_clean = cross_stratum_pairs(points_.ranks, p.points.ranks);
        }
        return k;
    }
    std::int64_t ambiguous = 0;
    // Each distance block is released as soon as it is a kernel, unless the scan needs it again.
    const auto kernel_of = [&](Eigen::MatrixXd D2, Eigen::MatrixXd& K, Eigen::MatrixXd& kept) {
        K = gaussian_kernel(D2, bandwidth_);
        if (!settings_.bandwidth_scan.empty()) kept = std::move(D2);
    };
    kernel_of(pairwise_sq(p.points, settings_, &ambiguous), k.K, k.D2);
    kernel_of(pairwise_sq(points_, p.points, settings_), k.K_cross, k.D2_cross);
    if (settings_.metric == "fixed-rank") {
        k.result.fixed_rank_ambiguous_pairs = ambiguous;
        k.result.cross_stratum_pairs = cross_stratum_pairs(p.points.ranks);
        k.result.cross_stratum_pairs_vs_clean = cross_stratum_pairs(points_.ranks, p.points.ranks);
    }
    return k;
}

SetResult CleanAnalysis::finish(NoisyKernels k) const {
    SetResult r = std::move(k.result);
    if (landmark_info_) {
        // The 2-D view: out-of-sample in the clean landmarks' features, as the exact path.
        r.embedding_2d = rows_2d(feature_coordinates(nystrom_features(k.K_landmarks, map_), clean_features_, 2));
        // The set's spectrum and the angles: in the joint features of L_X and L_Y, which hold both
        // sets' directions (features of the clean landmarks alone would project the noisy subspace
        // into the clean one and shrink its angles).
        const Eigen::Index m = W_.rows(), my = Eigen::Index(k.own.size());
        Eigen::MatrixXd WJ(m + my, m + my);
        WJ.topLeftCorner(m, m) = W_;
        for (Eigen::Index b = 0; b < my; ++b) {
            for (Eigen::Index a = 0; a < m; ++a)
                WJ(m + b, a) = k.K_clean_own(Eigen::Index(landmark_info_->indices[std::size_t(a)]), b);
            for (Eigen::Index a = 0; a < my; ++a) WJ(m + b, m + a) = k.K_own(Eigen::Index(k.own[std::size_t(b)]), a);
        }
        WJ.topRightCorner(m, my) = WJ.bottomLeftCorner(my, m).transpose();
        const NystromMap joint = nystrom_map(WJ);
        Eigen::MatrixXd CX(C_.rows(), m + my), CY(k.K_landmarks.rows(), m + my);
        CX << C_, k.K_clean_own;
        CY << k.K_landmarks, k.K_own;
        k = NoisyKernels{};  // the blocks are in CX and CY now
        const FeatureSpectrum fx = feature_spectrum(nystrom_features(CX, joint));
        CX.resize(0, 0);
        const FeatureSpectrum fy = feature_spectrum(nystrom_features(CY, joint));
        CY.resize(0, 0);
        fill_feature_results(r, fy, joint, settings_.energy);
        const Eigen::VectorXd deg =
            feature_principal_angles_deg(fx, hilbert_dimension(fx.mu, settings_.energy), fy, r.hilbert_dim);
        r.principal_angles_deg.assign(deg.data(), deg.data() + deg.size());
        return r;
    }
    if (!settings_.bandwidth_scan.empty()) {
        r.bandwidth_scan = noisy_scan(k.D2, k.D2_cross);
        k.D2.resize(0, 0);
        k.D2_cross.resize(0, 0);
    }
    const KernelSpectrum spectrum = kernel_spectrum(k.K);
    fill_spectrum_results(r, spectrum, settings_.energy);
    // Noisy points are placed in the clean set's kernel-PCA view (out-of-sample projection).
    r.embedding_2d = rows_2d(kpca_project(K_, spectrum_, k.K_cross.transpose(), 2));
    // Principal angles between the clean and the noisy subspace (docs/method.md section 7).
    const Eigen::VectorXd deg =
        kernel_principal_angles_deg(spectrum_.vectors, spectrum_.mu, clean_.hilbert_dim, spectrum.vectors, spectrum.mu,
                                    r.hilbert_dim, center_kernel(k.K_cross));
    r.principal_angles_deg.assign(deg.data(), deg.data() + deg.size());
    return r;
}

// 4b. The bandwidth scan --------------------------------------------------------------------------------------
// The kernel, its eigenproblems and the angles again at h' = f h, from the distances already computed;
// every factor (f = 1 too) takes this route, so the f = 1 point reproduces the main results exactly.
void CleanAnalysis::clean_scan(const Eigen::MatrixXd& D2) {
    for (double f : settings_.bandwidth_scan) {
        scan_spectra_.push_back(kernel_spectrum(gaussian_kernel(D2, f * bandwidth_)));
        BandwidthScanPoint p;
        p.factor = f;
        p.bandwidth = f * bandwidth_;
        p.hilbert_dim = hilbert_dimension(scan_spectra_.back().mu, settings_.energy);
        p.mean_angle_deg = p.max_angle_deg = std::nan("");
        clean_.bandwidth_scan.push_back(p);
    }
}

std::vector<BandwidthScanPoint> CleanAnalysis::noisy_scan(const Eigen::MatrixXd& D2,
                                                          const Eigen::MatrixXd& D2_cross) const {
    std::vector<BandwidthScanPoint> out;
    for (std::size_t i = 0; i < settings_.bandwidth_scan.size(); ++i) {
        BandwidthScanPoint p = clean_.bandwidth_scan[i];
        const KernelSpectrum spectrum = kernel_spectrum(gaussian_kernel(D2, p.bandwidth));
        p.hilbert_dim = hilbert_dimension(spectrum.mu, settings_.energy);
        const Eigen::VectorXd deg = kernel_principal_angles_deg(
            scan_spectra_[i].vectors, scan_spectra_[i].mu, clean_.bandwidth_scan[i].hilbert_dim, spectrum.vectors,
            spectrum.mu, p.hilbert_dim, center_kernel(gaussian_kernel(D2_cross, p.bandwidth)));
        if (deg.size() > 0) {
            p.mean_angle_deg = deg.mean();
            p.max_angle_deg = deg.maxCoeff();
        }
        out.push_back(p);
    }
    return out;
}

Eigen::VectorXd CleanAnalysis::distances_sq_from(std::size_t i) const {
    if (i >= points_.size())
        throw Error(clean_.name + ": sample " + std::to_string(i) + " is outside the " +
                    std::to_string(points_.size()) + " clean samples");
    PointSet one;  // point i alone, as the set prepared it
    if (!points_.points.empty()) one.points = {points_.points[i]};
    if (!points_.prepared.empty()) one.prepared = {points_.prepared[i]};
    one.ranks = {points_.ranks[i]};
    if (points_.features.size() > 0) one.features = points_.features.row(Eigen::Index(i));
    return pairwise_sq(one, points_, settings_).row(0).transpose();
}

Eigen::MatrixXd CleanAnalysis::distances_sq_to_clean(std::vector<SpsdPoint> points,
                                                     std::vector<std::array<int, 3>> ranks) const {
    PointSet p = make_point_set(std::move(points), std::move(ranks), settings_);
    if (settings_.metric == "log-euclidean") p.features.rowwise() -= origin_;
    return pairwise_sq(p, points_, settings_);
}

SetResult CleanAnalysis::add_noisy(const LatentSet& noisy) const { return finish(noisy_kernels(noisy)); }

// 5. The whole analysis ---------------------------------------------------------------------------------------
GeometryResult analyze_geometry(const std::vector<LatentSet>& sets, const GeometrySettings& settings,
                                const ProgressFn& progress, std::shared_ptr<const CleanAnalysis>* clean_out) {
    auto report = [&](const std::string& stage, double f) {
        if (progress) progress(stage, f);
    };
    GeometryResult result;
    auto clock = std::chrono::steady_clock::now();
    auto lap = [&](const char* stage) {
        const auto t = std::chrono::steady_clock::now();
        result.stage_seconds.emplace_back(stage, std::chrono::duration<double>(t - clock).count());
        clock = t;
    };
    validate(settings);
    if (sets.empty()) throw Error("no latent sets given (the clean set is required)");
    // Every input is checked before any work, so a bad last file fails at once.
    for (const LatentSet& set : sets) {
        check_set(set);
        check_same_shape(set, sets[0].shape, sets[0].name);
    }
    const std::size_t S = sets.size();
    result.settings = settings;

    const auto clean_ptr = std::make_shared<const CleanAnalysis>(sets[0], settings);
    const CleanAnalysis& clean = *clean_ptr;
    if (clean_out) *clean_out = clean_ptr;
    result.bandwidth = clean.bandwidth();
    result.landmarks = clean.landmarks();
    result.sets.push_back(clean.clean());
    lap("clean set");
    report("clean set", 0.3);

    // The noisy sets' distance products one after the other (each uses both cores), ...
    std::vector<CleanAnalysis::NoisyKernels> kernels;
    for (std::size_t k = 1; k < S; ++k) {
        kernels.push_back(clean.noisy_kernels(sets[k]));
        report("noisy sets: points and distances", 0.3 + 0.5 * double(k) / double(S - 1));
    }
    lap("noisy points and distances");

    // ... then their eigenproblems and angles side by side (each is serial inside).
    result.sets.resize(S);
    parallel_each(S - 1, settings.threads,
                  [&](std::size_t j) { result.sets[j + 1] = clean.finish(std::move(kernels[j])); });
    report("noisy sets: spectra and angles", 1.0);
    lap("noisy spectra and angles");
    return result;
}

}  // namespace strata
