// tesseract_text: reads printed text in every written cell that no earlier stage has
// decided, with Tesseract on the cleaned cell crop, the field's alphabet and its
// vocabulary. See README.md in this folder.
#include "cell_ocr.hpp"
#include "glyph_reader.hpp"
#include "word_choice.hpp"
#include "ocr_params.hpp"

#include "formscan/cell_image.hpp"
#include "formscan/id_number.hpp"
#include "formscan/paths.hpp"
#include "formscan/stage.hpp"
#include "formscan/text_utils.hpp"

#include <opencv2/imgproc.hpp>

#include <Poco/ClassLibrary.h>
#include <Poco/Logger.h>
#include <Poco/StringTokenizer.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>

namespace formscan {

namespace {

bool is_ascii(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string digits_of(const std::string& s) { return keep_only(s, "0123456789"); }

// The most a date outside its field's likely period is reported as sure.
constexpr double kUnlikelyDate = 0.05;

// The lines of a cell read one by one: each one's rows in the cell's ink and how many
// characters were read on it.
using LinesRead = std::vector<std::pair<cv::Range, std::size_t>>;

struct Reading {
    std::string value;
    double confidence = 0;
    std::vector<Alternative> alternatives;
    std::vector<double> char_confidence;  // Tesseract's, when the value has the characters it read
    // The glyph recogniser's likeliest characters for each character of the value, where
    // Tesseract placed it (fields of village_fields only; empty when not known).
    CharGuesses glyph_guesses;
};

// A value of the digit reader that Tesseract reads again when the digit reader doubts it:
// below which of its confidences, what Tesseract's reading must be to count, and when that
// reading replaces the digit reader's rather than only confirming it.
struct SecondOpinion {
    double asked_below;                    // the digit reader's confidence under which Tesseract reads too
    bool (*valid)(const std::string&);     // what Tesseract's reading must be
    bool confirms;                         // read alike, as sure as both readers (noisy-or)
    double replaces_below;                 // the digit reader's confidence under which a surer reading replaces it
    double replaces_from;                  // and Tesseract's from which it may
};

// Dates: printed dates read better with Tesseract, but it makes dates of handwriting too
// (2015-04-12 of a handwritten 2015.1.13), so a date the digit reader read at 0.5 or more
// is only confirmed. ID numbers the digit reader doubts (on a sheet) may be printed. Phone
// numbers: on handwriting Tesseract reads a valid mobile number less surely, and mostly
// wrong, so its own must be read at 0.8 or more to replace.
std::optional<SecondOpinion> second_opinion(const FieldSpec& spec) {
    switch (spec.type) {
        case FieldType::date: return SecondOpinion{0.99, [](const std::string& v) { return normalise_date(v).has_value(); }, true, 0.5, 0};
        case FieldType::id_number: return SecondOpinion{0.9, [](const std::string& v) { return id_has_valid_check(v); }, false, 1, 0};
        case FieldType::digits: return SecondOpinion{0.99, [](const std::string& v) { return is_cn_mobile(v); }, true, 1, 0.8};
        default: return std::nullopt;
    }
}

// Whether Tesseract's `reading` of a value the digit reader read as `field` is taken; read
// alike, two different models rarely misread one print alike: its confidence becomes both's.
bool take_second_opinion(const SecondOpinion& o, const Field& field, Reading& reading) {
    if (!o.valid(reading.value)) return false;
    if (o.confirms && reading.value == field.text()) {
        reading.confidence = 1 - (1 - reading.confidence) * (1 - field.confidence);
        return true;
    }
    return field.confidence < o.replaces_below && reading.confidence >= o.replaces_from && reading.confidence > field.confidence;
}

}  // namespace

class TesseractTextStage : public Stage {
public:
    StageInfo info() const override {
        return {"tesseract_text",
                "1.0.0",
                "reads printed text in written cells with Tesseract, constrained by each field's alphabet and vocabulary",
                {kHasCells, kHasRecords, kHasMarks},
                {kHasText},
                {
                    {"x_height_px", ParamType::integer, "28", 16, 120, "height the cell's ink is scaled to before OCR (28 read best of 24-56 on synthetic scans)"},
                    {"sharpen", ParamType::number, "0.8", 0, 3,
                     "unsharp-mask strength on the scaled crop (0 = none; 0.8 read best of 0, 0.5, 0.8, 1.5)"},
                    {"ok_confidence", ParamType::number, "0.92", 0, 1, "confidence from which a field needs no review"},
                    {"vocabulary_penalty", ParamType::number, "0.25", 0, 1,
                     "confidence lost per character corrected by the vocabulary"},
                    chinese_model_param(),
                    {"glyph_model", ParamType::string, "glyphs/glyphs.onnx", 0, 0,
                     "printed-glyph recogniser that reads names beside Tesseract, relative to the models folder (its "
                     "characters in chars.txt beside it); \"\" = Tesseract alone"},
                    {"tesseract_vote", ParamType::number, "60", 1, 100000,
                     "how many times likelier a name's character is when Tesseract read it too"},
                    {"glyph_fields", ParamType::string, "employer_name", 0, 0,
                     "other fields (comma-separated keys) read again by the glyph recogniser when Tesseract read them "
                     "as Chinese characters only, as names are"},
                    {"village_fields", ParamType::string, "hukou_address", 0, 0,
                     "fields (comma-separated keys) that name the page's own village after the district and the "
                     "page's township (household addresses): the village is read once for the page, character by "
                     "character by both readers over all its rows"},
                    {"own_village_fields", ParamType::string, "residence_address", 0, 0,
                     "fields (comma-separated keys) that name a village of the district after the district and a "
                     "township (where a person lives): each one's village read character by character by both readers"},
                    {"village_vote", ParamType::number, "60", 1, 100000,
                     "how many times likelier a village's character is in one row when Tesseract read it there"},
                    {"rare_weight", ParamType::number, "0.2", 0, 1,
                     "how much likelier a name's character of GB 2312's second level (rare) is than the recogniser says"},
                    {"first_character_weight", ParamType::number, "0.1", 0, 1,
                     "how much likelier a first character outside the field's first_character vocabulary (a name's "
                     "surname outside the list of surnames) is than the readers say; 1 = no such preference"},
                    {"word_weight", ParamType::number, "30", 1, 1000000,
                     "how many times likelier a run of characters is when it spells one of the field's words (its "
                     "template's words vocabulary) than its characters read alone say; 1 = words not used"},
                }};
    }

