#include "formscan/cell_image.hpp"
#include "formscan/digit_strings.hpp"
#include "formscan/id_number.hpp"
#include "formscan/masking.hpp"
#include "formscan/text_utils.hpp"

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include <random>

using namespace formscan;

TEST(IdNumber, CheckCharacterFollowsGb11643) {
    // Example from GB 11643-1999.
    EXPECT_EQ(id_check_character("11010519491231002"), 'X');
    EXPECT_TRUE(id_has_valid_check("11010519491231002X"));
    EXPECT_FALSE(id_has_valid_check("110105194912310021"));
    EXPECT_EQ(id_birth_date("11010519491231002X").value(), "1949-12-31");
    EXPECT_EQ(id_sex("11010519491231002X").value(), "女");
    EXPECT_FALSE(id_birth_date("110105194902300021").has_value());  // 30 February
}

TEST(Masking, IdNumbersAndPhonesAreMasked) {
    EXPECT_EQ(mask_personal_data("id 330602196506204123 bad"), "id 3306**********4123 bad");
    EXPECT_EQ(mask_personal_data("x33060219650620412Xy"), "x3306**********412Xy");
    EXPECT_EQ(mask_personal_data("phone 15684168493"), "phone 156****8493");
    EXPECT_EQ(mask_personal_data("page 12 of 300"), "page 12 of 300");
}

TEST(Text, DatesAreNormalised) {
    EXPECT_EQ(normalise_date("19850307").value(), "1985-03-07");
    EXPECT_EQ(normalise_date("1985.3.7").value(), "1985-03-07");
    EXPECT_EQ(normalise_date("1985-03-07").value(), "1985-03-07");
    EXPECT_EQ(normalise_date("1985年3月7日").value(), "1985-03-07");
    EXPECT_EQ(normalise_date("1985\n0307").value(), "1985-03-07");
    EXPECT_FALSE(normalise_date("1985.2.30").has_value());
    EXPECT_FALSE(normalise_date("1981-05-056").has_value());
}

TEST(Text, DatesFromDigitsAloneWhenOnlyOneReadingIsReal) {
    EXPECT_EQ(date_from_digits("2015316").value(), "2015-03-16");
    EXPECT_EQ(date_from_digits("19850307").value(), "1985-03-07");
    EXPECT_EQ(date_from_digits("201569").value(), "2015-06-09");
    EXPECT_FALSE(date_from_digits("2015111").has_value());  // 1-11 or 11-1
    EXPECT_FALSE(date_from_digits("1815316").has_value());
}

TEST(Text, VocabularyMatchingCountsCharacters) {
    std::vector<std::string> vocab = {"百官街道", "曹娥街道", "崧厦镇"};
    auto m = nearest("曹娥街遒", vocab);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->value, "曹娥街道");
    EXPECT_EQ(m->distance, 1u);
    EXPECT_EQ(m->ties, 1u);
    // 傣 misread: one edit from every two-character ethnicity alike, so nothing is chosen surely.
    auto e = nearest("儏族", {"汉族", "蒙古族", "傣族", "畲族", "彝族"});
    ASSERT_TRUE(e);
    EXPECT_EQ(e->distance, 1u);
    EXPECT_EQ(e->ties, 4u);
    EXPECT_EQ(utf8_chars("汉a族").size(), 3u);
    EXPECT_EQ(remove_spaces("袁 梅\u3000庆"), "袁梅庆");
}

