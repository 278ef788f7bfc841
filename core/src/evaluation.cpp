#include "formscan/evaluation.hpp"

#include "formscan/error.hpp"
#include "formscan/record_json.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace formscan {

namespace {

std::vector<Record> read_records(const std::string& path, std::map<std::string, bool>* perspective_pages = nullptr);

std::string page_key(const Record& r);

std::vector<Record> read_records(const std::string& path, std::map<std::string, bool>* perspective_pages) {
    std::ifstream in(path);
    if (!in) throw Error("formscan.eval.unreadable", "cannot open " + path);
    std::vector<Record> records;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        try {
            records.push_back(record_from_json_line(line));
            // Ground truth says which pages were warped: they have no single skew angle.
            if (perspective_pages && line.find("\"perspective\":true") != std::string::npos)
                (*perspective_pages)[page_key(records.back())] = true;
        } catch (const Error& e) {
            throw Error("formscan.eval.syntax", path + ":" + std::to_string(number) + ": " + e.what());
        }
    }
    return records;
}

std::string page_key(const Record& r) {
    return std::filesystem::path(r.source).filename().string() + "#" + std::to_string(r.page);
}
std::string row_key(const Record& r) { return page_key(r) + "#" + std::to_string(r.row); }

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == 'X'; });
}

}  // namespace

EvalReport evaluate_files(const std::string& truth_path, const std::string& records_path) {
    std::map<std::string, bool> perspective;
    std::vector<Record> truth = read_records(truth_path, &perspective);
    std::vector<Record> records = read_records(records_path);
    std::map<std::string, const Record*> by_row;
    std::map<std::string, const Record*> by_page;
    for (const auto& r : records) {
        by_row[row_key(r)] = &r;
        by_page.emplace(page_key(r), &r);
    }

    EvalReport report;
    const double edges[] = {0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001};
    for (std::size_t i = 0; i + 1 < std::size(edges); ++i) report.calibration.push_back({edges[i], edges[i + 1], {}});

    std::map<std::string, bool> truth_rows;
    std::map<std::string, double> skew_errors;
    for (const auto& t : truth) {
        ++report.truth_rows;
        truth_rows[row_key(t)] = true;
        auto page = by_page.find(page_key(t));
        if (page != by_page.end() && !skew_errors.count(page_key(t))) {
            ++report.pages;
            report.orientation_right += page->second->page_orientation_deg == t.page_orientation_deg;
            if (!perspective.count(page_key(t)))
                skew_errors[page_key(t)] = std::abs(page->second->page_skew_deg - t.page_skew_deg);
            else
                skew_errors[page_key(t)] = -1;  // counted, not scored
        }
        auto found = by_row.find(row_key(t));
        if (!t.batch.empty()) {
            ++report.identified.total;
            if (found != by_row.end() && found->second->batch == t.batch && found->second->batch_page == t.batch_page &&
                found->second->person_key == t.person_key)
                ++report.identified.correct;
        }
        if (found == by_row.end()) continue;
        ++report.matched_rows;
        const Record& r = *found->second;
        for (const auto& tf : t.fields) {
            const Field* rf = r.find(tf.key);
            std::string expected = value_to_string(tf.value);
            std::string got = rf ? value_to_string(rf->value) : std::string("<missing>");
            bool correct = rf && expected == got;
            bool ok = rf && rf->status == FieldStatus::ok;
            const std::string cls = tf.reader.empty() ? "unclassified" : tf.reader;
            for (Tally* tally : {&report.fields, &report.by_field[tf.key], &report.by_class[cls]}) {
                ++tally->total;
                if (correct) ++tally->correct;
            }
            if (ok) {
                ++report.fields_ok;
                if (!correct) ++report.fields_ok_wrong;
            }
            if (rf) {
                for (auto& band : report.calibration)
                    if (rf->confidence >= band.low && rf->confidence < band.high) {
                        ++band.tally.total;
                        if (correct) ++band.tally.correct;
                    }
            }
            if (cls == "handwritten" && all_digits(expected)) {
                for (std::size_t i = 0; i < expected.size(); ++i) {
                    ++report.digits.total;
                    if (i < got.size() && got[i] == expected[i]) ++report.digits.correct;
                }
            }
        }
    }
    for (const auto& r : records)
        if (!truth_rows.count(row_key(r))) ++report.extra_rows;
    for (const auto& [page, err] : skew_errors) {
        if (err < 0) continue;
        ++report.skew_pages;
        report.skew_error_mean += err;
        report.skew_error_max = std::max(report.skew_error_max, err);
    }
    if (report.skew_pages) report.skew_error_mean /= report.skew_pages;
    return report;
}

