#pragma once
// Parameter schemas of stages, and validated values. Defaults come from the schema;
// a config file and -D stage.key=value override them; all is validated at start-up.
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace formscan {

enum class ParamType { integer, number, boolean, string };
const char* to_string(ParamType type);

struct ParamSpec {
    std::string key;
    ParamType type = ParamType::string;
    std::string default_value;
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    std::string description;
    std::vector<std::string> choices;  // for strings: allowed values, empty = any
};

class ParamValues {
public:
    // Validates overrides against the schema: unknown keys, unparsable values and
    // values out of range throw formscan::Error naming owner.key.
    static ParamValues resolve(const std::string& owner, const std::vector<ParamSpec>& schema,
                               const std::map<std::string, std::string>& overrides);

    long long get_int(const std::string& key) const;
    double get_double(const std::string& key) const;
    bool get_bool(const std::string& key) const;
    const std::string& get_string(const std::string& key) const;
    const std::map<std::string, std::string>& all() const { return values_; }

private:
    std::string owner_;
    std::map<std::string, std::string> values_;
};

}  // namespace formscan