TEST(IdNumber, DecodingUsesTheCheckCharacterToChooseAmongAlternatives) {
    // 11010519491231002X read with its 8th character misread as 3 (second choice 9).
    std::string truth = "11010519491231002X";
    std::vector<CharChoices> positions;
    for (char c : truth) positions.push_back({{c, 0.95}, {c == '9' ? '4' : '9', 0.03}});
    positions[7] = {{'3', 0.6}, {'9', 0.35}};  // "19491231" has a 9 here
    auto candidates = decode_id_number(positions);
    ASSERT_FALSE(candidates.empty());
    EXPECT_EQ(candidates[0].id, truth);
    for (const auto& c : candidates) {
        EXPECT_TRUE(id_has_valid_check(c.id)) << c.id;
        EXPECT_TRUE(id_birth_date(c.id).has_value()) << c.id;
    }
    EXPECT_TRUE(decode_id_number(std::vector<CharChoices>(17, {{'1', 1.0}})).empty()) << "17 characters are no ID number";
}

TEST(Text, PhoneNumbersByLibphonenumbersMobilePrefixesAndShaoxingLandlines) {
    for (const char* ok : {"13812345678", "14512345678", "15012345678", "16612345678", "17012345678", "18912345678",
                           "19912345678", "17400123456"})
        EXPECT_TRUE(is_cn_mobile(ok)) << ok;
    for (const char* no : {"12812345678", "15412345678", "16012345678", "17912345678", "19412345678", "17406123456",
                           "1381234567", "138123456789"})
        EXPECT_FALSE(is_cn_mobile(no)) << no;
    EXPECT_TRUE(is_shaoxing_landline("82123456"));
    EXPECT_TRUE(is_shaoxing_landline("057582123456"));
    EXPECT_FALSE(is_shaoxing_landline("02123456"));
    EXPECT_FALSE(is_shaoxing_landline("057102123456"));
}

TEST(DigitStrings, TheLabelsColonIsASeparatorNotADigit) {
    // "期:" ends the label of the 填报日期 cell; when the value's box starts at the colon,
    // its two dots had been joined into one piece, as tall as a small digit, and read as a 1.
    cv::Mat ink = cv::Mat::zeros(60, 260, CV_8UC1);
    cv::circle(ink, {12, 26}, 4, 255, cv::FILLED);
    cv::circle(ink, {12, 46}, 4, 255, cv::FILLED);
    cv::putText(ink, "2015", {40, 50}, cv::FONT_HERSHEY_SIMPLEX, 1.5, 255, 4);
    const auto pieces = segment_digits(ink);
    ASSERT_GE(pieces.size(), 5u);
    EXPECT_EQ(pieces[0].separator, ':');
    for (std::size_t i = 1; i < pieces.size(); ++i) EXPECT_EQ(pieces[i].separator, 0) << "piece " << i;
}

TEST(DigitStrings, ADashWrittenIntoTheNextDigitIsASeparator) {
    // "5-08": the dash touches the 0 and makes one piece with it, wider than a digit. Cut
    // in halves, the left half (dash and the 0's left side) and the right were read as two
    // digits. The dash is a separator of its own; the 0 stays whole.
    cv::Mat ink = cv::Mat::zeros(70, 260, CV_8UC1);
    cv::putText(ink, "5", {10, 55}, cv::FONT_HERSHEY_SIMPLEX, 1.6, 255, 4);
    cv::line(ink, {60, 34}, {86, 34}, 255, 4);
    cv::ellipse(ink, {102, 34}, {15, 21}, 0, 0, 360, 255, 4);
    cv::putText(ink, "8", {130, 55}, cv::FONT_HERSHEY_SIMPLEX, 1.6, 255, 4);
    const auto pieces = segment_digits(ink);
    ASSERT_EQ(pieces.size(), 4u);
    EXPECT_EQ(pieces[0].separator, 0);
    EXPECT_EQ(pieces[1].separator, '-');
    EXPECT_LE(pieces[1].box.br().x, 90);
    EXPECT_EQ(pieces[2].separator, 0);
    EXPECT_GE(pieces[2].box.width, 30) << "the whole 0";
    EXPECT_EQ(pieces[3].separator, 0);
    // Over-cut (the 0 may come apart at its valleys, for the reader to join), the dash is
    // still the only separator.
    const auto over = segment_digits(ink, true);
    ASSERT_GE(over.size(), 4u);
    for (std::size_t i = 0; i < over.size(); ++i) EXPECT_EQ(over[i].separator, i == 1 ? '-' : 0) << "piece " << i;
    // A 4 whose bar reaches a little right of its stem keeps it.
    cv::Mat four = cv::Mat::zeros(70, 120, CV_8UC1);
    cv::line(four, {40, 10}, {20, 42}, 255, 4);
    cv::line(four, {20, 42}, {58, 42}, 255, 4);
    cv::line(four, {48, 20}, {48, 60}, 255, 4);
    const auto alone = segment_digits(four);
    ASSERT_EQ(alone.size(), 1u);
    EXPECT_EQ(alone[0].separator, 0);
    for (const auto& p : segment_digits(four, true)) EXPECT_EQ(p.separator, 0);
}

