// test_readers.cpp: the readers of text from anywhere: JSON, models/manifest.json, the URL view
// state. Each accepts what our own writers produce and refuses the rest with a message that says
// where and what.
#include "error.hpp"
#include "json.hpp"
#include "manifest.hpp"
#include "view_state.hpp"

#include <doctest/doctest.h>
#include <cmath>

using namespace strata;

namespace {

std::string json_error(const std::string& text) {
    try {
        Json::parse(text, "x.json");
    } catch (const Error& e) { return e.what(); }
    return "";
}

// A valid manifest with two models; `cae_files` replaces the first model's "files" object.
std::string manifest_text(const std::string& cae_files = "") {
    const std::string hash(64, 'a');
    const std::string file = R"({"path": "P", "bytes": 10, "sha256": ")" + hash + "\"}";
    auto f = [&file](const std::string& p) { return std::string(file).replace(file.find('P'), 1, p); };
    const std::string files1 =
        cae_files.empty() ? R"({"encoder": )" + f("cae/encoder.onnx") + R"(, "decoder": )" + f("cae/decoder.onnx") + "}"
                          : cae_files;
    return R"({"format": "strata-models-1", "sample": {"images": )" + f("sample/t10k-images-idx3-ubyte") +
           R"(, "labels": )" + f("sample/t10k-labels-idx1-ubyte") + R"(, "count": 1000},
  "models": [
    {"name": "cae", "kind": "cae", "latent_shape": [64, 7, 7], "files": )" +
           files1 + R"(},
    {"name": "vae", "kind": "vae", "files": {"encoder": )" +
           f("vae/encoder.onnx") + R"(, "decoder": )" + f("vae/decoder.onnx") + R"(}}
  ]})";
}

}  // namespace

TEST_CASE("Json::parse reads what dump writes, bit for bit") {
    Json j = Json::object();
    j.set("pi", Json(3.141592653589793));
    j.set("tiny", Json(4.9406564584124654e-324));
    j.set("big", Json(9007199254740993LL));
    j.set("text", Json(std::string("a \"quoted\" \\ line\nwith \x01 and \xC3\xA9")));
    Json arr = Json::array();
    arr.push(Json(true)).items();
    arr.push(Json());
    arr.push(Json(-0.5));
    j.set("list", arr);
    for (int indent : {-1, 2}) {
        const Json back = Json::parse(j.dump(indent), "x.json");
        CHECK(back.dump() == j.dump());
        CHECK(back.find("pi")->number() == 3.141592653589793);
        CHECK(back.find("tiny")->number() == 4.9406564584124654e-324);
        CHECK(back.find("big")->is_integer());
        CHECK(back.find("big")->integer() == 9007199254740993LL);
        CHECK(back.find("text")->string() == j.find("text")->string());
    }
    CHECK(Json::parse("\xEF\xBB\xBF [1, 2e3, -0, 1E-2]", "x").items().size() == 4);
    CHECK(Json::parse(R"("\u00e9\ud83d\ude00")", "x").string() == "\xC3\xA9\xF0\x9F\x98\x80");
    CHECK(Json::parse("123456789012345678901234567890", "x").number() == doctest::Approx(1.2345678901234568e29));
    // Negative zero survives a round trip however it is written (fuzz_manifest found "-0e5").
    for (const char* z : {"-0", "-0e5", "-0.0"}) {
        const Json v = Json::parse(z, "x");
        CHECK(std::signbit(v.number()));
        CHECK(Json::parse(v.dump(), "x").dump() == v.dump());
    }
}

