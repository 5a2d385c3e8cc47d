// geometry_flags.hpp: the analysis flags shared by `strata geometry` and `strata characterize`.
//
//   --metric NAME  --energy X  --centered true|false  --rank-rtol X  --bandwidth H
//   --weights W1,W2,W3  --spd-eps X  --fixed-rank-k X  --threads N  --landmarks M
//   --bandwidth-scan  --bandwidth-factors F1,F2,...
#pragma once
#include "args.hpp"
#include "settings.hpp"

#include <vector>

namespace strata::cmd {

std::vector<FlagSpec> geometry_flag_specs();
// Reads and validates them (strata::Error names the flag).
GeometrySettings parse_geometry_flags(const ArgParser& args);

}  // namespace strata::cmd
