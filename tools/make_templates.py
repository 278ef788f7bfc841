#!/usr/bin/env python3
"""Writes templates/zj-hedui.json and templates/zj-dengji.json from the seed document
(shared/seed): every field of the record contract, code lists and vocabularies.
The JSON files are the source of truth at run time; this script is how they were made,
kept so that a change to a code list is made in one place."""
import json, os, sys

TOWNSHIPS = ["百官街道", "曹娥街道", "东关街道", "道墟镇", "长塘镇", "上浦镇", "汤浦镇", "章镇镇", "岭南乡", "陈溪乡",
             "下管镇", "丁宅乡", "丰惠镇", "永和镇", "梁湖镇", "小越镇", "驿亭镇", "谢塘镇", "盖北镇", "崧厦镇"]
ETHNICITIES = ("汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 "
               "傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 "
               "仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 "
               "鄂伦春族 赫哲族 门巴族 珞巴族 基诺族").split()
assert len(ETHNICITIES) == 56

def codes(labels):
    return [{"code": str(i + 1), "label": l} for i, l in enumerate(labels)]

NO_EMPLOYER = ["学龄前", "在校学生", "未就业", "灵活就业", "已办理离退休手续或已领取养老待遇等"]
EMPLOYER_TYPES = ["企业", "机关", "行政职能类事业单位", "公益服务类事业单位", "生产经营类事业单位", "部队",
                  "社会团体、民办非企业单位、基金会", "个体工商户(有雇工的)", "境外非政府组织驻华代表机构",
                  "城市(农村)居(村)民委员会", "其他"]
PERSONAL_STATUS = ["国家公务员", "参照公务员管理人员", "专业技术人员", "职员", "企业管理人员", "工人", "农民", "学生",
                   "现役军人", "自由职业者", "个体经营者", "无业人员", "退(离)休人员", "其他"]
REASONS = ["个人未参保", "缴费终止", "单位未予参保", "全日制在校生", "参军", "部队建账的随军家属",
           "出国(含留学、定居、就业)", "判刑", "已参保信息有误", "人户分离,联系不上", "户口待注销", "其他"]
DIGITS = "0123456789"
# The first characters of about 500 Chinese surnames (the single surnames of the 百家姓
# and of today's most common ones, and the first character of the compound ones: 欧阳,
# 诸葛, ...), for the names' `first_character`: a doubtful first character is likelier
# one of these than a look-alike.
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金"
    "石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄"
    "聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶"
    "解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑"
    "郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴"
    "盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕"
    "危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由钮竺寿忻蓬郦钭水昌凤酆萧贝经贲洪滑荀家羿汲"
    "邴糜松弓牧隗山宓郗仰秋暴韶蓟怀从鄂咸籍赖能苍双莘贡逄扶堵宰却璩濮通郏别充习宦鱼慎庾终暨步弘广禄东殴殳沃蔚越夔厍融訾空毋乜"
    "养须巢蒯后红益桓法汝钦百归微缑郈有琴西佴伯墨谯笪年爱第言福上皇澹淳太轩令宇长闾仉子颛端壤拓夹")
assert len(SURNAMES) == len(set(SURNAMES))
# People on the lists were born after this (older than 105 at the survey is unlikely): an
# ID number or birth date before it is read, but a person confirms it.
BORN_FROM = "1910-01-01"

def field(key, label, type_, placement, **kw):
    f = {"key": key, "label": label, "type": type_, "placement": placement}
    f.update(kw)
    return f

