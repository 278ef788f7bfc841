#include "formscan/batch_rules.hpp"

#include "formscan/masking.hpp"

#include <filesystem>

namespace formscan {

void BatchRules::check(Record& record) {
    Field* id = record.find("id_number");
    if (!id || id->text().size() != 18) return;
    const std::string where = std::filesystem::path(record.source).filename().string() + " page " +
                              std::to_string(record.page + 1) + (record.row > 0 ? " row " + std::to_string(record.row) : "");
    auto [it, first] = first_seen_.emplace(id->text(), where);
    if (first) return;
    id->status = FieldStatus::invalid;
    id->errors.push_back({"id_number.duplicate", mask_personal_data("ID number " + id->text() + " is also on " + it->second)});
}

}  // namespace formscan
