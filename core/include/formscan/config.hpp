#pragma once
// Run configuration: a default pipeline per template, overridden by a JSON config file
//   {"pipeline": {"zj-hedui": ["deskew", ...]}, "params": {"deskew": {"sweep_range": 12}},
//    "input": {"max_pixels": 200000000}}
// and by -D stage.key=value options. The core's own settings live under the pseudo
// stage "input" (decode limits).
#include "formscan/form_template.hpp"
#include "formscan/image_io.hpp"
#include "formscan/pipeline.hpp"

#include <map>
#include <string>
#include <vector>

namespace formscan {

struct RunConfig {
    std::map<std::string, PipelineSpec> pipelines;  // template id -> pipeline
    std::map<std::string, std::string> unavailable; // template id -> why it cannot be read
    std::map<std::string, std::map<std::string, std::string>> params;  // stage -> key -> value
    DecodeLimits limits;
};

// Schema of the "input" settings (decode limits), shown by `formscan plugins`.
const std::vector<ParamSpec>& input_param_schema();

RunConfig default_config(const std::map<std::string, FormTemplate>& templates);
// Throws formscan::Error config.syntax / config.unknown_key / config.wrong_type.
void apply_config_file(RunConfig& config, const std::string& path);
// "stage.key=value"; throws config.bad_override.
void apply_override(RunConfig& config, const std::string& assignment);
// Resolves decode limits, copies params into the pipelines of the templates that will
// be used (the others are dropped), and checks each of them against the installed
// plugins. Throws on the first problem.
// With `optional_ids`, a template whose pipeline fails the check is dropped and its
// reason returned (its pages are then skipped with that reason) instead of throwing.
std::map<std::string, std::string> finalise_config(RunConfig& config, const PluginHost& host,
                                                   const std::vector<std::string>& template_ids,
                                                   bool optional_ids = false);

}  // namespace formscan
