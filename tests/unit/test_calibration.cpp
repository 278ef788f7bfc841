#include "formscan/calibration.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

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
