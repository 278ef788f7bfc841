#!/usr/bin/env python3
"""Box-level and group-level accuracy of the 登记表's check boxes.

Reads DIR/truth.jsonl (formscan synth), DIR/r.jsonl (formscan run) and DIR/debug.log (the
stderr of `FORMSCAN_LOG_LEVEL=debug formscan run --threads 1 ...`: the sheet_boxes stage
logs every box it found, its state and the option it was aligned with).

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
    pages, boxes = [], []
    for line in open(folder + '/debug.log', encoding='utf-8'):
        m = re.search(r'box \d+ at \S+ \S+ ink ([\d.]+) glyph \S+ \S+ (\w+) label "(.*)" -> (.*)$', line)
        if m:
            boxes.append((m.group(2), m.group(4).strip()))
            continue
        m = re.search(r'formscan\.pipeline: (\S+) page', line)
        if m:
            pages.append((m.group(1).split('/')[-1], boxes))
            boxes = []
    right = total = 0
    for source, found in pages:
        fields = truth[source]['fields']
        for state, option in found:
            if option == '-':
                continue
            key, value = option.split('/', 1)
            total += 1
            right += (state == 'ticked') == chosen(fields[key]['value'], value)
    groups = groups_right = silent = ok = 0
    for line in open(folder + '/r.jsonl', encoding='utf-8'):
        r = json.loads(line)
        t = truth[r['source'].split('/')[-1]]['fields']
        for key in GROUPS:
            groups += 1
            same = r['fields'][key]['value'] == t[key]['value']
            groups_right += same
            if r['fields'][key]['status'] == 'ok':
                ok += 1
                silent += not same
    print(f'boxes found and aligned with an option: {total}; state right: {right} ({100 * right / max(1, total):.2f}%)')
    print(f'choice groups: {groups}; value exact: {groups_right} ({100 * groups_right / max(1, groups):.2f}%); '
          f'ok but wrong: {silent} of {ok} ok ({100 * silent / max(1, ok):.2f}%)')


if __name__ == '__main__':
    main(sys.argv[1])
