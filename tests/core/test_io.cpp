// test_io.cpp: .npy reading and writing, JSON output, SHA-256, PSNR.
#include "error.hpp"
#include "json.hpp"
#include "npy.hpp"
#include "psnr.hpp"
#include "sha256.hpp"

#include <doctest/doctest.h>
#include <cmath>
#include <cstring>

using namespace strata;

namespace {

std::vector<unsigned char> npy_with_header(const std::string& dict, std::size_t data_bytes, int major = 1) {
    std::string header = dict;
    const std::size_t pre = major == 1 ? 10 : 12;
    header.append((64 - (pre + header.size() + 1) % 64) % 64, ' ');
    header.push_back('\n');
    std::vector<unsigned char> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<unsigned char>(major), 0};
    out.push_back(header.size() & 0xff);
    out.push_back((header.size() >> 8) & 0xff);
    if (major != 1) {
        out.push_back(0);
        out.push_back(0);
    }
    out.insert(out.end(), header.begin(), header.end());
    out.resize(out.size() + data_bytes, 0);
    return out;
}

std::string error_of(const std::vector<unsigned char>& bytes) {
    try {
        parse_npy(bytes.data(), bytes.size(), "x.npy");
    } catch (const Error& e) { return e.what(); }
    return "";
}

}  // namespace

TEST_CASE("npy: float32 round trip and float64") {
    const std::vector<float> v = {1.5f, -2.0f, 3.25f, 0.0f, 1e-30f, 7.0f};
    const auto bytes = encode_npy_f32(v.data(), {1, 2, 3, 1});
    CHECK(bytes.size() % 64 == 24 % 64);  // 64-aligned header + 24 data bytes
    const NpyArray a = parse_npy(bytes.data(), bytes.size(), "x.npy");
    CHECK(a.dtype == "<f4");
    CHECK(a.shape == std::vector<std::size_t>{1, 2, 3, 1});
    for (std::size_t i = 0; i < v.size(); ++i) CHECK(a.values[i] == double(v[i]));
    const LatentSet s = latent_set_from_npy(a, "x.npy", 0.1);
    CHECK(s.n == 1);
    CHECK(s.shape == LatentShape{2, 3, 1});

    auto f8 = npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16, 2);
    const double d[2] = {0.1, -7.5};
    std::memcpy(f8.data() + f8.size() - 16, d, 16);
    const NpyArray b = parse_npy(f8.data(), f8.size(), "y.npy");
    CHECK(b.values == std::vector<double>{0.1, -7.5});
    CHECK(b.shape == std::vector<std::size_t>{2});
}

TEST_CASE("npy: a header over 64 KiB is written as format 2.0 (fuzz/regressions/npy/encode-header-*)") {
    const std::vector<std::size_t> shape(25000, 0);  // 25000 dimensions of size 0: "0, " each
    const auto bytes = encode_npy_f32(nullptr, shape);
    CHECK(bytes[6] == 2);
    CHECK(bytes.size() % 64 == 0);
    CHECK(parse_npy(bytes.data(), bytes.size(), "big.npy").shape == shape);
    CHECK(encode_npy_f32(nullptr, {0})[6] == 1);
}