TEST_CASE("Json::parse refuses anything outside RFC 8259 and names line and column") {
    CHECK(json_error("") == "x.json: line 1, column 1: empty: no JSON value");
    CHECK(json_error("{\n  \"a\": 1,\n}") ==
          "x.json: line 3, column 1: expected a key (a string in double quotes), found '}'");
    CHECK(json_error("[1, 2") ==
          "x.json: line 1, column 6: expected ',' or ']' in an array, found the end of the text");
    CHECK(json_error(R"({"a": 1, "a": 2})") == "x.json: line 1, column 10: duplicate key \"a\"");
    CHECK(json_error("[1] x").find("text after the JSON value") != std::string::npos);
    CHECK(json_error("NaN").find("expected a value") != std::string::npos);
    CHECK(json_error("[01]").find("expected ',' or ']'") != std::string::npos);
    CHECK(json_error("[1.]").find("expected a digit after '.'") != std::string::npos);
    CHECK(json_error("1e999").find("out of range") != std::string::npos);
    CHECK(json_error("\"a\tb\"").find("control character") != std::string::npos);
    CHECK(json_error(R"("\x")").find("unknown escape") != std::string::npos);
    CHECK(json_error(R"("\ud800")").find("lone UTF-16 surrogate") != std::string::npos);
    CHECK(json_error("// comment\n1").find("expected a value") != std::string::npos);
    CHECK(json_error("tru").find("expected 'true'") != std::string::npos);
    CHECK(json_error(std::string("[\0]", 3)).find("found byte 0") != std::string::npos);
    // Nesting: the limit holds (no stack exhaustion on a hostile file), one level less is fine.
    const int d = Json::max_depth;
    CHECK(json_error(std::string(std::size_t(d), '[') + std::string(std::size_t(d), ']')) == "");
    CHECK(json_error(std::string(100000, '[')).find("nested deeper than 64 levels") != std::string::npos);
}

TEST_CASE("parse_manifest: the shipped form, and every entry-level problem skips only that entry") {
    const Manifest m = parse_manifest(manifest_text(), "models/manifest.json");
    REQUIRE(m.models.size() == 2);
    CHECK(m.problems.empty());
    CHECK(m.models[0].name == "cae");
    CHECK(m.models[0].latent_shape == std::array<int, 3>{64, 7, 7});
    CHECK(m.models[0].encoder.path == "cae/encoder.onnx");
    CHECK(m.models[0].encoder.bytes == 10u);
    CHECK(m.models[1].latent_shape == std::nullopt);
    CHECK(m.images->path == "sample/t10k-images-idx3-ubyte");
    CHECK(m.sample_count == 1000);

    const std::string hash(64, 'a');
    struct Bad {
        std::string files, why;
    };
    const std::vector<Bad> bad = {
        {R"({"decoder": {"path": "cae/decoder.onnx"}})", "files.encoder is missing"},
        {R"({"encoder": {"path": "../secret.onnx"}, "decoder": {"path": "d.onnx"}})", "is not a relative path inside"},
        {R"({"encoder": {"path": "https://example.com/e.onnx"}, "decoder": {"path": "d.onnx"}})",
         "is not a relative path inside"},
        {R"({"encoder": {"path": "/etc/passwd"}, "decoder": {"path": "d.onnx"}})", "is not a relative path inside"},
        {R"({"encoder": {"path": "e.onnx", "bytes": -1}, "decoder": {"path": "d.onnx"}})",
         "bytes is not a whole number"},
        {R"({"encoder": {"path": "e.onnx", "bytes": 1.5}, "decoder": {"path": "d.onnx"}})",
         "bytes is not a whole number"},
        {R"({"encoder": {"path": "e.onnx", "bytes": 10, "sha256": "xyz"}, "decoder": {"path": "d.onnx"}})",
         "sha256 is not 64"},
        // Size and hash are required for every file: each file is checked against both before use.
        {R"({"encoder": {"path": "e.onnx", "sha256": ")" + hash + R"("}, "decoder": {"path": "d.onnx"}})",
         "files.encoder.bytes is missing"},
        {R"({"encoder": {"path": "e.onnx", "bytes": 10}, "decoder": {"path": "d.onnx"}})",
         "files.encoder.sha256 is missing"},
        {R"({"encoder": {"path": "e.onnx", "bytes": 10, "sha256": ")" + hash +
             R"("}, "decoder": {"path": "d.onnx", "bytes": 10}})",
         "files.decoder.sha256 is missing"},
        {R"({"encoder": {"path": "e.onnx", "bytes": 10, "sha256": ")" + hash +
             R"("}, "decoder": {"path": "d.onnx", "sha256": ")" + hash + R"("}})",
         "files.decoder.bytes is missing"},
        {R"({"encoder": {"path": 7}, "decoder": {"path": "d.onnx"}})", "files.encoder.path is not a string"},
        {R"([1])", "files is not an object"},
    };
    for (const Bad& b : bad) {
        CAPTURE(b.files);
        const Manifest mb = parse_manifest(manifest_text(b.files), "models/manifest.json");
        REQUIRE(mb.models.size() == 1);
        CHECK(mb.models[0].name == "vae");
        REQUIRE(mb.problems.size() == 1);
        CHECK(mb.problems[0].find("models/manifest.json: model \"cae\" skipped: ") == 0);
        CHECK(mb.problems[0].find(b.why) != std::string::npos);
    }
    // Names: bad characters, duplicates.
    std::string dup = manifest_text();
    dup.replace(dup.find("\"vae\""), 5, "\"cae\"");
    const Manifest md = parse_manifest(dup, "m.json");
    CHECK(md.models.size() == 1);
    CHECK(md.problems.at(0) == "m.json: model \"cae\" skipped: a second model with this name");
    std::string badname = manifest_text();
    badname.replace(badname.find("\"vae\""), 5, "\"v a/e\"");
    CHECK(parse_manifest(badname, "m.json").problems.at(0).find("models[1] skipped: name \"v a/e\" is not") !=
          std::string::npos);

    // in_paper: absent means true; a boolean is taken; anything else skips the entry.
    CHECK(m.models[0].in_paper);
    std::string extra = manifest_text();
    extra.replace(extra.find("\"kind\": \"vae\""), 13, "\"kind\": \"vae\", \"in_paper\": false");
    const Manifest me = parse_manifest(extra, "m.json");
    REQUIRE(me.models.size() == 2);
    CHECK_FALSE(me.models[1].in_paper);
    extra.replace(extra.find("false"), 5, "\"no\"");
    CHECK(parse_manifest(extra, "m.json").problems.at(0) ==
          "m.json: model \"vae\" skipped: in_paper is not true or false");
    // An entry's "architecture" reaches its settings (checked as model.json's); a bad one skips the entry.
    CHECK(m.models[0].settings.architecture.is_null());
    std::string arch = manifest_text();
    arch.replace(arch.find("\"kind\": \"vae\""), 13, R"("kind": "vae", "architecture": {"norm": "none", "depth": 2})");
    const Manifest ma = parse_manifest(arch, "m.json");
    REQUIRE(ma.models.size() == 2);
    CHECK(to_json(ma.models[1].settings).dump() == R"({"architecture":{"norm":"none","depth":2}})");
    arch.replace(arch.find("\"depth\": 2"), 10, "\"depth\": 0");
    CHECK(parse_manifest(arch, "m.json").problems.at(0) ==
          "m.json: model \"vae\" skipped: entry: \"architecture\": \"depth\" must be a whole number from 1 "
          "to 4096");
}

