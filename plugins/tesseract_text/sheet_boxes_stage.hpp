#pragma once
// sheet_boxes: the layout of a one-person sheet with check boxes (the 登记表, 附件3).
// Finds every printed check box and decides its state (ticked, empty, or filled over: a
// tick taken back), reads the printed label beside each box and aligns the boxes, in
// reading order, with the options of the template's choice fields (so a sheet printed
// with other line breaks or spacing still reads), and sets the choice fields. It then
// places the other fields: the value cells of the sheet's table (found from its ruling)
// and the blanks (underlines) written on, in the form's order, for the readers after it.
// See README.md in this folder.
#include "cell_ocr.hpp"

#include "formscan/stage.hpp"

#include <memory>

namespace formscan {

class SheetBoxesStage : public Stage {
public:
    StageInfo info() const override;
    void configure(const ParamValues& params, const StageEnvironment& env) override;
    void process(PageContext& ctx) override;

private:
    std::unique_ptr<CellOcr> ocr_;
    double ticked_ink_ = 0.12;
    double filled_ink_ = 0.9;
    double ok_confidence_ = 0.9;
    int text_height_ = 36;
};

}  // namespace formscan
