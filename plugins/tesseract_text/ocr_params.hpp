#pragma once
// The Tesseract settings both stages of this plugin share.
#include "cell_ocr.hpp"

#include "formscan/paths.hpp"
#include "formscan/stage.hpp"

#include <memory>

namespace formscan {

inline ParamSpec chinese_model_param() {
    return {"chinese_model", ParamType::string, "chi_sim_best", 0, 0,
            "Chinese model: chi_sim (Debian's fast model) or chi_sim_best (the larger 4.0.0 model, prepared in the data folder)",
            {"chi_sim", "chi_sim_best"}};
}

inline std::unique_ptr<CellOcr> make_cell_ocr(const ParamValues& params, const StageEnvironment& env) {
    std::string system = env.tessdata_dir.empty() ? default_tessdata_dir() : env.tessdata_dir;
    std::string model = params.get_string("chinese_model");
    std::string data = (env.data_dir.empty() ? default_data_dir() : env.data_dir) + "/tessdata";
    return std::make_unique<CellOcr>(system, model == "chi_sim" ? system : data, model);
}

}  // namespace formscan
