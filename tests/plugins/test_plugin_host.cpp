#include "formscan/error.hpp"
#include "formscan/pipeline.hpp"
#include "formscan/plugin_host.hpp"
#include "formscan/stage.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace formscan;

namespace {
std::string fixture(const std::string& name) { return test::fixture_plugin_dir() + "/libformscan_fixture_" + name + ".so"; }

}  // namespace

TEST(PluginHost, LoadsAGoodPluginAndRunsItsStages) {
    PluginHost host(test::fixture_plugin_dir());
    host.load(fixture("good"));
    EXPECT_TRUE(host.has_stage("fixture_count"));
    EXPECT_TRUE(host.has_stage("fixture_needs_cells"));
    EXPECT_EQ(host.info("fixture_count").version, "2.1.0");
    PipelineSpec spec{{"fixture_count"}, {{"fixture_count", {{"step", "3"}}}}};
    Pipeline pipeline(host, spec, {});
    Page page;
    pipeline.run(page, test::templates().at("zj-hedui"));
    pipeline.run(page, test::templates().at("zj-hedui"));
    ASSERT_EQ(page.issues.size(), 2u);
    EXPECT_EQ(page.issues[1].message, "6");  // the stage kept its state between pages
}

TEST(PluginHost, APluginForAnotherApiVersionIsRefusedClearly) {
    PluginHost host(test::fixture_plugin_dir());
    std::string e = test::error_message([&] { host.load(fixture("old_api")); });
    EXPECT_NE(e.find("formscan.plugin.api_mismatch"), std::string::npos) << e;
    EXPECT_NE(e.find("another plugin API version"), std::string::npos) << e;
    EXPECT_FALSE(host.has_stage("fixture_old"));
}

TEST(PluginHost, AMissingFileIsReported) {
    PluginHost host(test::fixture_plugin_dir());
    std::string e = test::error_message([&] { host.load(fixture("nowhere")); });
    EXPECT_NE(e.find("formscan.plugin.not_found"), std::string::npos) << e;
}

TEST(PluginHost, AThrowingConstructorIsReportedAndTheOthersStillLoad) {
    PluginHost host(test::fixture_plugin_dir());
    host.load_all();
    EXPECT_TRUE(host.has_stage("fixture_count"));
    ASSERT_EQ(host.failures().size(), 2u);  // old_api and throws
    bool saw_constructor = false;
    for (const auto& f : host.failures())
        saw_constructor |= f.message.find("formscan.plugin.constructor_failed") != std::string::npos &&
                           f.message.find("model file missing") != std::string::npos;
    EXPECT_TRUE(saw_constructor);
}

TEST(PluginHost, PluginsLoadOnlyFromTheConfiguredFolder) {
    PluginHost host(test::plugin_dir());
    std::string e = test::error_message([&] { host.load(fixture("good")); });
    EXPECT_NE(e.find("formscan.plugin.outside_folder"), std::string::npos) << e;
}

TEST(PluginHost, TheRealStagesAllLoad) {
    PluginHost host(test::plugin_dir());
    host.load_all();
    EXPECT_TRUE(host.failures().empty());
    for (const char* name : {"deskew", "table_grid", "page_header", "marks", "digits", "tesseract_text", "normalise_cn", "validate_cn"})
        EXPECT_TRUE(host.has_stage(name)) << name;
    EXPECT_NO_THROW(check_pipeline(host, {test::templates().at("zj-hedui").default_pipeline, {}}));
}

TEST(Pipeline, WrongOrderOrMissingStageFailsBeforeTheFirstPage) {
    PluginHost host(test::plugin_dir());
    host.load_all();
    std::string e = test::error_message([&] { check_pipeline(host, {{"deskew", "marks", "table_grid"}, {}}); });
    EXPECT_NE(e.find("formscan.pipeline.unmet_need"), std::string::npos) << e;
    EXPECT_NE(e.find("stage \"marks\""), std::string::npos) << e;
    EXPECT_NE(e.find("add \"table_grid\" before it"), std::string::npos) << e;
    e = test::error_message([&] { check_pipeline(host, {{"deskew", "tabel_grid"}, {}}); });
    EXPECT_NE(e.find("\"tabel_grid\" is not installed"), std::string::npos) << e;
    e = test::error_message([&] { check_pipeline(host, {{}, {}}); });
    EXPECT_NE(e.find("formscan.pipeline.empty"), std::string::npos) << e;
}
