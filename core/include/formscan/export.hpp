#pragma once
// Exports of records for the townships' own files: CSV (UTF-8 with a byte-order mark,
// so that spreadsheet programs read the Chinese right) and XLSX (libxlsxwriter), with
// the form's own Chinese headings, and JSONL in the record format. Values as in the
// records; where the record came from and its status close each row.
#include "formscan/field.hpp"
#include "formscan/form_template.hpp"

#include <string>
#include <vector>

namespace formscan {

enum class ExportFormat { jsonl, csv, xlsx };
ExportFormat export_format_from_name(const std::string& name);  // throws formscan::Error export.format

// The heading of each column: the form's label for every field, then 来源文件, 页, 行, 状态.
std::vector<std::string> export_headings(const FormTemplate& form);
// The cells of one record's row, in the order of export_headings().
std::vector<std::string> export_row(const FormTemplate& form, const Record& record);

// Writes `records` (all of `form`) to `path`; throws formscan::Error export.* when it cannot.
void export_records(const FormTemplate& form, const std::vector<Record>& records, ExportFormat format, const std::string& path);

}  // namespace formscan
