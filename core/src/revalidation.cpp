#include "formscan/revalidation.hpp"

#include "formscan/error.hpp"

#include <algorithm>

namespace formscan {

Revalidator::Revalidator(const PluginHost& host, const std::map<std::string, FormTemplate>& templates, StageEnvironment env)
    : host_(host), templates_(templates), env_(std::move(env)) {}

void Revalidator::operator()(Record& record) const {
    auto form = templates_.find(record.template_id);
    if (form == templates_.end()) throw Error("formscan.template.unknown", "unknown template " + record.template_id);
    Page page;
    page.source = record.source;
    page.index = record.page;
    std::vector<Record> records{record};
    for (const auto& name : form->second.default_pipeline) {
        if (!host_.has_stage(name)) continue;
        const StageInfo& info = host_.info(name);
        if (std::find(info.adds.begin(), info.adds.end(), kHasValidated) == info.adds.end()) continue;
        StagePtr stage = host_.create(name);
        stage->configure(ParamValues::resolve(name, info.params, {}), env_);
        PageContext context{page, form->second, records};
        stage->process(context);
    }
    record = std::move(records.front());
}

}  // namespace formscan
