#include "formscan/error.hpp"
#include "formscan/form_template.hpp"
#include "formscan/text_utils.hpp"
#include "test_support.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

using namespace formscan;

namespace {

// The keys of shared/contract/records.md, in contract order.
const std::vector<std::string> kHeduiKeys = {
    "township", "village", "fill_date", "filler_signed", "seq", "name", "sex", "id_number", "birth_date", "ethnicity",
    "hukou_address", "residence_address", "phone", "employer_name", "employer_type", "personal_status", "pension",
    "medical", "injury", "maternity", "unemployment", "remarks", "signed"};
const std::vector<std::string> kDengjiKeys = {
    "city", "county", "township", "village", "name", "sex", "ethnicity", "household_no", "hukou_type", "id_number",
    "employment_status", "employer_name", "employer_type", "personal_status", "hukou_address", "residence_address",
    "phone", "pension", "pension_other", "medical", "unemployment", "injury", "maternity", "not_insured_reason",
    "not_insured_detail", "applicant_signed", "handler_signed", "checker_signed", "sign_date", "remarks"};

std::string hedui_text() { return test::read_text(test::templates_dir() + "/zj-hedui.json"); }
std::string dengji_text() { return test::read_text(test::templates_dir() + "/zj-dengji.json"); }

// Applies `edit` to the parsed hedui template and returns the error of parsing it.
template <typename Edit>
std::string error_after(Edit edit) {
    auto root = Poco::JSON::Parser().parse(hedui_text()).extract<Poco::JSON::Object::Ptr>();
    edit(root);
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(root, out);
    try {
        parse_template(out.str(), "broken.json");
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Template, BothFormsHaveEveryContractField) {
    const auto& all = test::templates();
    ASSERT_TRUE(all.count("zj-hedui"));
    ASSERT_TRUE(all.count("zj-dengji"));
    auto keys = [](const FormTemplate& t) {
        std::vector<std::string> k;
        for (const auto& f : t.fields) k.push_back(f.key);
        return k;
    };
    EXPECT_EQ(keys(all.at("zj-hedui")), kHeduiKeys);
    EXPECT_EQ(keys(all.at("zj-dengji")), kDengjiKeys);
}

TEST(Template, HeduiColumnsFollowTheSeed) {
    const auto& t = test::templates().at("zj-hedui");
    ASSERT_EQ(t.columns.size(), 19u);
    EXPECT_EQ(t.columns.front().header, "序号");
    EXPECT_EQ(t.columns.back().number, 15);
    int insurance = 0;
    for (const auto& c : t.columns) insurance += c.number == 13;
    EXPECT_EQ(insurance, 5);
    EXPECT_EQ(t.codes("not_insured_reasons").size(), 12u);
    EXPECT_EQ(t.codes("personal_status").size(), 14u);
    EXPECT_EQ(t.codes("employer_types").size(), 11u);
    EXPECT_EQ(t.vocabulary("ethnicities").size(), 56u);
    EXPECT_EQ(t.vocabulary("townships").size(), 20u);
}

TEST(Template, DengjiGroupsHaveTheSeedsLabels) {
    const auto& t = test::templates().at("zj-dengji");
    EXPECT_EQ(t.field("employer_type").options.size(), 21u);
    EXPECT_EQ(t.field("personal_status").options.size(), 14u);
    EXPECT_EQ(t.field("not_insured_reason").options.size(), 12u);
    EXPECT_EQ(t.field("hukou_type").options, (std::vector<std::string>{"农业", "非农业"}));
}

TEST(Template, UnknownKeyNamesFileAndPlace) {
    std::string e = error_after([](auto& root) { root->getArray("fields")->getObject(3)->set("typ", "text"); });
    EXPECT_NE(e.find("formscan.template.unknown_key"), std::string::npos) << e;
    EXPECT_NE(e.find("broken.json"), std::string::npos) << e;
    EXPECT_NE(e.find("fields[3]"), std::string::npos) << e;
    EXPECT_NE(e.find("\"typ\""), std::string::npos) << e;
}

TEST(Template, MissingKeyIsReported) {
    std::string e = error_after([](auto& root) { root->getArray("fields")->getObject(5)->remove("type"); });
    EXPECT_NE(e.find("formscan.template.missing_key"), std::string::npos) << e;
    EXPECT_NE(e.find("fields[5]"), std::string::npos) << e;
}

TEST(Template, WrongTypeIsReported) {
    std::string e = error_after([](auto& root) { root->getArray("columns")->getObject(2)->set("number", "three"); });
    EXPECT_NE(e.find("formscan.template.wrong_type"), std::string::npos) << e;
    EXPECT_NE(e.find("columns[2].number"), std::string::npos) << e;
}

TEST(Template, UnknownFieldTypeAndColumnFieldAreReported) {
    std::string e = error_after([](auto& root) { root->getArray("fields")->getObject(4)->set("type", "txet"); });
    EXPECT_NE(e.find("unknown field type \"txet\""), std::string::npos) << e;
    e = error_after([](auto& root) { root->getArray("columns")->getObject(0)->set("field", "sequence"); });
    EXPECT_NE(e.find("formscan.template.unknown_field"), std::string::npos) << e;
}

TEST(Template, ColumnFieldWithoutColumnIsAMissingField) {
    std::string e = error_after([](auto& root) { root->getArray("columns")->remove(1); });
    EXPECT_NE(e.find("column field \"name\" has no entry"), std::string::npos) << e;
}

TEST(Template, SyntaxErrorNamesFile) {
    try {
        parse_template("{\"id\": ", "half.json");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "formscan.template.syntax");
        EXPECT_NE(std::string(e.what()).find("half.json"), std::string::npos);
    }
}

TEST(Template, AnEarliestOrLikelyLastDateThatIsNoDateIsReported) {
    // fields[2] is 填报日期.
    std::string e = error_after([](auto& root) { root->getArray("fields")->getObject(2)->set("earliest_date", "2014-13-01"); });
    EXPECT_NE(e.find("formscan.template.bad_value"), std::string::npos) << e;
    EXPECT_NE(e.find("fields[2].earliest_date"), std::string::npos) << e;
    EXPECT_EQ(parse_template(hedui_text(), "zj-hedui.json").field("fill_date").earliest_date, "2014-01-01");
    e = error_after([](auto& root) { root->getArray("fields")->getObject(2)->set("likely_until", "2016-02-30"); });
    EXPECT_NE(e.find("fields[2].likely_until"), std::string::npos) << e;
    EXPECT_EQ(parse_template(hedui_text(), "zj-hedui.json").field("fill_date").likely_until, "2015-12-31");
    EXPECT_EQ(parse_template(hedui_text(), "zj-hedui.json").field("fill_date").likely_from, "2014-11-01");
    e = error_after([](auto& root) { root->getArray("fields")->getObject(2)->set("likely_from", "2014-11"); });
    EXPECT_NE(e.find("fields[2].likely_from"), std::string::npos) << e;
}

TEST(Template, AScriptOtherThanHanIsReported) {
    std::string e = error_after([](auto& root) { root->getArray("fields")->getObject(2)->set("script", "hna"); });
    EXPECT_NE(e.find("formscan.template.bad_value"), std::string::npos) << e;
    EXPECT_NE(e.find("fields[2].script"), std::string::npos) << e;
    EXPECT_EQ(parse_template(hedui_text(), "zj-hedui.json").field("name").script, "han");
}

TEST(Template, APrefixVocabularyThatDoesNotExistIsReported) {
    std::string e = error_after([](auto& root) {
        Poco::JSON::Array::Ptr prefixes = new Poco::JSON::Array;
        prefixes->add("districts");
        prefixes->add("townshps");
        root->getArray("fields")->getObject(2)->set("prefixes", prefixes);
    });
    EXPECT_NE(e.find("no vocabulary named \"townshps\""), std::string::npos) << e;
    EXPECT_EQ(parse_template(hedui_text(), "zj-hedui.json").field("hukou_address").prefixes,
              (std::vector<std::string>{"districts", "townships"}));
}

TEST(Template, AWordsVocabularyThatDoesNotExistIsReported) {
    std::string e = error_after([](auto& root) { root->getArray("fields")->getObject(2)->set("words", "company_word"); });
    EXPECT_NE(e.find("words"), std::string::npos) << e;
    EXPECT_NE(e.find("no vocabulary named \"company_word\""), std::string::npos) << e;
    for (const auto& text : {hedui_text(), dengji_text()}) {
        const FormTemplate form = parse_template(text, "template.json");
        ASSERT_EQ(form.field("employer_name").words, "company_words");
        const auto& words = form.vocabulary("company_words");
        for (const char* word : {"有限公司", "上虞", "厂"}) EXPECT_NE(std::find(words.begin(), words.end(), word), words.end()) << word;
    }
}

TEST(Template, AFirstCharacterVocabularyThatDoesNotExistIsReported) {
    std::string e = error_after([](auto& root) { root->getArray("fields")->getObject(2)->set("first_character", "surname"); });
    EXPECT_NE(e.find("first_character"), std::string::npos) << e;
    EXPECT_NE(e.find("no vocabulary named \"surname\""), std::string::npos) << e;
    const FormTemplate hedui = parse_template(hedui_text(), "zj-hedui.json");
    ASSERT_EQ(hedui.field("name").first_character, "surnames");
    const auto& surnames = hedui.vocabulary("surnames");
    EXPECT_GT(surnames.size(), 400u);
    for (const char* common : {"王", "顾", "欧", "诸"})  // 欧阳, 诸葛 begin with 欧, 诸
        EXPECT_NE(std::find(surnames.begin(), surnames.end(), common), surnames.end()) << common;
    for (const auto& c : surnames) EXPECT_EQ(utf8_chars(c).size(), 1u) << c << ": one character each";
}
