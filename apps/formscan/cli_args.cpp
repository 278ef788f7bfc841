#include "cli_args.hpp"

#include "formscan/error.hpp"

#include <Poco/NumberParser.h>

namespace formscan::cli {

Args::Args(const std::vector<std::string>& argv, const std::set<std::string>& with_value, const std::set<std::string>& flags) {
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a == "-" || a.empty() || a[0] != '-') {
            positional_.push_back(a);
            continue;
        }
        if (a == "--") {
            positional_.insert(positional_.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
            break;
        }
        std::string name = a, value;
        bool inline_value = false;
        if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
            inline_value = true;
        } else if (a.rfind("-D", 0) == 0 && a.size() > 2) {
            name = "-D";
            value = a.substr(2);
            inline_value = true;
        }
        if (with_value.count(name)) {
            if (!inline_value) {
                if (i + 1 >= argv.size()) throw Error("formscan.cli.missing_value", name + " needs a value");
                value = argv[++i];
            }
            values_.emplace(name, value);
        } else if (flags.count(name) && !inline_value) {
            values_.emplace(name, "true");
        } else {
            throw Error("formscan.cli.unknown_option", "unknown option " + a + " (see formscan --help)");
        }
    }
}

std::string Args::get(const std::string& option, const std::string& fallback) const {
    auto range = values_.equal_range(option);
    return range.first == range.second ? fallback : std::prev(range.second)->second;
}

std::vector<std::string> Args::all(const std::string& option) const {
    std::vector<std::string> out;
    auto range = values_.equal_range(option);
    for (auto it = range.first; it != range.second; ++it) out.push_back(it->second);
    return out;
}

int Args::get_int(const std::string& option, int fallback, int min, int max) const {
    if (!has(option)) return fallback;
    int v = 0;
    if (!Poco::NumberParser::tryParse(get(option), v) || v < min || v > max)
        throw Error("formscan.cli.bad_value", option + " " + get(option) + ": expected a whole number from " +
                                                  std::to_string(min) + " to " + std::to_string(max));
    return v;
}

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : text) {
        if (c == separator) {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

}  // namespace formscan::cli
