#pragma once
// cross_check: fields that say the same thing in two places raise each other's
// confidence when they agree, before calibration. The ID number (valid check character)
// holds the birth date and the sex; the sequence column counts the rows. Agreement of
// two independent readings is strong evidence; disagreement is left to validate_cn,
// which marks it for review (a real mismatch in the district's data must reach a person).
// An unreadable birth date or sex (nothing read) is taken from a sure ID number, for
// review. See README.md here.
#include "formscan/id_number.hpp"
#include "formscan/stage.hpp"

#include <Poco/ClassLibrary.h>

#include <algorithm>

namespace formscan {

class CrossCheckStage : public Stage {
public:
    StageInfo info() const override {
        return {"cross_check",
                "1.0.0",
                "raises the confidence of fields that agree with each other (ID number with birth date and sex, row numbers)",
                {kHasRecords, kHasText},
                {},
                {
                    {"sure_id", ParamType::number, "0.8", 0, 1, "ID confidence from which it vouches for birth date and sex"},
                    {"fill_confidence", ParamType::number, "0.9", 0, 1,
                     "confidence of a birth date or sex taken from the ID number when nothing was read"},
                }};
    }

    void configure(const ParamValues& params, const StageEnvironment&) override {
        sure_id_ = params.get_double("sure_id");
        fill_confidence_ = params.get_double("fill_confidence");
    }

    void process(PageContext& ctx) override {
        for (auto& record : ctx.records) {
            check_id(record);
            // The sequence column counts the page's rows from 1: a reading that says so is
            // surer, and a runner-up reading that says so wins over one that does not.
            if (Field* seq = record.find("seq"); seq && !seq->reader.empty()) {
                const std::string expected = std::to_string(record.row);
                if (seq->text() != expected)
                    for (const auto& alt : seq->alternatives)
                        if (alt.value == expected && alt.score > 0.01) {
                            seq->value = expected;
                            seq->confidence = std::max(seq->confidence, alt.score);
                            break;
                        }
                if (seq->text() == expected) agree(*seq, 0.9);
            }
        }
    }

private:
    void check_id(Record& record) const {
        Field* id = record.find("id_number");
        if (!id || id->reader.empty()) return;
        // A runner-up taken for its agreement with the columns is not vouched for by them
        // again: read from one print, the number and a column can be misread alike (a
        // runner-up at 0.02 agreeing with a birth date whose 8 was read as 6 had become sure).
        const bool runner_up = prefer_agreeing_candidate(record, *id);
        const std::string number = id->text();
        if (number.size() != 18 || !id_has_valid_check(number)) return;
        auto birth = id_birth_date(number);
        auto sex = id_sex(number);
        bool sure = id->confidence >= sure_id_;
        int agreeing = 0;
        for (auto [key, expected] : {std::pair{"birth_date", birth}, std::pair{"sex", sex}}) {
            Field* f = record.find(key);
            if (!f || !expected) continue;
            if (f->text() == *expected) {
                ++agreeing;
                agree(*f, id->confidence);
            } else if (f->text().empty() && sure) {
                f->value = *expected;
                f->confidence = fill_confidence_ * id->confidence;
                f->reader = "cross_check";
            }
        }
        // A valid check character and an agreeing birth date column: the number is right.
        if (agreeing > 0 && !runner_up) agree(*id, 0.9 + 0.05 * agreeing);
    }

    // The decoder's runner-up numbers (valid check character each) are weighed against
    // the birth-date and sex columns: a candidate that agrees with both where the first
    // does not is the better reading. True when one replaced the first.
    static bool prefer_agreeing_candidate(const Record& record, Field& id) {
        const Field* birth = record.find("birth_date");
        const Field* sex = record.find("sex");
        auto agreement = [&](const std::string& number) {
            int n = 0;
            if (birth && !birth->text().empty() && id_birth_date(number) == birth->text()) ++n;
            if (sex && !sex->text().empty() && id_sex(number) == sex->text()) ++n;
            return n;
        };
        const std::string first = id.text();
        if (first.size() != 18 || !id_has_valid_check(first) || agreement(first) == 2) return false;
        for (const auto& alt : id.alternatives) {
            if (alt.value == first || alt.value.size() != 18 || !id_has_valid_check(alt.value)) continue;
            if (agreement(alt.value) == 2) {
                id.alternatives.insert(id.alternatives.begin(), {first, id.confidence});
                id.value = alt.value;
                id.confidence = std::max(0.5, alt.score);
                return true;
            }
        }
        return false;
    }

    // Two independent readings that agree: both wrong alike is the product of their doubts.
    static void agree(Field& f, double other_confidence) {
        f.confidence = 1 - (1 - f.confidence) * (1 - std::clamp(other_confidence, 0.0, 0.999));
    }

    double sure_id_ = 0.8, fill_confidence_ = 0.9;
};

}  // namespace formscan
