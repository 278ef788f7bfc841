// Makes the digit recogniser's data, as 28x28 grey crops cut and normalised exactly as
// the reader does at run time (formscan/digit_strings.hpp: digit_cell_ink, digit_crop):
//   - the MNIST digits of one split (train: indices 0..799 of each digit; test: the rest);
//   - characters cut from synthetic damaged 核对表 scans whose handwriting uses digits
//     of the same split only, and printed digits in the fonts forms are printed in;
//   - "reject" crops (label 10): separators, pieces of ticks and pairs of neighbouring
//     digits taken as one, which the reader must not take for digits;
//   - whole ticks (label 11), which the reader tells from codes in the insurance columns.
// Output: OUT, "FSDIGIT2", uint32 count, then count x (uint8 label, uint8 source,
// 784 pixels); source 0 = MNIST, 1 = cut from a synthetic scan.
//   make_digit_data --split train|test --pages N --seed S --out FILE
#include "cli_args.hpp"
#include "formscan/cell_image.hpp"
#include "formscan/digit_strings.hpp"
#include "formscan/paths.hpp"
#include "formscan/pipeline.hpp"
#include "formscan/record_json.hpp"
#include "synth.hpp"

#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <iostream>

using namespace formscan;

namespace {

struct Sample {
    unsigned char label;
    cv::Mat pixels;  // 28x28
    unsigned char source = 1;
};

bool digit_field(FieldType t) {
    return t == FieldType::digits || t == FieldType::date || t == FieldType::id_number || t == FieldType::code ||
           t == FieldType::tick_or_code || t == FieldType::text_or_code || t == FieldType::text;
}

}  // namespace

