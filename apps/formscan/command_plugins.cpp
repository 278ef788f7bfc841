#include "cli_args.hpp"
#include "commands.hpp"

#include "formscan/config.hpp"
#include "formscan/paths.hpp"
#include "formscan/plugin_host.hpp"

#include <filesystem>
#include <iomanip>
#include <iostream>

namespace formscan::cli {

namespace {

void print_params(const std::vector<ParamSpec>& params) {
    for (const auto& p : params) {
        std::cout << "    " << std::left << std::setw(22) << p.key << std::setw(8) << to_string(p.type)
                  << "default " << std::setw(12) << p.default_value;
        if (p.type == ParamType::integer || p.type == ParamType::number) {
            std::cout << "range [";
            if (std::isinf(p.min)) std::cout << "-inf"; else std::cout << p.min;
            std::cout << ", ";
            if (std::isinf(p.max)) std::cout << "inf"; else std::cout << p.max;
            std::cout << "]  ";
        }
        std::cout << p.description << "\n";
    }
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out.empty() ? "-" : out;
}

}  // namespace

int plugins_command(const std::vector<std::string>& argv) {
    Args args(argv, {"--plugins"}, {});
    PluginHost host(args.get("--plugins", default_plugin_dir()));
    host.load_all();
    std::cout << "plugin folder: " << host.plugin_dir() << "  (plugin API FormscanV2)\n\n";
    for (const auto& name : host.stage_names()) {
        const StageInfo& info = host.info(name);
        std::cout << info.name << " " << info.version << "  -  " << info.description << "\n"
                  << "  library: " << std::filesystem::path(host.library_of(name)).filename().string() << "\n"
                  << "  needs:   " << join(info.needs) << "\n"
                  << "  adds:    " << join(info.adds) << "\n";
        if (!info.params.empty()) {
            std::cout << "  parameters (-D " << info.name << ".KEY=VALUE):\n";
            print_params(info.params);
        }
        std::cout << "\n";
    }
    std::cout << "input (decode limits, -D input.KEY=VALUE):\n";
    print_params(input_param_schema());
    for (const auto& failure : host.failures()) std::cout << "\nNOT LOADED: " << failure.message << "\n";
    return host.failures().empty() ? kExitOk : kExitSkipped;
}

}  // namespace formscan::cli
