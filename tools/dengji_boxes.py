#!/usr/bin/env python3
"""Box-level and group-level accuracy of the 登记表's check boxes.

Reads DIR/truth.jsonl (formscan synth), DIR/r.jsonl (formscan run) and DIR/debug.log (the
stderr of `FORMSCAN_LOG_LEVEL=debug formscan run ...`: the sheet_boxes stage logs every
box it found with its page, its state and the option it was aligned with).

    python3 tools/dengji_boxes.py DIR
"""
import json
import re
import sys

GROUPS = ['hukou_type', 'employment_status', 'employer_type', 'personal_status', 'pension', 'medical',
          'unemployment', 'injury', 'maternity', 'not_insured_reason']


def chosen(truth_value, option):
    if isinstance(truth_value, list):
        return option in truth_value
    if isinstance(truth_value, str):
        return truth_value == option
    return bool(truth_value)


def main(folder):
    truth = {}
    for line in open(folder + '/truth.jsonl', encoding='utf-8'):
        r = json.loads(line)
        truth[r['source'].split('/')[-1]] = r
    by_page = {}
    for line in open(folder + '/debug.log', encoding='utf-8'):
        m = re.search(r'sheet_boxes: (\S+)#\d+ box \d+ at \S+ \S+ ink ([\d.]+) glyph \S+ \S+ (\w+) label "(.*)" -> (.*)$', line)
        if m:
            by_page.setdefault(m.group(1).split('/')[-1], []).append((m.group(3), m.group(5).strip()))
    pages = list(by_page.items())
    right = total = 0
    for source, found in pages:
        fields = truth[source]['fields']
        for state, option in found:
            if option == '-':
                continue
            key, value = option.split('/', 1)
            total += 1
            right += (state == 'ticked') == chosen(fields[key]['value'], value)
    # Every option printed on the sheet, found or not: is it read as chosen exactly when it was?
    template = json.load(open(sys.path[0] + '/../templates/zj-dengji.json', encoding='utf-8'))
    options = {f['key']: f.get('options', ['']) for f in template['fields'] if f['key'] in GROUPS}
    every = every_right = 0
    groups = groups_right = silent = ok = 0
    for line in open(folder + '/r.jsonl', encoding='utf-8'):
        r = json.loads(line)
        t = truth[r['source'].split('/')[-1]]['fields']
        for key in GROUPS:
            for option in options[key]:
                every += 1
                every_right += chosen(r['fields'][key]['value'], option) == chosen(t[key]['value'], option)
            groups += 1
            same = r['fields'][key]['value'] == t[key]['value']
            groups_right += same
            if r['fields'][key]['status'] == 'ok':
                ok += 1
                silent += not same
    print(f'boxes found and aligned with an option: {total}; state right: {right} ({100 * right / max(1, total):.2f}%)')
    print(f'every option of the sheets (box found or not): {every}; read as chosen or not rightly: {every_right} '
          f'({100 * every_right / max(1, every):.2f}%)')
    print(f'choice groups: {groups}; value exact: {groups_right} ({100 * groups_right / max(1, groups):.2f}%); '
          f'ok but wrong: {silent} of {ok} ok ({100 * silent / max(1, ok):.2f}%)')


if __name__ == '__main__':
    main(sys.argv[1])
