#pragma once
// page_header: finds the page-header line above a table (乡镇(街道) 村(社区) 填表人签名:
// 填报日期:), locates its printed labels with Tesseract and gives each header field the
// box where its value is written (before or after its label, as the template says).
#include "cell_ocr.hpp"

#include "formscan/stage.hpp"

#include <memory>

namespace formscan {

class PageHeaderStage : public Stage {
public:
    StageInfo info() const override;
    void configure(const ParamValues& params, const StageEnvironment& env) override;
    void process(PageContext& ctx) override;

private:
    void check_number_row(PageContext& ctx);
    std::unique_ptr<CellOcr> ocr_;
    double search_mm_ = 30;
    int text_height_ = 40;
    double reread_scale_ = 2;
};

}  // namespace formscan