hedui_fields = [
    field("township", "乡镇(街道)", "text", "header", value_side="before", vocabulary="townships"),
    field("village", "村(社区)", "text", "header", value_side="before"),
    field("fill_date", "填报日期:", "date", "header", value_side="after", alphabet=DIGITS + ".-/年月日",
          earliest_date="2014-01-01", likely_from="2014-11-01", likely_until="2015-12-31",
          note="the survey began in November 2014 (seed: 2014年11月初) and was to be done by the end of 2015 "
               "(seed: 2015年底完成调查登记工作; 2016 is for keeping the data up to date); a date outside is read but goes to a person"),
    field("filler_signed", "填表人签名:", "signature", "header", value_side="after"),
    field("seq", "序号", "text", "column", alphabet=DIGITS),
    field("name", "姓名", "text", "column", max_length=8, script="han", first_character="surnames"),
    field("sex", "性别", "sex", "column", vocabulary="sexes"),
    field("id_number", "公民身份证号码", "id_number", "column", alphabet=DIGITS + "X", max_length=18, likely_from=BORN_FROM),
    field("birth_date", "出生日期", "date", "column", alphabet=DIGITS + ".-/年月日", earliest_date="1900-01-01", likely_from=BORN_FROM),
    field("ethnicity", "民族", "ethnicity", "column", vocabulary="ethnicities"),
    field("hukou_address", "户口所在地", "text", "column", prefixes=["districts", "townships"]),
    field("residence_address", "常住所在地地址", "tick_or_text", "column",
          note="√ when the same as 户口所在地 (7), else the address", prefixes=["districts", "townships"]),
    field("phone", "手机(联系电话)", "digits", "column", alphabet=DIGITS + "-", max_length=13),
    field("employer_name", "单位名称", "text_or_code", "column", code_list="no_employer"),
    field("employer_type", "单位类型", "code", "column", code_list="employer_types", alphabet=DIGITS),
    field("personal_status", "个人身份", "code", "column", code_list="personal_status", alphabet=DIGITS),
]
for key, label in [("pension", "养老保险"), ("medical", "医疗保险"), ("injury", "工伤保险"),
                   ("maternity", "生育保险"), ("unemployment", "失业保险")]:
    hedui_fields.append(field(key, label, "tick_or_code", "column", code_list="not_insured_reasons", alphabet=DIGITS + "√"))
hedui_fields += [
    field("remarks", "备注", "text", "column"),
    field("signed", "签名", "signature", "column"),
]

G_EMP = "就业状态"
G_INS = "现参保情况及未参保原因"
hedui_columns = [
    {"field": "seq", "header": "序号", "number": 1, "width": 0.5},
    {"field": "name", "header": "姓名", "number": 2, "width": 1.0},
    {"field": "sex", "header": "性别", "number": 3, "width": 0.5},
    {"field": "id_number", "header": "公民身份证号码", "number": 4, "width": 2.3},
    {"field": "birth_date", "header": "出生日期", "number": 5, "width": 1.2},
    {"field": "ethnicity", "header": "民族", "number": 6, "width": 0.65},
    {"field": "hukou_address", "header": "户口所在地", "number": 7, "width": 1.9},
    {"field": "residence_address", "header": "常住所在地地址", "number": 8, "width": 1.6},
    {"field": "phone", "header": "手机(联系电话)", "number": 9, "width": 1.5},
    {"field": "employer_name", "header": "单位名称", "group": G_EMP, "number": 10, "width": 1.7},
    {"field": "employer_type", "header": "单位类型", "group": G_EMP, "number": 11, "width": 0.6},
    {"field": "personal_status", "header": "个人身份", "number": 12, "width": 0.6},
    {"field": "pension", "header": "养老保险", "group": G_INS, "number": 13, "width": 0.55},
    {"field": "medical", "header": "医疗保险", "group": G_INS, "number": 13, "width": 0.55},
    {"field": "injury", "header": "工伤保险", "group": G_INS, "number": 13, "width": 0.55},
    {"field": "maternity", "header": "生育保险", "group": G_INS, "number": 13, "width": 0.55},
    {"field": "unemployment", "header": "失业保险", "group": G_INS, "number": 13, "width": 0.55},
    {"field": "remarks", "header": "备注", "number": 14, "width": 1.0},
    {"field": "signed", "header": "签名", "number": 15, "width": 1.0},
]

