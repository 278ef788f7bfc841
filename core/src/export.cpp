#include "formscan/export.hpp"

#include "formscan/error.hpp"
#include "formscan/record_json.hpp"

#include <xlsxwriter.h>

#include <filesystem>
#include <fstream>

namespace formscan {

namespace {

std::string cell_text(const FieldValue& value) {
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    if (const auto* b = std::get_if<bool>(&value)) return *b ? "有" : "无";  // a signature or a check box
    std::string joined;
    for (const auto& item : std::get<std::vector<std::string>>(value)) joined += (joined.empty() ? "" : "；") + item;
    return joined;
}

// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
std::string csv_cell(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

const char* status_text(FieldStatus s) {
    switch (s) {
        case FieldStatus::ok: return "已确认";
        case FieldStatus::review: return "待复核";
        case FieldStatus::invalid: return "有误";
    }
    return "";
}

void write_xlsx(const FormTemplate& form, const std::vector<Record>& records, const std::string& path) {
    lxw_workbook* book = workbook_new(path.c_str());
    if (!book) throw Error("formscan.export.unwritable", "cannot write " + path);
    lxw_worksheet* sheet = workbook_add_worksheet(book, form.id.substr(0, 31).c_str());
    lxw_format* bold = workbook_add_format(book);
    format_set_bold(bold);
    lxw_format* text = workbook_add_format(book);
    format_set_num_format(text, "@");  // ID and phone numbers stay text, never 3.30682E+17
    auto headings = export_headings(form);
    for (std::size_t c = 0; c < headings.size(); ++c)
        worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), headings[c].c_str(), bold);
    for (std::size_t r = 0; r < records.size(); ++r) {
        auto row = export_row(form, records[r]);
        for (std::size_t c = 0; c < row.size(); ++c)
            worksheet_write_string(sheet, static_cast<lxw_row_t>(r + 1), static_cast<lxw_col_t>(c), row[c].c_str(), text);
    }
    worksheet_freeze_panes(sheet, 1, 0);
    lxw_error err = workbook_close(book);
    if (err != LXW_NO_ERROR) throw Error("formscan.export.unwritable", "cannot write " + path + ": " + lxw_strerror(err));
}

}  // namespace

ExportFormat export_format_from_name(const std::string& name) {
    if (name == "jsonl") return ExportFormat::jsonl;
    if (name == "csv") return ExportFormat::csv;
    if (name == "xlsx") return ExportFormat::xlsx;
    throw Error("formscan.export.format", "unknown export format \"" + name + "\" (jsonl, csv or xlsx)");
}

std::vector<std::string> export_headings(const FormTemplate& form) {
    std::vector<std::string> headings;
    for (const auto& f : form.fields) {
        std::string label = f.label;
        // "填报日期:" and multi-line headers as one heading.
        while (!label.empty() && (label.back() == ':' || label.back() == ' ')) label.pop_back();
        std::string clean;
        for (char c : label)
            if (c != '\n') clean += c;
        headings.push_back(clean);
    }
    for (const char* extra : {"来源文件", "页", "行", "状态"}) headings.push_back(extra);
    return headings;
}

std::vector<std::string> export_row(const FormTemplate& form, const Record& record) {
    std::vector<std::string> row;
    for (const auto& spec : form.fields) {
        const Field* f = record.find(spec.key);
        row.push_back(f ? cell_text(f->value) : std::string());
    }
    row.push_back(record.source);
    row.push_back(std::to_string(record.page + 1));
    row.push_back(record.row > 0 ? std::to_string(record.row) : std::string());
    row.push_back(status_text(record.status()));
    return row;
}

void export_records(const FormTemplate& form, const std::vector<Record>& records, ExportFormat format, const std::string& path) {
    if (format == ExportFormat::xlsx) return write_xlsx(form, records, path);
    std::ofstream out(path, std::ios::binary);
    if (!out) throw Error("formscan.export.unwritable", "cannot write " + path);
    if (format == ExportFormat::jsonl) {
        for (Record r : records) {
            put_fields_in_template_order(r, form);  // records read back from a store come in key order
            out << record_to_json_line(r) << '\n';
        }
    } else {
        out << "\xEF\xBB\xBF";
        auto write_row = [&](const std::vector<std::string>& cells) {
            for (std::size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << csv_cell(cells[i]);
            out << "\r\n";
        };
        write_row(export_headings(form));
        for (const auto& r : records) write_row(export_row(form, r));
    }
    if (!out) throw Error("formscan.export.unwritable", "cannot write " + path);
}

}  // namespace formscan
