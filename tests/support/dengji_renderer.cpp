// The 登记表 (附件3): one person per sheet, long flowing groups of check boxes.
#include "formscan/error.hpp"
#include "formscan/stage.hpp"
#include "form_renderer.hpp"
#include "handwriting.hpp"
#include "people.hpp"
#include "printing.hpp"
#include "random_utils.hpp"

#include <algorithm>
#include <cstdio>

namespace formscan::synth {

namespace {

void stroke_line(cairo_t* cr, double x0, double y0, double x1, double y1, double width) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, width);
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x1, y1);
    cairo_stroke(cr);
}

// Lays printed items left to right, wrapping at the right edge like a word processor.
class Flow {
public:
    Flow(cairo_t* cr, std::string font, double size, double x0, double x1, double y, double line_h, std::mt19937& rng)
        : cr_(cr), font_(std::move(font)), size_(size), x0_(x0), x1_(x1), x_(x0), y_(y), line_h_(line_h), rng_(rng) {}

    void text(const std::string& t) {
        double w = measure_text(cr_, t, font_, size_);
        if (x_ + w > x1_) newline();
        print_text(cr_, t, font_, size_, {x_, y_, w + 0.3, line_h_}, Align::left, false);
        x_ += w + uni(0.3, 1.2, rng_);
    }
    // A check box with its label; returns the box.
    cv::Rect2d box(const std::string& label) {
        double b = size_ * 0.85;
        double w = b + 0.6 + measure_text(cr_, label, font_, size_);
        if (x_ + w > x1_) newline();
        cv::Rect2d r(x_, y_ + (line_h_ - b) / 2, b, b);
        cairo_set_source_rgb(cr_, 0, 0, 0);
        cairo_set_line_width(cr_, 0.22);
        cairo_rectangle(cr_, r.x, r.y, r.width, r.height);
        cairo_stroke(cr_);
        x_ += b + 0.6;
        print_text(cr_, label, font_, size_, {x_, y_, w - b, line_h_}, Align::left, false);
        x_ += w - b - 0.6 + uni(1.0, 3.0, rng_);
        return r;
    }
    // A blank to write on (underlined); returns where the writing goes.
    cv::Rect2d blank(double width) {
        if (x_ + width > x1_) newline();
        width = std::min(width, x1_ - x_);
        cv::Rect2d r(x_, y_ - line_h_ * 0.1, width, line_h_ * 1.05);
        stroke_line(cr_, x_, y_ + line_h_ * 0.9, x_ + width, y_ + line_h_ * 0.9, 0.18);
        x_ += width + uni(0.5, 1.5, rng_);
        return r;
    }
    void newline() {
        x_ = x0_;
        y_ += line_h_;
    }
    void maybe_newline(double p) {
        if (chance(p, rng_) && x_ > x0_) newline();
    }
    double bottom() const { return y_ + line_h_; }

private:
    cairo_t* cr_;
    std::string font_;
    double size_, x0_, x1_, x_, y_, line_h_;
    std::mt19937& rng_;
};

}  // namespace

