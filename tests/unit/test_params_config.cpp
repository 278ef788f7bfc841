#include "formscan/config.hpp"
#include "formscan/error.hpp"
#include "formscan/params.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

using namespace formscan;

namespace {
const std::vector<ParamSpec> kSchema = {
    {"size", ParamType::integer, "5", 1, 10, "a size"},
    {"ratio", ParamType::number, "0.5", 0, 1, "a ratio"},
    {"on", ParamType::boolean, "true", 0, 1, "a switch"},
    {"mode", ParamType::string, "fast", 0, 0, "a mode", {"fast", "best"}},
};

}  // namespace

TEST(Params, DefaultsComeFromTheSchema) {
    auto v = ParamValues::resolve("stage", kSchema, {});
    EXPECT_EQ(v.get_int("size"), 5);
    EXPECT_DOUBLE_EQ(v.get_double("ratio"), 0.5);
    EXPECT_TRUE(v.get_bool("on"));
    EXPECT_EQ(v.get_string("mode"), "fast");
}

TEST(Params, OverridesAreValidated) {
    auto v = ParamValues::resolve("stage", kSchema, {{"size", "7"}, {"on", "false"}, {"mode", "best"}});
    EXPECT_EQ(v.get_int("size"), 7);
    EXPECT_FALSE(v.get_bool("on"));
    EXPECT_NE(test::error_message([] { ParamValues::resolve("stage", kSchema, {{"size", "11"}}); }).find("stage.size"), std::string::npos);
    EXPECT_NE(test::error_message([] { ParamValues::resolve("stage", kSchema, {{"size", "x"}}); }).find("whole number"), std::string::npos);
    EXPECT_NE(test::error_message([] { ParamValues::resolve("stage", kSchema, {{"mode", "slow"}}); }).find("fast, best"), std::string::npos);
    std::string unknown = test::error_message([] { ParamValues::resolve("stage", kSchema, {{"sise", "3"}}); });
    EXPECT_NE(unknown.find("formscan.param.unknown"), std::string::npos);
    EXPECT_NE(unknown.find("sise"), std::string::npos);
}

TEST(Config, FileAndOverridesReachThePipeline) {
    PluginHost host(test::plugin_dir());
    host.load_all();
    RunConfig config = default_config(test::templates());
    std::string dir = test::temp_dir("config");
    test::write_text(dir + "/c.json", R"({"params": {"deskew": {"sweep_range": 12}}, "input": {"max_pages": 7}})");
    apply_config_file(config, dir + "/c.json");
    apply_override(config, "marks.empty_ink=0.01");
    finalise_config(config, host, {"zj-hedui"});
    EXPECT_EQ(config.pipelines.at("zj-hedui").params.at("deskew").at("sweep_range"), "12");
    EXPECT_EQ(config.pipelines.at("zj-hedui").params.at("marks").at("empty_ink"), "0.01");
    EXPECT_EQ(config.limits.max_pages, 7);
}

TEST(Config, MistakesFailAtStartUp) {
    PluginHost host(test::plugin_dir());
    host.load_all();
    auto attempt = [&](const std::string& assignment) {
        return test::error_message([&] {
            RunConfig config = default_config(test::templates());
            apply_override(config, assignment);
            finalise_config(config, host, {"zj-hedui"});
        });
    };
    EXPECT_NE(attempt("deskew.sweep_range=99").find("deskew.sweep_range"), std::string::npos);
    EXPECT_NE(attempt("deskw.sweep_range=3").find("\"deskw\""), std::string::npos);
    EXPECT_NE(attempt("input.max_pages=0").find("input.max_pages"), std::string::npos);
    EXPECT_NE(attempt("nodot").find("formscan.config.bad_override"), std::string::npos);
    std::string dir = test::temp_dir("config");
    test::write_text(dir + "/bad.json", R"({"param": {}})");
    std::string e = test::error_message([&] {
        RunConfig config = default_config(test::templates());
        apply_config_file(config, dir + "/bad.json");
    });
    EXPECT_NE(e.find("unknown key \"param\""), std::string::npos) << e;
}
