#pragma once
// Validating one record again, after a reviewer changed a field: the stages of the
// record's template that validate (those adding records.validated, e.g. validate_cn)
// run on the record alone, with their schema defaults. Safe to call from several threads
// at once: each call creates its own stage instances (cheap for rule stages).
#include "formscan/form_template.hpp"
#include "formscan/plugin_host.hpp"

#include <map>
#include <string>

namespace formscan {

class Revalidator {
public:
    // `host` and `templates` must outlive the Revalidator.
    Revalidator(const PluginHost& host, const std::map<std::string, FormTemplate>& templates, StageEnvironment env);
    // Sets the status and errors of the record's fields by the template's rules.
    // Throws template.unknown when the record's template is not installed.
    void operator()(Record& record) const;

private:
    const PluginHost& host_;
    const std::map<std::string, FormTemplate>& templates_;
    StageEnvironment env_;
};

}  // namespace formscan
