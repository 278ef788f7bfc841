#include "formscan/record_json.hpp"
#include "formscan/stage.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

using namespace formscan;

TEST(RecordJson, EveryFieldIsWrittenAndReadBack) {
    const auto& form = test::templates().at("zj-dengji");
    Page page;
    page.source = "scans/a.png";
    page.index = 2;
    page.skew_deg = -1.25;
    Record r = make_empty_record(form, page, 0);
    r.at("name").value = std::string("袁梅庆");
    r.at("name").confidence = 0.97;
    r.at("name").status = FieldStatus::ok;
    r.at("pension").value = std::vector<std::string>{"城镇职工基本养老保险"};
    r.at("injury").value = true;
    r.page_issues = {"page_header: grid.number_row: the number row reads 21 for 1"};
    r.at("name").alternatives = {{"袁梅庆", 0.9}, {"袁梅床", 0.05}};
    r.at("name").box = cv::Rect(10, 20, 30, 40);
    r.at("name").errors = {{"name.rule", "a message"}};
    std::string line = record_to_json_line(r);
    EXPECT_NE(line.find("\"袁梅庆\""), std::string::npos) << "UTF-8, not \\u escapes: " << line;
    EXPECT_EQ(line.find('\n'), std::string::npos);
    Record back = record_from_json_line(line);
    EXPECT_EQ(back.source, "scans/a.png");
    EXPECT_EQ(back.page, 2);
    EXPECT_DOUBLE_EQ(back.page_skew_deg, -1.25);
    EXPECT_EQ(back.page_issues, r.page_issues);
    ASSERT_EQ(back.fields.size(), form.fields.size());
    EXPECT_EQ(value_to_string(back.at("name").value), "袁梅庆");
    EXPECT_EQ(value_to_string(back.at("pension").value), "[\"城镇职工基本养老保险\"]");
    EXPECT_EQ(value_to_string(back.at("injury").value), "true");
    EXPECT_EQ(back.at("name").status, FieldStatus::ok);
    ASSERT_EQ(back.at("name").alternatives.size(), 2u);
    EXPECT_EQ(back.at("name").alternatives[1].value, "袁梅床");
    EXPECT_EQ(back.at("name").box, cv::Rect(10, 20, 30, 40));
    ASSERT_EQ(back.at("name").errors.size(), 1u);
    EXPECT_EQ(back.at("name").errors[0].rule, "name.rule");
    EXPECT_EQ(r.status(), FieldStatus::review);  // the other fields are not sure
}
