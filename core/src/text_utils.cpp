#include "formscan/text_utils.hpp"

#include "formscan/id_number.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <ctime>
#include <limits>
#include <regex>
#include <cstdio>

namespace formscan {

std::vector<std::string> utf8_chars(std::string_view text) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
        len = std::min(len, text.size() - i);
        out.emplace_back(text.substr(i, len));
        i += len;
    }
    return out;
}

bool is_han(std::string_view c) {
    return c.size() == 3 && static_cast<unsigned char>(c[0]) >= 0xE4 && static_cast<unsigned char>(c[0]) <= 0xE9;
}

std::string remove_spaces(std::string_view text) {
    std::string out;
    for (const auto& ch : utf8_chars(text))
        if (ch != " " && ch != "\t" && ch != "\n" && ch != "\r" && ch != "\u3000") out += ch;
    return out;
}

std::string keep_only(std::string_view text, std::string_view allowed) {
    std::string out;
    for (char c : text)
        if (allowed.find(c) != std::string_view::npos) out += c;
    return out;
}

std::size_t edit_distance(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

// Aligns all of `pattern` with a prefix of `text`: the least edits, and how many
// characters of the text that prefix takes (of equally good prefixes, the one nearest the
// pattern's length: three misread characters are replaced, not kept after it).
std::pair<std::size_t, std::size_t> align_prefix(const std::vector<std::string>& pattern, const std::vector<std::string>& text) {
    const std::size_t m = pattern.size(), n = text.size();
    std::vector<std::vector<std::size_t>> d(m + 1, std::vector<std::size_t>(n + 1));
    for (std::size_t j = 0; j <= n; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= m; ++i) {
        d[i][0] = i;
        for (std::size_t j = 1; j <= n; ++j)
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (pattern[i - 1] == text[j - 1] ? 0 : 1)});
    }
    std::size_t best = std::numeric_limits<std::size_t>::max(), used = 0;
    auto off = [m](std::size_t j) { return j > m ? j - m : m - j; };
    for (std::size_t j = 0; j <= n; ++j)
        if (d[m][j] < best || (d[m][j] == best && off(j) < off(used))) best = d[m][j], used = j;
    return {best, used};
}

std::optional<VocabularyMatch> nearest(std::string_view text, const std::vector<std::string>& vocabulary) {
    std::optional<VocabularyMatch> best;
    auto chars = utf8_chars(text);
    for (const auto& entry : vocabulary) {
        std::size_t d = edit_distance(chars, utf8_chars(entry));
        if (!best || d < best->distance) best = VocabularyMatch{entry, d, 1};
        else if (d == best->distance) ++best->ties;
    }
    return best;
}

std::optional<std::string> normalise_date(std::string_view text) {
    // Split into runs of digits; separators of any kind (., -, /, 年, 月, line breaks).
    std::vector<std::string> runs;
    std::string cur;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            cur += c;
        } else if (!cur.empty()) {
            runs.push_back(cur);
            cur.clear();
        }
    }
    if (!cur.empty()) runs.push_back(cur);
    int y = 0, m = 0, d = 0;
    if (runs.size() == 1 && runs[0].size() == 8) {
        y = std::stoi(runs[0].substr(0, 4));
        m = std::stoi(runs[0].substr(4, 2));
        d = std::stoi(runs[0].substr(6, 2));
    } else if (runs.size() == 3 && runs[0].size() == 4 && runs[1].size() <= 2 && runs[2].size() <= 2) {
        y = std::stoi(runs[0]);
        m = std::stoi(runs[1]);
        d = std::stoi(runs[2]);
    } else if (runs.size() == 2 && runs[0].size() == 4 && runs[1].size() == 4) {
        // "1985 0307": a line break inside the date
        y = std::stoi(runs[0]);
        m = std::stoi(runs[1].substr(0, 2));
        d = std::stoi(runs[1].substr(2, 2));
    } else {
        return std::nullopt;
    }
    if (!is_real_date(y, m, d)) return std::nullopt;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return std::string(buf);
}

std::optional<std::string> date_from_digits(std::string_view digits) {
    if (digits.size() < 6 || digits.size() > 8) return std::nullopt;
    for (char c : digits)
        if (c < '0' || c > '9') return std::nullopt;
    const int year = std::stoi(std::string(digits.substr(0, 4)));
    if (year < 1900 || year > 2099) return std::nullopt;
    std::optional<std::string> found;
    int ways = 0;
    const std::string_view rest = digits.substr(4);
    for (std::size_t m = 1; m <= 2 && m < rest.size(); ++m) {
        std::size_t d = rest.size() - m;
        if (d < 1 || d > 2) continue;
        if (rest[0] == '0' && m == 1) continue;  // "0" is no month
        if (rest[m] == '0' && d == 1) continue;  // nor day
        int month = std::stoi(std::string(rest.substr(0, m))), day = std::stoi(std::string(rest.substr(m)));
        if (!is_real_date(year, month, day)) continue;
        char buf[32];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
        if (!found || *found != buf) ++ways;
        found = std::string(buf);
    }
    return ways == 1 ? found : std::nullopt;
}

std::string today() {
    std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &local);
    return buf;
}

bool is_cn_mobile(std::string_view digits) {
    static const std::regex mobile("1740[0-5][0-9]{6}|1(?:[38][0-9]|4[57]|[59][0-35-9]|6[25-7]|7[0-35-8])[0-9]{8}");
    return std::regex_match(digits.begin(), digits.end(), mobile);
}

bool is_shaoxing_landline(std::string_view digits) {
    if (digits.size() == 12 && digits.substr(0, 4) == "0575") digits.remove_prefix(4);
    return digits.size() == 8 && digits[0] >= '2' && digits[0] <= '9' &&
           std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string sha256_hex(std::string_view bytes) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(bytes.data(), static_cast<unsigned>(bytes.size()));
    return Poco::DigestEngine::digestToHex(sha.digest());
}

bool equal_constant_time(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace formscan