TEST(DigitStrings, RuleRemnantsAndSpecksOutsideTheWritingAreNoCharacters) {
    // What is left of the cell's left rule, and a sliver of its top rule over the first
    // digit: taken in, the sliver made that digit as tall as the cell, so every other
    // digit looked small and was dropped; the rule read as a 1.
    cv::Mat ink = cv::Mat::zeros(80, 300, CV_8UC1);
    cv::rectangle(ink, cv::Rect(0, 0, 2, 80), 255, cv::FILLED);
    cv::rectangle(ink, cv::Rect(30, 0, 30, 2), 255, cv::FILLED);
    cv::putText(ink, "13800", {30, 58}, cv::FONT_HERSHEY_SIMPLEX, 1.5, 255, 4);
    EXPECT_EQ(segment_digits(ink).size(), 5u);
    for (bool over_cut : {false, true})
        for (const auto& p : segment_digits(ink, over_cut)) {
            EXPECT_GT(p.box.x, 10) << "the rule is no character";
            EXPECT_GT(p.box.y, 10) << "the sliver is no part of a character";
        }
}

TEST(DigitStrings, ASmallDigitIsCroppedInGreyWithoutOtherInkInItsBox) {
    // A 150-dpi cell: a 7 16 px tall, dark grey and anti-aliased on light paper, and the
    // end of a neighbour's stroke in the empty corner under its bar.
    cv::Mat page(40, 60, CV_8UC1, cv::Scalar(225));
    cv::putText(page, "7", {14, 28}, cv::FONT_HERSHEY_SIMPLEX, 0.6, 60, 2, cv::LINE_AA);
    cv::line(page, {15, 20}, {15, 23}, 60, 2, cv::LINE_AA);
    const DigitInk writing = digit_cell_ink(page, cv::Rect(0, 0, 60, 40), Surround::ruled_cell);
    ASSERT_EQ(writing.ink.size(), cv::Size(120, 80)) << "a low cell is enlarged twice";
    ASSERT_EQ(writing.shade.size(), writing.ink.size());
    // The 7: the largest piece of ink.
    cv::Mat labels, stats, centroids;
    const int n = cv::connectedComponentsWithStats(writing.ink, labels, stats, centroids, 8, CV_32S);
    ASSERT_EQ(n, 3) << "the 7 and the stroke apart, " << n - 1 << " pieces";
    const int seven = stats.at<int>(1, cv::CC_STAT_AREA) > stats.at<int>(2, cv::CC_STAT_AREA) ? 1 : 2;
    const cv::Rect box(stats.at<int>(seven, cv::CC_STAT_LEFT), stats.at<int>(seven, cv::CC_STAT_TOP),
                       stats.at<int>(seven, cv::CC_STAT_WIDTH), stats.at<int>(seven, cv::CC_STAT_HEIGHT));
    const cv::Mat ink = labels == seven;
    ASSERT_GT(cv::countNonZero(writing.ink(box) & ~ink(box)), 0) << "the stroke lies in the 7's box";
    const cv::Mat crop = digit_crop(ink(box), box, writing.shade);
    ASSERT_EQ(crop.size(), cv::Size(28, 28));
    // Soft edges: many levels between paper and stroke, as in MNIST; the stroke's core full.
    auto between = [](const cv::Mat& m) {
        int count = 0;
        for (auto v : cv::Mat_<unsigned char>(m)) count += v > 30 && v < 220;
        return count;
    };
    EXPECT_GT(between(crop), 20);
    EXPECT_GT(2 * between(crop), 3 * between(digit_crop(ink(box), box, cv::Mat()))) << "the binary crop is as soft";
    double top;
    cv::minMaxLoc(crop, nullptr, &top);
    EXPECT_GE(top, 250);
    // The stroke is not in the crop: the shade is taken only within a pixel of the 7's ink.
    cv::Mat near;
    cv::dilate(ink, near, cv::Mat::ones(3, 3, CV_8UC1));
    cv::Mat only_seven = writing.shade.clone();
    only_seven.setTo(0, near == 0);
    EXPECT_EQ(cv::norm(crop, digit_crop(ink(box), box, only_seven), cv::NORM_L1), 0);
    cv::Mat everything = cv::Mat::zeros(writing.ink.size(), CV_8UC1);
    writing.shade(box).copyTo(everything(box));
    EXPECT_GT(cv::norm(crop, digit_crop(writing.ink(box), box, everything), cv::NORM_L1), 0);
}

