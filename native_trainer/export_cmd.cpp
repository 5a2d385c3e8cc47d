// export_cmd.cpp: `strata export DIR`: a trained run folder -> DIR/encoder.onnx, DIR/decoder.onnx.
#include "args.hpp"
#include "commands.hpp"
#include "error.hpp"
#include "fileio.hpp"
#include "onnx_export.hpp"
#include "train.hpp"

#include <cstdio>

namespace strata::cmd {

int export_onnx(const Args& args) {
    ArgParser p(args, {{"--out", "folder for the .onnx files (default: the run folder itself)"}});
    if (p.help_requested() || p.positional().size() != 1) {
        std::fputs(p.help_text("strata export RUN_DIR [--out DIR]").c_str(), p.help_requested() ? stdout : stderr);
        return p.help_requested() ? 0 : 2;
    }
    const std::string dir = p.positional()[0];
    const std::string out = p.text("--out", dir);
    make_directories(out);
    const train::NetworkSpec net = train::load_trained_network(dir);
    train::write_onnx_files(net, out);
    std::printf("%s/encoder.onnx and %s/decoder.onnx written (%s, opset 13, checked)\n", out.c_str(), out.c_str(),
                net.kind.c_str());
    return 0;
}

}  // namespace strata::cmd
