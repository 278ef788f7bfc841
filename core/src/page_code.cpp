#include "formscan/page_code.hpp"

#include <sstream>

namespace formscan {

namespace {

constexpr const char* kMagic = "FS1";

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, separator)) parts.push_back(part);
    return parts;
}

}  // namespace

std::string to_text(const PageCode& code) {
    std::string keys;
    for (const auto& k : code.row_keys) keys += (keys.empty() ? "" : ",") + k;
    return std::string(kMagic) + ";t=" + code.template_id + ";v=" + std::to_string(code.template_version) + ";b=" + code.batch +
           ";p=" + std::to_string(code.page) + ";k=" + keys;
}

std::optional<PageCode> parse_page_code(const std::string& text) {
    auto parts = split(text, ';');
    if (parts.empty() || parts[0] != kMagic) return std::nullopt;
    PageCode code;
    try {
        for (std::size_t i = 1; i < parts.size(); ++i) {
            const auto eq = parts[i].find('=');
            if (eq == std::string::npos) return std::nullopt;
            const std::string key = parts[i].substr(0, eq), value = parts[i].substr(eq + 1);
            if (key == "t") code.template_id = value;
            else if (key == "v") code.template_version = std::stoi(value);
            else if (key == "b") code.batch = value;
            else if (key == "p") code.page = std::stoi(value);
            else if (key == "k") code.row_keys = value.empty() ? std::vector<std::string>{} : split(value, ',');
        }
    } catch (const std::exception&) {
        return std::nullopt;
    }
    if (code.template_id.empty() || code.page <= 0) return std::nullopt;
    return code;
}

}  // namespace formscan
