#pragma once
// Employer names of the district as printed from its databases: an optional
// "绍兴市" and the district's name "上虞" (区), a trade name, and a legal form ending
// (有限公司, 厂 ...). OCR misreads the dense 虞 and the ending, and picks up table
// rules as punctuation; those parts are corrected, the trade name is kept as read.
#include "formscan/text_utils.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

namespace formscan {

struct EmployerFix {
    std::string value;
    std::size_t edits = 0;  // characters corrected or removed
};

inline EmployerFix normalise_employer(const std::string& text) {
    using Chars = std::vector<std::string>;
    EmployerFix fix;
    Chars in = utf8_chars(text), c;
    // Rules and specks read as punctuation, anywhere; stray Latin marks at either end.
    static const std::set<std::string> junk = {",", ".", "|", "}", "{", ":", ";", "'", "\"", "`", "_", "~", "!", "，", "、", "：", "。", "*"};
    for (const auto& ch : in)
        if (junk.count(ch)) ++fix.edits;
        else c.push_back(ch);
    auto ascii = [](const std::string& ch) { return ch.size() == 1; };
    while (!c.empty() && ascii(c.front())) c.erase(c.begin()), ++fix.edits;
    while (!c.empty() && ascii(c.back())) c.pop_back(), ++fix.edits;
    // 虞 as Tesseract misreads it on scans (seen on cell crops of all six CJK fonts).
    static const std::set<std::string> yu_misread = {"庭", "虎", "康", "度", "庾", "虑", "廖", "应", "成", "贬", "疙", "痒",
                                                     "咤", "写", "魔", "赔", "廉", "庆", "瘦", "赉", "媒", "虐", "庚", "虔"};
    // "绍兴市上虞" / "上虞" at the start: 上 followed by a misread 虞.
    std::size_t at = 0;
    if (c.size() > 5 && edit_distance(Chars(c.begin(), c.begin() + 3), {"绍", "兴", "市"}) <= 1) {
        fix.edits += edit_distance(Chars(c.begin(), c.begin() + 3), {"绍", "兴", "市"});
        c[0] = "绍", c[1] = "兴", c[2] = "市";
        at = 3;
    }
    if (c.size() > at + 3 && (c[at] == "上" || c[at] == "土") && (c[at + 1] == "虞" || yu_misread.count(c[at + 1]))) {
        fix.edits += (c[at] != "上") + (c[at + 1] != "虞");
        c[at] = "上", c[at + 1] = "虞";
    }
    // The legal form at the end.
    static const std::vector<Chars> endings = {{"有", "限", "公", "司"}, {"股", "份", "有", "限", "公", "司"}};
    for (const auto& ending : endings) {
        if (c.size() <= ending.size() + 2) continue;
        Chars tail(c.end() - static_cast<long>(ending.size()), c.end());
        std::size_t d = edit_distance(tail, ending);
        if (d == 1) {
            std::copy(ending.begin(), ending.end(), c.end() - static_cast<long>(ending.size()));
            fix.edits += d;
            break;
        }
    }
    for (const auto& ch : c) fix.value += ch;
    return fix;
}

}  // namespace formscan
