// calibrate: turns every reader's raw confidence into a calibrated one (the share of
// such readings that were right on ground-truth scans, models/calibration), and sets
// each field's status from it. See README.md in this folder.
#include "formscan/calibration.hpp"
#include "formscan/paths.hpp"
#include "formscan/stage.hpp"

#include <Poco/ClassLibrary.h>

#include <algorithm>
#include <filesystem>

namespace formscan {

class CalibrateStage : public Stage {
public:
    StageInfo info() const override {
        return {"calibrate",
                "1.0.0",
                "maps raw confidences to calibrated ones and decides ok or review",
                {kHasRecords},
                {"records.calibrated"},
                {
                    {"file", ParamType::string, "calibration/calibration.json", 0, 0,
                     "calibration tables, relative to the models folder (made by formscan calibrate)"},
                    {"ok_confidence", ParamType::number, "0", 0, 1,
                     "calibrated confidence from which a field is accepted without a person (0 = the one chosen when "
                     "the calibration was fitted, for at most 0.1% of accepted fields wrong)"},
                    {"header_ok_confidence", ParamType::number, "0.99", 0, 1,
                     "the same for page-header fields, at least: one wrong there is wrong in every record of the page"},
                }};
    }

    void configure(const ParamValues& params, const StageEnvironment& env) override {
        std::filesystem::path file = params.get_string("file");
        if (file.is_relative()) file = std::filesystem::path(env.models_dir.empty() ? default_models_dir() : env.models_dir) / file;
        calibration_ = Calibration::load(file.string());
        ok_confidence_ = params.get_double("ok_confidence");
        if (ok_confidence_ <= 0) ok_confidence_ = calibration_.ok_confidence();
        header_ok_confidence_ = std::max(ok_confidence_, params.get_double("header_ok_confidence"));
    }

    void process(PageContext& ctx) override {
        // A page whose layout may not be the template's (its number row disagrees) is
        // read, but nothing on it is accepted without a person.
        const bool doubtful_layout = std::any_of(ctx.page.issues.begin(), ctx.page.issues.end(),
                                                 [](const Issue& i) { return i.code == "grid.number_row"; });
        for (auto& record : ctx.records)
            for (auto& field : record.fields) {
                if (field.reader.empty()) continue;  // nothing read: stays for review
                field.confidence = calibration_.apply(field.reader, field.key, field.confidence);
                const bool header = ctx.form.field(field.key).placement == Placement::header;
                const double bar = header ? header_ok_confidence_ : ok_confidence_;
                field.status = field.confidence >= bar && !doubtful_layout ? FieldStatus::ok : FieldStatus::review;
            }
    }

private:
    Calibration calibration_;
    double ok_confidence_ = 0.99, header_ok_confidence_ = 0.99;
};

}  // namespace formscan

POCO_BEGIN_NAMED_MANIFEST(FormscanV2, formscan::Stage)
POCO_EXPORT_CLASS(formscan::CalibrateStage)
POCO_END_MANIFEST
