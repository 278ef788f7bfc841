#include "registry_request.hpp"

#include "formscan/error.hpp"
#include "formscan/id_number.hpp"
#include "formscan/record_json.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <set>
#include <sstream>

namespace formscan::registry {

namespace {

[[noreturn]] void bad(const std::string& reason) { throw Error("formscan.registry.bad_request", reason); }

bool valid_key(const std::string& key) {
    if (key.size() < 16 || key.size() > 128) return false;
    for (char c : key)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != ':' && c != '-') return false;
    return true;
}

}  // namespace

std::vector<BatchItem> parse_batch(const std::string& body) {
    if (body.size() > kMaxBody) bad("body over 4 MiB");
    Poco::JSON::Object::Ptr root;
    try {
        Poco::Dynamic::Var parsed = Poco::JSON::Parser().parse(body);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) bad("the body is not a JSON object");
        root = parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
        bad("the body is not JSON: " + e.message());
    }
    Poco::JSON::Array::Ptr records = root->getArray("records");
    if (!records) bad("no \"records\" array");
    if (records->size() == 0) bad("\"records\" is empty");
    if (records->size() > kMaxBatch) bad("more than " + std::to_string(kMaxBatch) + " records in one batch");
    std::vector<BatchItem> items;
    std::set<std::string> keys;
    for (std::size_t i = 0; i < records->size(); ++i) {
        const std::string where = "records[" + std::to_string(i) + "]";
        Poco::JSON::Object::Ptr item = records->getObject(static_cast<unsigned>(i));
        if (!item) bad(where + " is not an object");
        Poco::Dynamic::Var key = item->get("key");
        if (!key.isString() || !valid_key(key.extract<std::string>())) bad(where + ".key must be 16 to 128 of A-Z a-z 0-9 . _ : -");
        Poco::JSON::Object::Ptr record = item->getObject("record");
        if (!record) bad(where + ".record is not an object");
        BatchItem out;
        out.key = key.extract<std::string>();
        if (!keys.insert(out.key).second) bad(where + ".key is used twice in the batch");
        std::ostringstream text;
        Poco::JSON::Stringifier::condense(record, text);
        out.body = text.str();
        try {
            out.record = record_from_json_line(out.body);
        } catch (const std::exception& e) {
            bad(where + ".record is not a record: " + std::string(e.what()));
        }
        items.push_back(std::move(out));
    }
    return items;
}

std::string refusal(const Record& record) {
    if (record.template_id != "zj-hedui" && record.template_id != "zj-dengji") return "unknown form \"" + record.template_id + "\"";
    if (record.status() != FieldStatus::ok) return "the record is not validated (a field is not ok)";
    const Field* id = record.find("id_number");
    if (!id || id->text().empty()) return "no ID number";
    const std::string number = id->text();
    if (number.size() != 18 || !id_has_valid_check(number)) return "the ID number fails its check digit";
    auto birth = id_birth_date(number);
    if (!birth) return "the ID number holds no real birth date";
    if (const Field* b = record.find("birth_date"); b && !b->text().empty() && b->text() != *birth)
        return "the birth date differs from the ID number's";
    if (const Field* s = record.find("sex"); s && !s->text().empty() && s->text() != id_sex(number).value_or(""))
        return "the sex differs from the ID number's";
    return {};
}

}  // namespace formscan::registry
