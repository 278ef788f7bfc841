#pragma once
// What `formscan run` and `formscan worker` both need before the first page: the
// templates, the loaded plugins, and the run configuration checked against them.
#include "cli_args.hpp"

#include "formscan/batch_runner.hpp"
#include "formscan/config.hpp"
#include "formscan/plugin_host.hpp"

#include <map>
#include <memory>
#include <string>

namespace formscan::cli {

struct ReadingSetup {
    std::map<std::string, FormTemplate> templates;
    std::unique_ptr<PluginHost> host;
    RunConfig config;
    StageEnvironment env;
};

// From --templates, --plugins, --config and -D, for the template `template_id` ("auto":
// every template; one that cannot be read is reported on stderr and its pages skipped).
// Throws formscan::Error for an unknown template or an unusable configuration.
ReadingSetup reading_setup(const Args& args, const std::string& template_id);

}  // namespace formscan::cli
