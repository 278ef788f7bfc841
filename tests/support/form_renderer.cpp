#include "form_renderer.hpp"

#include <qrencode.h>

#include "formscan/error.hpp"
#include "formscan/page_code.hpp"
#include "formscan/stage.hpp"
#include "handwriting.hpp"
#include "people.hpp"
#include "printing.hpp"
#include "random_utils.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace formscan::synth {

namespace {

void set_truth(Record& record, const std::string& key, FieldValue value, const std::string& cls) {
    Field& f = record.at(key);
    f.value = std::move(value);
    f.reader = cls;
    f.confidence = 1;
    f.status = FieldStatus::ok;
}

Record empty_truth(const FormTemplate& form, int row) {
    Page page;
    Record r = make_empty_record(form, page, row);
    for (auto& f : r.fields) {
        const FieldSpec& spec = form.field(f.key);
        bool mark = spec.type == FieldType::signature || spec.type == FieldType::check || spec.type == FieldType::tick_or_code;
        f.reader = mark ? "mark" : "empty";
        f.status = FieldStatus::ok;
        f.confidence = 1;
    }
    return r;
}

std::string printed_date(const std::string& iso, std::mt19937& rng) {
    int y = std::stoi(iso.substr(0, 4)), m = std::stoi(iso.substr(5, 2)), d = std::stoi(iso.substr(8, 2));
    char buf[32];
    switch (randint(0, 3, rng)) {
        case 0: return iso;
        case 1: std::snprintf(buf, sizeof buf, "%04d%02d%02d", y, m, d); return buf;
        case 2: std::snprintf(buf, sizeof buf, "%04d.%d.%d", y, m, d); return buf;
        default: std::snprintf(buf, sizeof buf, "%04d.%02d.%02d", y, m, d); return buf;
    }
}

std::string hand_date(const std::string& iso, std::mt19937& rng) {
    int y = std::stoi(iso.substr(0, 4)), m = std::stoi(iso.substr(5, 2)), d = std::stoi(iso.substr(8, 2));
    char buf[32];
    switch (randint(0, 2, rng)) {
        case 0: std::snprintf(buf, sizeof buf, "%04d.%d.%d", y, m, d); return buf;
        case 1: std::snprintf(buf, sizeof buf, "%04d%02d%02d", y, m, d); return buf;
        default: std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d); return buf;
    }
}

// Header texts as different print runs break them.
std::string header_variant(const std::string& header, std::mt19937& rng) {
    static const std::map<std::string, std::vector<std::string>> variants = {
        {"姓名", {"姓名", "姓 名", "姓  名"}},
        {"手机(联系电话)", {"手机(联系电话)", "手机\n(联系\n电话)", "手机\n(联系电话)"}},
        {"常住所在地地址", {"常住所在地地址", "常住所在地\n地址", "常住\n所在地\n地址"}},
        {"公民身份证号码", {"公民身份证号码", "公民身份证\n号码"}},
        {"备注", {"备注", "备 注", "备\n注"}},
        {"签名", {"签名", "签 名", "签\n名"}},
        {"户口所在地", {"户口所在地", "户口\n所在地"}},
        {"养老保险", {"养老保险", "养老\n保险"}},
        {"医疗保险", {"医疗保险", "医疗\n保险"}},
        {"工伤保险", {"工伤保险", "工伤\n保险"}},
        {"生育保险", {"生育保险", "生育\n保险"}},
        {"失业保险", {"失业保险", "失业\n保险"}},
    };
    auto it = variants.find(header);
    return it == variants.end() ? header : pick(it->second, rng);
}

struct Style {
    std::string font;
    double text_mm;   // printed data text height
    double line_mm;   // ruling line width
    Hand surveyor;    // who filled in the page by hand
};

void line(cairo_t* cr, double x0, double y0, double x1, double y1) {
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x1, y1);
    cairo_stroke(cr);
}

// ---------------------------------------------------------------- 核对表 (附件2)

