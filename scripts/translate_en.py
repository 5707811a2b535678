"""Fill the English catalogue from scripts/en.tsv and compile it.

zh-hans is the source of truth for wording; this keeps the second catalogue in one file
that a translator can edit. Run `make messages` after changing UI strings.

en.tsv has one line per msgid, ``#`` starts a comment:
    Chinese msgid <TAB> English
    Chinese msgid <TAB> English singular <TAB> English plural     (a {% plural %} string)
    [context]Chinese msgid <TAB> English                           (pgettext, ``context "…"``)
``\\n``, ``\\t`` and ``\\\\`` stand for a newline, a tab and a backslash; nothing else is
trimmed, so a space at the end of the English is kept.

Every msgid of the catalogue must have a line: the script lists the ones that do not (and
lines whose msgid is no longer in the catalogue) and exits with status 1, so `make messages`
stops there; tests/test_translations.py fails on the same.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO_PATH = ROOT / "locale/en/LC_MESSAGES/django.po"
TABLE_PATH = ROOT / "scripts/en.tsv"
ESCAPES = {"n": "\n", "t": "\t", "\\": "\\"}


def unescape(text):
    out, chars = [], iter(text)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append(ESCAPES.get(nxt, "\\" + nxt))
        else:
            out.append(char)
    return "".join(out)


def key(text):
    """(msgctxt, msgid) of en.tsv's first column."""
    if text.startswith("[") and "]" in text:
        context, msgid = text[1:].split("]", 1)
        return context, msgid
    return None, text


def read_table(path=TABLE_PATH):
    """{(msgctxt, msgid): [english, ...]}: one English form, or singular and plural."""
    table = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        fields = [unescape(field) for field in line.split("\t")]
        if len(fields) not in (2, 3) or not all(fields[1:]):
            raise SystemExit(f"{path.name}:{number}: expected msgid<TAB>English[<TAB>plural]")
        if key(fields[0]) in table:
            raise SystemExit(f"{path.name}:{number}: {fields[0]!r} appears twice")
        table[key(fields[0])] = fields[1:]
    return table


def fill(po, table):
    """Write the table into the catalogue; returns (untranslated msgids, unused msgids)."""
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        english = table.get((entry.msgctxt, entry.msgid))
        if english is None:
            missing.append(f"[{entry.msgctxt}]{entry.msgid}" if entry.msgctxt else entry.msgid)
            continue
        if entry.msgid_plural:
            singular, plural = english if len(english) == 2 else (english[0], english[0])
            entry.msgstr_plural = {0: singular, 1: plural}
        else:
            entry.msgstr = english[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    known = {(entry.msgctxt, entry.msgid) for entry in po}
    return missing, [f"[{c}]{m}" if c else m for c, m in table if (c, m) not in known]


def main():
    table = read_table()
    po = polib.pofile(str(PO_PATH), wrapwidth=79)
    po.header = ("English catalogue of the portal. Edit scripts/en.tsv, not this file: "
                 "scripts/translate_en.py\nwrites it (make messages).")
    po.metadata_is_fuzzy = False
    po.metadata.update({"Project-Id-Version": "yichuan-portal", "Language": "en",
                        "Language-Team": "English", "Last-Translator": "scripts/en.tsv"})
    po.metadata.pop("PO-Revision-Date", None)
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    missing, unused = fill(po, table)
    po.save()
    po.save_as_mofile(str(PO_PATH.with_suffix(".mo")))
    for msgid in unused:
        print(f"en.tsv: not in the catalogue (remove the line): {msgid}", file=sys.stderr)
    for msgid in missing:
        print(f"untranslated: {msgid}", file=sys.stderr)
    print(f"{po.percent_translated()}% translated, {len(missing)} untranslated", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