TEST(DigitStrings, TouchingDigitsAreCutWithoutAValleyWhenTooFewCharactersAreFound) {
    // Seven digits, the 3 and the 4 written into each other so that no column between
    // them is nearly empty: over-cut for a field of seven digits, the pair still gives
    // two pieces or more; a field of any length is cut only at valleys.
    cv::Mat ink = cv::Mat::zeros(70, 360, CV_8UC1);
    cv::putText(ink, "123", {10, 55}, cv::FONT_HERSHEY_SIMPLEX, 1.6, 255, 5);
    int x = 10 + cv::getTextSize("123", cv::FONT_HERSHEY_SIMPLEX, 1.6, 5, nullptr).width - 30;
    cv::putText(ink, "4567", {x, 55}, cv::FONT_HERSHEY_SIMPLEX, 1.6, 255, 5);
    const auto pieces = segment_digits(ink, true, 7);
    EXPECT_GE(pieces.size(), 7u);
    EXPECT_TRUE(std::any_of(pieces.begin(), pieces.end(), [](const InkPiece& p) { return p.guessed_cut; }));
    EXPECT_EQ(segment_digits(ink, true).size(), 6u);
    // A wide 0 alone is no 10, whatever is asked.
    cv::Mat code = cv::Mat::zeros(70, 120, CV_8UC1);
    cv::ellipse(code, {60, 35}, {34, 22}, 0, 0, 360, 255, 5);
    EXPECT_EQ(segment_digits(code, true).size(), 1u);
}

TEST(CellInk, UprightStrokesAtAHeaderValuesEdgeAreWritingNotARulesRemnant) {
    // A page-header value box starts at its label's colon; a bold date written right after
    // it puts columns of dense ink near the box's left edge. In a table cell such columns
    // are a ruling line's remnant; in the header there are no rules, and they are the 2.
    cv::Mat page(65, 870, CV_8UC1, cv::Scalar(235));
    cv::circle(page, {5, 26}, 3, cv::Scalar(30), cv::FILLED);  // the colon
    cv::circle(page, {5, 44}, 3, cv::Scalar(30), cv::FILLED);
    cv::putText(page, "2015.2.9", {14, 54}, cv::FONT_HERSHEY_SIMPLEX, 1.6, cv::Scalar(25), 10);
    const cv::Rect box(0, 0, page.cols, page.rows), first_digit(12, 0, 36, page.rows);
    const cv::Mat header = formscan::cell_ink(page, box, 4, formscan::Surround::header_value);
    const cv::Mat cell = formscan::cell_ink(page, box, 4, formscan::Surround::ruled_cell);
    cv::Mat written;
    cv::threshold(page(first_digit), written, 128, 255, cv::THRESH_BINARY_INV);
    const int ink = cv::countNonZero(written);
    ASSERT_GT(ink, 400);
    EXPECT_GE(cv::countNonZero(header(first_digit)), ink * 9 / 10) << "the first digit of a header value is kept";
    EXPECT_LT(cv::countNonZero(cell(first_digit)), ink * 7 / 10) << "in a ruled cell, dense columns at the edge are a rule's remnant";
}