# GB/T 2260 administrative division codes of Zhejiang (33), current and historical, as
# ID numbers carry them: a number keeps the code of where it was first issued, so codes
# abolished since (330682 上虞市 until 2013, now 330604 上虞区) stay valid. Codes of the
# prefectures (地区) of the 1980s and 1990s (332xxx: 台州, 丽水, 舟山 ...) are accepted by
# the rule as a group, not listed one by one.
ZJ_REGIONS = [
    ("330000", "浙江省"),
    ("330100", "杭州市"), ("330101", "杭州市市辖区"), ("330102", "上城区"), ("330103", "下城区 (-2021)"),
    ("330104", "江干区 (-2021)"), ("330105", "拱墅区"), ("330106", "西湖区"), ("330108", "滨江区"),
    ("330109", "萧山区"), ("330110", "余杭区"), ("330111", "富阳区"), ("330112", "临安区"), ("330113", "临平区"),
    ("330114", "钱塘区"), ("330121", "萧山县 (-1988)"), ("330122", "桐庐县"), ("330123", "富阳县 (-1994)"),
    ("330124", "临安县 (-1996)"), ("330125", "余杭县 (-1994)"), ("330126", "建德县 (-1992)"), ("330127", "淳安县"),
    ("330181", "萧山市 (-2001)"), ("330182", "建德市"), ("330183", "富阳市 (-2014)"), ("330184", "余杭市 (-2001)"),
    ("330185", "临安市 (-2017)"),
    ("330200", "宁波市"), ("330201", "宁波市市辖区"), ("330203", "海曙区"), ("330204", "江东区 (-2016)"),
    ("330205", "江北区"), ("330206", "北仑区"), ("330211", "镇海区"), ("330212", "鄞州区"), ("330213", "奉化区"),
    ("330221", "镇海县 (-1985)"), ("330222", "慈溪县 (-1988)"), ("330223", "余姚县 (-1985)"), ("330224", "奉化县 (-1988)"),
    ("330225", "象山县"), ("330226", "宁海县"), ("330227", "鄞县 (-2002)"), ("330281", "余姚市"), ("330282", "慈溪市"),
    ("330283", "奉化市 (-2016)"),
    ("330300", "温州市"), ("330301", "温州市市辖区"), ("330302", "鹿城区"), ("330303", "龙湾区"), ("330304", "瓯海区"),
    ("330305", "洞头区"), ("330321", "瓯海县 (-1992)"), ("330322", "洞头县 (-2015)"), ("330323", "乐清县 (-1993)"),
    ("330324", "永嘉县"), ("330325", "瑞安县 (-1987)"), ("330326", "平阳县"), ("330327", "苍南县"), ("330328", "文成县"),
    ("330329", "泰顺县"), ("330381", "瑞安市"), ("330382", "乐清市"), ("330383", "龙港市"),
    ("330400", "嘉兴市"), ("330401", "嘉兴市市辖区"), ("330402", "南湖区"), ("330411", "秀洲区"), ("330421", "嘉善县"),
    ("330422", "平湖县 (-1991)"), ("330423", "海宁县 (-1986)"), ("330424", "海盐县"), ("330425", "桐乡县 (-1993)"),
    ("330481", "海宁市"), ("330482", "平湖市"), ("330483", "桐乡市"),
    ("330500", "湖州市"), ("330501", "湖州市市辖区"), ("330502", "吴兴区"), ("330503", "南浔区"), ("330521", "德清县"),
    ("330522", "长兴县"), ("330523", "安吉县"),
    ("330600", "绍兴市"), ("330601", "绍兴市市辖区"), ("330602", "越城区"), ("330603", "柯桥区"), ("330604", "上虞区"),
    ("330621", "绍兴县 (-2013)"), ("330622", "上虞县 (-1992)"), ("330623", "嵊县 (-1995)"), ("330624", "新昌县"),
    ("330625", "诸暨县 (-1989)"), ("330681", "诸暨市"), ("330682", "上虞市 (1992-2013)"), ("330683", "嵊州市"),
    ("330700", "金华市"), ("330701", "金华市市辖区"), ("330702", "婺城区"), ("330703", "金东区"), ("330721", "金华县 (-2000)"),
    ("330722", "永康县 (-1992)"), ("330723", "武义县"), ("330724", "东阳县 (-1988)"), ("330725", "义乌县 (-1988)"),
    ("330726", "浦江县"), ("330727", "磐安县"), ("330781", "兰溪市"), ("330782", "义乌市"), ("330783", "东阳市"),
    ("330784", "永康市"),
    ("330800", "衢州市"), ("330801", "衢州市市辖区"), ("330802", "柯城区"), ("330803", "衢江区"), ("330821", "衢县 (-2001)"),
    ("330822", "常山县"), ("330824", "开化县"), ("330825", "龙游县"), ("330881", "江山市"),
    ("330900", "舟山市"), ("330901", "舟山市市辖区"), ("330902", "定海区"), ("330903", "普陀区"), ("330921", "岱山县"),
    ("330922", "嵊泗县"),
    ("331000", "台州市"), ("331001", "台州市市辖区"), ("331002", "椒江区"), ("331003", "黄岩区"), ("331004", "路桥区"),
    ("331021", "玉环县 (-2017)"), ("331022", "三门县"), ("331023", "天台县"), ("331024", "仙居县"), ("331081", "温岭市"),
    ("331082", "临海市"), ("331083", "玉环市"),
    ("331100", "丽水市"), ("331101", "丽水市市辖区"), ("331102", "莲都区"), ("331121", "青田县"), ("331122", "缙云县"),
    ("331123", "遂昌县"), ("331124", "松阳县"), ("331125", "云和县"), ("331126", "庆元县"), ("331127", "景宁畲族自治县"),
    ("331181", "龙泉市"),
]

