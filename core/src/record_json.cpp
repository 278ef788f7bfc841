#include "formscan/record_json.hpp"

#include <algorithm>
#include <map>

#include "formscan/error.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <cmath>
#include <sstream>

namespace formscan {

namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using Poco::Dynamic::Var;

Var value_to_var(const FieldValue& value) {
    if (auto s = std::get_if<std::string>(&value)) return *s;
    if (auto b = std::get_if<bool>(&value)) return *b;
    Array::Ptr list = new Array;
    for (const auto& item : std::get<std::vector<std::string>>(value)) list->add(item);
    return list;
}

FieldValue var_to_value(const Var& v) {
    if (v.isBoolean()) return v.extract<bool>();
    if (v.type() == typeid(Array::Ptr)) {
        std::vector<std::string> items;
        auto arr = v.extract<Array::Ptr>();
        for (std::size_t i = 0; i < arr->size(); ++i) items.push_back(arr->get(static_cast<unsigned>(i)).toString());
        return items;
    }
    if (v.isEmpty()) return std::string();
    return v.toString();
}

double round_to(double v, double step) { return std::round(v / step) * step; }

}  // namespace

std::string value_to_string(const FieldValue& value) {
    if (auto s = std::get_if<std::string>(&value)) return *s;
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(value_to_var(value), out, 0, -1, Poco::JSON_PRESERVE_KEY_ORDER);
    return out.str();
}

Object::Ptr record_to_json(const Record& record) {
    Object::Ptr obj = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    obj->set("source", record.source);
    obj->set("page", record.page);
    obj->set("template", record.template_id);
    obj->set("row", record.row);
    obj->set("page_skew_deg", round_to(record.page_skew_deg, 0.0001));
    obj->set("page_orientation_deg", record.page_orientation_deg);
    obj->set("status", std::string(to_string(record.status())));
    if (!record.batch.empty()) {
        obj->set("batch", record.batch);
        obj->set("batch_page", record.batch_page);
        if (!record.person_key.empty()) obj->set("person_key", record.person_key);
    }
    if (!record.page_issues.empty()) {
        Array::Ptr issues = new Array;
        for (const auto& issue : record.page_issues) issues->add(issue);
        obj->set("page_issues", issues);
    }
    Object::Ptr fields = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& f : record.fields) {
        Object::Ptr field = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
        field->set("value", value_to_var(f.value));
        field->set("confidence", round_to(f.confidence, 0.001));
        field->set("status", std::string(to_string(f.status)));
        if (!f.errors.empty()) {
            Array::Ptr errors = new Array;
            for (const auto& e : f.errors) {
                Object::Ptr err = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
                err->set("rule", e.rule);
                err->set("message", e.message);
                errors->add(err);
            }
            field->set("errors", errors);
        }
        if (!f.alternatives.empty()) {
            Array::Ptr alts = new Array;
            for (const auto& a : f.alternatives) {
                Object::Ptr alt = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
                alt->set("value", a.value);
                alt->set("score", round_to(a.score, 0.001));
                alts->add(alt);
            }
            field->set("alternatives", alts);
        }
        if (f.box.area() > 0) {
            Array::Ptr box = new Array;
            for (int v : {f.box.x, f.box.y, f.box.width, f.box.height}) box->add(v);
            field->set("box", box);
        }
        if (!f.reader.empty()) field->set("reader", f.reader);
        fields->set(f.key, field);
    }
    obj->set("fields", fields);
    return obj;
}

std::string record_to_json_line(const Record& record) {
    std::ostringstream out;
    // Stringifier escapes non-ASCII as \uXXXX unless told not to; the contract wants UTF-8.
    Poco::JSON::Stringifier::condense(record_to_json(record), out, Poco::JSON_PRESERVE_KEY_ORDER);
    return out.str();
}

Record record_from_json_line(const std::string& line) {
    Var root;
    try {
        root = Poco::JSON::Parser().parse(line);
    } catch (const Poco::Exception& e) {
        throw Error("formscan.record.syntax", "not a JSON record: " + e.displayText());
    }
    if (root.type() != typeid(Object::Ptr)) throw Error("formscan.record.syntax", "a record must be a JSON object");
    auto obj = root.extract<Object::Ptr>();
    Record r;
    r.source = obj->optValue<std::string>("source", "");
    r.page = obj->optValue<int>("page", 0);
    r.template_id = obj->optValue<std::string>("template", "");
    r.row = obj->optValue<int>("row", 0);
    r.batch = obj->optValue<std::string>("batch", "");
    r.batch_page = obj->optValue<int>("batch_page", 0);
    r.person_key = obj->optValue<std::string>("person_key", "");
    r.page_skew_deg = obj->optValue<double>("page_skew_deg", 0.0);
    r.page_orientation_deg = obj->optValue<int>("page_orientation_deg", 0);
    if (auto issues = obj->getArray("page_issues"))
        for (std::size_t i = 0; i < issues->size(); ++i) r.page_issues.push_back(issues->getElement<std::string>(static_cast<unsigned>(i)));
    if (auto fields = obj->getObject("fields")) {
        std::vector<std::string> keys;
        fields->getNames(keys);
        for (const auto& key : keys) {
            auto fo = fields->getObject(key);
            if (!fo) continue;
            Field f;
            f.key = key;
            f.value = var_to_value(fo->get("value"));
            f.confidence = fo->optValue<double>("confidence", 0.0);
            std::string status = fo->optValue<std::string>("status", "review");
            f.status = status == "ok" ? FieldStatus::ok : status == "invalid" ? FieldStatus::invalid : FieldStatus::review;
            // Records name the stage that read a field in "reader"; ground-truth files name
            // each field's class ("printed", ...) in "class": both land in reader.
            f.reader = fo->has("class") ? fo->getValue<std::string>("class") : fo->optValue<std::string>("reader", "");
            if (auto errors = fo->getArray("errors"))
                for (std::size_t i = 0; i < errors->size(); ++i)
                    if (auto e = errors->getObject(static_cast<unsigned>(i)))
                        f.errors.push_back({e->optValue<std::string>("rule", ""), e->optValue<std::string>("message", "")});
            if (auto alts = fo->getArray("alternatives"))
                for (std::size_t i = 0; i < alts->size(); ++i)
                    if (auto a = alts->getObject(static_cast<unsigned>(i)))
                        f.alternatives.push_back({a->optValue<std::string>("value", ""), a->optValue<double>("score", 0.0)});
            if (auto box = fo->getArray("box"); box && box->size() == 4)
                f.box = cv::Rect(box->getElement<int>(0), box->getElement<int>(1), box->getElement<int>(2), box->getElement<int>(3));
            r.fields.push_back(std::move(f));
        }
    }
    return r;
}

void put_fields_in_template_order(Record& record, const FormTemplate& form) {
    std::map<std::string, std::size_t> rank;
    for (std::size_t i = 0; i < form.fields.size(); ++i) rank[form.fields[i].key] = i;
    std::stable_sort(record.fields.begin(), record.fields.end(), [&](const Field& a, const Field& b) {
        auto ra = rank.find(a.key), rb = rank.find(b.key);
        return (ra == rank.end() ? rank.size() : ra->second) < (rb == rank.end() ? rank.size() : rb->second);
    });
}

}  // namespace formscan
