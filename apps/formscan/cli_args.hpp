#pragma once
// A small command-line reader shared by the formscan commands: options with values
// ("--out FILE", "--out=FILE", "-D key=value"), flags, and positional arguments.
#include <map>
#include <set>
#include <string>
#include <vector>

namespace formscan::cli {

class Args {
public:
    // `with_value`: options that take a value; `flags`: options that do not. Anything
    // else starting with '-' is an error (formscan.cli.unknown_option).
    Args(const std::vector<std::string>& argv, const std::set<std::string>& with_value, const std::set<std::string>& flags);

    bool has(const std::string& option) const { return values_.count(option) > 0; }
    std::string get(const std::string& option, const std::string& fallback = "") const;
    std::vector<std::string> all(const std::string& option) const;  // repeated options
    int get_int(const std::string& option, int fallback, int min, int max) const;
    const std::vector<std::string>& positional() const { return positional_; }

private:
    std::multimap<std::string, std::string> values_;
    std::vector<std::string> positional_;
};

std::vector<std::string> split(const std::string& text, char separator);

}  // namespace formscan::cli
