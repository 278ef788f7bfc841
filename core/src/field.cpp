#include "formscan/error.hpp"
#include "formscan/field.hpp"
#include "formscan/stage.hpp"

namespace formscan {

const char* to_string(FieldStatus status) {
    switch (status) {
        case FieldStatus::ok: return "ok";
        case FieldStatus::review: return "review";
        case FieldStatus::invalid: return "invalid";
    }
    return "review";
}

bool Field::is_empty() const {
    if (auto s = std::get_if<std::string>(&value)) return s->empty();
    if (auto l = std::get_if<std::vector<std::string>>(&value)) return l->empty();
    return !std::get<bool>(value);
}

std::string Field::text() const {
    if (auto s = std::get_if<std::string>(&value)) return *s;
    return {};
}

bool HeaderOnce::is_repeat(Field& field) {
    auto [first, inserted] = first_.emplace(std::tuple{field.key, field.box.x, field.box.y, field.box.width, field.box.height}, &field);
    if (!inserted) repeats_.push_back({&field, first->second});
    return !inserted;
}

void HeaderOnce::copy_readings() const {
    for (const auto& [repeat, first] : repeats_) *repeat = *first;
}

Field* Record::find(const std::string& key) {
    for (auto& f : fields)
        if (f.key == key) return &f;
    return nullptr;
}

const Field* Record::find(const std::string& key) const {
    for (const auto& f : fields)
        if (f.key == key) return &f;
    return nullptr;
}

Field& Record::at(const std::string& key) {
    if (Field* f = find(key)) return *f;
    throw Error("formscan.record.unknown_field", "record has no field '" + key + "'");
}

const Field& Record::at(const std::string& key) const {
    if (const Field* f = find(key)) return *f;
    throw Error("formscan.record.unknown_field", "record has no field '" + key + "'");
}

FieldStatus Record::status() const {
    FieldStatus worst = FieldStatus::ok;
    for (const auto& f : fields) {
        if (f.status == FieldStatus::invalid) return FieldStatus::invalid;
        if (f.status == FieldStatus::review) worst = FieldStatus::review;
    }
    return worst;
}

Record make_empty_record(const FormTemplate& form, const Page& page, int row) {
    Record record;
    record.source = page.source;
    record.page = page.index;
    record.template_id = form.id;
    record.row = row;
    record.page_skew_deg = page.skew_deg;
    record.page_orientation_deg = page.orientation_deg;
    for (const auto& spec : form.fields) {
        Field f;
        f.key = spec.key;
        switch (spec.type) {
            case FieldType::signature:
            case FieldType::check: f.value = false; break;
            case FieldType::multi_choice: f.value = std::vector<std::string>(); break;
            default: f.value = std::string(); break;
        }
        record.fields.push_back(std::move(f));
    }
    return record;
}

}  // namespace formscan