// The surveyor's part of a printed row: what the list did not know, written in by hand,
// and a printed code or number the list had wrong struck through, the new one below it.
void fill_printed_row(cairo_t* cr, const SynthData& data, const RenderOptions& opt, const Person& answer,
                      const Person& listed, const std::function<cv::Rect2d(const std::string&)>& cell_of,
                      const Hand& surveyor, Record& rec, std::mt19937& rng) {
    auto write = [&](const std::string& key, const std::string& value, const cv::Rect2d& box) {
        if (value == "√") draw_tick(cr, box, surveyor, rng);
        else if (value.find_first_not_of("0123456789") == std::string::npos) draw_digits(cr, data.digits, opt.digits, value, box, surveyor, rng);
        else draw_hanzi(cr, data.hanzi, value, box, surveyor, rng);
        set_truth(rec, key, value, value == "√" ? "mark" : "handwritten");
    };
    auto answer_field = [&](const std::string& key, const std::string& printed, const std::string& value) {
        if (value.empty() || value == printed) return;
        const cv::Rect2d box = cell_of(key);
        if (printed.empty()) return write(key, value, box);
        cairo_set_source_rgb(cr, surveyor.ink, surveyor.ink, surveyor.ink);
        cairo_set_line_width(cr, uni(0.25, 0.45, rng));
        const double y = box.y + box.height * uni(0.4, 0.6, rng);
        line(cr, box.x + uni(0, 2, rng), y + uni(-0.6, 0.6, rng), box.x + box.width - uni(0, 2, rng), y + uni(-0.6, 0.6, rng));
        write(key, value, {box.x, box.y + box.height * 0.45, box.width, box.height * 0.55});
        rec.at(key).reader = "corrected";
    };
    static const char* insurance_keys[5] = {"pension", "medical", "injury", "maternity", "unemployment"};
    if (answer.residence_address.empty()) write("residence_address", "√", cell_of("residence_address"));
    else write("residence_address", answer.residence_address, cell_of("residence_address"));
    answer_field("phone", listed.phone, answer.phone);
    if (listed.employer_name.empty()) answer_field("employer_name", "", answer.employer_name);
    answer_field("employer_type", listed.employer_type, answer.employer_type);
    answer_field("personal_status", listed.personal_status, answer.personal_status);
    for (int i = 0; i < 5; ++i) answer_field(insurance_keys[i], listed.insurance[i], answer.insurance[i]);
    if (!answer.remark.empty()) write("remarks", answer.remark, cell_of("remarks"));
    if (chance(0.85, rng)) {
        draw_signature(cr, data.hanzi, answer.name, cell_of("signed"), Hand::random(rng), rng);
        set_truth(rec, "signed", true, "mark");
    }
}

