#pragma once
// What `formscan print` printed: the manifests it writes beside each PDF
// (FORMS.pdf.batch.jsonl, one record per printed row, its printed fields with reader
// `printed`), loaded from a folder; and the sign that a printed value was struck through
// by hand. Used by the readers (a struck value is read from the ink that is not the
// print) and by `printed_values` (the reading checked against the print). Immutable after
// loading; safe to share between threads.
#include "formscan/field.hpp"

#include <opencv2/core.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace formscan {

struct PrintManifests {
    // batch -> page (1-based) -> row (1-based) -> the printed record.
    std::map<std::string, std::map<int, std::map<int, Record>>> pages;
    // Printed ID number -> (batch, page).
    std::map<std::string, std::pair<std::string, int>> by_id;

    // The rows printed on a batch page; nullptr for a page (or batch) not in the manifests.
    const std::map<int, Record>* rows(const std::string& batch, int page) const;
};

// Every *.batch.jsonl of the folder. Throws formscan::Error printed_values.batches (not a
// folder) or printed_values.manifest (a line that is no record, with file and line).
std::shared_ptr<const PrintManifests> load_print_manifests(const std::string& folder);

// A code or a tick (one or two characters, digits or √): read otherwise, it is another
// value, not a misreading; its strokes are short.
bool is_printed_code(const std::vector<std::string>& chars);

// A long straight stroke, level or slanting a little, across the middle of the field's
// box: the value `printed` there struck through. Longer than 45% of the box and than any
// stroke of the print (a level stroke of a printed character is up to 3.4 mm long, of a
// printed code or tick half that). The stroke's two ends, on the page, when there is one.
std::optional<std::pair<cv::Point, cv::Point>> find_strike(const cv::Mat& page_gray, const cv::Rect& box, double px_per_mm,
                                                           const std::string& printed);

}  // namespace formscan
