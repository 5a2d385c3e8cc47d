// test_geometry_cli.cpp: end-to-end tests of `strata geometry`: the real binary on real files.
//
// Index: 1. helpers (temp folder, writing .npy, running the binary)  2. a good run
//        3. every bad input named by the issue: exit code, one clear message, no output file
#include "npy.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace {

// 1. Helpers ------------------------------------------------------------------------------------------
struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/strata-cli-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
    std::string operator/(const std::string& name) const { return path + "/" + name; }
};

void write_bytes(const std::string& path, const std::vector<unsigned char>& b) {
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
}

// n latents of shape C x H x W: a random low-rank channel structure plus `noise`.
std::vector<float> latents(int n, int C, int H, int W, double noise, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> g;
    std::vector<float> v(std::size_t(n * C * H * W));
    for (int i = 0; i < n; ++i) {
        const int r = 2 + i % 3;
        std::vector<float> a(std::size_t(C * r)), b(std::size_t(r * H * W));
        for (float& x : a) x = g(rng);
        for (float& x : b) x = g(rng);
        for (int c = 0; c < C; ++c)
            for (int k = 0; k < H * W; ++k) {
                float s = 0;
                for (int j = 0; j < r; ++j) s += a[std::size_t(c * r + j)] * b[std::size_t(j * H * W + k)];
                v[std::size_t((i * C + c) * H * W + k)] = s;
            }
    }
    std::mt19937 nrng(seed + 1000);
    for (float& x : v) x += float(noise) * g(nrng);
    return v;
}

void write_latents(const std::string& path, int n, int C, int H, int W, double noise, unsigned seed = 1) {
    const std::vector<float> v = latents(n, C, H, W, noise, seed);
    write_bytes(path,
                strata::encode_npy_f32(v.data(), {std::size_t(n), std::size_t(C), std::size_t(H), std::size_t(W)}));
}

struct Run {
    int code = -1;
    std::string err;
};

Run strata_run(const std::string& args) {
    const std::string errfile = "/tmp/strata-cli-stderr-" + std::to_string(getpid());
    const int status = std::system((std::string(STRATA_EXE) + " " + args + " 2>" + errfile + " >/dev/null").c_str());
    Run r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::ifstream f(errfile);
    std::stringstream ss;
    ss << f.rdbuf();
    r.err = ss.str();
    std::remove(errfile.c_str());
    return r;
}

bool exists(const std::string& p) { return access(p.c_str(), F_OK) == 0; }

}  // namespace

// 2. A good run ---------------------------------------------------------------------------------------------
TEST_CASE("geometry: a clean and two noisy sets give the documented JSON and CSV") {
    TempDir t;
    write_latents(t / "clean.npy", 24, 10, 4, 4, 0.0);
    write_latents(t / "n2.npy", 24, 10, 4, 4, 0.2);
    write_latents(t / "n1.npy", 24, 10, 4, 4, 0.05);
    const Run r = strata_run("geometry --clean " + t / "clean.npy" + " --noisy 0.2=" + t / "n2.npy" +
                             " --noisy 0.05=" + t / "n1.npy" + " --out " + t / "out.json" + " --csv " + t / "csv");
    INFO(r.err);
    REQUIRE(r.code == 0);
    std::ifstream f(t / "out.json");
    const nlohmann::json j = nlohmann::json::parse(f);
    const auto& s = j["settings"];
    CHECK(s["metric"] == "log-euclidean");
    CHECK(s["energy"] == 0.95);
    CHECK(s["centered"] == true);
    CHECK(s["bandwidth"].get<double>() > 0.0);
    CHECK(s["inputs"].size() == 3);
    CHECK(s["inputs"][0]["sha256"].get<std::string>().size() == 64);
    const auto& sets = j["sets"];
    REQUIRE(sets.size() == 3);
    CHECK(sets[0]["sigma"] == 0.0);
    CHECK(sets[1]["sigma"] == 0.05);  // sorted by sigma, whatever the flag order
    CHECK(sets[2]["sigma"] == 0.2);
    for (const auto& set : sets) {
        CHECK(set["n"] == 24);
        CHECK(set["shape"] == nlohmann::json({10, 4, 4}));
        CHECK(set["ranks"].size() == 24);
        CHECK(set["effective_ranks"].size() == 24);
        CHECK(set["embedding_2d"].size() == 24);
        CHECK(set["kernel_spectrum"].size() == 24);
        CHECK(set["hilbert_dim"].get<int>() >= 1);
        CHECK(set.contains("kernel_min_eigenvalue"));
        CHECK(set.contains("strata"));
        CHECK(set.contains("smooth"));
        CHECK_FALSE(set.contains("cross_stratum_pairs"));
        CHECK_FALSE(set.contains("fixed_rank_ambiguous_pairs"));
    }
    // Clean ranks follow the construction: mode-3 rank 2, 3, 4 in turn.
    CHECK(sets[0]["ranks"][0] == nlohmann::json({4, 4, 2}));
    CHECK(sets[0]["ranks"][1] == nlohmann::json({4, 4, 3}));
    CHECK(sets[0]["smooth"] == false);
    CHECK(sets[0]["strata"].size() == 3);
    CHECK_FALSE(sets[0].contains("principal_angles_deg"));
    CHECK(sets[2]["principal_angles_deg"].size() > 0);
    CHECK(sets[2]["smooth"] == true);  // noise fills every rank
    // More noise turns the subspace further.
    CHECK(sets[2]["principal_angles_deg"].back().get<double>() > sets[1]["principal_angles_deg"].back().get<double>());

    std::ifstream summary(t / "csv/summary.csv");
    std::string header, line;
    std::getline(summary, header);
    CHECK(header.rfind("model,set,sigma,n,strata,smooth", 0) == 0);
    int rows = 0;
    while (std::getline(summary, line)) ++rows;
    CHECK(rows == 3);
    std::ifstream samples(t / "csv/samples.csv");
    rows = -1;
    while (std::getline(samples, line)) ++rows;
    CHECK(rows == 3 * 24);
}