PageTruth draw_hedui(cairo_t* cr, const FormTemplate& form, const SynthData& data, const RenderOptions& opt,
                     std::mt19937& rng) {
    const double W = form.page_width_mm, H = form.page_height_mm;
    Style style{pick(opt.fonts, rng), uni(2.4, 3.4, rng), uni(0.18, 0.45, rng), Hand::random(rng)};
    const bool printing = opt.people != nullptr;
    const bool filling = printing && opt.answers != nullptr;
    // What the surveyor writes on a printed page draws from its own seed (the layout from `rng`).
    std::mt19937 fill_rng(opt.fill_seed);
    std::mt19937& hand_rng = printing ? fill_rng : rng;
    const double hand = printing ? 0.0 : opt.handwriting;
    double ml = uni(8, 18, rng), mr = uni(8, 18, rng), mt = uni(6, 13, rng), mb = uni(6, 12, rng);
    if (printing) ml = 12, mr = 12, mt = 24, mb = 12;  // room for the page code and corner marks

    // Title and page header
    double title_mm = uni(4.5, 6.5, rng);
    print_text(cr, form.title, style.font, title_mm, {ml, mt, W - ml - mr, title_mm * 1.5}, Align::centre, false, chance(0.5, rng));
    double header_y = mt + title_mm * 1.6 + uni(1, 4, rng);
    double header_h = uni(7, 10, rng);
    double table_top = header_y + header_h + uni(0.8, 2.5, rng);

    std::string township = printing ? (opt.people->empty() ? "" : opt.people->front().township) : pick(form.vocabulary("townships"), rng);
    std::string village = printing ? (opt.people->empty() ? "" : opt.people->front().village) : random_village(rng);
    PageTruth truth;
    truth.width_mm = W;
    truth.height_mm = H;
    Record header = empty_truth(form, 0);
    {
        double label_mm = uni(3.2, 4.2, rng);
        double x = ml + uni(0, 4, rng);
        auto label = [&](const std::string& text) {
            double w = measure_text(cr, text, style.font, label_mm);
            print_text(cr, text, style.font, label_mm, {x, header_y, w + 0.5, header_h}, Align::left, false);
            x += w + 0.5;
        };
        auto value_box = [&](double width) {
            cv::Rect2d box(x, header_y, width, header_h);
            if (chance(0.5, rng)) line(cr, x, header_y + header_h - 1, x + width, header_y + header_h - 1);
            x += width;
            return box;
        };
        cv::Rect2d tbox = value_box(uni(24, 34, rng));
        print_text(cr, township, style.font, label_mm, tbox, Align::centre, false);
        set_truth(header, "township", township, "printed");
        label("乡镇(街道)");
        x += uni(4, 14, rng);
        cv::Rect2d vbox = value_box(uni(18, 28, rng));
        if (printing && village.empty()) {
            if (filling && !opt.answers->empty() && !opt.answers->front().village.empty()) {
                draw_hanzi(cr, data.hanzi, opt.answers->front().village, vbox, style.surveyor, fill_rng);
                set_truth(header, "village", opt.answers->front().village, "handwritten");
            }
        } else if (chance(0.7 + 0.3 * (1 - hand), rng)) {
            print_text(cr, village, style.font, label_mm, vbox, Align::centre, false);
            set_truth(header, "village", village, "printed");
        } else {
            draw_hanzi(cr, data.hanzi, village, vbox, style.surveyor, rng);
            set_truth(header, "village", village, "handwritten");
        }
        label("村(社区)");
        x += uni(6, 30, rng);
        label("填表人签名:");
        cv::Rect2d sbox = value_box(uni(22, 34, rng));
        if ((!printing || filling) && chance(0.9, hand_rng)) {
            draw_signature(cr, data.hanzi, random_name(hand_rng), sbox, style.surveyor, hand_rng);
            set_truth(header, "filler_signed", true, "mark");
        }
        x += uni(6, 20, rng);
        label("填报日期:");
        cv::Rect2d dbox = value_box(std::min(uni(28, 36, rng), W - mr - x));
        char iso[32];
        std::snprintf(iso, sizeof iso, "2015-%02d-%02d", randint(1, 6, rng), randint(1, 28, rng));
        if (printing) {
            if (filling) {  // the surveyor writes the date
                std::snprintf(iso, sizeof iso, "2015-%02d-%02d", randint(1, 6, fill_rng), randint(1, 28, fill_rng));
                draw_digits(cr, data.digits, opt.digits, hand_date(iso, fill_rng), dbox, style.surveyor, fill_rng);
                set_truth(header, "fill_date", std::string(iso), "handwritten");
            }
        } else if (chance(0.7 * hand, rng)) {
            draw_digits(cr, data.digits, opt.digits, hand_date(iso, rng), dbox, style.surveyor, rng);
            set_truth(header, "fill_date", std::string(iso), "handwritten");
        } else {
            print_text(cr, printed_date(iso, rng), style.font, label_mm, dbox, Align::left, false);
            set_truth(header, "fill_date", std::string(iso), "printed");
        }
    }

    // Table geometry
    const auto& columns = form.columns;
    const int ncol = static_cast<int>(columns.size());
    double table_w = W - ml - mr;
    std::vector<double> widths;
    for (const auto& c : columns) widths.push_back(c.width_weight * uni(0.82, 1.22, rng));
    double sum = 0;
    for (double w : widths) sum += w;
    std::vector<double> xs = {ml};
    for (double w : widths) xs.push_back(xs.back() + w / sum * table_w);

    double hA = uni(6, 10, rng), hB = uni(6, 10, rng), hN = uni(4, 6, rng);
    double yA = table_top, yB = yA + hA, yN = yB + hB, yD = yN + hN;
    int rows = printing ? std::max({1, opt.min_rows, static_cast<int>(opt.people->size())}) : randint(opt.min_rows, opt.max_rows, rng);
    double avail = H - mb - yD;
    double row_h = std::min(uni(6.5, 12, rng), avail / rows);
    if (row_h < 6) {
        rows = std::max(1, static_cast<int>(avail / 6));
        row_h = avail / rows;
    }
    double bottom = yD + rows * row_h;

    // Ruling lines
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, style.line_mm);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
    for (double y : {yA, yN, yD}) line(cr, xs.front(), y, xs.back(), y);
    for (int r = 1; r <= rows; ++r) line(cr, xs.front(), yD + r * row_h, xs.back(), yD + r * row_h);
    for (int c = 0; c < ncol;) {  // under each merged group header
        int e = c;
        while (e + 1 < ncol && !columns[c].group.empty() && columns[e + 1].group == columns[c].group) ++e;
        if (!columns[c].group.empty()) line(cr, xs[c], yB, xs[e + 1], yB);
        c = e + 1;
    }
    for (int i = 0; i <= ncol; ++i) {
        bool inside_group = i > 0 && i < ncol && !columns[i].group.empty() && columns[i].group == columns[i - 1].group;
        bool shared_number = i > 0 && i < ncol && columns[i].number == columns[i - 1].number;
        if (!inside_group) {
            line(cr, xs[i], yA, xs[i], bottom);
        } else if (shared_number) {
            line(cr, xs[i], yB, xs[i], yN);
            line(cr, xs[i], yD, xs[i], bottom);
        } else {
            line(cr, xs[i], yB, xs[i], bottom);
        }
    }

    // Header texts
    double head_mm = uni(2.6, 3.6, rng);
    for (int c = 0; c < ncol;) {
        int e = c;
        while (e + 1 < ncol && !columns[c].group.empty() && columns[e + 1].group == columns[c].group) ++e;
        if (!columns[c].group.empty())
            print_text(cr, columns[c].group, style.font, head_mm, {xs[c] + 0.5, yA, xs[e + 1] - xs[c] - 1, hA}, Align::centre, true);
        c = e + 1;
    }
    for (int c = 0; c < ncol; ++c) {
        bool grouped = !columns[c].group.empty();
        cv::Rect2d box(xs[c] + 0.4, grouped ? yB : yA, xs[c + 1] - xs[c] - 0.8, grouped ? hB : hA + hB);
        print_text(cr, header_variant(columns[c].header, rng), style.font, head_mm, box, Align::centre, true);
    }
    for (int c = 0; c < ncol;) {
        int e = c;
        while (e + 1 < ncol && columns[e + 1].number == columns[c].number) ++e;
        print_text(cr, std::to_string(columns[c].number), style.font, std::min(head_mm, hN * 0.7),
                   {xs[c], yN, xs[e + 1] - xs[c], hN}, Align::centre, false);
        c = e + 1;
    }

    // Data rows
    int filled = rows;
    if (printing) filled = static_cast<int>(opt.people->size());
    else if (rows > 1 && chance(0.3, rng)) filled = std::max(1, rows - randint(1, std::min(3, rows - 1), rng));
    auto cell = [&](int r, int c) {
        return cv::Rect2d(xs[c] + 0.6, yD + r * row_h + 0.5, xs[c + 1] - xs[c] - 1.2, row_h - 1.0);
    };
    auto col_of = [&](const std::string& key) {
        for (int c = 0; c < ncol; ++c)
            if (columns[c].field == key) return c;
        throw Error("formscan.synth.template", "no column for " + key);
    };
    const char* insurance_keys[5] = {"pension", "medical", "injury", "maternity", "unemployment"};
    for (int r = 0; r < filled; ++r) {
        Person p = printing ? (*opt.people)[static_cast<std::size_t>(r)] : random_person(form, township, village, rng);
        Record rec = header;
        rec.row = r + 1;
        auto printed = [&](const std::string& key, const std::string& text, const std::string& truth_value, bool wrap = false) {
            print_text(cr, text, style.font, style.text_mm, cell(r, col_of(key)), Align::centre, wrap);
            set_truth(rec, key, truth_value, "printed");
        };
        auto hand_digits = [&](const std::string& key, const std::string& text, const std::string& truth_value) {
            draw_digits(cr, data.digits, opt.digits, text, cell(r, col_of(key)), style.surveyor, rng);
            set_truth(rec, key, truth_value, "handwritten");
        };
        auto hand_tick = [&](const std::string& key) {
            draw_tick(cr, cell(r, col_of(key)), style.surveyor, rng);
            set_truth(rec, key, std::string("√"), "mark");
        };
        auto printed_tick = [&](const std::string& key) {
            print_text(cr, "√", style.font, style.text_mm * 1.2, cell(r, col_of(key)), Align::centre, false);
            set_truth(rec, key, std::string("√"), "mark");
        };

        std::string seq = std::to_string(r + 1);
        if (printing) {
            // What the databases know, printed; the surveyor fills in the rest.
            printed("seq", seq, seq);
            for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
                     {"name", p.name}, {"sex", p.sex}, {"id_number", p.id_number}, {"ethnicity", p.ethnicity},
                     {"hukou_address", p.hukou_address}, {"phone", p.phone}, {"employer_name", p.employer_name},
                     {"employer_type", p.employer_type}, {"personal_status", p.personal_status}}) {
                if (!value.empty()) printed(key, value, value, key == "hukou_address" || key == "employer_name");
            }
            if (!p.birth_date.empty()) printed("birth_date", p.birth_date, p.birth_date, true);
            for (int i = 0; i < 5; ++i)
                if (!p.insurance[i].empty()) printed(insurance_keys[i], p.insurance[i], p.insurance[i]);
            if (filling && static_cast<std::size_t>(r) < opt.answers->size())
                fill_printed_row(cr, data, opt, (*opt.answers)[static_cast<std::size_t>(r)], p,
                                 [&](const std::string& key) { return cell(r, col_of(key)); }, style.surveyor, rec, fill_rng);
            truth.records.push_back(std::move(rec));
            continue;
        }
        if (chance(0.7, rng)) printed("seq", seq, seq);
        else hand_digits("seq", seq, seq);
        printed("name", p.name, p.name);
        printed("sex", p.sex, p.sex);
        printed("id_number", p.id_number, p.id_number);
        printed("birth_date", printed_date(p.birth_date, rng), p.birth_date, true);
        std::string eth_print = (p.ethnicity == "汉族" && chance(0.3, rng)) ? "汉" : p.ethnicity;
        printed("ethnicity", eth_print, p.ethnicity);
        printed("hukou_address", p.hukou_address, p.hukou_address, true);
        if (p.residence_address.empty()) {
            if (chance(0.6, rng)) printed_tick("residence_address");
            else hand_tick("residence_address");
        } else if (chance(0.7, rng)) {
            printed("residence_address", p.residence_address, p.residence_address, true);
        } else {
            draw_hanzi(cr, data.hanzi, p.residence_address, cell(r, col_of("residence_address")), style.surveyor, rng);
            set_truth(rec, "residence_address", p.residence_address, "handwritten");
        }
        double phone_roll = uni(0, 1, rng);
        if (phone_roll < 0.5 * hand) hand_digits("phone", p.phone, p.phone);
        else if (phone_roll < 0.95) printed("phone", p.phone, p.phone);
        bool code_employer = p.employer_name.size() <= 2;
        if (!p.employer_name.empty()) {
            if (code_employer && chance(0.7 * hand, rng)) hand_digits("employer_name", p.employer_name, p.employer_name);
            else printed("employer_name", p.employer_name, p.employer_name, true);
        }
        if (!p.employer_type.empty()) {
            if (chance(0.4 * hand, rng)) hand_digits("employer_type", p.employer_type, p.employer_type);
            else printed("employer_type", p.employer_type, p.employer_type);
        }
        if (chance(0.5 * hand, rng)) hand_digits("personal_status", p.personal_status, p.personal_status);
        else printed("personal_status", p.personal_status, p.personal_status);
        for (int i = 0; i < 5; ++i) {
            const std::string& v = p.insurance[i];
            if (v.empty()) continue;
            if (v == "√") {
                if (chance(0.6, rng)) printed_tick(insurance_keys[i]);
                else hand_tick(insurance_keys[i]);
            } else if (chance(0.8 * hand, rng)) {
                hand_digits(insurance_keys[i], v, v);
            } else {
                printed(insurance_keys[i], v, v);
            }
        }
        if (!p.remark.empty() || chance(0.15 * hand, rng)) {
            std::string remark = !p.remark.empty() ? p.remark
                                                   : pick(std::vector<std::string>{"外出务工", "已迁出", "在外地", "长期外出", "联系不上", "户在人不在"}, rng);
            draw_hanzi(cr, data.hanzi, remark, cell(r, col_of("remarks")), style.surveyor, rng);
            set_truth(rec, "remarks", remark, "handwritten");
        }
        if (chance(0.85, rng)) {
            draw_signature(cr, data.hanzi, p.name, cell(r, col_of("signed")), Hand::random(rng), rng);
            set_truth(rec, "signed", true, "mark");
        }
        truth.records.push_back(std::move(rec));
    }
    return truth;
}

}  // namespace

