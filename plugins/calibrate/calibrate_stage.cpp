// calibrate: turns every reader's raw confidence into a calibrated one (the share of
// such readings that were right on ground-truth scans, models/calibration), and sets
// each field's status from it. See README.md in this folder.
#include "formscan/calibration.hpp"
#include "formscan/paths.hpp"
#include "formscan/stage.hpp"

#include <Poco/ClassLibrary.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

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
                     "calibration tables, relative to the models folder (made by formscan calibrate); a form with "
                     "tables of its own beside it (calibration/FORM-ID.json) uses those"},
                    {"ok_confidence", ParamType::number, "0", 0, 1,
                     "calibrated confidence from which a field is accepted without a person (0 = the one chosen when "
                     "the calibration was fitted, for at most 0.1% of accepted fields wrong)"},
                    {"header_ok_confidence", ParamType::number, "0.98", 0, 1,
                     "the same for page-header fields, at least: one wrong there is wrong in every record of the page"},
                }};
    }

    void configure(const ParamValues& params, const StageEnvironment& env) override {
        std::filesystem::path file = params.get_string("file");
        if (file.is_relative()) file = std::filesystem::path(env.models_dir.empty() ? default_models_dir() : env.models_dir) / file;
        shared_ = {Calibration::load(file.string()), 0, 0};
        ok_param_ = params.get_double("ok_confidence");
        header_param_ = params.get_double("header_ok_confidence");
        settle(shared_);
        // Each form's own tables, when they were fitted: one form's readers are not
        // another's (a name in a table row, a name on a one-person sheet).
        for (const auto& entry : std::filesystem::directory_iterator(file.parent_path())) {
            if (entry.path().extension() != ".json" || entry.path() == file) continue;
            Tables own{Calibration::load(entry.path().string()), 0, 0};
            settle(own);
            by_form_.emplace(entry.path().stem().string(), std::move(own));
        }
    }

    void process(PageContext& ctx) override {
        // A page whose layout may not be the template's (its number row disagrees) is
        // read, but nothing on it is accepted without a person.
        const bool doubtful_layout = std::any_of(ctx.page.issues.begin(), ctx.page.issues.end(),
                                                 [](const Issue& i) { return i.code == "grid.number_row"; });
        auto own = by_form_.find(ctx.form.id);
        const Tables& tables = own == by_form_.end() ? shared_ : own->second;
        for (auto& record : ctx.records)
            for (auto& field : record.fields) {
                if (field.reader.empty()) continue;  // nothing read: stays for review
                field.confidence = tables.calibration.apply(field.reader, field.key, field.confidence);
                const bool header = ctx.form.field(field.key).placement == Placement::header;
                const double bar = header ? tables.header_ok : tables.ok;
                field.status = field.confidence >= bar && !doubtful_layout ? FieldStatus::ok : FieldStatus::review;
            }
    }

private:
    struct Tables {
        Calibration calibration;
        double ok, header_ok;  // the bars a field must reach to be ok
    };

    // The bars: the parameters, or (ok_confidence 0) the one chosen when the tables were fitted.
    void settle(Tables& t) const {
        t.ok = ok_param_ > 0 ? ok_param_ : t.calibration.ok_confidence();
        t.header_ok = std::max(t.ok, header_param_);
    }

    Tables shared_;
    std::map<std::string, Tables> by_form_;  // form id -> its own tables
    double ok_param_ = 0, header_param_ = 0;  // set by configure() from the parameters
};

}  // namespace formscan

POCO_BEGIN_NAMED_MANIFEST(FormscanV2, formscan::Stage)
POCO_EXPORT_CLASS(formscan::CalibrateStage)
POCO_END_MANIFEST