int main(int argc, char** argv) {
    cli::Args args(std::vector<std::string>(argv + 1, argv + argc), {"--split", "--pages", "--seed", "--out"}, {});
    const bool train = args.get("--split", "train") == "train";
    const synth::DigitSplit split = train ? synth::DigitSplit::train : synth::DigitSplit::test;
    const int pages = args.get_int("--pages", 60, 0, 100000);
    auto templates = load_templates(default_templates_dir());
    auto data = synth::SynthData::load(default_data_dir());
    std::vector<Sample> samples;

    // 1. The MNIST digits of the split: their own grey is the shade, their ink where it
    //    is darker than half.
    for (int d = 0; d < 10; ++d)
        for (int i = 0; i < data.digits.count(d, split); ++i) {
            const cv::Mat grey = data.digits.image(d, split, i);
            cv::Mat ink;
            cv::threshold(grey, ink, 100, 255, cv::THRESH_BINARY);
            const cv::Rect bounds = ink_bounds(ink);
            if (bounds.area() == 0) continue;
            samples.push_back({static_cast<unsigned char>(d), digit_crop(ink(bounds), bounds, grey), 0});
        }
    const std::size_t mnist = samples.size();

    // 2. and 3. Characters cut from synthetic scans, read by the real grid stages.
    PluginHost host(default_plugin_dir());
    host.load_all();
    StageEnvironment env{default_data_dir(), default_models_dir(), default_tessdata_dir()};
    Pipeline grid(host, {{"deskew", "table_grid"}, {}}, env);
    const FormTemplate& form = templates.at("zj-hedui");
    std::mt19937 rng(static_cast<unsigned>(args.get_int("--seed", train ? 1 : 2, 0, 1 << 30)));
    synth::RenderOptions render;
    render.digits = split;
    synth::DamageOptions damage;
    damage.perspective_probability = 0.1;
    long cut = 0, skipped = 0;
    for (int p = 0; p < pages; ++p) {
        synth::PageTruth truth;
        double dpi = std::round(std::uniform_real_distribution<double>(150, 300)(rng));
        cv::Mat clean = synth::render_form(form, data, render, dpi, rng, truth);
        synth::DamagedScan scan = synth::damage_scan(clean, damage, rng);
        if (p % 3 == 0) {  // some pages as 1-bit scans
            cv::threshold(scan.gray, scan.gray, 140, 255, cv::THRESH_BINARY);
        }
        Page page;
        page.image = scan.gray;
        std::vector<Record> records;
        try {
            records = grid.run(page, form);
        } catch (const std::exception&) {
            continue;
        }
        for (const auto& t : truth.records) {
            const Record* r = nullptr;
            for (const auto& rec : records)
                if (rec.row == t.row) r = &rec;
            if (!r) continue;
            for (const auto& tf : t.fields) {
                const FieldSpec& spec = form.field(tf.key);
                const Field& field = r->at(tf.key);
                if (field.box.area() == 0 || !digit_field(spec.type)) continue;
                std::string value = value_to_string(tf.value);
                const DigitInk writing = digit_cell_ink(page.image, field.box, surround_of(spec.placement));
                const cv::Mat& ink = writing.ink;
                auto pieces = segment_digits(ink);
                auto crop = [&](const InkPiece& piece) { return digit_crop(piece.ink, piece.box, writing.shade); };
                if (value == "√") {
                    // A whole tick is its own class (11), as the reader judges a tick column's
                    // writing; its pieces, if the cut breaks it, are rejects. (Pieces of
                    // Chinese writing are not used: too many look just like a 1 or a 7.)
                    if (cv::Rect bounds = ink_bounds(ink); bounds.area() > 0)
                        samples.push_back({11, digit_crop(ink(bounds), bounds, writing.shade)});
                    if (pieces.size() > 1)
                        for (const auto& piece : pieces)
                            if (!piece.separator) samples.push_back({10, crop(piece)});
                    continue;
                }
                // Only values written as they are in the truth: digit strings (dates are
                // printed in other formats than the truth's, so they are left out).
                std::string digits;
                for (char c : value)
                    if (c >= '0' && c <= '9') digits += c;
                if (digits.empty() || digits.size() != value.size() || spec.type == FieldType::date) continue;
                std::vector<const InkPiece*> chars;
                for (const auto& piece : pieces) {
                    if (piece.separator) samples.push_back({10, crop(piece)});
                    else chars.push_back(&piece);
                }
                if (chars.size() != digits.size()) {
                    ++skipped;
                    if (std::getenv("DIGITS_DEBUG")) {
                        std::cerr << "\n" << tf.key << " (" << tf.reader << ") " << value << ": " << chars.size() << " pieces, dpi " << dpi;
                        static int dumped = 0;
                        if (dumped++ < 12) cv::imwrite("/tmp/seg_" + std::to_string(dumped) + ".png", ink);
                    }
                    continue;
                }
                for (std::size_t i = 0; i < chars.size(); ++i)
                    samples.push_back({static_cast<unsigned char>(digits[i] - '0'), crop(*chars[i])});
                // Two neighbours taken together are no digit: the reader joins pieces only
                // where the recogniser sees one, so it must learn to refuse pairs.
                if (chars.size() >= 2) {
                    std::size_t i = std::uniform_int_distribution<std::size_t>(0, chars.size() - 2)(rng);
                    cv::Rect both = chars[i]->box | chars[i + 1]->box;
                    cv::Mat canvas = cv::Mat::zeros(both.size(), CV_8UC1);
                    canvas(chars[i]->box - both.tl()) |= chars[i]->ink;
                    canvas(chars[i + 1]->box - both.tl()) |= chars[i + 1]->ink;
                    samples.push_back({10, digit_crop(canvas, both, writing.shade)});
                }
                cut += static_cast<long>(chars.size());
            }
        }
        std::cerr << "\rpage " << p + 1 << "/" << pages << ", " << samples.size() << " samples";
    }
    std::cerr << "\n" << mnist << " MNIST digits, " << cut << " digits cut from scans (" << skipped
              << " fields not cut into as many pieces as digits), " << samples.size() - mnist - cut << " rejects\n";

    std::ofstream out(args.get("--out"), std::ios::binary);
    out.write("FSDIGIT2", 8);
    std::uint32_t count = static_cast<std::uint32_t>(samples.size());
    out.write(reinterpret_cast<const char*>(&count), 4);
    for (const auto& s : samples) {
        out.put(static_cast<char>(s.label));
        out.put(static_cast<char>(s.source));
        out.write(reinterpret_cast<const char*>(s.pixels.data), 784);
    }
    return out ? 0 : 1;
}
