#include "cli_args.hpp"
#include "commands.hpp"

#include "formscan/batch_runner.hpp"
#include "formscan/error.hpp"
#include "formscan/paths.hpp"

#include <fstream>
#include <iostream>
#include <memory>

namespace formscan::cli {

int run_command(const std::vector<std::string>& argv) {
    Args args(argv, {"--template", "--threads", "--config", "-D", "--plugins", "--templates", "--out", "--debug-dir", "--store"},
              {"--no-progress"});
    if (!args.has("--out")) throw Error("formscan.cli.missing_option", "--out RECORDS.jsonl is required (- for standard output)");
    if (args.positional().empty()) throw Error("formscan.cli.missing_input", "give at least one scan file or folder");

    auto templates = load_templates(args.get("--templates", default_templates_dir()));
    PluginHost host(args.get("--plugins", default_plugin_dir()));
    host.load_all();
    for (const auto& failure : host.failures()) std::cerr << "formscan: plugin not loaded: " << failure.message << "\n";

    RunConfig config = default_config(templates);
    if (args.has("--config")) apply_config_file(config, args.get("--config"));
    for (const auto& assignment : args.all("-D")) apply_override(config, assignment);

    BatchOptions options;
    options.inputs = args.positional();
    options.template_id = args.get("--template", "auto");
    options.threads = args.get_int("--threads", 1, 1, 256);
    options.progress = !args.has("--no-progress");
    options.debug_dir = args.get("--debug-dir");
    options.store_url = args.get("--store");
    std::vector<std::string> used;
    if (options.template_id == "auto") {
        for (const auto& [id, form] : templates) used.push_back(id);
    } else {
        if (!templates.count(options.template_id))
            throw Error("formscan.template.unknown", "no template \"" + options.template_id + "\"");
        used.push_back(options.template_id);
    }
    auto unavailable = finalise_config(config, host, used, options.template_id == "auto");
    for (const auto& [id, why] : unavailable)
        std::cerr << "formscan: pages of template " << id << " will be skipped: " << why << "\n";
    // Expand inputs now, so a missing file is a usage error before any work starts.
    expand_inputs(options.inputs);

    StageEnvironment env{default_data_dir(), default_models_dir(), default_tessdata_dir()};
    std::unique_ptr<std::ofstream> file;
    std::ostream* out = &std::cout;
    const std::string out_path = args.get("--out");
    if (out_path != "-") {
        file = std::make_unique<std::ofstream>(out_path, std::ios::binary | std::ios::trunc);
        if (!*file) throw Error("formscan.cli.unwritable", "cannot write " + out_path);
        out = file.get();
    }
    BatchSummary summary = run_batch(host, templates, config, env, options, *out);
    if (file) file->close();
    std::cerr << "formscan: " << summary.pages << " page(s) read from " << summary.files << " file(s), " << summary.records
              << " record(s) written to " << (out_path == "-" ? "standard output" : out_path) << " in "
              << static_cast<int>(summary.seconds * 10) / 10.0 << " s";
    if (!summary.skipped.empty()) std::cerr << "; " << summary.skipped.size() << " input(s) skipped (see above)";
    std::cerr << "\n";
    return summary.skipped.empty() ? kExitOk : kExitSkipped;
}

}  // namespace formscan::cli
