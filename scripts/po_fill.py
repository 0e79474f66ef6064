"""Fill Simplified Chinese translations into a .po catalogue from a JSON object {msgid: msgstr}.

    python scripts/po_fill.py communities/locale/zh_Hans/LC_MESSAGES/django.po < zh.json

An entry with a message context (pgettext, ``{% translate ... context ... %}``) is matched by the key
"context\\u0004msgid" (as in a compiled catalogue); a plain msgid key fills only entries without a context.
A plural entry takes a list [singular, plural] or one string used for both (Chinese has no plural).
Prints the msgids still untranslated, so nothing is left in English by accident.
"""

import json
import sys

import polib


def main(path: str) -> None:
    catalogue = polib.pofile(path)
    table = json.load(sys.stdin) if not sys.stdin.isatty() else {}
    for entry in catalogue:
        key = f"{entry.msgctxt}\u0004{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if key in table:
            value = table[key]
            if entry.msgid_plural:
                values = value if isinstance(value, list) else [value]
                entry.msgstr_plural = {0: values[0]}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    catalogue.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    catalogue.metadata["Language"] = "zh_Hans"
    catalogue.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalogue.save(path)
    missing = [e for e in catalogue if not e.translated() and not e.obsolete]
    for entry in missing:
        label = f"{entry.msgctxt}\\u0004{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        print("untranslated:", label)


if __name__ == "__main__":
    main(sys.argv[1])
