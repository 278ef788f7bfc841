#include "formscan/form_template.hpp"
#include "formscan/text_utils.hpp"

#include "formscan/error.hpp"

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace formscan {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using Poco::Dynamic::Var;

constexpr int kSchemaVersion = 1;

enum class JsonKind { string, integer, number, boolean, array, object };

const char* kind_name(JsonKind kind) {
    switch (kind) {
        case JsonKind::string: return "a string";
        case JsonKind::integer: return "a whole number";
        case JsonKind::number: return "a number";
        case JsonKind::boolean: return "true or false";
        case JsonKind::array: return "a list";
        case JsonKind::object: return "an object";
    }
    return "?";
}

std::string describe(const Var& v) {
    if (v.isEmpty()) return "null";
    if (v.type() == typeid(Object::Ptr)) return "an object";
    if (v.type() == typeid(Array::Ptr)) return "a list";
    if (v.isString()) return "the string \"" + v.toString() + "\"";
    if (v.isBoolean()) return "a boolean";
    return "the number " + v.toString();
}

bool has_kind(const Var& v, JsonKind kind) {
    switch (kind) {
        case JsonKind::string: return v.isString();
        case JsonKind::integer: return v.isInteger() && !v.isBoolean();
        case JsonKind::number: return v.isNumeric() && !v.isBoolean();
        case JsonKind::boolean: return v.isBoolean();
        case JsonKind::array: return v.type() == typeid(Array::Ptr);
        case JsonKind::object: return v.type() == typeid(Object::Ptr);
    }
    return false;
}

struct KeyRule {
    std::string key;
    JsonKind kind;
    bool required;
};

// Reads one JSON object against its rules, reporting the first problem with the file
// name and the JSON path, e.g. "templates/x.json: fields[3]: unknown key "typ"".
class Checker {
public:
    explicit Checker(std::string file) : file_(std::move(file)) {}

    [[noreturn]] void fail(const std::string& code, const std::string& path, const std::string& what) const {
        throw Error("formscan.template." + code, file_ + ": " + (path.empty() ? "top level" : path) + ": " + what);
    }

    void check_keys(const Object::Ptr& obj, const std::string& path, const std::vector<KeyRule>& rules) const {
        std::vector<std::string> names;
        obj->getNames(names);
        for (const auto& name : names) {
            auto it = std::find_if(rules.begin(), rules.end(), [&](const KeyRule& r) { return r.key == name; });
            if (it == rules.end()) {
                std::string allowed;
                for (const auto& r : rules) allowed += (allowed.empty() ? "" : ", ") + r.key;
                fail("unknown_key", path, "unknown key \"" + name + "\" (allowed: " + allowed + ")");
            }
            Var v = obj->get(name);
            if (!has_kind(v, it->kind))
                fail("wrong_type", join(path, name), std::string("expected ") + kind_name(it->kind) + ", found " + describe(v));
        }
        for (const auto& r : rules)
            if (r.required && !obj->has(r.key)) fail("missing_key", path, "\"" + r.key + "\" is required");
    }

    static std::string join(const std::string& path, const std::string& key) {
        return path.empty() ? key : path + "." + key;
    }
    static std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

    std::string string_item(const Array::Ptr& arr, std::size_t i, const std::string& path) const {
        Var v = arr->get(static_cast<unsigned>(i));
        if (!v.isString()) fail("wrong_type", index(path, i), "expected a string, found " + describe(v));
        return v.toString();
    }

private:
    std::string file_;
};

std::string get_string(const Object::Ptr& obj, const std::string& key, const std::string& fallback = "") {
    return obj->has(key) ? obj->getValue<std::string>(key) : fallback;
}

const std::vector<std::pair<std::string, FieldType>>& field_type_names() {
    static const std::vector<std::pair<std::string, FieldType>> names = {
        {"text", FieldType::text},           {"digits", FieldType::digits},
        {"date", FieldType::date},           {"sex", FieldType::sex},
        {"ethnicity", FieldType::ethnicity}, {"id_number", FieldType::id_number},
        {"code", FieldType::code},           {"tick_or_code", FieldType::tick_or_code},
        {"tick_or_text", FieldType::tick_or_text}, {"text_or_code", FieldType::text_or_code},
        {"signature", FieldType::signature}, {"check", FieldType::check},
        {"single_choice", FieldType::single_choice}, {"multi_choice", FieldType::multi_choice},
    };
    return names;
}

FieldSpec parse_field(const Checker& c, const Object::Ptr& obj, const std::string& path) {
    c.check_keys(obj, path,
                 {{"key", JsonKind::string, true},        {"label", JsonKind::string, true},
                  {"type", JsonKind::string, true},       {"placement", JsonKind::string, true},
                  {"code_list", JsonKind::string, false}, {"vocabulary", JsonKind::string, false},
                  {"alphabet", JsonKind::string, false},  {"options", JsonKind::array, false},
                  {"value_side", JsonKind::string, false}, {"max_length", JsonKind::integer, false},
                  {"earliest_date", JsonKind::string, false}, {"likely_from", JsonKind::string, false},
                  {"likely_until", JsonKind::string, false},
                  {"script", JsonKind::string, false},
                  {"prefixes", JsonKind::array, false},
                  {"first_character", JsonKind::string, false},
                  {"words", JsonKind::string, false},
                  {"note", JsonKind::string, false}});
    FieldSpec f;
    f.key = get_string(obj, "key");
    f.label = get_string(obj, "label");
    std::string type = get_string(obj, "type");
    auto& names = field_type_names();
    auto it = std::find_if(names.begin(), names.end(), [&](auto& p) { return p.first == type; });
    if (it == names.end()) {
        std::string allowed;
        for (auto& p : names) allowed += (allowed.empty() ? "" : ", ") + p.first;
        c.fail("bad_value", Checker::join(path, "type"), "unknown field type \"" + type + "\" (allowed: " + allowed + ")");
    }
    f.type = it->second;
    std::string placement = get_string(obj, "placement");
    if (placement == "header") f.placement = Placement::header;
    else if (placement == "column") f.placement = Placement::column;
    else if (placement == "sheet") f.placement = Placement::sheet;
    else c.fail("bad_value", Checker::join(path, "placement"), "expected header, column or sheet, found \"" + placement + "\"");
    f.code_list = get_string(obj, "code_list");
    f.vocabulary = get_string(obj, "vocabulary");
    f.alphabet = get_string(obj, "alphabet");
    f.first_character = get_string(obj, "first_character");
    f.words = get_string(obj, "words");
    f.script = get_string(obj, "script");
    if (!f.script.empty() && f.script != "han")
        c.fail("bad_value", Checker::join(path, "script"), "expected han, found \"" + f.script + "\"");
    f.value_side = get_string(obj, "value_side");
    if (!f.value_side.empty() && f.value_side != "before" && f.value_side != "after")
        c.fail("bad_value", Checker::join(path, "value_side"), "expected before or after, found \"" + f.value_side + "\"");
    if (obj->has("max_length")) f.max_length = obj->getValue<int>("max_length");
    for (auto [name, value] : {std::pair{"earliest_date", &f.earliest_date}, std::pair{"likely_from", &f.likely_from},
                               std::pair{"likely_until", &f.likely_until}}) {
        *value = get_string(obj, name);
        if (!value->empty() && normalise_date(*value) != *value)
            c.fail("bad_value", Checker::join(path, name), "expected a real date as YYYY-MM-DD, found \"" + *value + "\"");
    }
    if (obj->has("prefixes")) {
        auto arr = obj->getArray("prefixes");
        for (std::size_t i = 0; i < arr->size(); ++i) f.prefixes.push_back(c.string_item(arr, i, Checker::join(path, "prefixes")));
    }
    if (obj->has("options")) {
        auto arr = obj->getArray("options");
        for (std::size_t i = 0; i < arr->size(); ++i)
            f.options.push_back(c.string_item(arr, i, Checker::join(path, "options")));
    }
    bool is_choice = f.type == FieldType::single_choice || f.type == FieldType::multi_choice;
    if (is_choice && f.options.empty())
        c.fail("missing_key", path, "a " + type + " field needs \"options\" (the printed labels)");
    return f;
}

}  // namespace

