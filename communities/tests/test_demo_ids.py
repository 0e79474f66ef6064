"""The demo's synthetic ID numbers stay valid however large compound ids have grown."""

from communities import demo, id_numbers


def test_demo_resident_ids_are_valid_and_distinct_for_large_compound_ids():
    ids = {demo._demo_resident_id(compound * 10000 + serial) for compound in (3, 1800, 25_000) for serial in range(50)}
    assert len(ids) == 150
    assert all(len(i) == 18 and id_numbers.resident_id_check(i[:17]) == i[17] for i in ids)
