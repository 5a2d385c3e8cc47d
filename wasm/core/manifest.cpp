// manifest.cpp: reading models/manifest.json (manifest.hpp says what is accepted).
//
// Index: 1. field helpers (each throws a short "field: what" reason)  2. files, models, sample
//        3. parse_manifest  4. is_safe_relative_path
#include "manifest.hpp"

#include "error.hpp"
#include "json.hpp"
#include "settings.hpp"

#include <set>

namespace strata {

namespace {

// A reason a field is unusable; the caller adds which entry it is in.
struct FieldError {
    std::string what;
};

// 1. Fields --------------------------------------------------------------------------------------------------
const Json& member(const Json& obj, const std::string& key, const std::string& where) {
    const Json* v = obj.is_object() ? obj.find(key) : nullptr;
    if (!v) throw FieldError{where + key + " is missing"};
    return *v;
}

std::string text_field(const Json& obj, const std::string& key, const std::string& where,
                       std::size_t max_length = 256) {
    const Json& v = member(obj, key, where);
    if (!v.is_string()) throw FieldError{where + key + " is not a string"};
    if (v.string().empty()) throw FieldError{where + key + " is empty"};
    if (v.string().size() > max_length)
        throw FieldError{where + key + " is longer than " + std::to_string(max_length) + " characters"};
    return v.string();
}

bool is_sha256(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// 2. Files, models, the sample -------------------------------------------------------------------------------
ManifestFile file_entry(const Json& obj, const std::string& where) {
    ManifestFile f;
    f.path = text_field(obj, "path", where);
    if (!is_safe_relative_path(f.path))
        throw FieldError{where + "path \"" + f.path + "\" is not a relative path inside the models folder"};
    const Json& b = member(obj, "bytes", where);
    if (!b.is_integer() || b.integer() < 0) throw FieldError{where + "bytes is not a whole number of bytes"};
    f.bytes = static_cast<std::uint64_t>(b.integer());
    const Json& h = member(obj, "sha256", where);
    if (!h.is_string() || !is_sha256(h.string())) throw FieldError{where + "sha256 is not 64 lower-case hex digits"};
    f.sha256 = h.string();
    return f;
}

ManifestModel model_entry(const Json& m) {
    if (!m.is_object()) throw FieldError{"not an object"};
    ManifestModel out;
    out.name = text_field(m, "name", "");
    if (!is_plain_name(out.name))
        throw FieldError{"name \"" + out.name + "\" is not 1-64 letters, digits, '.', '_' or '-'"};
    out.kind = text_field(m, "kind", "", 64);
    if (const Json* p = m.find("in_paper")) {
        if (!p->is_bool()) throw FieldError{"in_paper is not true or false"};
        out.in_paper = p->boolean();
    }
    if (const Json* s = m.find("latent_shape")) {
        if (!s->is_array() || s->items().size() != 3) throw FieldError{"latent_shape is not [C, H, W]"};
        std::array<int, 3> shape{};
        for (int k = 0; k < 3; ++k) {
            const Json& d = s->items()[std::size_t(k)];
            if (!d.is_integer() || d.integer() < 1 || d.integer() > 65536)
                throw FieldError{"latent_shape has a size that is not a positive integer"};
            shape[std::size_t(k)] = int(d.integer());
        }
        out.latent_shape = shape;
    }
    const Json& files = member(m, "files", "");
    if (!files.is_object()) throw FieldError{"files is not an object"};
    out.encoder = file_entry(member(files, "encoder", "files."), "files.encoder.");
    if (const Json* d = files.find("decoder")) out.decoder = file_entry(*d, "files.decoder.");
    if (const Json* st = m.find("settings")) {
        try {
            out.settings = parse_model_settings(*st, "settings");
        } catch (const Error& e) { throw FieldError{e.what()}; }
    }
    // The entry's "architecture" (strata publish, make_manifest.py), unless its settings name one.
    if (const Json* a = m.find("architecture"); a && out.settings.architecture.is_null()) {
        try {
            out.settings.architecture = parse_architecture(*a, "entry");
        } catch (const Error& e) { throw FieldError{e.what()}; }
    }
    return out;
}

}  // namespace

// 3. The whole file ---------------------------------------------------------------------------------------------
Manifest parse_manifest(std::string_view text, const std::string& name, bool need_sample) {
    const Json doc = Json::parse(text, name);
    if (!doc.is_object()) throw Error(name + ": not a JSON object");
    Manifest out;
    const Json* format = doc.find("format");
    if (!format || !format->is_string() || format->string() != "strata-models-1")
        throw Error(name + ": \"format\" is not \"strata-models-1\" (written by models/make_manifest.py)");
    out.format = format->string();

    const Json* sample = doc.find("sample");
    if (sample || need_sample) {
        try {
            if (!sample) throw FieldError{"sample is missing"};
            out.images = file_entry(member(*sample, "images", "sample."), "sample.images.");
            const bool npy =
                out.images->path.size() > 4 && out.images->path.substr(out.images->path.size() - 4) == ".npy";
            if (const Json* labels = sample->find("labels")) out.labels = file_entry(*labels, "sample.labels.");
            else if (!npy) throw FieldError{"sample.labels is missing (IDX images come with their labels)"};
            const Json& count = member(*sample, "count", "sample.");
            if (!count.is_integer() || count.integer() < 1) throw FieldError{"sample.count is not a positive integer"};
            out.sample_count = static_cast<std::uint64_t>(count.integer());
            if (const Json* classes = sample->find("classes")) {
                if (!classes->is_array() || classes->items().size() > 256)
                    throw FieldError{"sample.classes is not an array of at most 256 names"};
                for (const Json& c : classes->items()) {
                    if (!c.is_string() || c.string().empty() || c.string().size() > 64)
                        throw FieldError{"sample.classes holds something other than names of 1-64 characters"};
                    out.class_names.push_back(c.string());
                }
            }
        } catch (const FieldError& e) { throw Error(name + ": " + e.what); }
    }

    const Json* models = doc.find("models");
    if (!models || !models->is_array()) throw Error(name + ": no \"models\" array");
    std::set<std::string> names;
    for (std::size_t i = 0; i < models->items().size(); ++i) {
        const Json& m = models->items()[i];
        const Json* n = m.is_object() ? m.find("name") : nullptr;
        const std::string label = n && n->is_string() && is_plain_name(n->string())
                                      ? "model \"" + n->string() + "\""
                                      : "models[" + std::to_string(i) + "]";
        try {
            ManifestModel e = model_entry(m);
            if (!names.insert(e.name).second) throw FieldError{"a second model with this name"};
            out.models.push_back(std::move(e));
        } catch (const FieldError& e) { out.problems.push_back(name + ": " + label + " skipped: " + e.what); }
    }
    return out;
}

// 4. Paths -----------------------------------------------------------------------------------------------------
bool is_safe_relative_path(const std::string& path) {
    if (path.empty() || path.size() > 256 || path.front() == '/') return false;
    std::size_t start = 0;
    for (;;) {  // each '/'-separated component: a name, not "." or ".."
        const std::size_t end = path.find('/', start);
        const std::string part = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (!is_plain_name(part)) return false;
        if (end == std::string::npos) return true;
        start = end + 1;
    }
}

}  // namespace strata