TEST_CASE("parse_manifest: a file that is unusable as a whole throws, naming it") {
    auto error_of = [](const std::string& text, bool need_sample = true) -> std::string {
        try {
            parse_manifest(text, "models/manifest.json", need_sample);
        } catch (const Error& e) { return e.what(); }
        return "";
    };
    CHECK(error_of("{\"format\": ").find("models/manifest.json: line 1, column 12: expected a value") == 0);
    CHECK(error_of("[]") == "models/manifest.json: not a JSON object");
    CHECK(error_of(R"({"format": "other"})").find("\"format\" is not \"strata-models-1\"") != std::string::npos);
    CHECK(error_of(R"({"format": "strata-models-1", "models": []})") == "models/manifest.json: sample is missing");
    CHECK(error_of(R"({"format": "strata-models-1"})", false) == "models/manifest.json: no \"models\" array");
    CHECK(error_of(R"({"format": "strata-models-1", "models": []})", false) == "");
    std::string no_count = manifest_text();
    no_count.replace(no_count.find("\"count\": 1000"), 13, "\"count\": 0");
    CHECK(error_of(no_count) == "models/manifest.json: sample.count is not a positive integer");
    // The sample's files need their size and hash too.
    std::string no_hash = manifest_text();
    const std::size_t images = no_hash.find("sample/t10k-images-idx3-ubyte");
    const std::size_t hash_at = no_hash.find(", \"sha256\"", images);
    no_hash.erase(hash_at, no_hash.find('}', hash_at) - hash_at);
    CHECK(error_of(no_hash) == "models/manifest.json: sample.images.sha256 is missing");
    CHECK(is_safe_relative_path("cae/encoder.onnx"));
    for (const char* p : {"", "/a", "a//b", "a/./b", "a/../b", "a\\b", "a:b", "a b", "a/"})
        CHECK_FALSE(is_safe_relative_path(p));
}

