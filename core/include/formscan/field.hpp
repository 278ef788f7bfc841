#pragma once
// The typed result of reading: one Field per template field, one Record per person.
#include <opencv2/core.hpp>
#include <string>
#include <variant>
#include <vector>

namespace formscan {

enum class FieldStatus { ok, review, invalid };
const char* to_string(FieldStatus status);

// Text fields hold a string, yes/no marks a bool, multi-choice groups a list.
using FieldValue = std::variant<std::string, bool, std::vector<std::string>>;

struct Alternative {
    std::string value;
    double score = 0;  // 0..1, higher is more likely
};

struct RuleResult {
    std::string rule;     // e.g. "id_number.check_digit"
    std::string message;
};

struct Field {
    std::string key;
    FieldValue value = std::string();
    double confidence = 0;
    FieldStatus status = FieldStatus::review;
    std::string reader;                 // stage that produced the value ("" = none yet)
    std::vector<Alternative> alternatives;
    cv::Rect box;                       // on the straightened page
    std::vector<RuleResult> errors;     // failed rules

    bool is_empty() const;
    std::string text() const;           // value as text ("" for lists/bools: use value)
};

struct Record {
    std::string source;
    int page = 0;
    std::string template_id;
    int row = 0;
    double page_skew_deg = 0;
    int page_orientation_deg = 0;
    // Problems found on the record's page (code and message, e.g. grid.number_row), as
    // "stage: code: message" lines; personal data masked.
    std::vector<std::string> page_issues;
    // From the page's printed code (formscan print), when it was read: the batch, the
    // page of the batch and the key of the person printed on this row.
    std::string batch;
    int batch_page = 0;
    std::string person_key;
    std::vector<Field> fields;          // in template order, every field present

    Field* find(const std::string& key);
    const Field* find(const std::string& key) const;
    Field& at(const std::string& key);  // throws formscan::Error when absent
    const Field& at(const std::string& key) const;
    FieldStatus status() const;         // ok only when every field is ok
};

}  // namespace formscan
