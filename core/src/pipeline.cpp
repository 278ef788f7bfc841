#include "formscan/pipeline.hpp"

#include "formscan/page_code.hpp"

#include "formscan/error.hpp"

#include <Poco/Logger.h>

#include <chrono>
#include <set>

namespace formscan {

void check_pipeline(const PluginHost& host, const PipelineSpec& spec) {
    if (spec.stages.empty()) throw Error("formscan.pipeline.empty", "the pipeline has no stages");
    std::set<std::string> available = {kHasImage};
    std::map<std::string, std::string> added_by;
    for (std::size_t i = 0; i < spec.stages.size(); ++i) {
        const std::string& name = spec.stages[i];
        if (!host.has_stage(name))
            throw Error("formscan.pipeline.unknown_stage",
                        "stage " + std::to_string(i + 1) + " \"" + name + "\" is not installed in " + host.plugin_dir() +
                            " (see `formscan plugins`)");
        const StageInfo& info = host.info(name);
        for (const auto& need : info.needs) {
            if (available.count(need)) continue;
            std::string hint;
            for (const auto& other : host.stage_names())
                for (const auto& add : host.info(other).adds)
                    if (add == need) hint = " (add \"" + other + "\" before it)";
            throw Error("formscan.pipeline.unmet_need",
                        "stage \"" + name + "\" needs \"" + need + "\", which no earlier stage adds" + hint);
        }
        for (const auto& add : info.adds) available.insert(add);
        auto params = spec.params.count(name) ? spec.params.at(name) : std::map<std::string, std::string>{};
        ParamValues::resolve(name, info.params, params);
    }
    for (const auto& [stage, values] : spec.params)
        if (!host.has_stage(stage))
            throw Error("formscan.pipeline.unknown_stage", "parameters given for \"" + stage + "\", which is not installed");
}

Pipeline::Pipeline(const PluginHost& host, const PipelineSpec& spec, const StageEnvironment& env) {
    check_pipeline(host, spec);
    for (const auto& name : spec.stages) {
        StagePtr stage = host.create(name);
        auto params = spec.params.count(name) ? spec.params.at(name) : std::map<std::string, std::string>{};
        stage->configure(ParamValues::resolve(name, host.info(name).params, params), env);
        names_.push_back(name);
        stages_.push_back(std::move(stage));
    }
}

std::vector<Record> Pipeline::run(Page& page, const FormTemplate& form) {
    std::vector<Record> records;
    PageContext context{page, form, records};
    Poco::Logger& log = Poco::Logger::get("formscan.pipeline");
    std::string times;
    for (std::size_t i = 0; i < stages_.size(); ++i) {
        auto start = std::chrono::steady_clock::now();
        stages_[i]->process(context);
        if (log.debug())
            times += " " + names_[i] + " " +
                     std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()).substr(0, 5) + " s";
    }
    if (log.debug()) log.debug("%s page %d:%s", page.source, page.index, times);
    const auto code = parse_page_code(page.code);
    for (auto& record : records) {
        record.page_skew_deg = page.skew_deg;
        record.page_orientation_deg = page.orientation_deg;
        for (const auto& issue : page.issues) record.page_issues.push_back(issue.stage + ": " + issue.code + ": " + issue.message);
        if (code && record.batch.empty()) {
            // Each row belongs to the person printed at its place (a sheet to its one person),
            // unless a stage tied it to its person already (printed_values, by the ID number).
            record.batch = code->batch;
            record.batch_page = code->page;
            const std::size_t slot = record.row > 0 ? static_cast<std::size_t>(record.row - 1) : 0;
            if (slot < code->row_keys.size()) record.person_key = code->row_keys[slot];
        }
    }
    return records;
}

}  // namespace formscan