TEST_CASE("geometry: fixed-rank reports cross-stratum pairs; float64 input; options reach the settings") {
    TempDir t;
    const std::vector<float> v = latents(10, 6, 3, 3, 0.0, 5);
    std::vector<double> d(v.begin(), v.end());
    // A float64 file, written by hand with the format's header.
    std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (10, 6, 3, 3), }";
    header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
    header += "\n";
    std::vector<unsigned char> b = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<unsigned char>(header.size()), 0};
    b.insert(b.end(), header.begin(), header.end());
    const auto* p = reinterpret_cast<const unsigned char*>(d.data());
    b.insert(b.end(), p, p + d.size() * 8);
    write_bytes(t / "clean64.npy", b);
    const Run r = strata_run(
        "geometry --clean " + t / "clean64.npy" +
        " --metric fixed-rank --energy 0.9 --centered false --weights 1,2,0.5 --bandwidth 3 --out " + t / "fr.json");
    INFO(r.err);
    REQUIRE(r.code == 0);
    std::ifstream f(t / "fr.json");
    const nlohmann::json j = nlohmann::json::parse(f);
    CHECK(j["settings"]["metric"] == "fixed-rank");
    CHECK(j["settings"]["energy"] == 0.9);
    CHECK(j["settings"]["centered"] == false);
    CHECK(j["settings"]["bandwidth"] == 3.0);
    CHECK(j["settings"]["weights"] == nlohmann::json({1.0, 2.0, 0.5}));
    CHECK(j["settings"]["inputs"][0]["dtype"] == "<f8");
    // Mode-3 ranks cycle 2, 3, 4 over 10 samples (4, 3, 3 of each): 4*3 + 4*3 + 3*3 = 33 pairs differ.
    CHECK(j["sets"][0]["cross_stratum_pairs"] == 33);
    // Random low-rank ranges meet at no right angle.
    CHECK(j["sets"][0]["fixed_rank_ambiguous_pairs"] == 0);
}

