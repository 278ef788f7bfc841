#pragma once
// Calibrated confidence: each reader's raw confidence is mapped, per field, to the share
// of such readings that were right on ground-truth scans (isotonic regression), so that
// of fields reported at 0.9 about 9 in 10 are right. Fitted by `formscan calibrate`,
// applied by the `calibrate` stage. Immutable after loading; safe to share.
#include "formscan/form_template.hpp"

#include <map>
#include <string>
#include <vector>

namespace formscan {

class Calibration {
public:
    struct Step {
        double up_to = 1;      // raw confidence, inclusive upper end of this step
        double calibrated = 0; // measured share right
        long samples = 0;
    };

    // Readings (raw confidence, right or wrong) per "reader/field" key.
    using Observations = std::map<std::string, std::vector<std::pair<double, bool>>>;
    static Calibration fit(const Observations& observations, long min_samples_per_step = 25);

    // Throws formscan::Error calibration.* for an unreadable or malformed file.
    static Calibration load(const std::string& path);
    void save(const std::string& path) const;

    // The calibrated confidence; falls back to "reader/*", then to the raw value.
    double apply(const std::string& reader, const std::string& field, double raw) const;
    bool empty() const { return tables_.empty(); }

    // The confidence from which a field is accepted without a person: the lowest
    // calibrated confidence at which the fields of `observations` accepted from the most
    // certain down were wrong at most `budget` of the time (never below `floor`: a kind of
    // reading right only 97 times in 100 is not accepted because many surer ones dilute
    // its errors; on held-out 登记表 sheets names and 户号 accepted at 0.978 were 5 of 7
    // silent errors).
    // Chosen when fitting, saved with the tables.
    void choose_ok_confidence(const Observations& observations, double budget, double floor = 0.98);
    double ok_confidence() const { return ok_confidence_; }
    const std::map<std::string, std::vector<Step>>& tables() const { return tables_; }

private:
    std::map<std::string, std::vector<Step>> tables_;
    double ok_confidence_ = 0.99;
};

// Pairs every field of the records with its truth: (raw confidence, right?) per
// "reader/field" and per "reader/*". A page-header field (placement header in the
// record's template), copied to every row of its page, counts once per page.
Calibration::Observations observe(const std::string& truth_path, const std::string& records_path,
                                  const std::map<std::string, FormTemplate>& templates);

}  // namespace formscan