void draw_page_marks(cairo_t* cr, double width_mm, double height_mm, const std::string& code) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    // Corner marks: a filled square in each corner, 5 mm in from the paper's edges.
    const double mark = kCornerMarkMm, inset = kCornerMarkInsetMm;
    for (double x : {inset, width_mm - inset - mark})
        for (double y : {inset, height_mm - inset - mark}) cairo_rectangle(cr, x, y, mark, mark);
    cairo_fill(cr);
    QRcode* qr = QRcode_encodeString(code.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) throw Error("formscan.print.qr", "the page code is too long for a QR code");
    // 22 mm square beside the top-left mark, with its quiet zone: a module of 0.5 mm or
    // more, 3 pixels and more at 150 dpi, which 1-bit scans of 18 mm codes did not keep.
    const double size = 22, module = size / qr->width, x0 = inset + mark + 4, y0 = inset;
    for (int y = 0; y < qr->width; ++y)
        for (int x = 0; x < qr->width; ++x)
            if (qr->data[y * qr->width + x] & 1) cairo_rectangle(cr, x0 + x * module, y0 + y * module, module, module);
    cairo_fill(cr);
    QRcode_free(qr);
}

PageTruth draw_form(cairo_t* cr, const FormTemplate& form, const SynthData& data, const RenderOptions& options,
                    std::mt19937& rng) {
    if (form.id == "zj-hedui" || form.id == "zj-dengji") {
        PageTruth truth = form.id == "zj-hedui" ? draw_hedui(cr, form, data, options, rng) : draw_dengji(cr, form, data, options, rng);
        if (!options.page_code.empty()) draw_page_marks(cr, form.page_width_mm, form.page_height_mm, options.page_code);
        return truth;
    }
    throw Error("formscan.synth.template", "the synthesiser cannot draw template " + form.id);
}

