#include "formscan/params.hpp"

#include "formscan/error.hpp"

#include <Poco/NumberFormatter.h>
#include <Poco/NumberParser.h>

#include <algorithm>

namespace formscan {

namespace {

bool parse_bool(const std::string& text, bool& out) {
    if (text == "true" || text == "1" || text == "yes" || text == "on") return out = true, true;
    if (text == "false" || text == "0" || text == "no" || text == "off") return out = false, true;
    return false;
}

void validate(const std::string& owner, const ParamSpec& spec, const std::string& value) {
    const std::string name = owner + "." + spec.key;
    auto bad = [&](const std::string& why) {
        throw Error("formscan.param.bad_value", name + " = \"" + value + "\": " + why);
    };
    double number = 0;
    switch (spec.type) {
        case ParamType::integer: {
            Poco::Int64 i = 0;
            if (!Poco::NumberParser::tryParse64(value, i)) bad("expected a whole number");
            number = static_cast<double>(i);
            break;
        }
        case ParamType::number:
            if (!Poco::NumberParser::tryParseFloat(value, number)) bad("expected a number");
            break;
        case ParamType::boolean: {
            bool b;
            if (!parse_bool(value, b)) bad("expected true or false");
            return;
        }
        case ParamType::string:
            if (!spec.choices.empty() && std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end()) {
                std::string allowed;
                for (const auto& c : spec.choices) allowed += (allowed.empty() ? "" : ", ") + c;
                bad("expected one of " + allowed);
            }
            return;
    }
    if (number < spec.min || number > spec.max)
        bad("out of range [" + Poco::NumberFormatter::format(spec.min) + ", " + Poco::NumberFormatter::format(spec.max) + "]");
}

}  // namespace

const char* to_string(ParamType type) {
    switch (type) {
        case ParamType::integer: return "int";
        case ParamType::number: return "number";
        case ParamType::boolean: return "bool";
        case ParamType::string: return "string";
    }
    return "?";
}

ParamValues ParamValues::resolve(const std::string& owner, const std::vector<ParamSpec>& schema,
                                 const std::map<std::string, std::string>& overrides) {
    ParamValues out;
    out.owner_ = owner;
    for (const auto& spec : schema) {
        validate(owner, spec, spec.default_value);  // a bad default is a programmer error, caught early
        out.values_[spec.key] = spec.default_value;
    }
    for (const auto& override_pair : overrides) {
        const std::string& key = override_pair.first;
        const std::string& value = override_pair.second;
        auto it = std::find_if(schema.begin(), schema.end(), [&](const ParamSpec& s) { return s.key == key; });
        if (it == schema.end()) {
            std::string known;
            for (const auto& s : schema) known += (known.empty() ? "" : ", ") + s.key;
            throw Error("formscan.param.unknown", owner + " has no parameter \"" + key + "\" (known: " +
                                                      (known.empty() ? "none" : known) + ")");
        }
        validate(owner, *it, value);
        out.values_[key] = value;
    }
    return out;
}

const std::string& ParamValues::get_string(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) throw Error("formscan.param.unknown", owner_ + " asked for undeclared parameter \"" + key + "\"");
    return it->second;
}

long long ParamValues::get_int(const std::string& key) const { return Poco::NumberParser::parse64(get_string(key)); }
double ParamValues::get_double(const std::string& key) const { return Poco::NumberParser::parseFloat(get_string(key)); }
bool ParamValues::get_bool(const std::string& key) const {
    bool b = false;
    parse_bool(get_string(key), b);
    return b;
}

}  // namespace formscan
