// formscan print: the 核对表 or the 登记表 as PDF ready to print, pre-filled from the
// district's list of people to visit, with a page code (QR) and corner marks on every page.
#include "cli_args.hpp"
#include "commands.hpp"

#include "batch_printing.hpp"
#include "formscan/error.hpp"
#include "formscan/paths.hpp"

#include <Poco/JSON/Parser.h>

#include <fstream>
#include <iostream>
#include <sstream>

namespace formscan::cli {

namespace {

using synth::ListedPerson;

void set_person_field(synth::Person& p, const std::string& key, const std::string& value) {
    static const char* insurance[5] = {"pension", "medical", "injury", "maternity", "unemployment"};
    if (key == "name") p.name = value;
    else if (key == "sex") p.sex = value;
    else if (key == "id_number") p.id_number = value;
    else if (key == "birth_date") p.birth_date = value;
    else if (key == "ethnicity") p.ethnicity = value;
    else if (key == "hukou_address") p.hukou_address = value;
    else if (key == "township") p.township = value;
    else if (key == "village") p.village = value;
    else if (key == "phone") p.phone = value;
    else if (key == "employer_name") p.employer_name = value;
    else if (key == "employer_type") p.employer_type = value;
    else if (key == "personal_status") p.personal_status = value;
    for (int i = 0; i < 5; ++i)
        if (key == insurance[i]) p.insurance[i] = value;
}

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> out;
    std::string cell;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') cell += '"', ++i;
            else if (c == '"') quoted = false;
            else cell += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(cell);
            cell.clear();
        } else if (c != '\r') {
            cell += c;
        }
    }
    out.push_back(cell);
    return out;
}

// A CSV with a heading line of keys (name,sex,id_number,...; "key" for the person's own
// key), a JSON array of objects, or one JSON object per line.
std::vector<ListedPerson> read_people(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("formscan.cli.missing_input", "cannot open " + path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text = text.substr(3);
    std::vector<ListedPerson> people;
    auto add = [&](const std::vector<std::pair<std::string, std::string>>& values) {
        ListedPerson l;
        for (const auto& [k, v] : values) {
            if (k == "key") l.key = v;
            else set_person_field(l.person, k, v);
        }
        if (l.person.name.empty()) throw Error("formscan.print.people", path + ": a person without a name (entry " + std::to_string(people.size() + 1) + ")");
        if (l.key.empty()) l.key = std::to_string(people.size() + 1);
        people.push_back(std::move(l));
    };
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && (text[first] == '[' || text[first] == '{')) {
        std::vector<Poco::JSON::Object::Ptr> objects;
        try {
            if (text[first] == '[') {
                auto arr = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Array::Ptr>();
                for (std::size_t i = 0; i < arr->size(); ++i) objects.push_back(arr->getObject(static_cast<unsigned>(i)));
            } else {
                std::istringstream lines(text);
                for (std::string line; std::getline(lines, line);)
                    if (line.find_first_not_of(" \t\r") != std::string::npos)
                        objects.push_back(Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>());
            }
        } catch (const Poco::Exception& e) {
            throw Error("formscan.print.people", path + " is not valid JSON: " + e.displayText());
        }
        for (const auto& o : objects) {
            std::vector<std::pair<std::string, std::string>> values;
            for (const auto& [k, v] : *o) values.push_back({k, v.isEmpty() ? std::string() : v.convert<std::string>()});
            add(values);
        }
        return people;
    }
    std::istringstream lines(text);
    std::string line;
    if (!std::getline(lines, line)) return people;
    const auto headings = split_csv_line(line);
    while (std::getline(lines, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto cells = split_csv_line(line);
        std::vector<std::pair<std::string, std::string>> values;
        for (std::size_t i = 0; i < headings.size() && i < cells.size(); ++i) values.push_back({headings[i], cells[i]});
        add(values);
    }
    return people;
}

}  // namespace

int print_command(const std::vector<std::string>& argv) {
    const std::string usage =
        "formscan print --template zj-hedui|zj-dengji (--people LIST.csv|LIST.json | --blank PAGES) --out FORMS.pdf [--batch ID] [--rows N]";
    Args args(argv, {"--template", "--people", "--blank", "--out", "--batch", "--rows", "--templates"}, {});
    if (!args.has("--out") || args.has("--people") == args.has("--blank"))
        throw Error("formscan.cli.missing_input", "usage: " + usage);
    auto templates = load_templates(args.get("--templates", default_templates_dir()));
    const std::string template_id = args.get("--template", "zj-hedui");
    auto it = templates.find(template_id);
    if (it == templates.end()) throw Error("formscan.cli.unknown_template", "unknown template " + template_id);
    const FormTemplate& form = it->second;
    // The 登记表 is one person per sheet.
    const int rows = form.kind == "sheet" ? 1 : args.get_int("--rows", 10, 1, 20);
    synth::BatchLayout layout{args.get("--batch", "B1"), rows};
    if (layout.batch.find_first_of(";,=") != std::string::npos) throw Error("formscan.cli.bad_value", "a batch name holds no ; , or =");

    std::vector<ListedPerson> people;
    if (args.has("--people")) {
        people = read_people(args.get("--people"));
        if (people.empty()) throw Error("formscan.print.people", args.get("--people") + " lists nobody");
    }
    const synth::SynthData data = synth::SynthData::load(default_data_dir());
    const std::string out = args.get("--out");
    const int blank_pages = args.has("--blank") ? args.get_int("--blank", 1, 1, 10000) : 0;
    const int pages = synth::print_batch(form, data, layout, people, out, blank_pages);
    std::cerr << "formscan print: " << pages << " page(s) of " << form.id << " in " << out << " (batch " << layout.batch << ", "
              << people.size() << " people); what each row holds: " << out << ".batch.jsonl\n";
    return kExitOk;
}

}  // namespace formscan::cli