TEST_CASE("parse_view_state: the whole state, round trip through format_view_state") {
    const ViewState v = parse_view_state(
        "?n=120&seed=7&vae_latent=mean&models=cae,vae&metric=bures-wasserstein&energy=0.9&rank_rtol=1e-06"
        "&bandwidth=2.5&centered=false&sigma=0.15&sample=17&hide=vae&view=vae&color=stratum&tsne=1"
        "&find=stratum:7-6-40&isolate=1&walk=3,250&steps=12&layout=0.10.20.300.200,3.5.5.100.80.c");
    CHECK(v.problems.empty());
    CHECK(v.find == "stratum:7-6-40");
    CHECK(v.isolate);
    REQUIRE(v.walk);
    CHECK((*v.walk)[0] == 3);
    CHECK((*v.walk)[1] == 250);
    CHECK(v.steps == 12);
    CHECK(v.n == 120);
    CHECK(v.seed == 7);
    CHECK(v.vae_latent == "mean");
    CHECK(v.models == std::vector<std::string>{"cae", "vae"});
    CHECK(v.geometry.metric == "bures-wasserstein");
    CHECK(v.geometry.energy == 0.9);
    CHECK(v.geometry.rank_rtol == 1e-6);
    CHECK(v.geometry.bandwidth == 2.5);
    CHECK_FALSE(v.geometry.centered);
    CHECK(v.sigma == 0.15);
    CHECK(v.sample == 17);
    CHECK(v.hide == std::vector<std::string>{"vae"});
    CHECK(v.view == "vae");
    CHECK(v.color == "stratum");
    CHECK(v.tsne);
    REQUIRE(v.layout.size() == 2);
    CHECK(v.layout[1].panel == 3);
    CHECK(v.layout[1].collapsed);
    const std::string q = format_view_state(v);
    CHECK(q ==
          "n=120&seed=7&vae_latent=mean&models=cae,vae&metric=bures-wasserstein&energy=0.9&rank_rtol=1e-06"
          "&bandwidth=2.5&centered=false&sigma=0.15&sample=17&hide=vae&view=vae&color=stratum&tsne=1"
          "&find=stratum%3A7-6-40&isolate=1&walk=3,250&steps=12&layout=0.10.20.300.200,3.5.5.100.80.c");
    CHECK(format_view_state(parse_view_state(q)) == q);
    // The class rule in canonical form (leading zeros dropped); the default steps are left out.
    CHECK(format_view_state(parse_view_state("find=class:007&walk=0,1&steps=9")) == "find=class%3A7&walk=0,1");
    CHECK(parse_view_state(q).geometry.rank_rtol == 1e-6);
    CHECK(format_view_state(ViewState{}) == "");
    CHECK(parse_view_state("").problems.empty());
}

