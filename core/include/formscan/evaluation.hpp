#pragma once
// Scores records against ground truth (both in the record format; truth fields carry a
// "class": printed, handwritten or mark). Records are matched by the file name of
// their source, page and row.
#include <map>
#include <string>
#include <vector>

namespace formscan {

struct Tally {
    long total = 0;
    long correct = 0;
    double rate() const { return total ? double(correct) / double(total) : 0.0; }
};

struct CalibrationBand {
    double low = 0, high = 0;
    Tally tally;
};

struct EvalReport {
    long truth_rows = 0, matched_rows = 0, extra_rows = 0;
    Tally fields;                              // every matched field
    std::map<std::string, Tally> by_field;     // key -> tally
    std::map<std::string, Tally> by_class;     // printed / handwritten / mark
    long fields_ok = 0;                        // status ok
    long fields_ok_wrong = 0;                  // status ok but wrong
    Tally digits;                              // per digit of handwritten digit fields
    Tally identified;                          // rows of printed pages (truth with a batch) tied to their batch, page and person
    long pages = 0;
    long orientation_right = 0;                // pages whose coarse turn was undone right
    long skew_pages = 0;                       // pages scored for skew (no perspective warp)
    double skew_error_mean = 0, skew_error_max = 0;
    std::vector<CalibrationBand> calibration;  // confidence bands vs accuracy

    double row_recall() const { return truth_rows ? double(matched_rows) / truth_rows : 0; }
    double straight_through() const { return fields.total ? double(fields_ok) / fields.total : 0; }
    // Share of fields accepted without a person (status ok) that are wrong.
    double silent_error_rate() const { return fields_ok ? double(fields_ok_wrong) / fields_ok : 0; }
};

EvalReport evaluate_files(const std::string& truth_path, const std::string& records_path);
std::string format_report(const EvalReport& report);
std::string report_to_json(const EvalReport& report);

}  // namespace formscan
