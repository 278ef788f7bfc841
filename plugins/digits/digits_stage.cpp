// digits: reads every written cell of a digit field (phone, dates, codes, reason codes,
// sequence numbers) with the trained digit recogniser, printed or handwritten alike.
// See README.md in this folder.
#include "constrained_decoder.hpp"
#include "digit_reader.hpp"
#include "print_eraser.hpp"

#include "formscan/cell_image.hpp"
#include "formscan/paths.hpp"
#include "formscan/id_number.hpp"
#include "formscan/page_code.hpp"
#include "formscan/print_manifest.hpp"
#include "formscan/stage.hpp"
#include "formscan/text_utils.hpp"

#include <Poco/ClassLibrary.h>
#include <Poco/Logger.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>

namespace formscan {

namespace {

// Fields the digit reader answers: digit strings and codes. ID numbers only on
// one-person sheets, where they are written by hand as often as printed (the table's
// are printed, and Tesseract reads print better); text stays with the text reader.
bool digit_field(const FieldSpec& spec) {
    switch (spec.type) {
        case FieldType::id_number:
            return spec.placement == Placement::sheet;
        case FieldType::digits:
        case FieldType::date:
        case FieldType::code:
        case FieldType::tick_or_code:
            return true;
        case FieldType::text:
            return !spec.alphabet.empty() && spec.alphabet.find_first_not_of("0123456789") == std::string::npos;
        default:
            return false;
    }
}

bool in_code_list(const FormTemplate& form, const FieldSpec& spec, const std::string& code) {
    if (spec.code_list.empty()) return true;
    const auto& codes = form.codes(spec.code_list);
    return std::any_of(codes.begin(), codes.end(), [&](const CodeEntry& e) { return e.code == code; });
}

}  // namespace

class DigitsStage : public Stage {
public:
    StageInfo info() const override {
        return {"digits",
                "1.0.0",
                "reads digit strings and codes, handwritten or printed, with the trained recogniser (models/digits)",
                {kHasCells, kHasRecords, kHasMarks},
                {kHasDigits},
                {
                    {"model", ParamType::string, "digits/digits.onnx,digits/digits_s2.onnx", 0, 0,
                     "model files, relative to the models folder; several (comma-separated) are averaged"},
                    {"consult_below", ParamType::number, "1.01", 0, 1.01,
                     "the other models are consulted on a crop the first gives less than this to its best class (1.01: on all)"},
                    {"ok_confidence", ParamType::number, "0.95", 0, 1, "confidence from which a field needs no review"},
                    {"enlarge_below_px", ParamType::integer, std::to_string(kEnlargeDigitCellsBelowPx), 0, 10000,
                     "cells less tall than this are enlarged twice before their ink is cut (low-resolution scans)"},
                    {"codes_too", ParamType::boolean, "true", 0, 1,
                     "also read the employer-name column when it holds a no-employer code"},
                    {"batches", ParamType::string, "", 0, 0,
                     "folder of the manifests formscan print wrote (formscan run --printed sets it): a printed value struck "
                     "through is erased from its cell and the writing left is read"},
                    {"print_font", ParamType::string, "Noto Sans CJK SC", 0, 0, "the font formscan print sets values in"},
                }};
    }

    void configure(const ParamValues& params, const StageEnvironment& env) override {
        const std::string models_dir = env.models_dir.empty() ? default_models_dir() : env.models_dir;
        reader_ = std::make_unique<DigitReader>(DigitReader::model_files(params.get_string("model"), models_dir),
                                                params.get_double("consult_below"));
        ok_confidence_ = params.get_double("ok_confidence");
        codes_too_ = params.get_bool("codes_too");
        min_cell_height_ = static_cast<int>(params.get_int("enlarge_below_px"));
        if (const std::string folder = params.get_string("batches"); !folder.empty()) manifests_ = load_print_manifests(folder);
        print_font_ = params.get_string("print_font");
    }

