// results_csv.cpp: summary and per-sample CSV tables.
#include "results_csv.hpp"

#include "fileio.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace strata::cmd {

namespace {

std::string num(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", x);
    return buf;
}

// Quotes a text field when it holds a comma, a quote or a line break (RFC 4180).
std::string field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string triple(const std::array<int, 3>& r) {
    return std::to_string(r[0]) + " " + std::to_string(r[1]) + " " + std::to_string(r[2]);
}

}  // namespace

std::string summary_csv(const std::vector<CsvSet>& sets) {
    std::string out =
        "model,set,sigma,n,strata,smooth,top_stratum,top_stratum_count,mean_erank1,mean_erank2,mean_erank3,"
        "hilbert_dim,kernel_min_eigenvalue,max_angle_deg,mean_angle_deg,cross_stratum_pairs,fixed_rank_ambiguous_pairs,"
        "psnr_mean,psnr_std\n";
    for (const CsvSet& c : sets) {
        const SetResult& r = *c.set;
        double er[3] = {0, 0, 0};
        for (const auto& e : r.effective_ranks)
            for (int k = 0; k < 3; ++k) er[k] += e[std::size_t(k)] / double(r.n);
        const auto& a = r.principal_angles_deg;
        double mean_angle = 0.0;
        for (double x : a) mean_angle += x / double(a.size());
        out += field(c.model) + "," + field(r.name) + "," + num(r.sigma) + "," + std::to_string(r.n) + "," +
               std::to_string(r.strata.size()) + "," + (r.smooth ? "true" : "false") + "," +
               (r.strata.empty() ? "" : triple(r.strata[0].ranks)) + "," +
               (r.strata.empty() ? "" : std::to_string(r.strata[0].count)) + "," + num(er[0]) + "," + num(er[1]) + "," +
               num(er[2]) + "," + std::to_string(r.hilbert_dim) + "," + num(r.kernel_min_eigenvalue) + "," +
               (a.empty() ? "" : num(*std::max_element(a.begin(), a.end()))) + "," +
               (a.empty() ? "" : num(mean_angle)) + "," +
               (r.cross_stratum_pairs ? std::to_string(*r.cross_stratum_pairs) : "") + "," +
               (r.fixed_rank_ambiguous_pairs ? std::to_string(*r.fixed_rank_ambiguous_pairs) : "") + "," +
               (c.psnr_mean ? num(*c.psnr_mean) : "") + "," + (c.psnr_std ? num(*c.psnr_std) : "") + "\n";
    }
    return out;
}

std::string samples_csv(const std::vector<CsvSet>& sets) {
    std::string out = "model,set,sigma,index,label,r1,r2,r3,erank1,erank2,erank3,x,y,psnr\n";
    for (const CsvSet& c : sets) {
        const SetResult& r = *c.set;
        for (std::size_t i = 0; i < r.n; ++i) {
            const bool labelled = c.labels && i < c.labels->size() && (*c.labels)[i] >= 0;
            out += field(c.model) + "," + field(r.name) + "," + num(r.sigma) + "," + std::to_string(i) + "," +
                   (labelled ? std::to_string((*c.labels)[i]) : "");
            for (int k : r.ranks[i]) out += "," + std::to_string(k);
            for (double e : r.effective_ranks[i]) out += "," + num(e);
            out += "," + num(r.embedding_2d[i][0]) + "," + num(r.embedding_2d[i][1]) + "," +
                   (c.psnr && i < c.psnr->size() ? num((*c.psnr)[i]) : "") + "\n";
        }
    }
    return out;
}

std::string interpolations_csv(const std::vector<CsvInterpolation>& rows) {
    std::string out =
        "model,latent,pairs,steps,fraction_leaving_endpoint_strata,fraction_changing_stratum,"
        "mean_interior_distance,max_distance\n";
    for (const CsvInterpolation& r : rows) {
        const InterpolationSummary& s = r.summary;
        out += field(r.model) + "," + r.latent + "," + std::to_string(s.pairs) + "," + std::to_string(s.steps) + "," +
               num(s.fraction_leaving_endpoint_strata) + "," + num(s.fraction_changing_stratum) + "," +
               num(s.mean_interior_distance) + "," + num(s.max_distance) + "\n";
    }
    return out;
}

std::string bandwidth_scan_csv(const std::vector<CsvSet>& sets) {
    std::string out = "model,set,sigma,factor,bandwidth,hilbert_dim,mean_angle_deg,max_angle_deg\n";
    const auto angle = [](double x) { return std::isfinite(x) ? num(x) : std::string(); };
    for (const CsvSet& c : sets)
        for (const BandwidthScanPoint& p : c.set->bandwidth_scan)
            out += field(c.model) + "," + field(c.set->name) + "," + num(c.set->sigma) + "," + num(p.factor) + "," +
                   num(p.bandwidth) + "," + std::to_string(p.hilbert_dim) + "," + angle(p.mean_angle_deg) + "," +
                   angle(p.max_angle_deg) + "\n";
    return out;
}

std::vector<FileContent> csv_tables(const std::string& dir, const std::vector<CsvSet>& sets) {
    make_directories(dir);
    std::vector<FileContent> files{{dir + "/summary.csv", summary_csv(sets)},
                                   {dir + "/samples.csv", samples_csv(sets)}};
    for (const CsvSet& c : sets)
        if (!c.set->bandwidth_scan.empty()) {
            files.push_back({dir + "/bandwidth_scan.csv", bandwidth_scan_csv(sets)});
            break;
        }
    return files;
}

}  // namespace strata::cmd
