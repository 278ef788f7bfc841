#include "formscan/config.hpp"

#include "formscan/error.hpp"

#include <Poco/JSON/Parser.h>

#include <fstream>
#include <sstream>

namespace formscan {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr const char* kInput = "input";

[[noreturn]] void config_error(const std::string& code, const std::string& path, const std::string& what) {
    throw Error("formscan.config." + code, path + ": " + what);
}

}  // namespace

const std::vector<ParamSpec>& input_param_schema() {
    static const std::vector<ParamSpec> schema = {
        {"max_bytes", ParamType::integer, std::to_string(512LL << 20), 1024, 1e12, "largest input file accepted, in bytes"},
        {"max_pixels", ParamType::integer, "150000000", 10000, 2e9,
         "largest page accepted, in pixels (checked from the header, before decoding)"},
        {"max_side", ParamType::integer, "30000", 100, 32000,
         "longest page side accepted, in pixels (image operations stop at 32767)"},
        {"max_pages", ParamType::integer, "5000", 1, 1e7, "most pages read from one file"},
        {"pdf_render_dpi", ParamType::number, "300", 50, 1200, "resolution at which PDF pages are rendered"},
    };
    return schema;
}

RunConfig default_config(const std::map<std::string, FormTemplate>& templates) {
    RunConfig config;
    for (const auto& [id, form] : templates) config.pipelines[id].stages = form.default_pipeline;
    return config;
}

void apply_config_file(RunConfig& config, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) config_error("unreadable", path, "cannot open the file");
    std::stringstream text;
    text << in.rdbuf();
    Poco::Dynamic::Var root;
    try {
        root = Poco::JSON::Parser().parse(text.str());
    } catch (const Poco::Exception& e) {
        config_error("syntax", path, "not valid JSON: " + e.displayText());
    }
    if (root.type() != typeid(Object::Ptr)) config_error("wrong_type", path, "expected an object");
    auto obj = root.extract<Object::Ptr>();
    std::vector<std::string> names;
    obj->getNames(names);
    for (const auto& name : names) {
        if (name == "pipeline") {
            auto pipelines = obj->getObject(name);
            if (!pipelines) config_error("wrong_type", path + ": pipeline", "expected an object {template id: [stages]}");
            std::vector<std::string> ids;
            pipelines->getNames(ids);
            for (const auto& id : ids) {
                auto stages = pipelines->getArray(id);
                if (!stages) config_error("wrong_type", path + ": pipeline." + id, "expected a list of stage names");
                if (!config.pipelines.count(id)) config_error("unknown_key", path + ": pipeline." + id, "no template \"" + id + "\"");
                config.pipelines[id].stages.clear();
                for (std::size_t i = 0; i < stages->size(); ++i)
                    config.pipelines[id].stages.push_back(stages->getElement<std::string>(static_cast<unsigned>(i)));
            }
        } else if (name == "params" || name == kInput) {
            auto section = obj->getObject(name);
            if (!section) config_error("wrong_type", path + ": " + name, "expected an object");
            auto take_stage = [&](const std::string& stage, const Object::Ptr& values) {
                if (!values) config_error("wrong_type", path + ": " + name + "." + stage, "expected an object {param: value}");
                std::vector<std::string> keys;
                values->getNames(keys);
                for (const auto& key : keys) config.params[stage][key] = values->get(key).toString();
            };
            if (name == kInput) {
                take_stage(kInput, section);
            } else {
                std::vector<std::string> stages;
                section->getNames(stages);
                for (const auto& stage : stages) take_stage(stage, section->getObject(stage));
            }
        } else {
            config_error("unknown_key", path, "unknown key \"" + name + "\" (allowed: pipeline, params, input)");
        }
    }
}

void apply_override(RunConfig& config, const std::string& assignment) {
    auto eq = assignment.find('=');
    auto dot = assignment.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq || dot == 0 || dot + 1 == eq)
        throw Error("formscan.config.bad_override", "-D " + assignment + ": expected stage.param=value");
    config.params[assignment.substr(0, dot)][assignment.substr(dot + 1, eq - dot - 1)] = assignment.substr(eq + 1);
}

std::map<std::string, std::string> finalise_config(RunConfig& config, const PluginHost& host,
                                                   const std::vector<std::string>& template_ids, bool optional_ids) {
    auto input = config.params.count(kInput) ? config.params.at(kInput) : std::map<std::string, std::string>{};
    ParamValues limits = ParamValues::resolve(kInput, input_param_schema(), input);
    config.limits.max_bytes = limits.get_int("max_bytes");
    config.limits.max_pixels = limits.get_int("max_pixels");
    config.limits.max_pages = static_cast<int>(limits.get_int("max_pages"));
    config.limits.max_side = limits.get_int("max_side");
    config.limits.pdf_render_dpi = limits.get_double("pdf_render_dpi");
    for (const auto& [stage, values] : config.params) {
        if (stage == kInput) continue;
        if (!host.has_stage(stage))
            throw Error("formscan.pipeline.unknown_stage", "parameters given for \"" + stage + "\", which is not installed");
    }
    std::map<std::string, PipelineSpec> used;
    for (const auto& id : template_ids) {
        if (!config.pipelines.count(id)) throw Error("formscan.config.unknown_template", "no template \"" + id + "\"");
        used[id] = config.pipelines.at(id);
    }
    config.pipelines = std::move(used);
    for (auto& [id, pipeline] : config.pipelines) {
        pipeline.params.clear();
        for (const auto& stage : pipeline.stages)
            if (config.params.count(stage)) pipeline.params[stage] = config.params.at(stage);
        try {
            check_pipeline(host, pipeline);
        } catch (const Error& e) {
            std::string why = std::string("pipeline of template ") + id + ": " + e.what();
            if (!optional_ids) throw Error(e.code(), why);
            config.unavailable[id] = why;
        }
    }
    for (const auto& [id, why] : config.unavailable) config.pipelines.erase(id);
    if (config.pipelines.empty() && !config.unavailable.empty())
        throw Error("formscan.config.no_pipeline", config.unavailable.begin()->second);
    return config.unavailable;
}

}  // namespace formscan
