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
    // Where each character of the value was in the reading; and how many characters at
    // the value's start (the district) and end (the legal form) the pattern accounts for.
    // The rest, the trade name, is only as sure as it was read.
    std::vector<std::size_t> source;
    std::size_t checked_front = 0, checked_back = 0;
};

inline EmployerFix normalise_employer(const std::string& text) {
    using Chars = std::vector<std::string>;
    EmployerFix fix;
    const Chars in = utf8_chars(text);
    Chars c;
    std::vector<std::size_t>& from = fix.source;
    auto drop = [&](std::size_t i) {
        c.erase(c.begin() + static_cast<long>(i));
        from.erase(from.begin() + static_cast<long>(i));
        ++fix.edits;
    };
    // Rules and specks read as punctuation, anywhere; stray Latin marks at either end.
    static const std::set<std::string> junk = {",", ".", "|", "}", "{", ":", ";", "'", "\"", "`", "_", "~", "!", "，", "、", "：", "。", "*"};
    for (std::size_t i = 0; i < in.size(); ++i)
        if (junk.count(in[i])) ++fix.edits;
        else c.push_back(in[i]), from.push_back(i);
    auto ascii = [](const std::string& ch) { return ch.size() == 1; };
    while (!c.empty() && ascii(c.front())) drop(0);
    while (!c.empty() && ascii(c.back())) drop(c.size() - 1);
    // 虞 as Tesseract misreads it on scans (seen on cell crops of all six CJK fonts).
    static const std::set<std::string> yu_misread = {"庭", "虎", "康", "度", "庾", "虑", "廖", "应", "成", "贬", "疙", "痒", "咤",
                                                     "写", "魔", "赔", "廉", "庆", "瘦", "赉", "媒", "虐", "庚", "虔", "赖", "属",
                                                     "瞳", "庞", "查", "盛", "雇", "鹰", "爱", "虚", "鸣", "善", "妮"};
    // "绍兴市上虞" / "上虞" at the start: 上 followed by a misread 虞. After 绍兴市 the
    // district's name is all that can follow 上 but 上浦 (a township).
    std::size_t at = 0;
    if (c.size() > 5 && edit_distance(Chars(c.begin(), c.begin() + 3), {"绍", "兴", "市"}) <= 1) {
        fix.edits += edit_distance(Chars(c.begin(), c.begin() + 3), {"绍", "兴", "市"});
        c[0] = "绍", c[1] = "兴", c[2] = "市";
        at = 3;
    }
    if (c.size() > at + 3 && (c[at] == "上" || c[at] == "土") &&
        (c[at + 1] == "虞" || yu_misread.count(c[at + 1]) || (at == 3 && is_han(c[at + 1]) && c[at + 1] != "浦"))) {
        fix.edits += (c[at] != "上") + (c[at + 1] != "虞");
        c[at] = "上", c[at + 1] = "虞";
        fix.checked_front = at + 2;
    }
    // The legal form at the end: 有限公司 one character off; 厂 read as a like shape, or
    // with a stroke of the rule before it ("电器1厂").
    static const std::vector<Chars> endings = {{"有", "限", "公", "司"}, {"股", "份", "有", "限", "公", "司"}};
    for (const auto& ending : endings) {
        if (c.size() <= ending.size() + 2) continue;
        Chars tail(c.end() - static_cast<long>(ending.size()), c.end());
        std::size_t d = edit_distance(tail, ending);
        if (d <= 1) {
            std::copy(ending.begin(), ending.end(), c.end() - static_cast<long>(ending.size()));
            fix.edits += d;
            fix.checked_back = ending.size();
        }
        if (d == 1) break;
    }
    static const std::set<std::string> factory_like = {"厂", "广", "儿", "厅", "几"};
    if (fix.checked_back == 0 && c.size() > 4 && factory_like.count(c.back())) {
        fix.edits += c.back() != "厂";
        c.back() = "厂";
        if (c[c.size() - 2] == "1" || c[c.size() - 2] == "l") drop(c.size() - 2);
        fix.checked_back = 1;
    }
    for (const auto& ch : c) fix.value += ch;
    return fix;
}

}  // namespace formscan