TEST_CASE("npy: every kind of bad file is named and explained") {
    const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
    CHECK(error_of(npy_with_header(ok, 16)).empty());
    CHECK(error_of({'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0, 0, 0}) ==
          "x.npy: not a .npy file (missing the \\x93NUMPY magic)");
    CHECK(error_of(npy_with_header(ok, 12)) ==
          "x.npy: truncated: the header promises 16 bytes of data, the file has 12");
    CHECK(error_of(npy_with_header(ok, 20)).find("unexpected bytes") != std::string::npos);
    auto cut = npy_with_header(ok, 16);
    cut.resize(40);
    CHECK(error_of(cut) == "x.npy: truncated .npy header");
    CHECK(error_of(npy_with_header("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", 16))
              .find("big-endian") != std::string::npos);
    CHECK(error_of(npy_with_header("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }", 16)) ==
          "x.npy: dtype '<i4' is not supported; need float32 ('<f4') or float64 ('<f8')");
    CHECK(error_of(npy_with_header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16))
              .find("Fortran-order") != std::string::npos);
    CHECK(
        error_of(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", 16)).find("corrupt") !=
        std::string::npos);
    CHECK(error_of(npy_with_header("{'descr': '<f4', 'fortran_order': False, }", 16)) ==
          "x.npy: corrupt .npy header: no 'shape' entry");
    CHECK(
        error_of(npy_with_header(
                     "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999, 99999999999, 9999999), }", 16))
            .find("x.npy:") == 0);
    auto v9 = npy_with_header(ok, 16);
    v9[6] = 9;
    CHECK(error_of(v9) == "x.npy: unsupported .npy format version 9");
}

TEST_CASE("npy: latent sets need 4-D arrays and finite values") {
    const std::vector<float> v(24, 1.0f);
    const auto three = encode_npy_f32(v.data(), {2, 3, 4});
    const NpyArray a = parse_npy(three.data(), three.size(), "z.npy");
    CHECK_THROWS_WITH_AS(latent_set_from_npy(a, "z.npy", 0),
                         "z.npy: expected a 4-D array N x C x H x W, got 3-D (2 x 3 x 4)", Error);
    std::vector<float> w(24, 1.0f);
    w[13] = INFINITY;
    const auto four = encode_npy_f32(w.data(), {2, 3, 2, 2});
    CHECK_THROWS_WITH_AS(latent_set_from_npy(parse_npy(four.data(), four.size(), "z.npy"), "z.npy", 0),
                         "z.npy: sample 1 contains Inf", Error);
}

TEST_CASE("json: values, escapes, exact numbers") {
    Json j = Json::object();
    j.set("a", 0.1);
    j.set("s", "x\"y\n");
    j.set("n", Json());
    j.set("inf", Json(INFINITY));
    j.set("v", Json::array_of(std::vector<int>{1, 2}));
    Json o = Json::object();
    o.set("t", true);
    j.set("o", o);
    CHECK(j.dump() ==
          "{\"a\":0.10000000000000001,\"s\":\"x\\\"y\\n\",\"n\":null,\"inf\":null,\"v\":[1,2],\"o\":{\"t\":true}}");
    j.set("a", 2);  // replaces, keeps the order
    CHECK(j.dump().rfind("{\"a\":2,", 0) == 0);
    CHECK(j.find("o")->find("t") != nullptr);
    CHECK(j.find("zz") == nullptr);
    CHECK(std::strtod("0.10000000000000001", nullptr) == 0.1);
}

TEST_CASE("sha256: FIPS 180-4 test vectors") {
    CHECK(sha256_hex("", 0) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc", 3) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK(sha256_hex(two_blocks.data(), two_blocks.size()) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const std::string million(1000000, 'a');
    CHECK(sha256_hex(million.data(), million.size()) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("psnr: known values") {
    std::vector<float> x(100, 0.5f), y(100, 0.6f);
    CHECK(psnr(y.data(), x.data(), 100) == doctest::Approx(20.0).epsilon(1e-6));
    CHECK(std::isinf(psnr(x.data(), x.data(), 100)));
    std::vector<float> xs(200, 0.5f), ys(200, 0.5f);
    for (int i = 100; i < 200; ++i) ys[std::size_t(i)] = 0.51f;  // image 2: MSE 1e-4 -> 40 dB
    for (int i = 0; i < 100; ++i) ys[std::size_t(i)] = 0.6f;     // image 1: 20 dB
    const PsnrStats s = psnr_stats(ys.data(), xs.data(), 2, 100);
    CHECK(s.mean == doctest::Approx(30.0).epsilon(1e-5));
    CHECK(s.std == doctest::Approx(10.0).epsilon(1e-5));
    REQUIRE(s.per_image.size() == 2);  // each image's own value, in order
    CHECK(s.per_image[0] == doctest::Approx(20.0).epsilon(1e-5));
    CHECK(s.per_image[1] == doctest::Approx(40.0).epsilon(1e-5));
    const PsnrStats same = psnr_stats(xs.data(), xs.data(), 2, 100);  // perfect: capped at 100 dB
    CHECK(same.per_image == std::vector<double>{100.0, 100.0});
}
