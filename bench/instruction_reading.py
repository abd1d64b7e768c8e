"""How fast and how well the offline editor reads instructions by meaning.

    python bench/instruction_reading.py

Loads the sentence encoder in a fresh process (time and memory), then reads every sentence of
the paraphrase tests (tests/catalogue/providers/offline/test_paraphrases.py) three times and
reports the median time per sentence and per embedded clause, and how many are read as the
operation the test expects, the right way for those with a direction (or refused where it
expects a refusal), and which by meaning alone.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aiceps.settings.test")

EXPECTED = {  # the test's kinds -> the operation the parse must produce
    "grey": "grayscale",
    "cut-out": "remove_bg",
    "square": "crop",
    "16:9": "crop",
    "9:16": "crop",
    "x2": "upscale",
    "x3": "upscale",
    "x4": "upscale",
    "brighter": "brightness",
    "darker": "brightness",
    "bg-blur": "bg_blur",
    "cooler": "warmth",
    "saturated": "saturation",
    "left": "rotate",
    "styled": None,  # style, cartoon or sketch
    "second": "bg_image",
}
# Kinds whose operation goes one way: the sign its amount must have ("brighter" read as
# darker runs "brightness" too, the wrong way).
DIRECTION = {"brighter": 1, "darker": -1, "saturated": 1, "cooler": -1}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    import django

    django.setup()
    from catalogue.providers.offline import meaning
    from catalogue.providers.offline.instructions import parse

    before = rss_mb()
    started = time.perf_counter()
    meaning.read("warm up")
    load = time.perf_counter() - started
    print(
        f"encoder + {sum(map(len, meaning.EXAMPLES.values()))} phrasings: {load:.2f} s, "
        f"+{rss_mb() - before:.0f} MB (peak RSS {rss_mb():.0f} MB)"
    )

    clause_times = []
    for sentence in ["把后面的背景弄模糊", "make the picture twice as big", "做成灰白效果"] * 10:
        t = time.perf_counter()
        meaning.read(sentence)
        clause_times.append(time.perf_counter() - t)
    print(
        f"one clause embedded and matched: median {statistics.median(clause_times) * 1000:.1f} ms"
    )

    from tests.catalogue.providers.offline.test_paraphrases import REFUSED, UNDERSTOOD

    right, by_meaning, sentence_times = 0, 0, []
    for kind, sentence in UNDERSTOOD:
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            parsed = parse(sentence)
            runs.append(time.perf_counter() - t)
        sentence_times.append(statistics.median(runs))
        names = [o.name for o in parsed.operations]
        want = EXPECTED[kind]
        ok = (want in names) if want else any(n in ("style", "cartoon", "sketch") for n in names)
        if kind in DIRECTION:
            amounts = [o.params.get("amount", 0) for o in parsed.operations if o.name == want]
            ok = ok and all(a * DIRECTION[kind] > 0 for a in amounts)
        right += ok and not parsed.problems
        by_meaning += any("read as" in c.reason for c in parsed.clauses)
    # refused: a clause it cannot do or does not understand, or nothing to do at all
    refused = sum(bool(p.problems or not p.operations) for p in map(parse, REFUSED))
    print(
        f"understood as expected: {right}/{len(UNDERSTOOD)} ({by_meaning} by meaning); "
        f"refused: {refused}/{len(REFUSED)}"
    )
    print(
        f"whole instruction parsed: median {statistics.median(sentence_times) * 1000:.1f} ms, "
        f"max {max(sentence_times) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
