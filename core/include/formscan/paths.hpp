#pragma once
// Where formscan finds its plugins, templates, models and prepared data. Each comes
// from an environment variable when set, else from the build/source tree defaults.
#include <string>

namespace formscan {

std::string default_plugin_dir();     // FORMSCAN_PLUGIN_DIR
std::string default_templates_dir();  // FORMSCAN_TEMPLATES_DIR
std::string default_models_dir();     // FORMSCAN_MODELS_DIR
std::string default_web_dir();       // FORMSCAN_WEB_DIR (the review page)
std::string default_data_dir();       // FORMSCAN_DATA_DIR
std::string default_tessdata_dir();   // TESSDATA_PREFIX

}  // namespace formscan