hedui = {
    "schema_version": 1,
    "id": "zj-hedui",
    "title": "浙江省全民参保登记个人信息登记(核对)表",
    "description": "附件2: one person per table row; page header repeated in every record",
    "kind": "table",
    "page": {"width_mm": 297, "height_mm": 210},
    "pipeline": ["page_code", "deskew", "table_grid", "page_header", "marks", "digits", "tesseract_text", "normalise_cn", "cross_check", "calibrate", "printed_values", "validate_cn"],
    "fields": hedui_fields,
    "columns": hedui_columns,
    "code_lists": {"no_employer": codes(NO_EMPLOYER), "employer_types": codes(EMPLOYER_TYPES),
                   "personal_status": codes(PERSONAL_STATUS), "not_insured_reasons": codes(REASONS),
                   "zj_regions": [{"code": c, "label": n} for c, n in ZJ_REGIONS]},
    "vocabularies": {"townships": TOWNSHIPS, "ethnicities": ETHNICITIES, "sexes": ["男", "女"],
                     "districts": ["上虞区"], "surnames": SURNAMES},
}

EMPLOYMENT = ["已单位就业", "学龄前", "在校学生", "未就业", "灵活就业", "已办理离退休手续或已领取养老待遇"]
DJ_EMPLOYER_TYPES = ["企业", "机关", "事业单位", "全额拨款事业单位", "差额拨款事业单位", "自收自支事业单位", "社会团体",
                     "自定义机构", "个体工商户(有雇工的)", "律师事务所", "会计师事务所", "驻华代表机构", "外国常驻新闻机构",
                     "外国企业常驻代表机构", "其他组织机构", "民办非企业单位", "基金会", "宗教活动场所", "农村村民委员会",
                     "城市居民委员会", "其他"]
assert len(DJ_EMPLOYER_TYPES) == 21
PENSION = ["城镇职工基本养老保险", "机关事业养老保险", "城乡居民基本养老保险", "被征地农民养老保障", "其他养老保障"]
MEDICAL = ["城镇职工基本医疗保险", "城乡居民基本医疗保险"]
DJ_REASONS = ["个人未参保", "缴费终止", "单位未参保", "全日制在校生", "参军", "部队建账的随军家属",
              "出国(含留学、定居、就业)", "判刑", "已参保信息有误", "户口待注销", "人户分离,联系不上", "其他"]
