#include "people.hpp"

#include "formscan/id_number.hpp"
#include "formscan/text_utils.hpp"
#include "random_utils.hpp"

#include <cstdio>

namespace formscan::synth {

namespace {

const std::vector<std::string> kSurnames = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
                                            "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
                                            "邓", "曹", "彭", "曾", "袁", "沈", "蒋", "钱", "金", "俞", "丁", "章", "顾", "夏"};
const std::vector<std::string> kGiven = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
                                         "涛", "明", "超", "秀", "英", "华", "平", "刚", "桂", "梅", "庆", "建", "国", "红",
                                         "云", "春", "海", "燕", "玲", "斌", "林", "峰", "波", "萍", "飞", "鑫", "晨", "浩",
                                         "宇", "欣", "佳", "婷", "雪", "琴", "亮", "文", "荣", "根", "水", "土", "龙", "凤"};
const std::vector<std::string> kPlace = {"东", "西", "南", "北", "新", "永", "和", "丰", "安", "山", "湖", "塘", "桥", "江",
                                         "溪", "前", "后", "横", "陈", "王", "胜", "利", "光", "明", "兴", "华", "联", "民"};
const std::vector<std::string> kTrade = {"纺织", "机械", "电器", "化工", "建材", "食品", "伞业", "轴承", "照明", "塑料", "五金", "服饰"};

}  // namespace

std::string random_name(std::mt19937& rng) {
    std::string name = pick(kSurnames, rng);
    int given = chance(0.75, rng) ? 2 : 1;
    for (int i = 0; i < given; ++i) name += pick(kGiven, rng);
    return name;
}

std::string random_village(std::mt19937& rng) {
    std::string v = pick(kPlace, rng) + pick(kPlace, rng);
    return v + (chance(0.8, rng) ? "村" : "社区");
}

std::string random_company(std::mt19937& rng) {
    std::string prefix = chance(0.5, rng) ? "绍兴市上虞" : "上虞";
    return prefix + pick(kPlace, rng) + pick(kPlace, rng) + pick(kTrade, rng) + (chance(0.7, rng) ? "有限公司" : "厂");
}

std::string random_phone(std::mt19937& rng) {
    static const std::vector<std::string> prefixes = {"130", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                                                      "155", "156", "157", "158", "159", "177", "180", "182", "187", "189"};
    if (chance(0.1, rng)) {
        std::string landline = std::to_string(randint(8, 8, rng));
        for (int i = 0; i < 7; ++i) landline += char('0' + randint(0, 9, rng));
        return landline;
    }
    std::string phone = pick(prefixes, rng);
    for (int i = 0; i < 8; ++i) phone += char('0' + randint(0, 9, rng));
    return phone;
}

std::string make_id_number(const std::string& address_code, const std::string& birth_date, bool male, std::mt19937& rng) {
    std::string id = address_code + birth_date.substr(0, 4) + birth_date.substr(5, 2) + birth_date.substr(8, 2);
    id += char('0' + randint(0, 9, rng));
    id += char('0' + randint(0, 9, rng));
    int sex_digit = randint(0, 4, rng) * 2 + (male ? 1 : 0);
    id += char('0' + sex_digit);
    id += id_check_character(id);
    return id;
}

Person random_person(const FormTemplate& form, const std::string& township, const std::string& village, std::mt19937& rng) {
    Person p;
    p.name = random_name(rng);
    bool male = chance(0.5, rng);
    p.sex = male ? "男" : "女";
    int year = randint(1935, 2014, rng), month = randint(1, 12, rng), day = randint(1, 28, rng);
    char date[32];
    std::snprintf(date, sizeof date, "%04d-%02d-%02d", year, month, day);
    p.birth_date = date;
    // 330682 上虞市 until 2013, 330604 上虞区 after: both appear on older and newer cards.
    p.id_number = make_id_number(chance(0.6, rng) ? "330682" : "330604", p.birth_date, male, rng);
    const auto& ethnicities = form.vocabulary("ethnicities");
    p.ethnicity = chance(0.9, rng) ? "汉族" : pick(ethnicities, rng);
    p.township = township;
    p.village = village;
    p.hukou_address = "上虞区" + township + village + std::to_string(randint(1, 300, rng)) + "号";
    if (chance(0.3, rng)) p.residence_address = "上虞区" + pick(form.vocabulary("townships"), rng) + random_village(rng);
    p.phone = random_phone(rng);
    int age = 2015 - year;
    if (age < 7) {
        p.employer_name = "1";
        p.personal_status = "14";
    } else if (age < 22 && chance(0.8, rng)) {
        p.employer_name = "2";
        p.personal_status = "8";
    } else if (age >= 60 && chance(0.7, rng)) {
        p.employer_name = "5";
        p.personal_status = "13";
    } else if (chance(0.6, rng)) {
        p.employer_name = random_company(rng);
        p.employer_type = std::to_string(randint(1, 11, rng));
        p.personal_status = std::to_string(randint(3, 6, rng));
    } else {
        p.employer_name = chance(0.85, rng) ? std::to_string(randint(3, 4, rng)) : "";
        p.personal_status = std::to_string(chance(0.5, rng) ? 7 : randint(10, 12, rng));
    }
    for (int i = 0; i < 5; ++i) {
        double r = std::uniform_real_distribution<double>(0, 1)(rng);
        bool must_state = i < 2;  // pension and medical must both be stated
        if (r < 0.55) p.insurance[i] = "√";
        else if (r < 0.8 || must_state) p.insurance[i] = std::to_string(randint(1, 12, rng));
        else p.insurance[i] = "";
    }
    // The seed's reasons 3, 9 and 12 name the employer, the place insured, the reason in 备注.
    for (const auto& v : p.insurance) {
        if (v == "3") p.remark = pick(std::vector<std::string>{"建筑公司", "纺织厂", "个体店", "物流公司"}, rng);
        if (v == "9") p.remark = pick(std::vector<std::string>{"杭州参保", "外省参保", "宁波参保", "市区参保"}, rng);
        if (v == "12") p.remark = pick(std::vector<std::string>{"外出务工", "长期外出", "户在人不在", "联系不上"}, rng);
    }
    p.household_no = std::to_string(randint(10000000, 99999999, rng));
    return p;
}

}  // namespace formscan::synth
