// results_csv.hpp: CSV tables of analysis results, for spreadsheets and plotting tools.
//
//   summary.csv  one row per (model, set): sigma, n, strata count, smooth, the most frequent
//                stratum, mean effective ranks, hilbert_dim, kernel_min_eigenvalue, max and mean
//                principal angle, cross-stratum pairs and fixed-rank's pairs at 90 degrees
//                (fixed-rank only), and PSNR where known
//   samples.csv  one row per (model, set, sample): its label (class index; empty for none), ranks,
//                effective ranks, 2-D coordinates, and its reconstruction's PSNR where known
//   interpolations.csv  one row per model (characterize --interpolations): pairs, steps, the fractions of
//                paths that leave their endpoints' strata and that change stratum, mean interior and
//                largest distance to data
//   bandwidth_scan.csv  one row per (model, set, factor) when the analysis ran the bandwidth scan: the
//                factor, h' = factor * h, hilbert_dim, mean and largest principal angle (empty for the clean set)
#pragma once
#include "analysis.hpp"
#include "fileio.hpp"
#include "interpolation.hpp"

#include <optional>
#include <string>
#include <vector>

namespace strata::cmd {

struct CsvSet {
    std::string model;  // "" for `strata geometry`
    const SetResult* set = nullptr;
    std::optional<double> psnr_mean, psnr_std;
    const std::vector<double>* psnr = nullptr;  // per sample (null: no decoder)
    const std::vector<int>* labels = nullptr;   // per sample, -1 for none (null: no images, `strata geometry`)
};

std::string summary_csv(const std::vector<CsvSet>& sets);
std::string samples_csv(const std::vector<CsvSet>& sets);
std::string bandwidth_scan_csv(const std::vector<CsvSet>& sets);

struct CsvInterpolation {
    std::string model;
    std::string latent;  // "mu" (variational) or "latent"
    InterpolationSummary summary;
};
std::string interpolations_csv(const std::vector<CsvInterpolation>& rows);

// DIR/summary.csv, DIR/samples.csv and (when any set carries a scan) DIR/bandwidth_scan.csv, to be written with write_files_atomic (creates DIR).
std::vector<FileContent> csv_tables(const std::string& dir, const std::vector<CsvSet>& sets);

}  // namespace strata::cmd