    void configure(const ParamValues& params, const StageEnvironment& env) override {
        x_height_ = static_cast<int>(params.get_int("x_height_px"));
        sharpen_ = params.get_double("sharpen");
        ok_confidence_ = params.get_double("ok_confidence");
        vocabulary_penalty_ = params.get_double("vocabulary_penalty");
        tesseract_vote_ = params.get_double("tesseract_vote");
        rare_weight_ = params.get_double("rare_weight");
        first_character_weight_ = params.get_double("first_character_weight");
        word_weight_ = params.get_double("word_weight");
        const auto keys = [&](const char* name) {
            const Poco::StringTokenizer list(params.get_string(name), ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
            return std::set<std::string>(list.begin(), list.end());
        };
        glyph_fields_ = keys("glyph_fields");
        village_fields_ = keys("village_fields");
        own_village_fields_ = keys("own_village_fields");
        village_vote_ = params.get_double("village_vote");
        ocr_ = make_cell_ocr(params, env);
        if (std::filesystem::path model = params.get_string("glyph_model"); !model.empty()) {
            if (model.is_relative()) model = std::filesystem::path(env.models_dir.empty() ? default_models_dir() : env.models_dir) / model;
            glyphs_ = std::make_unique<GlyphReader>(model.string(), (model.parent_path() / "chars.txt").string());
        }
    }

    void process(PageContext& ctx) override {
        HeaderOnce header_once;
        std::vector<VillageReading> villages, own_villages;
        for (auto& record : ctx.records) {
            for (auto& field : record.fields) {
                if (field.box.area() == 0) continue;
                const FieldSpec& spec = ctx.form.field(field.key);
                // What the digit reader doubts may be printed: Tesseract reads print better.
                const std::optional<SecondOpinion> opinion = second_opinion(spec);
                const bool asked = opinion && field.reader == "digits" && field.confidence < opinion->asked_below;
                if (!field.reader.empty() && !asked) continue;
                if (spec.type == FieldType::signature || spec.type == FieldType::check) continue;
                if (spec.placement == Placement::header && header_once.is_repeat(field)) continue;
                Reading reading = read(ctx, spec, field.box);
                if (asked && !take_second_opinion(*opinion, field, reading)) continue;
                field.value = reading.value;
                field.confidence = reading.confidence;
                field.alternatives = reading.alternatives;
                field.char_confidence = reading.char_confidence;
                field.status = field.confidence >= ok_confidence_ ? FieldStatus::ok : FieldStatus::review;
                field.reader = "tesseract_text";
                if (village_fields_.count(field.key)) villages.push_back({&field, std::move(reading.glyph_guesses)});
                else if (own_village_fields_.count(field.key)) own_villages.push_back({&field, std::move(reading.glyph_guesses)});
            }
        }
        header_once.copy_readings();
        agree_on_village(ctx, villages);
        read_own_villages(ctx.form, own_villages);
    }

private:
    Reading read(const PageContext& ctx, const FieldSpec& spec, const cv::Rect& box) {
        cv::Mat ink = cell_ink(ctx.page.image, box, 4, surround_of(spec.placement));
        // Digit-like fields go to the Latin model with the field's alphabet. Chinese is
        // read unconstrained: Tesseract's whitelist fails on CJK (a clear 女 with the
        // whitelist 女男 reads as nothing); the vocabulary is applied afterwards.
        bool latin = !spec.alphabet.empty() && is_ascii(spec.alphabet);
        std::string whitelist = latin ? spec.alphabet : std::string();
        if (spec.type == FieldType::tick_or_code || spec.type == FieldType::code) {
            whitelist = "0123456789";
            latin = true;
        }
        const std::vector<cv::Range> line_rows = text_line_rows(ink);
        const int lines = std::clamp(static_cast<int>(line_rows.size()), 1, 3);
        const std::vector<cv::Range> text_rows = as_tall_as_text(line_rows);
        OcrResult raw;
        CharGuesses guesses;
        LinesRead lines_read;
        if (!latin && (text_rows.size() == 2 || text_rows.size() == 3)) {
            raw = read_line_by_line(ctx, box, ink, text_rows, glyphs_ && reads_villages(spec.key) ? &guesses : nullptr, &lines_read);
        } else {
            // The whole cell scaled for the block reading (made only when it is read so).
            cv::Mat bw = grey_for_ocr(ctx.page.image, box, ink, x_height_ * lines + x_height_ / 3 * (lines - 1), sharpen_);
            if (spec.type == FieldType::id_number && lines == 1) {
                if (auto id = read_id_number(bw, whitelist)) return *id;
            }
            raw = ocr_->read(bw, !latin, whitelist, lines);
            if (glyphs_ && !latin && lines == 1 && reads_villages(spec.key)) guesses = glyph_guesses(bw, raw);
        }
        Reading reading = interpret(ctx.form, spec, remove_spaces(raw.text), raw.confidence);
        if (spec.type == FieldType::id_number && line_rows.size() > 1 && !id_has_valid_check(reading.value)) {
            // An ID number is one printed line: read as a block with the specks and the dots
            // of a rule above and below it (five "lines" on a 1-bit page), it gained a
            // nineteenth digit. Read again from the tallest band alone, it counts if valid; and
            // is sure only if the block reading had it but for a digit or two (otherwise the
            // two readings of one print disagree: 520682... from the band, 330682... as a block).
            const cv::Range line = *std::max_element(line_rows.begin(), line_rows.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
            cv::Mat own = cv::Mat::zeros(ink.size(), ink.type());
            ink.rowRange(line).copyTo(own.rowRange(line));
            if (auto id = read_id_number(grey_for_ocr(ctx.page.image, box, own, x_height_, sharpen_), whitelist); id && id_has_valid_check(id->value)) {
                if (edit_distance(utf8_chars(id->value), utf8_chars(reading.value)) > 2) id->confidence = std::min(id->confidence, 0.5);
                return *id;
            }
        }
        if (utf8_chars(reading.value).size() == raw.char_confidence.size()) reading.char_confidence = raw.char_confidence;
        if (utf8_chars(reading.value).size() == guesses.size()) reading.glyph_guesses = std::move(guesses);
        // An employer's name printed on two lines is read again line by line.
        if (glyphs_ && !latin && glyph_fields_.count(spec.key) && all_han(reading.value) && (lines == 1 || !lines_read.empty()))
            return with_glyphs(reading, ink, 32, nullptr, spec.words.empty() ? nullptr : &ctx.form.vocabulary(spec.words), lines_read);
        if (glyphs_ && lines == 1 && !latin) {
            if (spec.script == "han")
                return with_glyphs(reading, ink, 4, spec.first_character.empty() ? nullptr : &ctx.form.vocabulary(spec.first_character));
            if (!spec.vocabulary.empty())
                return vocabulary_with_glyphs(reading, remove_spaces(raw.text), ink, ctx.form.vocabulary(spec.vocabulary),
                                              spec.type == FieldType::ethnicity);
        }
        return reading;
    }

    // The glyph recogniser's likeliest characters for each Chinese character Tesseract read
    // at the start of the line in `bw` (the image it read; none for the others). Tesseract's
    // LSTM places characters too loosely to cut them by (its boxes are cut short or
    // shifted), so the run of Chinese characters, square and evenly spaced, is cut evenly
    // from its first ink to where it ends: of the gaps about as many line heights further,
    // the one where the recogniser reads Tesseract's characters likeliest, two thirds of
    // them at least (a cut one character off reads 明 as 知 in every row of a page). Empty
    // when Tesseract's symbols do not spell its text one character each.
    CharGuesses glyph_guesses(const cv::Mat& bw, const OcrResult& raw) {
        const std::vector<std::string> chars = utf8_chars(remove_spaces(raw.text));
        if (chars.empty() || raw.symbols.size() != chars.size()) return {};
        const int run = static_cast<int>(std::find_if_not(chars.begin(), chars.end(), [](const std::string& c) { return is_han(c); }) - chars.begin());
        CharGuesses out(chars.size());
        cv::Mat ink;
        cv::threshold(bw, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
        const cv::Rect bounds = ink_bounds(ink);
        if (run == 0 || bounds.area() == 0) return out;
        std::vector<int> ends = {bounds.br().x};
        if (run < static_cast<int>(chars.size())) ends = run_ends(ink, bounds, run);
        double best_score = -std::numeric_limits<double>::infinity();
        for (const int end : ends) {
            const auto glyphs = glyphs_->read(ink.colRange(0, end), run);
            if (glyphs.size() != static_cast<std::size_t>(run)) continue;
            // Cut where the characters fall, most of them read as Tesseract read them (the
            // district and the township, which it reads well).
            double score = 0;
            int alike = 0;
            for (int i = 0; i < run; ++i) {
                const double p = glyphs[static_cast<std::size_t>(i)].of(chars[static_cast<std::size_t>(i)]);
                score += std::log(std::max(p, 1e-6));
                alike += p >= 0.1 ? 1 : 0;
            }
            if (score <= best_score || alike * 3 < run * 2) continue;
            best_score = score;
            for (int i = 0; i < run; ++i) out[static_cast<std::size_t>(i)] = glyphs[static_cast<std::size_t>(i)].top(kVillageGuesses);
        }
        if (!std::isfinite(best_score)) return {};
        return out;
    }

    // Where a line's first `run` characters (Chinese, about as wide as the line is tall)
    // may end: the middle of the gaps between (run - 1/2) and (run + 2/3) line heights
    // after the first ink nearest `run` heights (kRunEnds of them), or the emptiest column
    // there when there is no gap.
    static std::vector<int> run_ends(const cv::Mat& ink, const cv::Rect& bounds, int run) {
        cv::Mat columns;
        cv::reduce(ink / 255, columns, 0, cv::REDUCE_SUM, CV_32S);
        const double h = bounds.height;
        const int from = std::max(bounds.x + 1, bounds.x + static_cast<int>((run - 0.5) * h));
        const int to = std::min(bounds.br().x, bounds.x + static_cast<int>((run + 0.67) * h));
        std::vector<int> ends;
        int emptiest = from;
        for (int x = from; x < to; ++x) {
            if (columns.at<int>(x) < columns.at<int>(emptiest)) emptiest = x;
            if (columns.at<int>(x) != 0) continue;
            int gap_end = x;
            while (gap_end + 1 < to && columns.at<int>(gap_end + 1) == 0) ++gap_end;
            ends.push_back((x + gap_end + 1) / 2);
            x = gap_end;
        }
        if (ends.empty() && from < to) ends.push_back(emptiest);
        // The two nearest a run of square characters' end: each is read whole (cost).
        const double square = bounds.x + run * h;
        std::sort(ends.begin(), ends.end(), [&](int a, int b) { return std::abs(a - square) < std::abs(b - square); });
        if (ends.size() > kRunEnds) ends.resize(kRunEnds);
        return ends;
    }

    struct VillageReading {
        Field* field;
        CharGuesses guesses;  // per character of its value
    };
    static constexpr int kVillageGuesses = 10;
    static constexpr std::size_t kRunEnds = 2;

    // Where a reading names its village: the Chinese characters after a district and one of
    // `townships` (half of them misread at most), up to the house number.
    struct VillagePart {
        const VillageReading* reading;
        std::vector<std::size_t> at;  // where the village's characters are in the value
        bool guessed = false;         // the glyph recogniser read them
    };
    static std::optional<VillagePart> village_part(const FormTemplate& form, const VillageReading& r,
                                                   const std::vector<std::string>& townships) {
        const std::vector<std::string> chars = utf8_chars(r.field->text());
        std::size_t best = std::numeric_limits<std::size_t>::max(), from = 0, pattern = 0;
        for (const auto& district : form.vocabulary("districts"))
            for (const auto& township : townships) {
                const std::vector<std::string> head = utf8_chars(district + township);
                auto [cost, used] = align_prefix(head, chars);
                if (cost < best) best = cost, from = used, pattern = head.size();
            }
        if (best * 2 > pattern) return std::nullopt;  // half the township misread still places the village
        VillagePart part{&r, {}};
        for (std::size_t i = from; i < chars.size() && !(chars[i].size() == 1 && std::isdigit(static_cast<unsigned char>(chars[i][0]))); ++i)
            if (is_han(chars[i]) && chars[i] != "丨") part.at.push_back(i);
        if (part.at.size() < 2 || part.at.size() > 6) return std::nullopt;
        part.guessed = std::none_of(part.at.begin(), part.at.end(), [&](std::size_t i) { return i >= r.guesses.size() || r.guesses[i].empty(); });
        return part;
    }

    // The household addresses of a page name the page's own village after the district and
    // the page's township: it is read once for the page, over all the rows that give it as
    // many characters (see read_village). Print misread alike in every row by Tesseract
    // (民溪村 as 民溟村, 塘北村 as 塔北村) is then read by the glyph recogniser in every row too.
    void agree_on_village(PageContext& ctx, const std::vector<VillageReading>& readings) const {
        const Field* town = nullptr;
        for (const auto& record : ctx.records)
            if (const Field* t = record.find("township"); t && !t->text().empty()) town = t;
        if (!town || readings.size() < 3 || !ctx.form.vocabularies.count("districts")) return;
        std::vector<VillagePart> parts;
        std::map<std::size_t, int> lengths;
        for (const auto& r : readings)
            if (auto part = village_part(ctx.form, r, {town->text()})) {
                ++lengths[part->at.size()];
                parts.push_back(std::move(*part));
            }
        if (lengths.empty()) return;
        const std::size_t length = std::max_element(lengths.begin(), lengths.end(), [](const auto& a, const auto& b) { return a.second < b.second; })->first;
        const auto rows = std::count_if(parts.begin(), parts.end(), [&](const VillagePart& p) { return p.guessed && p.at.size() == length; });
        if (Poco::Logger& log = Poco::Logger::get("formscan.stage.tesseract_text"); log.debug())
            log.debug("%s: %d readings, %d name the village, %d of %d characters, %d of them read by both readers",
                      readings.front().field->key, static_cast<int>(readings.size()), static_cast<int>(parts.size()),
                      lengths[length], static_cast<int>(length), static_cast<int>(rows));
        if (lengths[length] < 3 || rows < 2) return;
        std::erase_if(parts, [&](const VillagePart& p) { return p.at.size() != length; });
        read_village(parts);
    }

    // Each reading (an address of a person's own, elsewhere) names its village alone: read
    // by both readers as a page's is.
    void read_own_villages(const FormTemplate& form, const std::vector<VillageReading>& readings) const {
        if (!form.vocabularies.count("districts") || !form.vocabularies.count("townships")) return;
        for (const auto& r : readings)
            if (auto part = village_part(form, r, form.vocabulary("townships")); part && part->guessed) read_village({*part});
    }

    // The village of `parts` (as many characters each): each character the one likeliest
    // to both readers over the parts the glyph recogniser read (Tesseract's reading in each
    // counting village_vote times; the parts it could not cut are Tesseract's alone, whose
    // misreadings of one print repeat from row to row). Every part then spells it so where
    // the parts are sure of the character (a share over kSureVillageCharacter).
    void read_village(const std::vector<VillagePart>& parts) const {
        const std::size_t length = parts.front().at.size();
        std::vector<std::vector<std::string>> said;  // each part's value as Tesseract read it
        for (const auto& part : parts) said.push_back(utf8_chars(part.reading->field->text()));
        std::vector<std::string> village;
        std::vector<double> shares;
        for (std::size_t k = 0; k < length; ++k) {
            std::map<std::string, double> score;  // log-likelihood over the parts
            for (std::size_t j = 0; j < parts.size(); ++j)
                if (parts[j].guessed) {
                    score[said[j][parts[j].at[k]]] = 0;
                    for (const auto& [c, p] : parts[j].reading->guesses[parts[j].at[k]]) score[c] = 0;
                }
            if (score.empty()) return;
            for (auto& [c, total] : score) {
                total += glyphs_->rare(c) ? std::log(rare_weight_) : 0.0;
                for (std::size_t j = 0; j < parts.size(); ++j) {
                    const VillagePart& part = parts[j];
                    if (!part.guessed) continue;
                    const std::size_t i = part.at[k];
                    if (said[j][i] == c) total += std::log(village_vote_);
                    const auto& guesses = part.reading->guesses[i];
                    double p = guesses.back().second * 0.5;  // below its last guess when not among them
                    for (const auto& [gc, gp] : guesses)
                        if (gc == c) p = gp;
                    total += std::log(std::max(p, 1e-6));
                }
            }
            const auto best = std::max_element(score.begin(), score.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
            double sum = 0;
            for (const auto& [c, total] : score) sum += std::exp(total - best->second);
            village.push_back(best->first);
            shares.push_back(1 / sum);
        }
        if (Poco::Logger& log = Poco::Logger::get("formscan.stage.tesseract_text"); log.debug()) {
            std::string v, sh;
            for (std::size_t k = 0; k < village.size(); ++k) v += village[k], sh += " " + std::to_string(shares[k]).substr(0, 5);
            log.debug("%s: village %s of %d readings, shares%s", parts.front().reading->field->key, v, static_cast<int>(parts.size()), sh);
        }
        for (std::size_t j = 0; j < parts.size(); ++j) {
            const VillagePart& part = parts[j];
            Field& f = *part.reading->field;
            std::vector<std::string> chars = said[j];
            const std::string before = f.text();
            for (std::size_t k = 0; k < length; ++k) {
                if (shares[k] < kSureVillageCharacter) continue;
                chars[part.at[k]] = village[k];
                if (f.char_confidence.size() == chars.size()) f.char_confidence[part.at[k]] = shares[k];
            }
            std::string after;
            for (const auto& c : chars) after += c;
            if (after == before) continue;
            f.alternatives.insert(f.alternatives.begin(), {before, f.confidence});
            f.value = after;
        }
    }
    static constexpr double kSureVillageCharacter = 0.5;

    // The cell's characters read by the glyph recogniser, as many as Tesseract read, or
    // (when it read none) as the ink is wide, the characters being square (at most `most`).
    // Empty when there is no ink or it cannot be cut so.
    std::vector<GlyphDistribution> read_glyphs(const std::vector<std::string>& said, const cv::Mat& ink, int most, const LinesRead& lines = {}) {
        if (!lines.empty()) {
            // Line by line, as Tesseract read them: as many characters on each.
            std::vector<GlyphDistribution> all;
            for (const auto& [rows, count] : lines) {
                auto line = glyphs_->read(ink.rowRange(rows), static_cast<int>(count));
                if (line.size() != count) return {};
                all.insert(all.end(), std::make_move_iterator(line.begin()), std::make_move_iterator(line.end()));
            }
            if (all.size() != said.size()) return {};
            return all;
        }
        int count = static_cast<int>(said.size());
        if (count == 0) {
            const cv::Rect b = ink_bounds(ink);
            if (b.area() == 0) return {};
            count = std::clamp(static_cast<int>(std::lround(static_cast<double>(b.width) / std::max(1, b.height))), 1, most);
        }
        auto glyphs = glyphs_->read(ink, count);
        if (glyphs.size() != static_cast<std::size_t>(count)) return {};
        return glyphs;
    }

    // A value of a closed list (56 ethnicities, 男/女, the district's townships) chosen by
    // both readers: each entry of as many characters as Tesseract read (or, when it read
    // none, as the ink is wide) scored by the glyph recogniser's probabilities of its
    // characters, those Tesseract read counting tesseract_vote times; the entry's share of
    // all the scores is its confidence. An ethnicity may be printed short (汉 for 汉族).
    Reading vocabulary_with_glyphs(const Reading& tesseract, const std::string& raw, const cv::Mat& ink,
                                   const std::vector<std::string>& entries, bool short_forms) {
        std::vector<std::string> said;
        for (const auto& c : utf8_chars(raw))
            if (is_han(c)) said.push_back(c);
        const auto glyphs = read_glyphs(said, ink, 8);
        if (glyphs.empty()) return tesseract;
        const int count = static_cast<int>(glyphs.size());
        std::vector<std::pair<std::string, double>> scored;
        double total = 0, best = 0, best_seen = 0;
        for (const auto& entry : entries) {
            std::vector<std::string> printed = utf8_chars(entry);
            if (short_forms && count == 1 && printed.size() == 2 && printed.back() == "族") printed.pop_back();
            if (printed.size() != static_cast<std::size_t>(count)) continue;
            double score = 1, seen = 1;
            for (std::size_t i = 0; i < printed.size(); ++i) {
                const GlyphDistribution& g = glyphs[i];
                const double p = g.knows(printed[i]) ? std::max(g.of(printed[i]), 1e-6) : 1e-3;
                seen *= p;
                score *= i < said.size() && said[i] == printed[i] ? p * tesseract_vote_ : p;
            }
            scored.push_back({entry, score});
            total += score;
            if (score > best) best = score, best_seen = seen;
        }
        // Ink that looks like none of the entries (writing, a correction): not forced into one.
        if (scored.empty() || total <= 0 || std::pow(best_seen, 1.0 / count) < 0.02) return tesseract;
        std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        Reading out{scored[0].first, scored[0].second / total, {}};
        for (std::size_t i = 0; i < scored.size() && i < 3; ++i) out.alternatives.push_back({scored[i].first, scored[i].second / total});
        return out;
    }

    // A name read again character by character by the glyph recogniser: each character is
    // the one most likely to both readers (Tesseract's counting tesseract_vote times), and the
    // name as sure as the product of its characters' shares. Tesseract decides how many
    // characters there are; when it read none, the ink's width does (characters are square).
    // A first character outside `first` (a surname outside the list; null: any) counts
    // first_character_weight times: of 77 names misread on 100 held-out pages, 15 began
    // with a look-alike that is no surname (顾 read 颐, 颖, 颂; 孙 read 扑; 罗 read 网).
    // A cell read line by line (`lines`) is read so by the glyph recogniser too.
    // Where the field has `words` (an employer's 有限公司, 照明), a run of characters that may
    // be one of them is spelled so when the word, word_weight times likelier than the
    // characters alone, wins (choose_words).
    Reading with_glyphs(const Reading& tesseract, const cv::Mat& ink, int most, const std::vector<std::string>* first = nullptr,
                        const std::vector<std::string>* words = nullptr, const LinesRead& lines = {}) {
        const std::vector<std::string> read = utf8_chars(tesseract.value);
        const auto glyphs = read_glyphs(read, ink, most, lines);
        if (glyphs.empty()) return tesseract;
        const int count = static_cast<int>(glyphs.size());
        Reading out;
        out.confidence = 1;
        std::size_t weakest = 0;
        double weakest_share = 2;
        CharGuesses shares;
        for (int i = 0; i < count; ++i) {
            const std::string said = i < static_cast<int>(read.size()) ? read[static_cast<std::size_t>(i)] : std::string();
            const GlyphDistribution& glyph = glyphs[static_cast<std::size_t>(i)];
            if (!said.empty() && !glyph.knows(said)) {
                // A character beyond GB 2312 (some names have one): Tesseract's alone.
                out.value += said;
                out.char_confidence.push_back(tesseract.char_confidence.size() == read.size() ? tesseract.char_confidence[static_cast<std::size_t>(i)] : 1.0);
                shares.push_back({{said, 1.0}});
                continue;
            }
            std::vector<std::pair<std::string, double>> score;
            bool said_seen = false;
            const bool check_first = i == 0 && first;
            auto weight = [&](const std::string& c) {
                const bool unlisted = check_first && std::find(first->begin(), first->end(), c) == first->end();
                return (c == said ? tesseract_vote_ : 1.0) * (glyph.rare(c) ? rare_weight_ : 1.0) * (unlisted ? first_character_weight_ : 1.0);
            };
            for (const auto& [c, p] : glyph.top(8)) {
                said_seen = said_seen || c == said;
                score.push_back({c, p * weight(c)});
            }
            if (!said.empty() && !said_seen) score.push_back({said, glyph.of(said) * weight(said)});
            double total = 0;
            for (const auto& s : score) total += s.second;
            for (auto& s : score) s.second /= total;
            std::sort(score.begin(), score.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
            out.value += score[0].first;
            out.confidence *= score[0].second;
            out.char_confidence.push_back(score[0].second);
            if (score.size() > 1 && score[0].second < weakest_share) weakest = static_cast<std::size_t>(i), weakest_share = score[0].second;
            shares.push_back(std::move(score));
        }
        if (words) {
            const WordChoice spelled = choose_words(shares, *words, word_weight_);
            if (spelled.words_used > 0) {
                Reading as_words{{}, 1, {}};
                for (std::size_t i = 0; i < spelled.chars.size(); ++i) {
                    as_words.value += spelled.chars[i];
                    as_words.confidence *= spelled.share[i];
                }
                as_words.char_confidence = spelled.share;
                as_words.alternatives = {{as_words.value, as_words.confidence}, {out.value, out.confidence}};
                if (as_words.value != tesseract.value && out.value != tesseract.value && !tesseract.value.empty())
                    as_words.alternatives.push_back({tesseract.value, tesseract.confidence});
                return as_words;
            }
        }
        out.alternatives.push_back({out.value, out.confidence});
        if (weakest_share <= 1) {
            std::string alt;
            for (std::size_t i = 0; i < shares.size(); ++i) alt += shares[i][i == weakest ? 1 : 0].first;
            out.alternatives.push_back({alt, out.confidence / weakest_share * shares[weakest][1].second});
        }
        if (out.value != tesseract.value && !tesseract.value.empty()) out.alternatives.push_back({tesseract.value, tesseract.confidence});
        return out;
    }

    // An ID number read with every character's alternatives: the most likely number
    // whose check character and birth date are right wins, and the next ones are kept.
    std::optional<Reading> read_id_number(const cv::Mat& bw, const std::string& whitelist) {
        auto chars = ocr_->choices(bw, false, whitelist);
        if (chars.size() != 18) return std::nullopt;
        std::vector<CharChoices> positions;
        std::string raw;
        for (const auto& alternatives : chars) {
            CharChoices c;
            for (const auto& [text, p] : alternatives)
                if (text.size() == 1) c.push_back({text[0] == 'x' ? 'X' : text[0], std::max(p, 1e-3)});
            if (c.empty()) return std::nullopt;
            raw += c.front().first;
            positions.push_back(std::move(c));
        }
        auto candidates = decode_id_number(positions);
        if (candidates.empty()) return Reading{raw, 0.3};
        // Confidence: how much the best valid number stands out from the others, and
        // whether it is what Tesseract read outright.
        double total = 0;
        for (const auto& c : candidates) total += std::exp(c.log_score - candidates[0].log_score);
        double share = 1.0 / total;
        Reading r{candidates[0].id, share * (candidates[0].id == raw ? 0.99 : 0.85)};
        for (const auto& c : candidates) r.alternatives.push_back({c.id, std::exp(c.log_score - candidates[0].log_score) * share});
        return r;
    }

    // The rows of each line of text in a cell's ink, top to bottom: bands of inked rows
    // apart by at least a twentieth of the ink's height.
    static std::vector<cv::Range> text_line_rows(const cv::Mat& ink) {
        const cv::Rect b = ink_bounds(ink);
        if (b.area() == 0) return {};
        cv::Mat rows;
        cv::reduce(ink(b) / 255, rows, 1, cv::REDUCE_SUM, CV_32S);
        std::vector<cv::Range> lines;
        const int min_gap = std::max(1, b.height / 20);
        int gap = min_gap;
        for (int y = 0; y < rows.rows; ++y) {
            if (rows.at<int>(y) == 0) {
                ++gap;
                continue;
            }
            if (gap >= min_gap) lines.emplace_back(b.y + y, b.y + y + 1);
            else lines.back().end = b.y + y + 1;
            gap = 0;
        }
        return lines;
    }

    // The lines at least two fifths as tall as the tallest: a thinner band is a remnant of
    // the ruling or a row of specks, which Tesseract passes over when it reads the cell as
    // one block, but reads as "一一一" (a name "一一一高琴") when it is given as a line.
    static std::vector<cv::Range> as_tall_as_text(const std::vector<cv::Range>& lines) {
        int tallest = 0;
        for (const auto& rows : lines) tallest = std::max(tallest, rows.size());
        std::vector<cv::Range> tall;
        for (const auto& rows : lines)
            if (rows.size() * 5 >= tallest * 2) tall.push_back(rows);
        return tall;
    }

    // Two or three lines of Chinese read one by one, top to bottom: read as one block,
    // Tesseract took a short second line ("9号" under "上虞区长塘镇兴横村13") for a column
    // of its own and gave "兴横村13长塘镇兴上虞区". The confidence is the lines' mean, weighted
    // by the characters each holds; a line read as dashes only is left out.
    // With `guesses`: the glyph recogniser's for every character read (see glyph_guesses).
    // With `lines_read`: the rows of each line kept and how many characters (but spaces)
    // were read on it.
    OcrResult read_line_by_line(const PageContext& ctx, const cv::Rect& box, const cv::Mat& ink, const std::vector<cv::Range>& lines,
                                CharGuesses* guesses = nullptr, LinesRead* lines_read = nullptr) {
        OcrResult all;
        bool guessed = true;
        double weighted = 0;
        std::size_t chars = 0;
        for (const auto& rows : lines) {
            cv::Mat line = cv::Mat::zeros(ink.size(), ink.type());
            ink.rowRange(rows).copyTo(line.rowRange(rows));
            const cv::Mat bw = grey_for_ocr(ctx.page.image, box, line, x_height_, sharpen_);
            const OcrResult read = ocr_->read(bw, true, "", 1);
            const std::vector<std::string> said = utf8_chars(remove_spaces(read.text));
            // A line of dashes is a remnant of the ruling read as text ("一一一一").
            if (std::all_of(said.begin(), said.end(), [](const std::string& c) { return c == "一" || c == "-" || c == "_" || c == "—" || c == "|"; }))
                continue;
            const std::size_t n = said.size();
            if (lines_read) lines_read->push_back({rows, n});
            all.text += read.text;
            weighted += read.confidence * static_cast<double>(n);
            chars += n;
            all.char_confidence.insert(all.char_confidence.end(), read.char_confidence.begin(), read.char_confidence.end());
            if (guesses && guessed) {
                auto line_guesses = glyph_guesses(bw, read);
                guessed = line_guesses.size() == n;
                guesses->insert(guesses->end(), line_guesses.begin(), line_guesses.end());
            }
        }
        if (guesses && !guessed) guesses->clear();
        all.confidence = chars ? weighted / static_cast<double>(chars) : 0;
        if (all.char_confidence.size() != chars) all.char_confidence.clear();
        return all;
    }

    // Each vocabulary in turn matched against the text at the place the previous one ended:
    // the single closest entry of the same length within one character edit replaces
    // what was read; the first that does not match (or matches two entries) stops it.
    // Returns the text and the number of characters changed.
    static std::pair<std::string, std::size_t> snap_prefixes(const FormTemplate& form, const std::vector<std::string>& vocabularies,
                                                             const std::string& text) {
        const std::vector<std::string> chars = utf8_chars(text);
        std::size_t at = 0, edits = 0;
        std::string out;
        for (const auto& name : vocabularies) {
            std::string best;
            std::size_t best_distance = 2, best_length = 0;
            bool tie = false;
            for (const auto& entry : form.vocabulary(name)) {
                const std::vector<std::string> want = utf8_chars(entry);
                if (want.size() < 3 || at + want.size() > chars.size()) continue;
                const std::vector<std::string> window(chars.begin() + static_cast<long>(at), chars.begin() + static_cast<long>(at + want.size()));
                const std::size_t d = edit_distance(window, want);
                if (d < best_distance) best = entry, best_distance = d, best_length = want.size(), tie = false;
                else if (d == best_distance && entry != best) tie = true;
            }
            if (best.empty() || tie) break;
            out += best;
            at += best_length;
            edits += best_distance;
        }
        for (std::size_t i = at; i < chars.size(); ++i) out += chars[i];
        return {out, edits};
    }

    Reading interpret(const FormTemplate& form, const FieldSpec& spec, const std::string& text, double conf) const {
        switch (spec.type) {
            case FieldType::id_number: {
                std::string id = keep_only(text, "0123456789Xx");
                for (char& c : id)
                    if (c == 'x') c = 'X';
                return {id, id.size() == 18 ? conf : conf * 0.5};
            }
            case FieldType::digits: return {keep_only(text, "0123456789"), conf};
            case FieldType::date: {
                auto date = normalise_date(text);
                if (!date) return Reading{text, conf * 0.4};
                // Outside the field's likely period: read as printed, never as sure (the
                // template's rule, which the digit reader keeps too); more often a misread
                // year (2013 of a smudged 2015) than a form filled then.
                return Reading{*date, spec.likely_date(*date) ? conf : std::min(conf, kUnlikelyDate)};
            }
            case FieldType::code:
            case FieldType::tick_or_code: {
                std::string code = digits_of(text);
                bool known = false;
                if (!spec.code_list.empty())
                    for (const auto& e : form.codes(spec.code_list)) known = known || e.code == code;
                return {code, known ? conf : conf * 0.4};
            }
            case FieldType::text_or_code: {
                std::string code = digits_of(text);
                if (!code.empty() && code.size() == utf8_chars(text).size()) return {code, conf};
                return {text, conf};
            }
            case FieldType::sex:
            case FieldType::ethnicity:
            default: break;
        }
        if (spec.script == "han") {
            // A name is Chinese characters (and the '·' of some names): anything else read
            // is a stroke of the cell's border or a speck, and makes the reading less sure.
            std::string han;
            for (const auto& c : utf8_chars(text))
                if (c == "·" || is_han(c)) han += c;
            if (han != text) return {han, han.empty() ? 0.0 : conf * 0.9};
        }
        if (!spec.prefixes.empty() && !text.empty()) {
            // An address begins with the district and the township: a reading one
            // character off from one of them is that one.
            auto [snapped, edits] = snap_prefixes(form, spec.prefixes, text);
            if (edits > 0) return {snapped, conf * 0.9};
        }
        if (spec.vocabulary.empty() || text.empty()) return {text, text.empty() ? 0.0 : conf};
        std::string wanted = text;
        if (spec.type == FieldType::ethnicity && utf8_chars(wanted).size() == 1) wanted += "族";  // 汉 -> 汉族
        auto match = nearest(wanted, form.vocabulary(spec.vocabulary));
        if (!match) return {text, conf};
        double penalty = vocabulary_penalty_ * static_cast<double>(match->distance);
        // Several entries as close: the reading does not choose among them.
        const double share = 1.0 / static_cast<double>(match->distance > 0 ? match->ties : 1);
        return {match->value, std::max(0.0, conf - penalty) * share};
    }

    std::unique_ptr<CellOcr> ocr_;
    std::unique_ptr<GlyphReader> glyphs_;
    std::set<std::string> glyph_fields_, village_fields_, own_village_fields_;
    bool reads_villages(const std::string& key) const { return village_fields_.count(key) || own_village_fields_.count(key); }
    double village_vote_ = 60;

    // Two or more Chinese characters and nothing else.
    static bool all_han(const std::string& text) {
        const auto chars = utf8_chars(text);
        return chars.size() >= 2 && std::all_of(chars.begin(), chars.end(), [](const std::string& c) { return is_han(c); });
    }
    double tesseract_vote_ = 60, rare_weight_ = 0.2, first_character_weight_ = 0.1, word_weight_ = 30;
    int x_height_ = 28;
    double sharpen_ = 0.8;
    double ok_confidence_ = 0.92, vocabulary_penalty_ = 0.25;
};

}  // namespace formscan

// The manifest of this library lists both of its stages.
#include "page_header_stage.hpp"
#include "sheet_boxes_stage.hpp"

POCO_BEGIN_NAMED_MANIFEST(FormscanV2, formscan::Stage)
POCO_EXPORT_CLASS(formscan::TesseractTextStage)
POCO_EXPORT_CLASS(formscan::PageHeaderStage)
POCO_EXPORT_CLASS(formscan::SheetBoxesStage)
POCO_END_MANIFEST