    void process(PageContext& ctx) override {
        // Cut every cell the stage reads, score all their crops in one pass, then decide.
        struct Pending {
            Field* field;
            const FieldSpec* spec;
            bool marked_tick, code_text, tick_field;
            cv::Rect ink_bounds;
            CutCell cell;
        };
        std::vector<Pending> pending;
        std::vector<DatePart> date_parts;
        std::vector<cv::Mat> crops;
        HeaderOnce header_once;
        const std::map<int, Record>* printed_rows = nullptr;
        if (auto code = parse_page_code(ctx.page.code); code && manifests_) printed_rows = manifests_->rows(code->batch, code->page);
        for (auto& record : ctx.records) {
            const Record* printed = nullptr;
            if (printed_rows)
                if (auto row = printed_rows->find(std::max(record.row, 1)); row != printed_rows->end()) printed = &row->second;
            for (auto& field : record.fields) {
                // The marks stage's ticks in tick-or-code columns get a second look: a
                // written 1, 5 or 7 can have a tick's shape.
                if (field.box.area() == 0) continue;
                // A printed value struck through: what the marks stage saw was the print,
                // the strike and the writing together; the writing alone is read here.
                std::optional<DigitInk> rewritten;
                if (printed && (field.reader.empty() || field.reader == "marks")) rewritten = without_struck_print(ctx, *printed, field);
                const bool marked_tick = !rewritten && field.reader == "marks" && field.text() == "√";
                if (!rewritten && !field.reader.empty() && !marked_tick) continue;
                const FieldSpec& spec = ctx.form.field(field.key);
                bool code_text = codes_too_ && spec.type == FieldType::text_or_code;
                bool tick_field = spec.type == FieldType::tick_or_code || spec.type == FieldType::tick_or_text;
                if (!digit_field(spec) && !code_text && !tick_field) continue;
                if (spec.placement == Placement::header && !rewritten && header_once.is_repeat(field)) continue;
                if (spec.type == FieldType::date) {
                    if (auto parts = part_cells(ctx.page, record.row, field.key); parts.size() == 3) {
                        for (const auto& part : parts)
                            date_parts.push_back({&field, &spec, DigitReader::cut(writing_in(ctx.page, part, spec), crops, false)});
                        continue;
                    }
                }
                const DigitInk writing = rewritten ? *rewritten : writing_in(ctx.page, field.box, spec);
                pending.push_back({&field, &spec, marked_tick, code_text, tick_field, ink_bounds(writing.ink),
                                   DigitReader::cut(writing, crops, tick_field, most_digits(spec))});
            }
        }
        const auto started = std::chrono::steady_clock::now();
        const Probabilities probs = reader_->classify(crops);
        if (Poco::Logger& log = Poco::Logger::get("formscan.stage.digits"); log.debug())
            log.debug("%d crops of %d cells classified in %.3f s", static_cast<int>(crops.size()),
                      static_cast<int>(pending.size() + date_parts.size()),
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        for (auto& p : pending) decide(ctx.form, p.field, *p.spec, p.marked_tick, p.code_text, p.tick_field, p.ink_bounds, p.cell, probs);
        for (std::size_t i = 0; i + 2 < date_parts.size(); i += 3) decide_date_in_parts(&date_parts[i], probs);
        header_once.copy_readings();
    }

private:
    // A part of a date written in three blanks (year, month, day), as sheet_boxes found them.
    struct DatePart {
        Field* field;
        const FieldSpec* spec;
        CutCell cell;
    };

    // The cells "KEY#0", "KEY#1"... of a field written in parts, in order.
    static std::vector<cv::Rect> part_cells(const Page& page, int row, const std::string& key) {
        std::vector<cv::Rect> parts;
        for (std::size_t i = 0;; ++i) {
            auto it = std::find_if(page.cells.begin(), page.cells.end(), [&](const FieldCell& c) {
                return c.row == row && c.key == key + "#" + std::to_string(i);
            });
            if (it == page.cells.end()) return parts;
            parts.push_back(it->box);
        }
    }

    // Year, month and day read apart and joined with separators: every combination of
    // their readings (digit counts) is one reading of the date, scored by the sum, and the
    // date rules choose among them as for a date in one cell.
    void decide_date_in_parts(const DatePart* part, const Probabilities& probs) const {
        DigitReadings each[3];
        for (int k = 0; k < 3; ++k) {
            each[k] = DigitReader::decode(part[k].cell, probs, false, k == 0 ? std::vector<int>{4} : std::vector<int>{1, 2});
            if (each[k].best < 0) return;  // a part without writing: for the text reader, or empty
        }
        CharReading separator;
        separator.best = '-';
        separator.choices = {{'-', 1.0}};
        DigitReadings all;
        for (std::size_t y = 0; y < each[0].by_length.size(); ++y)
            for (std::size_t m = 0; m < each[1].by_length.size(); ++m)
                for (std::size_t d = 0; d < each[2].by_length.size(); ++d) {
                    const DigitReading* pieces[3] = {&each[0].by_length[y], &each[1].by_length[m], &each[2].by_length[d]};
                    DigitReading joined;
                    for (int k = 0; k < 3; ++k) {
                        if (k > 0) joined.chars.push_back(separator);
                        joined.chars.insert(joined.chars.end(), pieces[k]->chars.begin(), pieces[k]->chars.end());
                        joined.score += pieces[k]->score;
                    }
                    if (static_cast<int>(y) == each[0].best && static_cast<int>(m) == each[1].best && static_cast<int>(d) == each[2].best)
                        all.best = static_cast<int>(all.by_length.size());
                    all.by_length.push_back(std::move(joined));
                }
        if (auto reading = decode_constrained(all, date_rules(*part[0].spec))) set_constrained(*part[0].field, *reading);
    }

    // What a date of this field may be: from its earliest date to today, outside its
    // likely_from .. likely_until only at long odds.
    static Interpretation date_rules(const FieldSpec& spec) {
        return date_interpretation(spec.earliest_date, today(), spec.likely_from, spec.likely_until);
    }

    // A value printed in the cell (formscan print) and struck through: the print and the
    // strike are taken out of the ink, and the surveyor's new value is what is left.
    // Nothing when the field's printed value is not struck through.
    std::optional<DigitInk> without_struck_print(const PageContext& ctx, const Record& printed, const Field& field) const {
        const Field* value = printed.find(field.key);
        if (!value || value->reader != "printed" || value->text().empty()) return std::nullopt;
        const FieldSpec* spec = ctx.form.find_field(field.key);
        if (!spec || !digit_field(*spec)) return std::nullopt;
        const double px_per_mm = pixels_per_mm(ctx);
        auto strike = find_strike(ctx.page.image, field.box, px_per_mm, value->text());
        if (!strike) return std::nullopt;
        DigitInk writing = writing_in(ctx.page, field.box, *spec);
        // The ink may be the cell enlarged (low-resolution scans).
        const double scale = static_cast<double>(writing.ink.rows) / std::max(1, field.box.height);
        auto in_ink = [&](const cv::Point& p) { return cv::Point2f(p - field.box.tl()) * scale; };
        writing.ink = erase_print(writing.ink, {value->text(), print_font_, px_per_mm * scale}, {in_ink(strike->first), in_ink(strike->second)});
        return writing;
    }

    DigitInk writing_in(const Page& page, const cv::Rect& box, const FieldSpec& spec) const {
        return digit_cell_ink(page.image, box, surround_of(spec.placement), min_cell_height_);
    }

    void decide(const FormTemplate& form, Field* f, const FieldSpec& spec, bool marked_tick, bool code_text, bool tick_field,
                const cv::Rect& bounds, const CutCell& cell, const Probabilities& probs) const {
        Field& field = *f;
        if (tick_field) {
            double tick = DigitReader::tick_probability(cell, probs);
            if (tick >= 0.5) {
                // Shape and recogniser agree (noisy-or), or the recogniser alone says so.
                double confidence = marked_tick ? 1 - (1 - field.confidence) * (1 - tick) : tick;
                field.value = std::string("√");
                field.confidence = confidence;
                field.status = confidence >= ok_confidence_ ? FieldStatus::ok : FieldStatus::review;
                field.reader = marked_tick ? "marks" : "digits";
                return;
            }
            if (marked_tick) field.confidence *= 0.5 + tick;  // kept unless a code is read, but doubted
            if (spec.type == FieldType::tick_or_text) return;  // an address: for the text reader
        }
        if (spec.type == FieldType::id_number) return set_id_number(field, spec, cell, probs);
        // A value that fits no date (no phone number) is left for the text reader.
        if (spec.type == FieldType::date) return set_date(field, spec, cell, probs);
        if (spec.key == "phone") return set_phone(field, spec, cell, probs);
        // Writing one character wide in the employer's column is a code of one digit (a 5
        // whose top bar came apart is still one).
        const bool one_character = bounds.width <= 1.5 * bounds.height;
        DigitReadings all = DigitReader::decode(cell, probs, false, code_text && one_character ? std::vector<int>{1} : expected_lengths(spec));
        if (all.best < 0) return;
        // Codes and row numbers: the most likely reading that is one ("81" -> 8 when the
        // list ends at 13 and the 1 was a stray stroke).
        const bool coded = !spec.code_list.empty() && (spec.type == FieldType::code || spec.type == FieldType::tick_or_code);
        if (coded || spec.key == "seq") {
            auto reading = decode_constrained(all, coded ? code_interpretation(form.codes(spec.code_list)) : row_number_interpretation());
            if (reading && !(marked_tick && reading->confidence < 0.5)) {
                set_constrained(field, *reading);
                return;
            }
        }
        const DigitReading& r = all.by_length[static_cast<std::size_t>(all.best)];
        if (r.chars.empty()) return;
        // A tick the recogniser doubts stays a tick unless it reads as a sure code.
        if (marked_tick && (r.confidence() < 0.5 || !in_code_list(form, spec, r.digits()))) return;
        if (code_text) {
            // The column holds a company name or a code 1-5. Writing one character wide
            // is a code, however unsure its reading; wider writing is taken as a code
            // only when clearly one.
            if (r.digits().size() != 1 || !in_code_list(form, spec, r.digits())) return;
            if (!one_character && r.confidence() < 0.9) return;
        }
        set(form, spec, field, r);
    }

    void set_date(Field& field, const FieldSpec& spec, const CutCell& cell, const Probabilities& probs) const {
        DigitReadings all = DigitReader::decode(cell, probs, true);
        auto reading = decode_constrained(all, date_rules(spec));
        if (Poco::Logger& log = Poco::Logger::get("formscan.stage.digits"); log.debug()) {
            std::string texts;
            for (const auto& r : all.by_length) texts += " " + r.text();
            log.debug("%s: %d pieces, readings%s -> %s", spec.key, static_cast<int>(cell.pieces.size()), texts,
                      reading ? reading->value : std::string("nothing valid"));
        }
        if (reading) set_constrained(field, *reading);
    }

    void set_phone(Field& field, const FieldSpec& spec, const CutCell& cell, const Probabilities& probs) const {
        DigitReadings all = DigitReader::decode(cell, probs, false, expected_lengths(spec));
        auto reading = decode_constrained(all, phone_interpretation(), Certainty::share);
        if (!reading) return;
        // A landline is never sure: a mobile number whose first digits the cut lost
        // reads as one (18059828283 as 59828283). Low enough that calibration still
        // sends it to a person (the tables of 2026-11-30 put phones read at 0.14-0.5
        // right 58 times in 100).
        if (reading->value.size() < 11) reading->confidence = std::min(reading->confidence, 0.2);
        set_constrained(field, *reading);
    }

    // The most likely valid ID number (check character, birth date) from every digit's
    // choices; 18 digits, or 17 and an X the recogniser cannot read. Nothing valid: left
    // for the text reader.
    void set_id_number(Field& field, const FieldSpec& spec, const CutCell& cell, const Probabilities& probs) const {
        DigitReadings all = DigitReader::decode(cell, probs, false, expected_lengths(spec));
        for (const auto& r : all.by_length) {
            std::vector<CharChoices> positions;
            std::string raw;
            for (const auto& c : r.chars) {
                if (c.choices.empty() || !std::isdigit(static_cast<unsigned char>(c.best))) continue;
                CharChoices choices;
                for (const auto& [digit, p] : c.choices) choices.push_back({digit, std::max(p, 1e-3)});
                positions.push_back(std::move(choices));
                raw += c.best;
            }
            // 17 digits: an unread X, or (more often) a digit the cut missed. Then nothing
            // read checks the others (an X fits one reading in eleven): never sure.
            const bool check_read = positions.size() == 18;
            if (positions.size() == 17) positions.push_back({{'X', 0.1}});
            else if (positions.size() == 18) positions.back().push_back({'X', 0.02});
            else continue;
            auto candidates = decode_id_number(positions);
            if (candidates.empty()) continue;
            double total = 0;
            for (const auto& c : candidates) total += std::exp(c.log_score - candidates[0].log_score);
            const double share = 1.0 / total;
            field.value = candidates[0].id;
            field.confidence = share * (!check_read ? 0.6 : candidates[0].id.substr(0, raw.size()) == raw ? 0.97 : 0.8);
            field.status = field.confidence >= ok_confidence_ ? FieldStatus::ok : FieldStatus::review;
            field.reader = "digits";
            field.alternatives.clear();
            for (const auto& c : candidates) field.alternatives.push_back({c.id, std::exp(c.log_score - candidates[0].log_score) * share});
            return;
        }
    }

    static std::vector<int> expected_lengths(const FieldSpec& spec) {
        if (spec.key == "phone") return {11, 8};  // a mobile, or a local landline
        if (spec.type == FieldType::id_number) return {18, 17};  // or 17 and an X the recogniser cannot read
        return {};
    }

    // The most digits a field may have: a cut that finds fewer characters looks harder
    // for touching digits.
    static int most_digits(const FieldSpec& spec) {
        if (spec.type == FieldType::date) return 8;  // yyyymmdd
        const auto lengths = expected_lengths(spec);
        return lengths.empty() ? 0 : *std::max_element(lengths.begin(), lengths.end());
    }

    void set_constrained(Field& field, const ConstrainedReading& reading) const {
        field.value = reading.value;
        field.confidence = reading.confidence;
        field.status = reading.confidence >= ok_confidence_ ? FieldStatus::ok : FieldStatus::review;
        field.reader = "digits";
        field.alternatives.clear();
        for (const auto& [value, score] : reading.alternatives) field.alternatives.push_back({value, score});
    }

    void set(const FormTemplate& form, const FieldSpec& spec, Field& field, const DigitReading& r) const {
        double confidence = r.confidence();
        std::string value = r.digits();
        if ((spec.type == FieldType::code || spec.type == FieldType::tick_or_code || spec.type == FieldType::text_or_code) &&
                   !in_code_list(form, spec, value)) {
            confidence *= 0.3;
        }
        field.value = value;
        field.confidence = confidence;
        field.status = confidence >= ok_confidence_ ? FieldStatus::ok : FieldStatus::review;
        field.reader = "digits";
        field.alternatives.clear();
        // The runner-up reading: the least sure character replaced by its second choice.
        std::size_t weakest = 0;
        double weakest_p = 2;
        for (std::size_t i = 0; i < r.chars.size(); ++i)
            if (r.chars[i].choices.size() > 1 && r.chars[i].choices[0].second < weakest_p)
                weakest = i, weakest_p = r.chars[i].choices[0].second;
        if (weakest_p <= 1) {
            std::string alt;
            for (std::size_t i = 0; i < r.chars.size(); ++i)
                if (r.chars[i].best >= '0' && r.chars[i].best <= '9')
                    alt += i == weakest ? r.chars[i].choices[1].first : r.chars[i].best;
            double p = confidence / std::max(1e-9, weakest_p) * r.chars[weakest].choices[1].second;
            field.alternatives.push_back({value, confidence});
            field.alternatives.push_back({alt, p});
        }
    }

    int min_cell_height_ = kEnlargeDigitCellsBelowPx;
    std::shared_ptr<const PrintManifests> manifests_;
    std::string print_font_;
    std::unique_ptr<DigitReader> reader_;
    double ok_confidence_ = 0.95;
    bool codes_too_ = true;
};

}  // namespace formscan

POCO_BEGIN_NAMED_MANIFEST(FormscanV2, formscan::Stage)
POCO_EXPORT_CLASS(formscan::DigitsStage)
POCO_END_MANIFEST
