"""Fill the English catalogue from scripts/en.tsv (Chinese msgid <TAB> English) and compile.

zh-hans is the source of truth for wording; this keeps the second catalogue in one file
that a translator can edit. Run `make messages` after changing UI strings.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
po_path = ROOT / "locale/en/LC_MESSAGES/django.po"
table = {}
for line in (ROOT / "scripts/en.tsv").read_text(encoding="utf-8").splitlines():
    if "\t" in line and not line.startswith("#"):
        zh, en = line.split("\t", 1)
        table[zh] = en
po = polib.pofile(str(po_path))
missing = 0
for entry in po:
    if entry.msgid in table:
        entry.msgstr = table[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    elif not entry.msgstr:
        missing += 1
po.save()
po.save_as_mofile(str(po_path.with_suffix(".mo")))
print(f"{po.percent_translated()}% translated, {missing} untranslated", file=sys.stderr)
