#include "reading_setup.hpp"

#include "formscan/error.hpp"
#include "formscan/paths.hpp"

#include <filesystem>
#include <iostream>

namespace formscan::cli {

ReadingSetup reading_setup(const Args& args, const std::string& template_id) {
    ReadingSetup setup;
    setup.templates = load_templates(args.get("--templates", default_templates_dir()));
    setup.host = std::make_unique<PluginHost>(args.get("--plugins", default_plugin_dir()));
    setup.host->load_all();
    for (const auto& failure : setup.host->failures()) std::cerr << "formscan: plugin not loaded: " << failure.message << "\n";

    setup.config = default_config(setup.templates);
    if (args.has("--config")) apply_config_file(setup.config, args.get("--config"));
    for (const auto& assignment : args.all("-D")) apply_override(setup.config, assignment);
    // Pages made by `formscan print`: the folder of its manifests (what each row printed).
    if (args.has("--printed")) {
        const std::string folder = args.get("--printed");
        std::error_code ec;
        if (!std::filesystem::is_directory(folder, ec))
            throw Error("formscan.cli.bad_value", "--printed " + folder + ": not a folder (the one holding formscan print's FORMS.pdf.batch.jsonl)");
        apply_override(setup.config, "printed_values.batches=" + folder);
        apply_override(setup.config, "digits.batches=" + folder);
    }

    std::vector<std::string> used;
    if (template_id == "auto") {
        for (const auto& [id, form] : setup.templates) used.push_back(id);
    } else {
        if (!setup.templates.count(template_id)) throw Error("formscan.template.unknown", "no template \"" + template_id + "\"");
        used.push_back(template_id);
    }
    auto unavailable = finalise_config(setup.config, *setup.host, used, template_id == "auto");
    for (const auto& [id, why] : unavailable) std::cerr << "formscan: pages of template " << id << " will be skipped: " << why << "\n";
    setup.env = StageEnvironment{default_data_dir(), default_models_dir(), default_tessdata_dir()};
    return setup;
}

}  // namespace formscan::cli