TEST_CASE("geometry: fixed-rank counts the pairs that needed the rule for zero cosines (JSON and CSV)") {
    // 10 latents of 6 x 3 x 3 (mode 3: 6 x 9, rank up to 6) with channel 0 dead in the even ones and
    // channel 1 dead in the odd ones: every mode-3 rank is 5, and an even and an odd latent have
    // ranges that are orthogonal on one direction (channel 1 against channel 0). Modes 1 and 2 are
    // generic. So 5 x 5 = 25 pairs need the rule, and the 20 others do not.
    TempDir t;
    std::vector<float> v = latents(10, 6, 3, 3, 0.0, 7);
    std::mt19937 rng(8);
    std::normal_distribution<float> g;
    for (int i = 0; i < 10; ++i)
        for (int c = 0; c < 6; ++c)
            for (int k = 0; k < 9; ++k) {
                float& x = v[std::size_t((i * 6 + c) * 9 + k)];
                x = (c == i % 2) ? 0.0f : x + g(rng);  // full rank on the live channels
            }
    write_bytes(t / "dead.npy", strata::encode_npy_f32(v.data(), {10, 6, 3, 3}));
    const Run r = strata_run("geometry --clean " + t / "dead.npy" + " --metric fixed-rank --out " + t / "fr.json" +
                             " --csv " + t / "csv");
    INFO(r.err);
    REQUIRE(r.code == 0);
    std::ifstream f(t / "fr.json");
    const nlohmann::json j = nlohmann::json::parse(f);
    for (const auto& rk : j["sets"][0]["ranks"]) CHECK(rk[2] == 5);
    CHECK(j["sets"][0]["cross_stratum_pairs"] == 0);
    CHECK(j["sets"][0]["fixed_rank_ambiguous_pairs"] == 25);
    std::ifstream summary(t / "csv/summary.csv");
    std::string header, row;
    std::getline(summary, header);
    std::getline(summary, row);
    // The column's position in the header gives the field of the row.
    auto field_at = [](const std::string& line, std::size_t index) {
        std::stringstream ss(line);
        std::string cell;
        for (std::size_t i = 0; i <= index; ++i) std::getline(ss, cell, ',');
        return cell;
    };
    std::stringstream hs(header);
    std::string name;
    std::size_t index = 0, found = std::string::npos;
    for (; std::getline(hs, name, ','); ++index)
        if (name == "fixed_rank_ambiguous_pairs") found = index;
    REQUIRE(found != std::string::npos);
    CHECK(field_at(row, found) == "25");
}

// 3. Bad input -------------------------------------------------------------------------------------------------
TEST_CASE("geometry: --landmarks runs the Nystrom analysis and says so in the JSON") {
    TempDir t;
    write_latents(t / "clean.npy", 24, 10, 4, 4, 0.0);
    write_latents(t / "noisy.npy", 24, 10, 4, 4, 0.2);
    const std::string sets = " --clean " + t / "clean.npy" + " --noisy 0.2=" + t / "noisy.npy";
    const Run r = strata_run("geometry" + sets + " --landmarks 10 --seed 3 --quiet --out " + t / "out.json");
    INFO(r.err);
    REQUIRE(r.code == 0);
    std::ifstream f(t / "out.json");
    const nlohmann::json j = nlohmann::json::parse(f);
    CHECK(j["settings"]["landmarks"] == 10);
    CHECK(j["settings"]["seed"] == 3);
    const auto& l = j["landmarks"];
    CHECK(l["m"] == 10);
    CHECK(l["seed"] == 3);
    REQUIRE(l["indices"].size() == 10);
    for (std::size_t i = 1; i < 10; ++i) CHECK(l["indices"][i - 1].get<int>() < l["indices"][i].get<int>());
    CHECK(l["indices"][9].get<int>() < 24);
    CHECK(l["rule"].get<std::string>().find("without replacement") != std::string::npos);
    const int k = l["feature_rank"].get<int>();
    CHECK((k >= 1 && k <= 10));
    CHECK(j["sets"][0]["kernel_spectrum"].size() == std::size_t(k));
    CHECK(j["sets"][1]["kernel_spectrum"].size() <= 20);  // joint features of both sets' landmarks
    for (const auto& s : j["sets"]) {
        CHECK(s["approximate"] == true);
        CHECK(s["embedding_2d"].size() == 24);
    }
    CHECK(!j["sets"][1]["principal_angles_deg"].empty());

    // M >= N is the exact analysis: no landmarks block, nothing flagged.
    const Run e = strata_run("geometry" + sets + " --landmarks 24 --quiet --out " + t / "exact.json");
    REQUIRE(e.code == 0);
    std::ifstream g(t / "exact.json");
    const nlohmann::json x = nlohmann::json::parse(g);
    CHECK(x["settings"]["landmarks"] == 24);
    CHECK(x["settings"]["seed"].is_null());
    CHECK_FALSE(x.contains("landmarks"));
    CHECK_FALSE(x["sets"][0].contains("approximate"));
    CHECK(x["sets"][0]["kernel_spectrum"].size() == 24);
}

