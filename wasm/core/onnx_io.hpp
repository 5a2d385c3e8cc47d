// onnx_io.hpp: what an ONNX file says about its graph's inputs and outputs, read from the bytes.
//
// Index: 1. TensorInfo, OnnxIo  2. read_onnx_io
//
// Why our own reader: the page must know a user's encoder's input shape before it runs it (ONNX
// Runtime Web does not tell), `strata characterize` must decide exactly as the page does, and the
// core uses no protobuf library. An ONNX file is a protobuf ModelProto; this reads only the few
// fields needed (field numbers from onnx.proto):
//   ModelProto:      7 graph, 14 metadata_props (StringStringEntryProto: 1 key, 2 value)
//   GraphProto:      5 initializer (TensorProto: 8 name), 11 input, 12 output (ValueInfoProto)
//   ValueInfoProto:  1 name, 2 type (TypeProto: 1 tensor_type)
//   TypeProto.Tensor: 1 elem_type, 2 shape (TensorShapeProto: 1 dim)
//   Dimension:       1 dim_value, 2 dim_param
// Every other field is skipped by its wire type. The file comes from anywhere (fuzzed by
// fuzz/fuzz_onnx_io.cpp): a length past the end, a bad wire type, a number that does not fit in 64 bits or
// a graph input that is not a tensor, two inputs or two outputs of one name is a strata::Error
// naming the file; nothing is read out of
// bounds and nothing is allocated beyond the file's own size.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace strata {

// 1. Graph inputs and outputs ------------------------------------------------------------------------------
struct TensorInfo {
    std::string name;
    int elem_type = 0;  // ONNX TensorProto.DataType: 1 float32, 2 uint8, 11 float64, ...; 0 unknown
    bool has_shape = false;
    // One entry per dimension: its size, or -1 when it is symbolic (dim_param) or left open.
    std::vector<std::int64_t> dims;
    std::vector<std::string> dim_params;  // the symbolic names ("" where the size is fixed)
};

struct OnnxIo {
    std::vector<TensorInfo> inputs;  // graph inputs that are not initializers, in file order
    std::vector<TensorInfo> outputs;
    std::vector<std::pair<std::string, std::string>> metadata;  // metadata_props, in file order

    const TensorInfo* output(const std::string& name) const;   // nullptr when there is none
    std::string metadata_value(const std::string& key) const;  // "" when absent
};

// "N x 3 x 32 x 32" style text of a shape: symbolic dimensions by their name, open ones as "?".
std::string shape_text(const TensorInfo& t);
// The data type's ONNX name ("float32", "uint8", ...), or "type N".
std::string elem_type_name(int elem_type);

// 2. Reading --------------------------------------------------------------------------------------------------
// Throws strata::Error starting with `name` when the bytes are not a readable ONNX model with a graph.
OnnxIo read_onnx_io(const std::uint8_t* bytes, std::size_t size, const std::string& name);

}  // namespace strata