std::string format_report(const EvalReport& r) {
    std::ostringstream out;
    char line[256];
    auto pct = [](const Tally& t) { return 100.0 * t.rate(); };
    std::snprintf(line, sizeof line, "rows: %ld of %ld found (row recall %.2f%%), %ld extra\n", r.matched_rows, r.truth_rows,
                  100.0 * r.row_recall(), r.extra_rows);
    out << line;
    std::snprintf(line, sizeof line, "fields: %ld, exact %.2f%%\n", r.fields.total, pct(r.fields));
    out << line;
    std::snprintf(line, sizeof line, "straight-through (status ok): %.2f%%   silent errors (ok but wrong): %.3f%% of ok fields (%ld)\n",
                  100.0 * r.straight_through(), 100.0 * r.silent_error_rate(), r.fields_ok_wrong);
    out << line;
    if (r.digits.total) {
        std::snprintf(line, sizeof line, "handwritten digits: %.2f%% of %ld\n", pct(r.digits), r.digits.total);
        out << line;
    }
    if (r.identified.total) {
        std::snprintf(line, sizeof line, "printed rows identified (batch, page, person): %ld of %ld (%.2f%%)\n",
                      r.identified.correct, r.identified.total, pct(r.identified));
        out << line;
    }
    std::snprintf(line, sizeof line,
                  "pages: %ld, orientation right on %ld; skew error over the %ld without perspective: mean %.4f deg, max %.4f deg\n",
                  r.pages, r.orientation_right, r.skew_pages, r.skew_error_mean, r.skew_error_max);
    out << line << "by class:\n";
    for (const auto& [cls, t] : r.by_class) {
        std::snprintf(line, sizeof line, "  %-14s %6.2f%% of %ld\n", cls.c_str(), pct(t), t.total);
        out << line;
    }
    out << "by field:\n";
    for (const auto& [key, t] : r.by_field) {
        std::snprintf(line, sizeof line, "  %-18s %6.2f%% of %ld\n", key.c_str(), pct(t), t.total);
        out << line;
    }
    out << "calibration (confidence band: fields, accuracy):\n";
    for (const auto& b : r.calibration) {
        if (!b.tally.total) continue;
        std::snprintf(line, sizeof line, "  [%.2f, %.2f)  %6ld  %6.2f%%\n", b.low, std::min(b.high, 1.0), b.tally.total,
                      pct(b.tally));
        out << line;
    }
    return out.str();
}

std::string report_to_json(const EvalReport& r) {
    using Poco::JSON::Object;
    Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("truth_rows", r.truth_rows);
    o->set("matched_rows", r.matched_rows);
    o->set("extra_rows", r.extra_rows);
    o->set("row_recall", r.row_recall());
    o->set("field_accuracy", r.fields.rate());
    o->set("fields", r.fields.total);
    o->set("straight_through", r.straight_through());
    o->set("silent_error_rate", r.silent_error_rate());
    o->set("digit_accuracy", r.digits.rate());
    o->set("digits", r.digits.total);
    if (r.identified.total) {
        o->set("printed_rows", r.identified.total);
        o->set("identified_rate", r.identified.rate());
    }
    o->set("pages", r.pages);
    o->set("orientation_right", r.orientation_right);
    o->set("skew_pages", r.skew_pages);
    o->set("skew_error_mean", r.skew_error_mean);
    o->set("skew_error_max", r.skew_error_max);
    Object::Ptr classes = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [cls, t] : r.by_class) classes->set(cls, t.rate());
    o->set("class_accuracy", classes);
    Object::Ptr fields = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [key, t] : r.by_field) fields->set(key, t.rate());
    o->set("field_accuracy_by_key", fields);
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(o, out, 2, -1, Poco::JSON_PRESERVE_KEY_ORDER);
    return out.str();
}

}  // namespace formscan