TEST_CASE("parse_view_state: absurd values are ignored one by one, each with a reason") {
    const ViewState v = parse_view_state(
        "n=-5&seed=abc&vae_latent=x&models=a b&metric=euclid&energy=2&rank_rtol=nan&bandwidth=-1&centered=yes"
        "&sigma=1e400&sample=99999999&hide=%ZZ&view=../x&color=red&tsne=2&layout=1.2.3&bogus=1&n=7"
        "&find=stratum:1-2&isolate=yes&walk=4&steps=2");
    CHECK(v.n == 7);  // the last n wins
    CHECK(v.seed == 0);
    CHECK(v.vae_latent == "sample");
    CHECK(v.models.empty());
    CHECK(v.geometry.metric == "log-euclidean");
    CHECK(v.geometry.energy == 0.95);
    CHECK_FALSE(v.geometry.rank_rtol);
    CHECK_FALSE(v.geometry.bandwidth);
    CHECK(v.geometry.centered);
    CHECK_FALSE(v.sigma);
    CHECK(v.sample == -1);
    CHECK(v.view.empty());
    CHECK(v.color == "set");
    CHECK_FALSE(v.tsne);
    CHECK(v.layout.empty());
    CHECK(v.find.empty());
    CHECK_FALSE(v.isolate);
    CHECK_FALSE(v.walk);
    CHECK(v.steps == 9);
    CHECK(parse_view_state("find=class:x").find.empty());
    CHECK(parse_view_state("find=species:3").problems.size() == 1);
    CHECK(parse_view_state("walk=1,10000").problems.size() == 1);
    std::string all;
    for (const auto& p : v.problems) all += p + "\n";
    CAPTURE(all);
    for (const char* part : {"n is given more than once",
                             "seed=abc is not a whole number",
                             "vae_latent=x is not",
                             "models=a b has a name",
                             "metric=euclid is not a metric",
                             "energy=2 is not in (0, 1]",
                             "rank_rtol=nan is not a number",
                             "bandwidth=-1 is not > 0",
                             "centered=yes is not",
                             "sigma=1e400 is not a finite number",
                             "sample=99999999 is out of range",
                             "broken %-escape",
                             "view=../x is not a model name",
                             "color=red is not",
                             "tsne=2 is not",
                             "layout=1.2.3 has a panel",
                             "unknown parameter 'bogus'",
                             "find=stratum:1-2 is not class:C or stratum",
                             "isolate=yes is not 0 or 1",
                             "walk=4 is not A,B",
                             "steps=2 is out of range"})
        CHECK(all.find(part) != std::string::npos);
    // A query far too long is ignored as a whole.
    const ViewState big = parse_view_state("n=10&x=" + std::string(20000, 'a'));
    CHECK(big.n == 300);
    REQUIRE(big.problems.size() == 1);
    CHECK(big.problems[0].find("ignored, defaults used") != std::string::npos);
    // Values are shortened in messages.
    const ViewState longv = parse_view_state("metric=" + std::string(500, 'q'));
    CHECK(longv.problems.at(0).size() < 120);
}

TEST_CASE("manifest: an encoder alone, a model's settings, a .npy sample without labels (strata publish)") {
    const std::string hash(64, 'b');
    const std::string file = R"({"path": "P", "bytes": 5, "sha256": ")" + hash + "\"}";
    auto f = [&file](const std::string& p) { return std::string(file).replace(file.find('P'), 1, p); };
    const std::string text =
        R"({"format": "strata-models-1", "sample": {"images": )" + f("sample/images.npy") +
        R"(, "count": 12}, "models": [
      {"name": "rgb", "kind": "ae", "files": {"encoder": )" +
        f("rgb/encoder.onnx") +
        R"(}, "settings": {"mean": [0.5, 0.4, 0.3], "std": [0.2, 0.2, 0.2], "latent_output": "code"}},
      {"name": "typo", "kind": "ae", "files": {"encoder": )" +
        f("t/encoder.onnx") + R"(}, "settings": {"stdev": 1}}]})";
    const Manifest m = parse_manifest(text, "site/models/manifest.json");
    REQUIRE(m.models.size() == 1);
    CHECK_FALSE(m.models[0].decoder.has_value());
    CHECK(m.models[0].settings.latent_output == "code");
    CHECK(m.models[0].settings.mean == std::vector<double>{0.5, 0.4, 0.3});
    CHECK_FALSE(m.labels.has_value());
    CHECK(m.images->path == "sample/images.npy");
    REQUIRE(m.problems.size() == 1);
    CHECK(m.problems[0] ==
          "site/models/manifest.json: model \"typo\" skipped: settings: unknown key \"stdev\" (known: kind, mean, "
          "std, latent_output, input, architecture; docs/images.md)");
    // IDX images still need their labels.
    std::string idx = text;
    idx.replace(idx.find("sample/images.npy"), 17, "sample/t10k-idx3-u");
    CHECK_THROWS_WITH_AS(parse_manifest(idx, "m.json"),
                         "m.json: sample.labels is missing (IDX images come with their labels)", Error);
}
