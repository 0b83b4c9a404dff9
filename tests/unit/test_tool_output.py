"""redis-cli's output as notebook 05 prints it: progress marks and runs of alike lines shortened;
07's capture-style dump; the counts they add, in the student's language."""
from __future__ import annotations

import pytest

import helpers
from helpers.i18n import _, _n
from helpers.tools import abridge, cpu_seconds
from helpers.wire import dump
from tests.messages import said


def test_a_line_of_progress_marks_becomes_a_count() -> None:
    text = "Moving 1024 slots from 127.0.0.1:7001 to 127.0.0.1:7006\n" + "#" * 1024
    assert abridge(text).splitlines() == ["Moving 1024 slots from 127.0.0.1:7001 to 127.0.0.1:7006",
                                          "#" * 40 + "…  (1,024 ×)"]


def test_a_run_of_alike_lines_keeps_its_ends_and_says_how_many_are_left_out() -> None:
    moves = [f"Moving slot {slot} from 127.0.0.1:7001 to 127.0.0.1:7006: ." for slot in range(5461, 5561)]
    text = "\n".join([">>> Performing Cluster Check", *moves, "[OK] All 16384 slots covered."])
    shown = abridge(text).splitlines()
    assert shown[:4] == [">>> Performing Cluster Check", *moves[:3]]
    assert shown[4] == "   … 94 more lines like these …"
    assert shown[5:] == [*moves[-3:], "[OK] All 16384 slots covered."]


def test_short_runs_and_lines_without_digits_are_left_alone() -> None:
    text = "\n".join(["M: 1a 127.0.0.1:7000", "   slots:[0-5460] (5461 slots) master",
                      "M: 2b 127.0.0.1:7001", "   slots:[5461-10922] (5462 slots) master",
                      ">>> Check for open slots...", ">>> Check slots coverage..."])
    assert abridge(text) == text


def test_the_node_listing_is_left_out_unless_asked_for() -> None:
    from helpers.tools import _without_listing
    text = "\n".join([">>> Performing Cluster Check (using node 127.0.0.1:7000)",
                      f"M: {'a' * 40} 127.0.0.1:7000", "   slots:[0-5460] (5461 slots) master",
                      "   1 additional replica(s)",
                      f"S: {'b' * 40} 127.0.0.1:7003", "   slots: (0 slots) slave",
                      f"   replicates {'a' * 40}",
                      "[OK] All nodes agree about slots configuration.",
                      "  Resharding plan:", "    Moving slot 5461 from " + "a" * 40])
    assert _without_listing(text).splitlines() == [
        ">>> Performing Cluster Check (using node 127.0.0.1:7000)",
        "[OK] All nodes agree about slots configuration.",
        "  Resharding plan:", "    Moving slot 5461 from " + "a" * 40]


def test_reshards_indented_listings_are_left_out_and_its_headings_kept() -> None:
    from helpers.tools import _without_listing
    text = "\n".join(["Ready to move 10 slots.", "  Source nodes:",
                      f"    M: {'a' * 40} 127.0.0.1:7000", "       slots:[0-5460] (5461 slots) master",
                      "  Destination node:", f"    M: {'c' * 40} 127.0.0.1:7006",
                      "       slots: (0 slots) master", "  Resharding plan:",
                      "    Moving slot 0 from " + "a" * 40])
    assert _without_listing(text).splitlines() == ["Ready to move 10 slots.", "  Source nodes:",
                                                   "  Destination node:", "  Resharding plan:",
                                                   "    Moving slot 0 from " + "a" * 40]


def test_shortened_output_and_a_dump_count_in_french(monkeypatch) -> None:
    monkeypatch.setenv("WORKSHOP_LANG", "fr")
    marks = abridge("#" * 1024)
    assert marks == _("{marks}…  ({count:,} ×)", marks="#" * 40, count=1024) == "#" * 40 + "…  (1\u202f024 ×)"
    moves = [f"Moving slot {slot} from 127.0.0.1:7001 to 127.0.0.1:7006: ." for slot in range(5461, 5561)]
    left_out = _n("… {count:,} more line like these …", "… {count:,} more lines like these …", 94)
    assert left_out == "… 94 autres lignes semblables …"
    assert abridge("\n".join(moves)).splitlines()[3:5] == [f"   {left_out}", moves[-3]]  # redis-cli's lines stay
    tail = dump(bytes(range(256)) * 10).splitlines()[-1]
    assert tail == _n("… {count:,} byte in all", "… {count:,} bytes in all", 2560)
    assert tail == "… 2\u202f560 octets en tout"
    assert dump(b"SET") == f"0000  {'53 45 54':<48} SET"  # the dump itself is data, in no language


def test_a_run_without_cpu_times_is_an_error_in_the_students_language(monkeypatch) -> None:
    for language, words in (("en", "No CPU times at the end of the output"),
                            ("fr", "Pas de temps CPU à la fin de la sortie")):
        monkeypatch.setenv("WORKSHOP_LANG", language)
        with pytest.raises(helpers.WorkshopError) as caught:
            cpu_seconds("Could not connect to Redis at 127.0.0.1:7000: Connection refused\n")
        assert said(caught.value, "No CPU times at the end of the output", output="Could not connect to Redis "
                    "at 127.0.0.1:7000: Connection refused\n")
        assert str(caught.value).startswith(words)
