#pragma once
// The typed result of reading: one Field per template field, one Record per person.
#include <opencv2/core.hpp>
#include <map>
#include <string>
#include <tuple>
#include <utility>
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
    // The reader's confidence in each character of the value, when it gives one (Tesseract
    // does); empty otherwise. For later stages that check part of a value (an address's
    // district and village) and need the rest's (its house number). Not written out.
    std::vector<double> char_confidence;

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

// Page-header fields (乡镇, 填报日期, ...) stand in every record of a page with the same
// box. A stage reads the first of them and gives its reading to the others:
//     HeaderOnce once;
//     for each field to read: if (header field && once.is_repeat(field)) continue; read it
//     once.copy_readings();
class HeaderOnce {
public:
    // True when a field of the same key and box was met before: `field` takes its reading
    // in copy_readings(). Otherwise `field` is the one read, and false.
    bool is_repeat(Field& field);
    // Every repeat becomes the field it repeats, as read.
    void copy_readings() const;

private:
    std::map<std::tuple<std::string, int, int, int, int>, const Field*> first_;
    std::vector<std::pair<Field*, const Field*>> repeats_;
};

}  // namespace formscan
