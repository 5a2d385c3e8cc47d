// onnx_io.cpp: the protobuf wire format, and the few ONNX messages read from it.
//
// Index: 1. Wire (varints, fields, skipping)  2. the messages  3. read_onnx_io
#include "onnx_io.hpp"

#include "error.hpp"

#include <set>

namespace strata {

// 1. The wire format -----------------------------------------------------------------------------------------
namespace {

// A view of one message's bytes; every read is bounds-checked and names the file.
class Wire {
public:
    Wire(const std::uint8_t* p, std::size_t n, const std::string& name) : p_(p), end_(p + n), name_(name) {}

    bool done() const { return p_ == end_; }

    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0;; shift += 7) {
            if (p_ == end_) fail("a number runs past the end (truncated file?)");
            const std::uint8_t b = *p_++;
            if (shift == 63 && b > 1) fail("a number does not fit in 64 bits");
            v |= std::uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
    }

    // The next field's number and wire type (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32).
    std::pair<std::uint32_t, int> key() {
        const std::uint64_t k = varint();
        const int type = int(k & 7);
        if (k >> 3 == 0 || k >> 3 > 0x1fffffff) fail("a field number is out of range");
        if (type != 0 && type != 1 && type != 2 && type != 5)
            fail("wire type " + std::to_string(type) + " (groups or a corrupt file)");
        return {std::uint32_t(k >> 3), type};
    }

    // A length-delimited field's bytes, as a sub-message.
    Wire message() {
        const std::uint64_t n = varint();
        if (n > std::uint64_t(end_ - p_)) fail("a field's length runs past the end (truncated file?)");
        Wire w(p_, std::size_t(n), name_);
        p_ += n;
        return w;
    }
    std::string string() {
        const Wire w = message();
        return std::string(reinterpret_cast<const char*>(w.p_), std::size_t(w.end_ - w.p_));
    }

    void skip(int type) {
        if (type == 0) {
            varint();
            return;
        }
        if (type == 2) {
            message();
            return;
        }
        const std::size_t n = type == 1 ? 8 : 4;
        if (n > std::size_t(end_ - p_)) fail("a fixed-size field runs past the end (truncated file?)");
        p_ += n;
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw Error(name_ + ": not a readable ONNX file: " + what);
    }

private:
    const std::uint8_t* p_;
    const std::uint8_t* end_;
    const std::string& name_;
};

// The few fields read expect one wire type; another is a corrupt file, not a field to skip.
void expect(Wire& w, int type, int want, const char* field) {
    if (type != want) w.fail(std::string(field) + " has wire type " + std::to_string(type));
}

// 2. The messages ---------------------------------------------------------------------------------------------------
void read_shape(Wire w, TensorInfo& t) {
    t.has_shape = true;
    while (!w.done()) {
        const auto [field, type] = w.key();
        if (field != 1) {
            w.skip(type);
            continue;
        }
        expect(w, type, 2, "TensorShapeProto.dim");
        Wire d = w.message();
        std::int64_t value = -1;
        std::string param;
        while (!d.done()) {
            const auto [f, ty] = d.key();
            if (f == 1) {
                expect(d, ty, 0, "Dimension.dim_value");
                const auto v = std::int64_t(d.varint());
                value = v >= 0 ? v : -1;  // a negative size is no size
                param.clear();
            } else if (f == 2) {
                expect(d, ty, 2, "Dimension.dim_param");
                param = d.string();
                value = -1;
            } else {
                d.skip(ty);
            }
        }
        t.dims.push_back(value);
        t.dim_params.push_back(param);
    }
}

TensorInfo read_value_info(Wire w) {
    TensorInfo t;
    bool tensor = false, typed = false;
    while (!w.done()) {
        const auto [field, type] = w.key();
        if (field == 1) {
            expect(w, type, 2, "ValueInfoProto.name");
            t.name = w.string();
        } else if (field == 2) {
            expect(w, type, 2, "ValueInfoProto.type");
            typed = true;
            Wire ty = w.message();
            while (!ty.done()) {
                const auto [f, wt] = ty.key();
                if (f != 1) {
                    ty.skip(wt);
                    continue;
                }
                expect(ty, wt, 2, "TypeProto.tensor_type");
                tensor = true;
                Wire tt = ty.message();
                while (!tt.done()) {
                    const auto [g, gt] = tt.key();
                    if (g == 1) {
                        expect(tt, gt, 0, "TypeProto.Tensor.elem_type");
                        t.elem_type = int(tt.varint() & 0x7fffffff);
                    } else if (g == 2) {
                        expect(tt, gt, 2, "TypeProto.Tensor.shape");
                        t.dims.clear();
                        t.dim_params.clear();
                        read_shape(tt.message(), t);
                    } else {
                        tt.skip(gt);
                    }
                }
            }
        } else {
            w.skip(type);
        }
    }
    if (typed && !tensor) w.fail("graph value '" + t.name + "' is not a tensor (a sequence, map or optional)");
    return t;
}

std::string read_initializer_name(Wire w) {
    std::string name;
    while (!w.done()) {
        const auto [field, type] = w.key();
        if (field == 8 && type == 2) name = w.string();
        else w.skip(type);
    }
    return name;
}

}  // namespace