cv::Mat render_page(double width_mm, double height_mm, double dpi, const std::function<void(cairo_t*)>& draw) {
    const double px_per_mm = dpi / 25.4;
    int w = static_cast<int>(std::lround(width_mm * px_per_mm));
    int h = static_cast<int>(std::lround(height_mm * px_per_mm));
    cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t* cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, px_per_mm, px_per_mm);
    try {
        draw(cr);
    } catch (...) {
        cairo_destroy(cr);
        cairo_surface_destroy(surface);
        throw;
    }
    cairo_destroy(cr);
    cairo_surface_flush(surface);
    cv::Mat bgra(h, w, CV_8UC4, cairo_image_surface_get_data(surface), cairo_image_surface_get_stride(surface));
    cv::Mat gray;
    cv::cvtColor(bgra, gray, cv::COLOR_BGRA2GRAY);
    cairo_surface_destroy(surface);
    return gray;
}

cv::Mat render_form(const FormTemplate& form, const SynthData& data, const RenderOptions& options, double dpi,
                    std::mt19937& rng, PageTruth& truth) {
    return render_page(form.page_width_mm, form.page_height_mm, dpi,
                       [&](cairo_t* cr) { truth = draw_form(cr, form, data, options, rng); });
}

}  // namespace formscan::synth
