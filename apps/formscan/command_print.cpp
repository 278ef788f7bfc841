// formscan print: the 核对表 or the 登记表 as PDF ready to print, pre-filled from the
// district's list of people to visit, with a page code (QR) and corner marks on every page.
#include "cli_args.hpp"
#include "commands.hpp"

#include "form_renderer.hpp"
#include "formscan/error.hpp"
#include "formscan/page_code.hpp"
#include "formscan/paths.hpp"
#include "formscan/record_json.hpp"

#include <Poco/JSON/Parser.h>
#include <cairo-pdf.h>

#include <fstream>
#include <iostream>
#include <sstream>

namespace formscan::cli {

namespace {

constexpr double kPointsPerMm = 72.0 / 25.4;

// One person as the district's list gives them; keys as in the record format.
struct Listed {
    std::string key;
    synth::Person person;
};

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
std::vector<Listed> read_people(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("formscan.cli.missing_input", "cannot open " + path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    if (text.rfind("\xEF\xBB\xBF", 0) == 0) text = text.substr(3);
    std::vector<Listed> people;
    auto add = [&](const std::vector<std::pair<std::string, std::string>>& values) {
        Listed l;
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
    const std::string batch = args.get("--batch", "B1");
    if (batch.find_first_of(";,=") != std::string::npos) throw Error("formscan.cli.bad_value", "a batch name holds no ; , or =");

    std::vector<Listed> people;
    int pages = 0;
    if (args.has("--people")) {
        people = read_people(args.get("--people"));
        if (people.empty()) throw Error("formscan.print.people", args.get("--people") + " lists nobody");
        pages = static_cast<int>((people.size() + static_cast<std::size_t>(rows) - 1) / static_cast<std::size_t>(rows));
    } else {
        pages = args.get_int("--blank", 1, 1, 10000);
    }
    const synth::SynthData data = synth::SynthData::load(default_data_dir());
    const std::string out = args.get("--out");
    cairo_surface_t* surface = cairo_pdf_surface_create(out.c_str(), form.page_width_mm * kPointsPerMm, form.page_height_mm * kPointsPerMm);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) throw Error("formscan.print.output", "cannot write " + out);
    cairo_t* cr = cairo_create(surface);
    std::ofstream manifest(out + ".batch.jsonl");
    for (int page = 0; page < pages; ++page) {
        std::vector<synth::Person> on_page;
        PageCode code{form.id, form.schema_version, batch, page + 1, {}};
        for (int r = 0; r < rows; ++r) {
            const std::size_t i = static_cast<std::size_t>(page * rows + r);
            if (i >= people.size()) break;
            on_page.push_back(people[i].person);
            code.row_keys.push_back(people[i].key);
        }
        synth::RenderOptions options;
        options.fonts = {"Noto Sans CJK SC"};
        options.people = &on_page;
        options.min_rows = rows;  // blank rows to fill in on the batch's last page
        options.page_code = to_text(code);
        // Every page of a batch in the same layout.
        std::mt19937 rng(20150101);
        cairo_save(cr);
        cairo_scale(cr, kPointsPerMm, kPointsPerMm);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        synth::PageTruth printed = synth::draw_form(cr, form, data, options, rng);
        cairo_restore(cr);
        cairo_show_page(cr);
        // What was printed on each row, for checking the pages when they come back.
        for (std::size_t r = 0; r < printed.records.size(); ++r) {
            Record rec = printed.records[r];
            rec.source = out;
            rec.page = page;
            rec.batch = batch;
            rec.batch_page = page + 1;
            rec.person_key = r < code.row_keys.size() ? code.row_keys[r] : "";
            manifest << record_to_json_line(rec) << "\n";
        }
    }
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    const bool ok = cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS;
    cairo_surface_destroy(surface);
    if (!ok) throw Error("formscan.print.output", "cannot write " + out);
    std::cerr << "formscan print: " << pages << " page(s) of " << form.id << " in " << out << " (batch " << batch << ", "
              << people.size() << " people); what each row holds: " << out << ".batch.jsonl\n";
    return kExitOk;
}

}  // namespace formscan::cli