TEST_CASE("geometry: --bandwidth-scan and --bandwidth-factors: the JSON, bandwidth_scan.csv and the refusals") {
    TempDir t;
    write_latents(t / "clean.npy", 24, 10, 4, 4, 0.0);
    write_latents(t / "noisy.npy", 24, 10, 4, 4, 0.2);
    const std::string sets = " --clean " + t / "clean.npy" + " --noisy 0.2=" + t / "noisy.npy";
    const Run r =
        strata_run("geometry" + sets + " --bandwidth-scan --quiet --out " + t / "out.json" + " --csv " + t / "csv");
    INFO(r.err);
    REQUIRE(r.code == 0);
    std::ifstream f(t / "out.json");
    const nlohmann::json j = nlohmann::json::parse(f);
    const std::vector<double> factors{0.25, 0.5, 1, 2, 4};
    CHECK(j["settings"]["bandwidth_scan"] == nlohmann::json(factors));
    CHECK(j["bandwidth_scan"]["factors"] == nlohmann::json(factors));
    const double h = j["settings"]["bandwidth"].get<double>();
    for (std::size_t i = 0; i < factors.size(); ++i)
        CHECK(j["bandwidth_scan"]["bandwidths"][i].get<double>() == doctest::Approx(factors[i] * h).epsilon(1e-15));
    CHECK_FALSE(j["sets"][0]["bandwidth_scan"].contains("mean_angle_deg"));  // the clean set has no angles
    for (const auto& set : j["sets"]) CHECK(set["bandwidth_scan"]["hilbert_dim"][2] == set["hilbert_dim"]);
    // bandwidth_scan.csv: a header and one row per set and factor, the JSON's numbers (%.10g).
    std::ifstream csv(t / "csv/bandwidth_scan.csv");
    std::string line;
    std::getline(csv, line);
    CHECK(line == "model,set,sigma,factor,bandwidth,hilbert_dim,mean_angle_deg,max_angle_deg");
    std::vector<std::vector<std::string>> rows;
    while (std::getline(csv, line)) {
        std::vector<std::string> cells;
        std::stringstream ss(line);
        for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
        if (!line.empty() && line.back() == ',') cells.push_back("");
        rows.push_back(cells);
    }
    REQUIRE(rows.size() == 10);
    for (std::size_t k = 0; k < 2; ++k)
        for (std::size_t i = 0; i < 5; ++i) {
            const auto& row = rows[k * 5 + i];
            REQUIRE(row.size() == 8);
            const auto& scan = j["sets"][k]["bandwidth_scan"];
            CHECK(std::stod(row[3]) == factors[i]);
            CHECK(std::stoi(row[5]) == scan["hilbert_dim"][i].get<int>());
            if (k == 0) CHECK((row[6].empty() && row[7].empty()));
            else CHECK(std::stod(row[6]) == doctest::Approx(scan["mean_angle_deg"][i].get<double>()).epsilon(1e-9));
        }
    // Without the flags nothing of the scan is written.
    REQUIRE(strata_run("geometry" + sets + " --quiet --out " + t / "plain.json" + " --csv " + t / "plain").code == 0);
    std::ifstream g(t / "plain.json");
    const nlohmann::json p = nlohmann::json::parse(g);
    CHECK_FALSE(p.contains("bandwidth_scan"));
    CHECK_FALSE(p["settings"].contains("bandwidth_scan"));
    CHECK_FALSE(p["sets"][1].contains("bandwidth_scan"));
    CHECK_FALSE(exists(t / "plain/bandwidth_scan.csv"));
    // Refusals name the flag.
    const Run bad = strata_run("geometry" + sets + " --bandwidth-factors 2,-1 --out " + t / "bad.json");
    CHECK(bad.code == 1);
    CHECK(bad.err.find("--bandwidth-factors: each factor must be a finite number > 0") != std::string::npos);
    const Run lm = strata_run("geometry" + sets + " --bandwidth-scan --landmarks 10 --out " + t / "bad.json");
    CHECK(lm.code == 1);
    CHECK(lm.err.find("--bandwidth-scan: needs the exact kernel analysis") != std::string::npos);
    CHECK_FALSE(exists(t / "bad.json"));
}