const char* to_string(FieldType type) {
    for (auto& [name, t] : field_type_names())
        if (t == type) return name.c_str();
    return "?";
}

const FieldSpec* FormTemplate::find_field(const std::string& key) const {
    for (const auto& f : fields)
        if (f.key == key) return &f;
    return nullptr;
}

const FieldSpec& FormTemplate::field(const std::string& key) const {
    if (auto f = find_field(key)) return *f;
    throw Error("formscan.template.unknown_field", "template " + id + " has no field '" + key + "'");
}

const std::vector<CodeEntry>& FormTemplate::codes(const std::string& list) const {
    auto it = code_lists.find(list);
    if (it == code_lists.end())
        throw Error("formscan.template.unknown_code_list", "template " + id + " has no code list '" + list + "'");
    return it->second;
}

const std::vector<std::string>& FormTemplate::vocabulary(const std::string& name) const {
    auto it = vocabularies.find(name);
    if (it == vocabularies.end())
        throw Error("formscan.template.unknown_vocabulary", "template " + id + " has no vocabulary '" + name + "'");
    return it->second;
}

FormTemplate parse_template(const std::string& json_text, const std::string& file_name) {
    Checker c(file_name);
    Var root;
    try {
        Poco::JSON::Parser parser;
        root = parser.parse(json_text);
    } catch (const Poco::Exception& e) {
        throw Error("formscan.template.syntax", file_name + ": not valid JSON: " + e.displayText());
    }
    if (root.type() != typeid(Object::Ptr)) c.fail("wrong_type", "", "expected an object, found " + describe(root));
    auto obj = root.extract<Object::Ptr>();
    c.check_keys(obj, "",
                 {{"schema_version", JsonKind::integer, true}, {"id", JsonKind::string, true},
                  {"title", JsonKind::string, true},           {"kind", JsonKind::string, true},
                  {"page", JsonKind::object, true},            {"pipeline", JsonKind::array, true},
                  {"fields", JsonKind::array, true},           {"columns", JsonKind::array, false},
                  {"code_lists", JsonKind::object, false},     {"vocabularies", JsonKind::object, false},
                  {"description", JsonKind::string, false}});

    FormTemplate t;
    t.source_file = file_name;
    t.schema_version = obj->getValue<int>("schema_version");
    if (t.schema_version != kSchemaVersion)
        c.fail("bad_value", "schema_version", "this formscan reads schema_version " + std::to_string(kSchemaVersion) +
                                                  ", found " + std::to_string(t.schema_version));
    t.id = get_string(obj, "id");
    t.title = get_string(obj, "title");
    t.kind = get_string(obj, "kind");
    if (t.kind != "table" && t.kind != "sheet") c.fail("bad_value", "kind", "expected table or sheet, found \"" + t.kind + "\"");

    auto page = obj->getObject("page");
    c.check_keys(page, "page", {{"width_mm", JsonKind::number, true}, {"height_mm", JsonKind::number, true}});
    t.page_width_mm = page->getValue<double>("width_mm");
    t.page_height_mm = page->getValue<double>("height_mm");
    if (t.page_width_mm <= 0 || t.page_height_mm <= 0) c.fail("bad_value", "page", "sizes must be positive");

    auto pipeline = obj->getArray("pipeline");
    for (std::size_t i = 0; i < pipeline->size(); ++i) t.default_pipeline.push_back(c.string_item(pipeline, i, "pipeline"));

    if (obj->has("code_lists")) {
        auto lists = obj->getObject("code_lists");
        std::vector<std::string> names;
        lists->getNames(names);
        for (const auto& name : names) {
            std::string path = "code_lists." + name;
            Var v = lists->get(name);
            if (!has_kind(v, JsonKind::array)) c.fail("wrong_type", path, "expected a list, found " + describe(v));
            auto arr = v.extract<Array::Ptr>();
            std::set<std::string> seen;
            for (std::size_t i = 0; i < arr->size(); ++i) {
                Var item = arr->get(static_cast<unsigned>(i));
                if (!has_kind(item, JsonKind::object)) c.fail("wrong_type", Checker::index(path, i), "expected an object, found " + describe(item));
                auto entry = item.extract<Object::Ptr>();
                c.check_keys(entry, Checker::index(path, i), {{"code", JsonKind::string, true}, {"label", JsonKind::string, true}});
                CodeEntry e{get_string(entry, "code"), get_string(entry, "label")};
                if (!seen.insert(e.code).second) c.fail("bad_value", Checker::index(path, i), "code \"" + e.code + "\" appears twice");
                t.code_lists[name].push_back(e);
            }
        }
    }
    if (obj->has("vocabularies")) {
        auto vocabs = obj->getObject("vocabularies");
        std::vector<std::string> names;
        vocabs->getNames(names);
        for (const auto& name : names) {
            std::string path = "vocabularies." + name;
            Var v = vocabs->get(name);
            if (!has_kind(v, JsonKind::array)) c.fail("wrong_type", path, "expected a list, found " + describe(v));
            auto arr = v.extract<Array::Ptr>();
            for (std::size_t i = 0; i < arr->size(); ++i) t.vocabularies[name].push_back(c.string_item(arr, i, path));
        }
    }

    auto fields = obj->getArray("fields");
    std::set<std::string> keys;
    for (std::size_t i = 0; i < fields->size(); ++i) {
        std::string path = Checker::index("fields", i);
        Var item = fields->get(static_cast<unsigned>(i));
        if (!has_kind(item, JsonKind::object)) c.fail("wrong_type", path, "expected an object, found " + describe(item));
        FieldSpec f = parse_field(c, item.extract<Object::Ptr>(), path);
        if (!keys.insert(f.key).second) c.fail("bad_value", path, "field key \"" + f.key + "\" appears twice");
        if (!f.code_list.empty() && !t.code_lists.count(f.code_list))
            c.fail("bad_value", Checker::join(path, "code_list"), "no code list named \"" + f.code_list + "\"");
        if (!f.vocabulary.empty() && !t.vocabularies.count(f.vocabulary))
            c.fail("bad_value", Checker::join(path, "vocabulary"), "no vocabulary named \"" + f.vocabulary + "\"");
        if (!f.first_character.empty() && !t.vocabularies.count(f.first_character))
            c.fail("bad_value", Checker::join(path, "first_character"), "no vocabulary named \"" + f.first_character + "\"");
        if (!f.words.empty() && !t.vocabularies.count(f.words))
            c.fail("bad_value", Checker::join(path, "words"), "no vocabulary named \"" + f.words + "\"");
        for (const auto& prefix : f.prefixes)
            if (!t.vocabularies.count(prefix))
                c.fail("bad_value", Checker::join(path, "prefixes"), "no vocabulary named \"" + prefix + "\"");
        if (f.placement == Placement::column && t.kind != "table")
            c.fail("bad_value", Checker::join(path, "placement"), "column fields belong to table forms");
        t.fields.push_back(std::move(f));
    }
    if (t.fields.empty()) c.fail("missing_key", "fields", "a template needs at least one field");

    if (obj->has("columns")) {
        auto columns = obj->getArray("columns");
        for (std::size_t i = 0; i < columns->size(); ++i) {
            std::string path = Checker::index("columns", i);
            Var item = columns->get(static_cast<unsigned>(i));
            if (!has_kind(item, JsonKind::object)) c.fail("wrong_type", path, "expected an object, found " + describe(item));
            auto col = item.extract<Object::Ptr>();
            c.check_keys(col, path,
                         {{"field", JsonKind::string, true}, {"header", JsonKind::string, true},
                          {"group", JsonKind::string, false}, {"number", JsonKind::integer, true},
                          {"width", JsonKind::number, false}});
            ColumnSpec spec;
            spec.field = get_string(col, "field");
            spec.header = get_string(col, "header");
            spec.group = get_string(col, "group");
            spec.number = col->getValue<int>("number");
            if (col->has("width")) spec.width_weight = col->getValue<double>("width");
            if (!keys.count(spec.field)) c.fail("unknown_field", Checker::join(path, "field"), "no field with key \"" + spec.field + "\"");
            if (t.find_field(spec.field)->placement != Placement::column)
                c.fail("bad_value", Checker::join(path, "field"), "field \"" + spec.field + "\" is not placed in a column");
            t.columns.push_back(spec);
        }
    }
    if (t.is_table()) {
        for (std::size_t i = 0; i < t.fields.size(); ++i) {
            const auto& f = t.fields[i];
            if (f.placement != Placement::column) continue;
            bool placed = std::any_of(t.columns.begin(), t.columns.end(), [&](const ColumnSpec& col) { return col.field == f.key; });
            if (!placed) c.fail("missing_key", Checker::index("fields", i), "column field \"" + f.key + "\" has no entry in \"columns\"");
        }
        if (t.columns.empty()) c.fail("missing_key", "", "a table template needs \"columns\"");
    }
    return t;
}

FormTemplate load_template_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("formscan.template.unreadable", path + ": cannot open the file");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_template(text.str(), path);
}

std::map<std::string, FormTemplate> load_templates(const std::string& folder) {
    namespace fs = std::filesystem;
    if (!fs::is_directory(folder)) throw Error("formscan.template.no_folder", folder + ": not a folder of templates");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    std::map<std::string, FormTemplate> out;
    for (const auto& file : files) {
        FormTemplate t = load_template_file(file.string());
        std::string id = t.id;
        if (!out.emplace(id, std::move(t)).second)
            throw Error("formscan.template.duplicate_id", file.string() + ": template id \"" + id + "\" is used twice");
    }
    return out;
}

}  // namespace formscan
