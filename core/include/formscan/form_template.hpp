#pragma once
// Form templates: one JSON file per printed form (templates/*.json), loaded and
// validated at start-up. A template is immutable after loading and safe to share
// between threads.
#include <map>
#include <string>
#include <vector>

namespace formscan {

enum class FieldType {
    text,          // free text (names, addresses, remarks)
    digits,        // digit string (phone)
    date,          // normalised to YYYY-MM-DD
    sex,           // 男 / 女
    ethnicity,     // GB/T 3304 name with 族
    id_number,     // 18 characters, GB 11643
    code,          // a code of the field's code list ("1".."14")
    tick_or_code,  // "√", a reason code, or ""
    tick_or_text,  // "√" when the same as another column, else text
    text_or_code,  // text, or a code of the field's code list (employer name)
    signature,     // true / false
    check,         // true / false (one check box)
    single_choice, // one printed label of the group, or ""
    multi_choice,  // list of printed labels, in printed order
};
const char* to_string(FieldType type);

// How a field is found on the page.
enum class Placement { header, column, sheet };

struct CodeEntry {
    std::string code;
    std::string label;
};

struct FieldSpec {
    std::string key;
    std::string label;                 // printed label (column header, item name)
    FieldType type = FieldType::text;
    Placement placement = Placement::column;
    std::string code_list;             // key into FormTemplate::code_lists, or ""
    std::string vocabulary;            // key into FormTemplate::vocabularies, or ""
    std::string alphabet;              // characters OCR may produce, "" = any
    std::string script;                // "han": written in Chinese characters (and '·'), e.g. names; "" = any
    std::vector<std::string> prefixes; // vocabularies whose entries begin the value, in order (an address: district, township)
    std::string first_character;       // vocabulary of characters the value most often begins with (a name's surname), or ""
    std::string words;                 // vocabulary of words the value is often made of (an employer's 有限公司, 机械), or ""
    std::vector<std::string> options;  // check-box labels of a choice group, printed order
    std::string value_side;            // header fields: "before" or "after" their label
    int max_length = 0;                // 0 = no limit
    std::string earliest_date;         // dates: the earliest plausible (YYYY-MM-DD), "" = any; none lies in the future
    std::string likely_from;           // dates: the start of the period they are expected in; earlier ones are read, never as sure
    std::string likely_until;          // dates: the end of that period; later ones are read, never as sure

    // Dates: whether `date` (YYYY-MM-DD) is neither before earliest_date nor outside
    // likely_from .. likely_until (a bound "" is open); one that is not is never sure.
    bool likely_date(const std::string& date) const {
        return (earliest_date.empty() || date >= earliest_date) && (likely_from.empty() || date >= likely_from) &&
               (likely_until.empty() || date <= likely_until);
    }
};

// One physical column of a table form, left to right.
struct ColumnSpec {
    std::string field;       // key of the field read from this column
    std::string header;      // header text, as printed (line breaks vary)
    std::string group;       // merged header above it ("就业状态"), or ""
    int number = 0;          // text of the number row (several columns may share one)
    double width_weight = 1; // typical relative width; layouts vary around it
};

struct FormTemplate {
    int schema_version = 0;
    std::string id;
    std::string title;
    std::string kind;                  // "table" (one record per row) or "sheet"
    double page_width_mm = 0;
    double page_height_mm = 0;
    std::vector<FieldSpec> fields;     // record field order
    std::vector<ColumnSpec> columns;   // table forms only
    std::map<std::string, std::vector<CodeEntry>> code_lists;
    std::map<std::string, std::vector<std::string>> vocabularies;
    std::vector<std::string> default_pipeline;
    std::string source_file;

    const FieldSpec* find_field(const std::string& key) const;
    const FieldSpec& field(const std::string& key) const;  // throws formscan::Error
    const std::vector<CodeEntry>& codes(const std::string& list) const;
    const std::vector<std::string>& vocabulary(const std::string& name) const;
    bool is_table() const { return kind == "table"; }
};

// Throws formscan::Error naming the file, the place (JSON path) and what is wrong:
// formscan.template.{syntax,unknown_key,missing_key,wrong_type,bad_value,unknown_field}.
FormTemplate load_template_file(const std::string& path);
FormTemplate parse_template(const std::string& json_text, const std::string& file_name);

// Loads every *.json of a folder; ids must be unique.
std::map<std::string, FormTemplate> load_templates(const std::string& folder);

}  // namespace formscan