TEST(CellInk, TheDotsOfARuleAreTakenOutAndABrokenCharactersPiecesStay) {
    cv::Mat ink = cv::Mat::zeros(30, 120, CV_8UC1);
    cv::rectangle(ink, cv::Rect(52, 8, 8, 15), cv::Scalar(255), cv::FILLED);  // a character across the middle
    cv::rectangle(ink, cv::Rect(48, 4, 14, 2), cv::Scalar(255), cv::FILLED);  // its flag, broken off (a 5's)
    cv::rectangle(ink, cv::Rect(50, 25, 3, 2), cv::Scalar(255), cv::FILLED);  // and a piece of its foot
    const int character = cv::countNonZero(ink);
    for (int x = 1; x + 2 < ink.cols; x += 6) {
        cv::rectangle(ink, cv::Rect(x, 0, 2, 2), cv::Scalar(255), cv::FILLED);  // a dotted rule above
        if (x < 40 || x > 70) cv::rectangle(ink, cv::Rect(x, 28, 3, 2), cv::Scalar(255), cv::FILLED);  // and below
    }
    const cv::Mat clean = formscan::without_dotted_rules(ink, 1.0 / 3);
    EXPECT_EQ(cv::countNonZero(clean.rowRange(0, 2)), 0) << "the dots above are taken out";
    EXPECT_EQ(cv::countNonZero(clean.rowRange(28, 30)), 0) << "the dots below are taken out";
    EXPECT_EQ(cv::countNonZero(clean), character) << "the character and its broken-off pieces stay";
}

TEST(CellInk, AScannedLineUnderTheWritingIsTakenOutForAllItsRaggedEdges) {
    // The printed line under a header value, scanned: thick, its edges ragged by a pixel or
    // two. Taken out only where a column held nothing but the line as the opening found it,
    // most of it stayed, cut into dashes the digit reader read as digits (2015-02-20 as
    // 3:.2952339).
    std::mt19937 rng(5);
    cv::Mat page(70, 520, CV_8UC1, cv::Scalar(235));
    cv::putText(page, "2015-02-20", {20, 46}, cv::FONT_HERSHEY_SIMPLEX, 1.3, cv::Scalar(30), 3);
    const int line_top = 56, line_bottom = 62;
    for (int x = 10; x < 460; ++x) {
        const int top = line_top - static_cast<int>(rng() % 3), bottom = line_bottom + static_cast<int>(rng() % 3);
        for (int y = top; y < bottom; ++y) page.at<unsigned char>(y, x) = 30;
    }
    const cv::Mat ink = formscan::cell_ink(page, cv::Rect(0, 0, page.cols, page.rows), 4, formscan::Surround::header_value);
    const cv::Rect under(0, line_top - 3, page.cols, page.rows - line_top + 3), writing(0, 0, page.cols, line_top - 4);
    cv::Mat written;
    cv::threshold(page(writing), written, 128, 255, cv::THRESH_BINARY_INV);
    EXPECT_LT(cv::countNonZero(ink(under)), 450 / 20) << "the line is taken out";
    EXPECT_GE(cv::countNonZero(ink(writing)), cv::countNonZero(written) * 95 / 100) << "the writing stays";
}
