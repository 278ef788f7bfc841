#include "formscan/image_io.hpp"
#include "formscan/record_json.hpp"
#include "synth.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

using namespace formscan;

namespace {
std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}
}  // namespace

TEST(Synth, WritesScansAndCompleteGroundTruthForBothForms) {
    synth::SynthOptions o;
    o.out_dir = test::temp_dir("synth");
    o.pages = 4;
    o.templates = {"zj-hedui", "zj-dengji"};
    o.dpi_min = o.dpi_max = 100;
    o.seed = 3;
    auto summary = synth::synthesize(test::templates(), test::synth_data(), o);
    EXPECT_EQ(summary.pages, 4);
    auto lines = lines_of(summary.truth_path);
    ASSERT_EQ(static_cast<int>(lines.size()), summary.records);
    std::set<std::string> classes, templates_seen;
    for (const auto& line : lines) {
        Record r = record_from_json_line(line);
        templates_seen.insert(r.template_id);
        const auto& form = test::templates().at(r.template_id);
        ASSERT_EQ(r.fields.size(), form.fields.size());
        for (const auto& f : r.fields) classes.insert(f.reader);
        EXPECT_TRUE(std::filesystem::exists(o.out_dir + "/" + r.source)) << r.source;
        EXPECT_LE(std::abs(r.page_skew_deg), o.damage.max_skew_deg);
        EXPECT_EQ(r.row == 0, r.template_id == "zj-dengji");
    }
    EXPECT_EQ(templates_seen.size(), 2u);
    for (const char* c : {"printed", "handwritten", "mark"}) EXPECT_TRUE(classes.count(c)) << c;
}

TEST(Synth, SameSeedSameTruthAndMultiPageTiffs) {
    synth::SynthOptions o;
    o.pages = 3;
    o.formats = {"tiff-g4"};
    o.multipage = 3;
    o.dpi_min = o.dpi_max = 100;
    o.out_dir = test::temp_dir("synth_a");
    auto a = synth::synthesize(test::templates(), test::synth_data(), o);
    o.out_dir = test::temp_dir("synth_b");
    auto b = synth::synthesize(test::templates(), test::synth_data(), o);
    EXPECT_EQ(test::read_text(a.truth_path), test::read_text(b.truth_path));
    EXPECT_EQ(a.files, 1);
    EXPECT_EQ(ScanFile::open(o.out_dir + "/scan_0001.tif", {})->page_count(), 3);
}

TEST(Synth, DigitSplitsFollowTheArchitecture) {
    const auto& digits = test::synth_data().digits;
    for (int d = 0; d < 10; ++d) {
        EXPECT_EQ(digits.count(d, synth::DigitSplit::train), synth::kTrainPerDigit);
        EXPECT_GT(digits.count(d, synth::DigitSplit::test), 0);
        // The first test image is the one after the last training image.
        cv::Mat diff;
        cv::absdiff(digits.image(d, synth::DigitSplit::test, 0), digits.image(d, synth::DigitSplit::train, 799), diff);
        EXPECT_GT(cv::countNonZero(diff), 0);
    }
}
