// onnx_bytes.hpp: ONNX files written byte by byte for the tests of onnx_io and model_plan.
//
// A protobuf writer of the few messages they read (field numbers from onnx.proto), independent of
// the reader: tests say what a file declares and compare with what the reader found.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace test::onnx {

using Bytes = std::string;

inline void varint(Bytes& b, std::uint64_t v) {
    while (v >= 0x80) {
        b.push_back(char(std::uint8_t(v) | 0x80));
        v >>= 7;
    }
    b.push_back(char(v));
}
inline void key(Bytes& b, int field, int wire) { varint(b, std::uint64_t(field) << 3 | std::uint64_t(wire)); }
inline void bytes_field(Bytes& b, int field, const Bytes& v) {
    key(b, field, 2);
    varint(b, v.size());
    b += v;
}
inline void int_field(Bytes& b, int field, std::uint64_t v) {
    key(b, field, 0);
    varint(b, v);
}

// A dimension: a size >= 0, or a symbolic name.
struct Dim {
    std::int64_t value = -1;
    std::string param;
    Dim(int v) : value(v) {}
    Dim(const char* p) : param(p) {}
};

// ValueInfoProto: name, tensor type with elem_type and (when `shaped`) the dims.
inline Bytes value_info(const std::string& name, const std::vector<Dim>& dims, int elem_type = 1, bool shaped = true) {
    Bytes shape;
    for (const Dim& d : dims) {
        Bytes dim;
        if (d.param.empty()) int_field(dim, 1, std::uint64_t(d.value));
        else bytes_field(dim, 2, d.param);
        bytes_field(shape, 1, dim);
    }
    Bytes tensor;
    int_field(tensor, 1, std::uint64_t(elem_type));
    if (shaped) bytes_field(tensor, 2, shape);
    Bytes type;
    bytes_field(type, 1, tensor);
    Bytes v;
    bytes_field(v, 1, name);
    bytes_field(v, 2, type);
    return v;
}

// TensorProto with a name, some dims and float data, as an initializer.
inline Bytes initializer(const std::string& name) {
    Bytes t;
    int_field(t, 1, 3);  // dims
    int_field(t, 2, 1);  // FLOAT
    bytes_field(t, 8, name);
    key(t, 9, 2);  // raw_data: three floats
    varint(t, 12);
    t += Bytes(12, '\0');
    return t;
}

struct Graph {
    std::vector<Bytes> inputs, outputs, initializers;
    std::vector<std::pair<std::string, std::string>> metadata;
};

// ModelProto: ir_version, an opset import, a node-less graph (the reader needs no nodes), metadata.
inline Bytes model(const Graph& g) {
    Bytes graph;
    bytes_field(graph, 2, "g");
    for (const Bytes& t : g.initializers) bytes_field(graph, 5, t);
    for (const Bytes& v : g.inputs) bytes_field(graph, 11, v);
    for (const Bytes& v : g.outputs) bytes_field(graph, 12, v);
    Bytes m;
    int_field(m, 1, 8);
    Bytes opset;
    int_field(opset, 2, 14);
    bytes_field(m, 8, opset);
    bytes_field(m, 2, "a test");
    bytes_field(m, 7, graph);
    for (const auto& [k, v] : g.metadata) {
        Bytes e;
        bytes_field(e, 1, k);
        bytes_field(e, 2, v);
        bytes_field(m, 14, e);
    }
    return m;
}

}  // namespace test::onnx
