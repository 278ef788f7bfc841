#include "formscan/calibration.hpp"
#include "formscan/record_json.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>

using namespace formscan;

namespace {

// Readings right with probability raw^2 (over-confident), so calibration must lower them.
Calibration::Observations overconfident(int n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    Calibration::Observations obs;
    for (int i = 0; i < n; ++i) {
        double raw = u(rng);
        bool right = u(rng) < raw * raw;
        obs["reader/field"].push_back({raw, right});
        obs["reader/*"].push_back({raw, right});
    }
    return obs;
}

}  // namespace

TEST(Calibration, MapsOverconfidentReadingsToTheirMeasuredAccuracy) {
    Calibration c = Calibration::fit(overconfident(20000, 1));
    double last = 0;
    for (double raw : {0.1, 0.3, 0.5, 0.7, 0.9, 0.99}) {
        double cal = c.apply("reader", "field", raw);
        EXPECT_NEAR(cal, raw * raw, 0.06) << raw;
        EXPECT_GE(cal, last) << "calibration never decreases";
        last = cal;
    }
    EXPECT_DOUBLE_EQ(c.apply("unknown", "field", 0.42), 0.42) << "no table: the raw value";
}

TEST(Calibration, TheOkThresholdKeepsAcceptedErrorsWithinTheBudget) {
    auto obs = overconfident(40000, 2);
    Calibration c = Calibration::fit(obs);
    c.choose_ok_confidence(obs, 0.05, 0.5);
    // Fresh readings of the same kind: those accepted are wrong at most about 5% of the time.
    auto fresh = overconfident(40000, 3);
    long accepted = 0, wrong = 0;
    for (const auto& [raw, right] : fresh.at("reader/field"))
        if (c.apply("reader", "field", raw) >= c.ok_confidence()) ++accepted, wrong += right ? 0 : 1;
    ASSERT_GT(accepted, 1000);
    EXPECT_LE(double(wrong) / accepted, 0.06);
    // Right with probability raw^2: only readings from about raw 0.95 up (5% of them)
    // average 5% wrong. A needlessly strict threshold would take far fewer.
    EXPECT_GT(double(accepted) / 40000, 0.035) << "not needlessly strict";

    std::string path = test::temp_dir("calibration") + "/c.json";
    c.save(path);
    EXPECT_DOUBLE_EQ(Calibration::load(path).ok_confidence(), c.ok_confidence());
}

TEST(Calibration, ASmallBlockAllRightAtTheTopDoesNotReportLessThanTheOneBelow) {
    // 471 readings all right up to raw 0.998, then 38 all right above (a header confirmed
    // by the rows): with the caution small blocks get, the top had reported 0.987, below
    // the 0.999 under it, and a header bar of 0.99 sent every such reading to review.
    Calibration::Observations obs;
    for (int i = 0; i < 300; ++i) obs["r/f"].push_back({0.5 + 0.001 * i, i % 10 != 0});
    for (int i = 0; i < 471; ++i) obs["r/f"].push_back({0.997 + 0.000001 * i, true});
    for (int i = 0; i < 38; ++i) obs["r/f"].push_back({0.999 + 0.00001 * i, true});
    Calibration c = Calibration::fit(obs);
    EXPECT_GE(c.apply("r", "f", 0.9995), c.apply("r", "f", 0.9975));
    EXPECT_GT(c.apply("r", "f", 0.9995), 0.99);
    double last = 0;
    for (double raw = 0.5; raw <= 1.0; raw += 0.0005) {
        EXPECT_GE(c.apply("r", "f", raw), last) << raw;
        last = c.apply("r", "f", raw);
    }
}

TEST(Calibration, APageHeaderValueCountsOncePerPageNotOncePerRow) {
    // Two pages of twelve rows: the page-header date is copied to every row. Page 1's
    // is right and page 2's wrong: one reading right and one wrong, not 12 and 12;
    // the rows' own fields count once per row.
    std::string dir = test::temp_dir("calibration_observe");
    std::ofstream truth(dir + "/truth.jsonl"), read(dir + "/read.jsonl");
    for (int page = 1; page <= 2; ++page)
        for (int row = 1; row <= 12; ++row) {
            Record t;
            t.source = "scan.png";
            t.page = page;
            t.row = row;
            t.template_id = "zj-hedui";
            t.fields.push_back({"fill_date", std::string("2015-03-01")});
            t.fields.push_back({"phone", std::string("13800000000")});
            Record r = t;
            for (auto& f : r.fields) f.reader = "digits", f.confidence = 0.97;
            if (page == 2) r.fields[0].value = std::string("2016-03-01");
            truth << record_to_json_line(t) << "\n";
            read << record_to_json_line(r) << "\n";
        }
    truth.close();
    read.close();
    auto obs = observe(dir + "/truth.jsonl", dir + "/read.jsonl", test::templates());
    ASSERT_EQ(obs["digits/fill_date"].size(), 2u);
    EXPECT_EQ(std::count_if(obs["digits/fill_date"].begin(), obs["digits/fill_date"].end(),
                            [](const auto& o) { return o.second; }), 1);
    EXPECT_EQ(obs["digits/phone"].size(), 24u);
    EXPECT_EQ(obs["digits/*"].size(), 26u);
}