// 3. Reading -----------------------------------------------------------------------------------------------------
const TensorInfo* OnnxIo::output(const std::string& name) const {
    for (const TensorInfo& t : outputs)
        if (t.name == name) return &t;
    return nullptr;
}

std::string OnnxIo::metadata_value(const std::string& key) const {
    for (const auto& [k, v] : metadata)
        if (k == key) return v;
    return "";
}

std::string shape_text(const TensorInfo& t) {
    if (!t.has_shape) return "(shape not given)";
    if (t.dims.empty()) return "a scalar";
    std::string s;
    for (std::size_t i = 0; i < t.dims.size(); ++i) {
        if (i) s += " x ";
        s += t.dims[i] >= 0 ? std::to_string(t.dims[i]) : !t.dim_params[i].empty() ? t.dim_params[i] : "?";
    }
    return s;
}

std::string elem_type_name(int elem_type) {
    static const char* const names[] = {"undefined", "float32", "uint8",     "int8",       "uint16",  "int16",
                                        "int32",     "int64",   "string",    "bool",       "float16", "float64",
                                        "uint32",    "uint64",  "complex64", "complex128", "bfloat16"};
    if (elem_type >= 0 && elem_type < int(sizeof names / sizeof names[0])) return names[elem_type];
    return "type " + std::to_string(elem_type);
}

OnnxIo read_onnx_io(const std::uint8_t* bytes, std::size_t size, const std::string& name) {
    if (size == 0) throw Error(name + ": empty file (not an ONNX model)");
    Wire model(bytes, size, name);
    OnnxIo io;
    std::vector<TensorInfo> inputs;
    std::set<std::string> initializers;
    bool graph = false;
    while (!model.done()) {
        const auto [field, type] = model.key();
        if (field == 7) {
            expect(model, type, 2, "ModelProto.graph");
            graph = true;
            Wire g = model.message();
            while (!g.done()) {
                const auto [f, t] = g.key();
                if (f == 5) {
                    expect(g, t, 2, "GraphProto.initializer");
                    initializers.insert(read_initializer_name(g.message()));
                } else if (f == 11) {
                    expect(g, t, 2, "GraphProto.input");
                    inputs.push_back(read_value_info(g.message()));
                } else if (f == 12) {
                    expect(g, t, 2, "GraphProto.output");
                    io.outputs.push_back(read_value_info(g.message()));
                } else {
                    g.skip(t);
                }
            }
        } else if (field == 14) {
            expect(model, type, 2, "ModelProto.metadata_props");
            Wire e = model.message();
            std::string key, value;
            while (!e.done()) {
                const auto [f, t] = e.key();
                if (f == 1 && t == 2) key = e.string();
                else if (f == 2 && t == 2) value = e.string();
                else e.skip(t);
            }
            io.metadata.emplace_back(key, value);
        } else {
            model.skip(type);
        }
    }
    if (!graph) throw Error(name + ": not an ONNX model (no graph)");
    // Older exports list the weights among the graph inputs as well; those are not inputs to feed.
    for (TensorInfo& t : inputs)
        if (!initializers.count(t.name)) io.inputs.push_back(std::move(t));
    // Names are how inputs are fed and outputs chosen: a graph with two of one name is not valid ONNX.
    for (const auto* list : {&io.inputs, &io.outputs}) {
        std::set<std::string> seen;
        for (const TensorInfo& t : *list)
            if (!seen.insert(t.name).second)
                throw Error(name + ": two graph " + (list == &io.inputs ? "inputs" : "outputs") + " named '" + t.name +
                            "' (not a valid ONNX graph)");
    }
    return io;
}

}  // namespace strata
