#pragma once
// A pipeline is an ordered list of stages with their parameters. check() validates it
// against the installed plugins before the first page: every stage installed, every
// need added by an earlier stage, every parameter known, parsable and in range.
#include "formscan/plugin_host.hpp"

#include <map>
#include <string>
#include <vector>

namespace formscan {

struct PipelineSpec {
    std::vector<std::string> stages;
    // stage name -> key -> value, overriding the stage's schema defaults
    std::map<std::string, std::map<std::string, std::string>> params;
};

// Throws formscan::Error (pipeline.unknown_stage, pipeline.unmet_need,
// pipeline.empty, param.*) naming the stage at fault.
void check_pipeline(const PluginHost& host, const PipelineSpec& spec);

// One worker's instances of the stages. Not thread-safe: one Pipeline per thread.
class Pipeline {
public:
    Pipeline(const PluginHost& host, const PipelineSpec& spec, const StageEnvironment& env);
    // Runs every stage in order on the page; returns the page's records.
    std::vector<Record> run(Page& page, const FormTemplate& form);
    const std::vector<std::string>& stage_names() const { return names_; }

private:
    std::vector<std::string> names_;
    std::vector<StagePtr> stages_;
};

}  // namespace formscan