assert len(DJ_REASONS) == 12

dengji_fields = [
    field("city", "市", "text", "sheet", value_side="before", vocabulary="cities"),
    field("county", "县(市、区)", "text", "sheet", value_side="before", vocabulary="counties"),
    field("township", "乡镇街道", "text", "sheet", value_side="before", vocabulary="townships"),
    field("village", "村(社区)", "text", "sheet", value_side="before"),
    field("name", "姓名", "text", "sheet", max_length=8, script="han", first_character="surnames"),
    field("sex", "性别", "sex", "sheet", vocabulary="sexes"),
    field("ethnicity", "民族", "ethnicity", "sheet", vocabulary="ethnicities"),
    field("household_no", "户号", "text", "sheet", alphabet=DIGITS),
    field("hukou_type", "户口性质", "single_choice", "sheet", options=["农业", "非农业"]),
    field("id_number", "公民身份证号码", "id_number", "sheet", alphabet=DIGITS + "X", max_length=18, likely_from=BORN_FROM),
    field("employment_status", "就业状态", "single_choice", "sheet", options=EMPLOYMENT),
    field("employer_name", "工作单位全名称", "text", "sheet"),
    field("employer_type", "单位类型(单选)", "single_choice", "sheet", options=DJ_EMPLOYER_TYPES),
    field("personal_status", "个人身份", "single_choice", "sheet", options=PERSONAL_STATUS),
    field("hukou_address", "户口所在地", "text", "sheet"),
    field("residence_address", "常住所在地地址", "text", "sheet"),
    field("phone", "手机(联系电话)", "digits", "sheet", alphabet=DIGITS + "-", max_length=13),
    field("pension", "养老保险", "multi_choice", "sheet", options=PENSION),
    field("pension_other", "其他养老保障,请说明", "text", "sheet"),
    field("medical", "医疗保险(单选)", "single_choice", "sheet", options=MEDICAL),
    field("unemployment", "失业保险", "check", "sheet"),
    field("injury", "工伤保险", "check", "sheet"),
    field("maternity", "生育保险", "check", "sheet"),
    field("not_insured_reason", "未参保原因", "multi_choice", "sheet", options=DJ_REASONS),
    field("not_insured_detail", "单位名称/参保地/具体原因", "text", "sheet"),
    field("applicant_signed", "本人/监护人/指定代理人签名", "signature", "sheet"),
    field("handler_signed", "经办人签名", "signature", "sheet"),
    field("checker_signed", "复核人签名", "signature", "sheet"),
    field("sign_date", "年 月 日", "date", "sheet", alphabet=DIGITS + "年月日", earliest_date="2014-01-01",
          likely_from="2014-11-01", likely_until="2015-12-31"),
    field("remarks", "备注", "text", "sheet"),
]

dengji = {
    "schema_version": 1,
    "id": "zj-dengji",
    "title": "全民参保登记表",
    "description": "附件3: one person per sheet, check-box groups",
    "kind": "sheet",
    "page": {"width_mm": 210, "height_mm": 297},
    "pipeline": ["page_code", "deskew", "sheet_boxes", "marks", "digits", "tesseract_text", "calibrate", "printed_values", "validate_cn"],
    "fields": dengji_fields,
    "code_lists": {"zj_regions": [{"code": c, "label": n} for c, n in ZJ_REGIONS]},
    "vocabularies": {"townships": TOWNSHIPS, "ethnicities": ETHNICITIES, "sexes": ["男", "女"],
                     # the district's own sheets: its city and county (上虞市 until 2013)
                     "cities": ["绍兴"], "counties": ["上虞区", "上虞市"], "surnames": SURNAMES},
}

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "templates")
for t in (hedui, dengji):
    with open(os.path.join(out, t["id"] + ".json"), "w", encoding="utf-8") as f:
        json.dump(t, f, ensure_ascii=False, indent=1)
        f.write("\n")
print("wrote", out)
