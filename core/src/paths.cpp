#include "formscan/paths.hpp"

#include <cstdlib>
#include <filesystem>

namespace formscan {

namespace {
std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return (v && *v) ? std::string(v) : fallback;
}
}  // namespace

std::string default_plugin_dir() { return env_or("FORMSCAN_PLUGIN_DIR", FORMSCAN_DEFAULT_PLUGIN_DIR); }
std::string default_templates_dir() {
    return env_or("FORMSCAN_TEMPLATES_DIR", std::string(FORMSCAN_SOURCE_DIR) + "/templates");
}
std::string default_models_dir() {
    return env_or("FORMSCAN_MODELS_DIR", std::string(FORMSCAN_SOURCE_DIR) + "/models");
}
std::string default_web_dir() { return env_or("FORMSCAN_WEB_DIR", std::string(FORMSCAN_SOURCE_DIR) + "/web"); }

std::string default_data_dir() { return env_or("FORMSCAN_DATA_DIR", FORMSCAN_DEFAULT_DATA_DIR); }
std::string default_tessdata_dir() {
    std::string prefix = env_or("TESSDATA_PREFIX", "");
    if (!prefix.empty()) return prefix;
    for (const char* candidate : {"/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata"})
        if (std::filesystem::exists(std::string(candidate) + "/chi_sim.traineddata")) return candidate;
    return "/usr/share/tesseract-ocr/5/tessdata";
}

}  // namespace formscan