TEST_CASE("geometry: every bad input exits non-zero with one clear message and writes nothing") {
    TempDir t;
    write_latents(t / "good.npy", 6, 4, 3, 3, 0.1);
    const std::string out = t / "out.json";
    auto expect_error = [&](const std::string& args, const std::string& message) {
        const Run r = strata_run("geometry " + args + " --out " + out);
        CAPTURE(args);
        CHECK(r.code == 1);
        CHECK(r.err.find(message) != std::string::npos);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
        CHECK_FALSE(exists(out));
    };
    const std::string good = " --clean " + t / "good.npy";

    expect_error("--clean " + t / "missing.npy", t / "missing.npy" + ": cannot open: No such file or directory");

    auto bytes = [&](int n, int C, int H, int W) {
        const std::vector<float> v = latents(n, C, H, W, 0.1, 2);
        return strata::encode_npy_f32(v.data(), {std::size_t(n), std::size_t(C), std::size_t(H), std::size_t(W)});
    };
    auto truncated = bytes(6, 4, 3, 3);
    truncated.resize(truncated.size() - 10);
    write_bytes(t / "truncated.npy", truncated);
    expect_error("--clean " + t / "truncated.npy", t / "truncated.npy" + ": truncated");

    std::ofstream(t / "text.npy") << "just some text, not numpy\n";
    expect_error("--clean " + t / "text.npy", t / "text.npy" + ": not a .npy file");

    auto with_descr = [&](const std::string& from, const std::string& to, const std::string& name) {
        auto b = bytes(6, 4, 3, 3);
        std::string s(b.begin(), b.end());
        s.replace(s.find(from), from.size(), to);
        write_bytes(t / name, std::vector<unsigned char>(s.begin(), s.end()));
        return t / name;
    };
    expect_error("--clean " + with_descr("'<f4'", "'<i4'", "int.npy"), "int.npy: dtype '<i4' is not supported");
    expect_error("--clean " + with_descr("'<f4'", "'>f4'", "big.npy"), "big.npy: big-endian");
    expect_error("--clean " + with_descr("False", "True ", "fortran.npy"), "fortran.npy: Fortran-order");

    const std::vector<float> flat(36, 1.0f);
    write_bytes(t / "3d.npy", strata::encode_npy_f32(flat.data(), {4, 3, 3}));
    expect_error("--clean " + t / "3d.npy", "3d.npy: expected a 4-D array N x C x H x W, got 3-D");

    std::vector<float> nan = latents(6, 4, 3, 3, 0.1, 3);
    nan[std::size_t(4 * 36 + 7)] = std::nanf("");
    write_bytes(t / "nan.npy", strata::encode_npy_f32(nan.data(), {6, 4, 3, 3}));
    expect_error("--clean " + t / "nan.npy", "nan.npy: sample 4 contains NaN");

    write_latents(t / "other_shape.npy", 6, 5, 3, 3, 0.1);
    expect_error(good + " --noisy 0.1=" + t / "other_shape.npy",
                 "other_shape.npy: latent shape 5x3x3 differs from the clean set's 4x3x3");

    write_latents(t / "one.npy", 1, 4, 3, 3, 0.1);
    expect_error("--clean " + t / "one.npy", "one.npy: needs at least 2 samples, got 1");

    expect_error(good + " --metric cosine", "--metric: unknown metric 'cosine'");
    expect_error(good + " --energy 0", "--energy: must be in (0, 1]");
    expect_error(good + " --energy 1.5", "--energy: must be in (0, 1]");
    expect_error(good + " --energy abc", "--energy: 'abc' is not a number");
    expect_error(good + " --weights 1,2", "--weights: need three");
    expect_error(good + " --noisy " + t / "good.npy", "--noisy: expected SIGMA=PATH.npy");
    expect_error(good + " --noisy 0.1=" + t / "good.npy" + " --noisy 0.1=" + t / "good.npy", "is given twice");
    expect_error(good + " --frobnicate 3", "--frobnicate: unknown option");
    expect_error(good + " --landmarks 2.5", "--landmarks: '2.5' is not an integer");
    expect_error(good + " --landmarks -3", "--landmarks: must be an integer between 0 and");
    expect_error(good + " --landmarks 4 --seed -1", "--seed: must be >= 0");
    expect_error("", "--clean: required");

    // A failed run leaves an existing result untouched.
    std::ofstream(out) << "previous result";
    const Run r = strata_run("geometry --clean " + t / "nan.npy" + " --out " + out);
    CHECK(r.code == 1);
    std::ifstream f(out);
    std::string kept;
    std::getline(f, kept);
    CHECK(kept == "previous result");
    std::remove(out.c_str());

    // An unwritable output folder is reported, and no temporary file is left.
    const Run w = strata_run("geometry" + good + " --out " + t / "no/such/dir/out.json");
    CHECK(w.code == 1);
    CHECK(w.err.find("no/such/dir/out.json: cannot write") != std::string::npos);
}

TEST_CASE("geometry: --help and no command") {
    CHECK(strata_run("geometry --help").code == 0);
    CHECK(strata_run("").code == 2);
    CHECK(strata_run("nonsense").code == 2);
}