PageTruth draw_dengji(cairo_t* cr, const FormTemplate& form, const SynthData& data, const RenderOptions& opt,
                      std::mt19937& rng) {
    const double W = form.page_width_mm, H = form.page_height_mm;
    const std::string font = pick(opt.fonts, rng);
    const Hand hand = Hand::random(rng);
    // Printing (formscan print): the listed person's known values printed, nothing ticked or signed.
    const bool printing = opt.people != nullptr;
    const double handwriting = printing ? 0.0 : opt.handwriting;
    // Filling in a printed sheet: the surveyor writes everything by hand, drawing from the
    // filling's own seed (the layout from `rng`).
    std::mt19937 fill_rng(opt.fill_seed);
    std::mt19937& hand_rng = printing ? fill_rng : rng;
    bool by_hand = false;
    double ml = uni(12, 20, rng), mr = uni(12, 20, rng), mt = uni(10, 18, rng);
    if (printing) ml = 16, mr = 16, mt = 27;  // room for the page code and corner marks
    double size = uni(2.9, 3.5, rng);
    double lw = uni(0.2, 0.45, rng);

    PageTruth truth;
    truth.width_mm = W;
    truth.height_mm = H;
    Page blank_page;
    Record rec = make_empty_record(form, blank_page, 0);
    for (auto& f : rec.fields) {
        auto t = form.field(f.key).type;
        bool mark = t == FieldType::signature || t == FieldType::check || t == FieldType::single_choice ||
                    t == FieldType::multi_choice;
        f.reader = mark ? "mark" : "empty";
        f.status = FieldStatus::ok;
        f.confidence = 1;
    }
    auto set = [&](const std::string& key, FieldValue v, const std::string& cls) {
        Field& f = rec.at(key);
        f.value = std::move(v);
        f.reader = cls;
    };
    // Writes a text value printed or by hand (digits with MNIST, Chinese with medians).
    auto write = [&](const std::string& key, const std::string& value, const cv::Rect2d& box, bool digits,
                     double hand_share) {
        if (value.empty()) return;
        bool has_ascii_digit = value.find_first_of("0123456789") != std::string::npos;
        if ((by_hand || chance(hand_share * handwriting, hand_rng)) && (digits || !has_ascii_digit)) {
            if (digits) draw_digits(cr, data.digits, opt.digits, value, box, hand, hand_rng);
            else draw_hanzi(cr, data.hanzi, value, box, hand, hand_rng);
            set(key, value, "handwritten");
        } else {
            print_text(cr, value, font, size, box, Align::centre, false);
            set(key, value, "printed");
        }
    };

    double title_mm = uni(6, 8, rng);
    print_text(cr, form.title, font, title_mm, {ml, mt, W - ml - mr, title_mm * 1.5}, Align::centre, false, chance(0.6, rng));
    double y = mt + title_mm * 1.7 + uni(1, 4, rng);

    Person p = printing ? (opt.people->empty() ? Person{} : opt.people->front())
                        : random_person(form, pick(form.vocabulary("townships"), rng), random_village(rng), rng);
    {
        // 市 县(市、区) 乡镇街道 村(社区): values before their labels
        Flow head(cr, font, size, ml, W - mr, y, size * 2.2, rng);
        std::vector<std::pair<std::string, std::string>> parts = {
            {"city", "绍兴"}, {"county", "上虞区"}, {"township", p.township}, {"village", p.village}};
        std::vector<std::string> labels = {"市", "县(市、区)", "乡镇街道", "村(社区)"};
        for (std::size_t i = 0; i < parts.size(); ++i) {
            cv::Rect2d box = head.blank(uni(18, 28, rng));
            write(parts[i].first, parts[i].second, box, false, 0.4);
            head.text(labels[i]);
        }
        y = head.bottom() + uni(1, 3, rng);
    }

    double x0 = ml, x1 = W - mr, tw = x1 - x0;
    double row_h = uni(9, 12, rng);
    double photo_w = uni(25, 32, rng);
    double label_w = uni(22, 30, rng);
    double xs[8] = {x0, x0 + label_w * 0.6, x0 + tw * 0.33, x0 + tw * 0.33 + label_w * 0.6, x0 + tw * 0.55,
                    x0 + tw * 0.55 + label_w * 0.6, x1 - photo_w, x1};
    double top = y;
    auto cell = [&](double a, double b, int row) { return cv::Rect2d(a + 0.6, top + row * row_h + 0.5, b - a - 1.2, row_h - 1.0); };
    // Row 1: 姓名 性别 民族 照片
    print_text(cr, "姓名", font, size, cell(xs[0], xs[1], 0), Align::centre, true);
    write("name", p.name, cell(xs[1], xs[2], 0), false, 0.5);
    print_text(cr, "性别", font, size, cell(xs[2], xs[3], 0), Align::centre, true);
    write("sex", p.sex, cell(xs[3], xs[4], 0), false, 0.5);
    print_text(cr, "民族", font, size, cell(xs[4], xs[5], 0), Align::centre, true);
    write("ethnicity", p.ethnicity, cell(xs[5], xs[6], 0), false, 0.5);
    print_text(cr, chance(0.5, rng) ? "照 片" : "照\n片", font, size, {xs[6], top, photo_w, 3 * row_h}, Align::centre, true);
    // Row 2: 户号 户口性质
    print_text(cr, "户号", font, size, cell(xs[0], xs[1], 1), Align::centre, true);
    write("household_no", p.household_no, cell(xs[1], xs[2], 1), true, 0.5);
    print_text(cr, "户口性质", font, size, cell(xs[2], xs[3], 1), Align::centre, true);
    std::vector<std::pair<std::string, cv::Rect2d>> boxes;  // (field key + label) -> box
    {
        Flow f(cr, font, size, xs[3] + 1.5, xs[6] - 1, top + row_h, row_h, rng);
        for (const auto& opt_label : form.field("hukou_type").options) boxes.push_back({"hukou_type\t" + opt_label, f.box(opt_label)});
    }
    // Row 3: 公民身份证号码
    print_text(cr, "公民身份证号码", font, size, {xs[0] + 0.5, top + 2 * row_h, xs[2] - xs[0] - 1, row_h}, Align::centre, true);
    write("id_number", p.id_number, cell(xs[2], xs[6], 2), true, 0.5);

    // Row 4: the big cell of flowing items
    double big_top = top + 3 * row_h;
    double line_h = uni(6.2, 7.5, rng);
    Flow f(cr, font, size, x0 + 2, x1 - 2, big_top + 1.5, line_h, rng);
    std::map<std::string, cv::Rect2d> blanks;
    f.text("就业状态:");
    bool boxed_employed = chance(0.5, rng);
    if (boxed_employed) boxes.push_back({"employment_status\t已单位就业", f.box("1.已单位就业")});
    else f.text("1.已单位就业");
    f.text("工作单位全名称:");
    blanks["employer_name"] = f.blank(uni(45, 70, rng));
    f.maybe_newline(0.6);
    f.text("2.无单位:");
    const auto& employment = form.field("employment_status").options;
    for (std::size_t i = 1; i < employment.size(); ++i) boxes.push_back({"employment_status\t" + employment[i], f.box(employment[i])});
    f.newline();
    f.text("单位类型(单选):");
    for (const auto& o : form.field("employer_type").options) boxes.push_back({"employer_type\t" + o, f.box(o)});
    f.newline();
    f.text("个人身份:");
    for (const auto& o : form.field("personal_status").options) boxes.push_back({"personal_status\t" + o, f.box(o)});
    f.newline();
    f.text("户口所在地:");
    const char* hukou_labels[3] = {"(省/自治区/直辖市)", "(地/市/州)", "(区/县)"};
    for (int i = 0; i < 3; ++i) {
        blanks["hukou_address" + std::to_string(i)] = f.blank(uni(14, 22, rng));
        f.text(hukou_labels[i]);
    }
    f.newline();
    f.text("常住所在地地址:");
    const char* res_labels[6] = {"(省/自治区/直辖市)", "(地/市/州)", "(区/县)", "(乡镇/街道)", "(村/社区)", "(街/路/巷/门牌号)"};
    for (int i = 0; i < 6; ++i) {
        blanks["residence_address" + std::to_string(i)] = f.blank(uni(14, 22, rng));
        f.text(res_labels[i]);
    }
    f.newline();
    f.text("手机(联系电话):");
    blanks["phone"] = f.blank(uni(35, 50, rng));
    f.newline();
    f.text("现参保情况:");
    f.maybe_newline(0.5);
    f.text("养老保险:");
    const auto& pension = form.field("pension").options;
    for (std::size_t i = 0; i < pension.size(); ++i) {
        std::string label = pension[i] + (i + 1 == pension.size() ? ",请说明:" : "");
        boxes.push_back({"pension\t" + pension[i], f.box(label)});
    }
    blanks["pension_other"] = f.blank(uni(25, 40, rng));
    f.newline();
    f.text("医疗保险(单选):");
    for (const auto& o : form.field("medical").options) boxes.push_back({"medical\t" + o, f.box(o)});
    for (const char* key : {"unemployment", "injury", "maternity"}) boxes.push_back({std::string(key) + "\t", f.box(form.field(key).label)});
    f.newline();
    f.text("未参保原因:");
    const auto& reasons = form.field("not_insured_reason").options;
    for (const auto& r : reasons) {
        std::string label = r;
        if (r == "单位未参保") label += ",单位名称:";
        if (r == "已参保信息有误") label += ",参保地:";
        if (r == "其他") label += ",具体原因:";
        boxes.push_back({"not_insured_reason\t" + r, f.box(label)});
        if (label != r) blanks["detail_" + r] = f.blank(uni(20, 32, rng));
    }
    f.newline();
    f.text("本人/监护人/指定代理人签名:");
    blanks["applicant_signed"] = f.blank(uni(30, 45, rng));
    for (const char* unit : {"年", "月", "日"}) {
        blanks[std::string("date_") + unit] = f.blank(std::string(unit) == "年" ? 12 : 7);
        f.text(unit);
    }
    double big_bottom = f.bottom() + 1.5;
    double r5 = big_bottom, r6 = r5 + row_h, bottom = r6 + row_h * uni(1.2, 2.0, rng);
    bottom = std::min(bottom, H - 8);
    {
        Flow g(cr, font, size, x0 + 2, x1 - 2, r5, row_h, rng);
        g.text("经办人签名:");
        blanks["handler_signed"] = g.blank(uni(30, 45, rng));
        g.text(std::string(static_cast<std::size_t>(randint(2, 8, rng)), ' '));
        g.text("复核人签名:");
        blanks["checker_signed"] = g.blank(uni(30, 45, rng));
        Flow h(cr, font, size, x0 + 2, x1 - 2, r6, row_h, rng);
        h.text("备注:");
        blanks["remarks"] = h.blank(x1 - x0 - 20);
    }
    // The table's ruling
    for (double yy : {top, top + row_h, top + 2 * row_h, big_top, r5, r6, bottom}) stroke_line(cr, x0, yy, x1, yy, lw);
    stroke_line(cr, x0, top, x0, bottom, lw);
    stroke_line(cr, x1, top, x1, bottom, lw);
    const int rows_spanned[6] = {0, 2, 3, 2, 1, 1};  // how far down each inner column line runs
    for (int i = 1; i <= 5; ++i) stroke_line(cr, xs[i], top, xs[i], top + rows_spanned[i] * row_h, lw);
    stroke_line(cr, xs[6], top, xs[6], big_top, lw);

    if (printing) {
        // Only the hukou address is known in parts; the surveyor fills in the rest.
        std::vector<std::string> parts = {"浙江省", "绍兴市", "上虞区"};
        std::string joined;
        for (int i = 0; i < 3 && !p.hukou_address.empty(); ++i) {
            write("hukou_address", parts[static_cast<std::size_t>(i)], blanks["hukou_address" + std::to_string(i)], false, 0);
            joined += parts[static_cast<std::size_t>(i)];
        }
        if (!joined.empty()) rec.at("hukou_address").value = joined;
        if (!opt.answers || opt.answers->empty()) {
            truth.records.push_back(std::move(rec));
            return truth;
        }
        p = opt.answers->front();
        by_hand = true;
    }

    // Fill in the person's answers
    auto tick = [&](const std::string& key_label, bool& corrected) {
        corrected = false;
        for (const auto& [k, b] : boxes) {
            if (k != key_label) continue;
            cv::Rect2d area(b.x - b.width * 0.2, b.y - b.height * 0.4, b.width * 1.5, b.height * 1.5);
            int style = randint(0, 9, hand_rng);
            if (style < 7) draw_tick(cr, area, hand, hand_rng);
            else if (style < 9) draw_cross(cr, b, hand, hand_rng);
            else {
                cairo_set_source_rgb(cr, hand.ink, hand.ink, hand.ink);
                cairo_rectangle(cr, b.x + b.width * 0.2, b.y + b.height * 0.2, b.width * 0.6, b.height * 0.6);
                cairo_fill(cr);
            }
            if (chance(0.03, hand_rng)) {
                // Changed their mind: the tick is scribbled over.
                cairo_set_source_rgb(cr, hand.ink, hand.ink, hand.ink);
                cairo_rectangle(cr, b.x - b.width * 0.1, b.y - b.height * 0.1, b.width * 1.2, b.height * 1.2);
                cairo_fill(cr);
                corrected = true;
            }
            return;
        }
    };
    auto choose = [&](const std::string& key, const std::string& label) {
        bool corrected;
        tick(key + "\t" + label, corrected);
        if (!corrected) set(key, label, "mark");
    };
    auto choose_many = [&](const std::string& key, const std::vector<std::string>& labels) {
        std::vector<std::string> kept;
        for (const auto& option : form.field(key).options) {
            if (std::find(labels.begin(), labels.end(), option) == labels.end()) continue;
            bool corrected;
            tick(key + "\t" + option, corrected);
            if (!corrected) kept.push_back(option);
        }
        set(key, kept, "mark");
    };

    choose("hukou_type", chance(0.7, hand_rng) ? "农业" : "非农业");
    bool employed = p.employer_name.size() > 2;
    if (employed) {
        if (boxed_employed) choose("employment_status", "已单位就业");
        else set("employment_status", std::string("已单位就业"), by_hand ? "mark" : "printed");  // the print's label, not the list's
        write("employer_name", p.employer_name, blanks["employer_name"], false, 0.6);
        choose("employer_type", pick(form.field("employer_type").options, hand_rng));
    } else if (!p.employer_name.empty()) {
        choose("employment_status", employment[std::stoi(p.employer_name)]);
    }
    choose("personal_status", form.field("personal_status").options[std::stoi(p.personal_status) - 1]);
    std::vector<std::string> hukou_parts = {"浙江省", "绍兴市", "上虞区"};
    std::string hukou_joined;
    for (int i = 0; i < 3 && !printing; ++i) {  // printed on a printed sheet
        write("hukou_address", hukou_parts[i], blanks["hukou_address" + std::to_string(i)], false, 0.5);
        hukou_joined += hukou_parts[i];
    }
    if (rec.at("hukou_address").reader != "empty" && !printing) rec.at("hukou_address").value = hukou_joined;
    std::vector<std::string> res_parts = {"浙江省", "绍兴市", "上虞区", p.township, p.village,
                                          std::to_string(randint(1, 200, hand_rng)) + "号"};
    std::string res_joined;
    for (int i = 0; i < 6; ++i) {
        write("residence_address", res_parts[i], blanks["residence_address" + std::to_string(i)], false, 0.5);
        res_joined += res_parts[i];
    }
    rec.at("residence_address").value = res_joined;
    if (by_hand) rec.at("residence_address").reader = "handwritten";  // the surveyor's, whatever the house number looks like
    write("phone", p.phone, blanks["phone"], true, 0.7);
    std::vector<std::string> pensions;
    if (p.insurance[0] == "√") pensions.push_back(pick(std::vector<std::string>(pension.begin(), pension.end() - 1), hand_rng));
    if (chance(0.05, hand_rng)) pensions.push_back("其他养老保障");
    choose_many("pension", pensions);
    if (std::find(pensions.begin(), pensions.end(), "其他养老保障") != pensions.end())
        write("pension_other", "商业养老保险", blanks["pension_other"], false, 1.0);
    if (p.insurance[1] == "√") choose("medical", pick(form.field("medical").options, hand_rng));
    for (int i = 0; i < 3; ++i) {
        static const char* keys[3] = {"injury", "maternity", "unemployment"};
        if (p.insurance[2 + i] == "√") {
            bool corrected;
            tick(std::string(keys[i]) + "\t", corrected);
            if (!corrected) set(keys[i], true, "mark");
        }
    }
    std::vector<std::string> why;
    if (p.insurance[0] != "√" || p.insurance[1] != "√") why.push_back(pick(reasons, hand_rng));
    choose_many("not_insured_reason", why);
    for (const auto& r : rec.at("not_insured_reason").value.index() == 2 ? std::get<std::vector<std::string>>(rec.at("not_insured_reason").value)
                                                                         : std::vector<std::string>{}) {
        auto it = blanks.find("detail_" + r);
        if (it == blanks.end()) continue;
        std::string detail = r == "其他" ? "长期在外地" : r == "单位未参保" ? random_company(hand_rng) : "杭州市";
        write("not_insured_detail", detail, it->second, false, 1.0);
    }
    if (chance(0.9, hand_rng)) {
        draw_signature(cr, data.hanzi, p.name, blanks["applicant_signed"], Hand::random(hand_rng), hand_rng);
        set("applicant_signed", true, "mark");
        int yv = 2015, mv = randint(1, 6, hand_rng), dv = randint(1, 28, hand_rng);
        draw_digits(cr, data.digits, opt.digits, std::to_string(yv), blanks["date_年"], hand, hand_rng);
        draw_digits(cr, data.digits, opt.digits, std::to_string(mv), blanks["date_月"], hand, hand_rng);
        draw_digits(cr, data.digits, opt.digits, std::to_string(dv), blanks["date_日"], hand, hand_rng);
        char iso[32];
        std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", yv, mv, dv);
        set("sign_date", std::string(iso), "handwritten");
    }
    for (const char* key : {"handler_signed", "checker_signed"}) {
        if (!chance(0.8, hand_rng)) continue;
        draw_signature(cr, data.hanzi, random_name(hand_rng), blanks[key], Hand::random(hand_rng), hand_rng);
        set(key, true, "mark");
    }
    if (chance(0.1, hand_rng)) write("remarks", "户在人不在", blanks["remarks"], false, 1.0);
    truth.records.push_back(std::move(rec));
    return truth;
}

}  // namespace formscan::synth
