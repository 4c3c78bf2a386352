// Loading the regulatory regimes file (rules/regulatory.yaml): YAML → classify::Regime, with errors naming the file,
// line and key, then checked by classify::Validate.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "domain/classify/regulatory.h"

namespace app {

core::Result<std::vector<classify::Regime>> LoadRegimes(const std::string& path);
core::Result<std::vector<classify::Regime>> ParseRegimes(const std::string& text, const std::string& name);

}  // namespace app
