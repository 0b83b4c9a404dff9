"""Scaling on a real cluster: a master added and removed while an application writes."""
from __future__ import annotations

import pytest

import helpers
from helpers import labs, scaling
from helpers.cluster.base import port_is_free
from helpers.topology import keys_per_master


def test_resharding_under_load_loses_no_key_and_the_application_sees_no_error(own_cluster) -> None:
    _, rc = own_cluster
    rc.mset_nonatomic({f"before:{number}": number for number in range(5000)})
    workload = labs.Workload().start()
    try:
        port = scaling.add_master()
        moved_in = scaling.give_slots(port, 1024)
        counts = keys_per_master(helpers.connect()).set_index("master")["keys"]
        moved_out = scaling.remove_master(port)
    finally:
        log = workload.stop()
    assert moved_in > 200 and moved_out >= moved_in  # keys really moved, and all came back
    assert counts[f"127.0.0.1:{port}"] > 200
    assert (log["error"] == "").all(), log[log["error"] != ""].head()
    assert workload.written > 100
    fresh = helpers.connect()
    before = fresh.mget_nonatomic([f"before:{number}" for number in range(5000)])
    during = fresh.mget_nonatomic([f"workload:{number}" for number in range(workload.written)])
    assert before == [str(number) for number in range(5000)]
    assert during == [str(number) for number in range(workload.written)]
    assert len(fresh.get_primaries()) == 3
    fresh.close()
    assert port_is_free(port)


def test_scaling_refuses_what_it_cannot_do(shared_cluster) -> None:
    state, _ = shared_cluster
    with pytest.raises(helpers.WorkshopError, match="only those can be removed"):
        scaling.remove_master(state.spec.ports[0])
    with pytest.raises(helpers.WorkshopError, match="Choose between 1 and"):
        scaling.give_slots(state.spec.ports[0], 0)


def test_down_stops_an_extra_master_left_behind(own_cluster) -> None:
    port = scaling.add_master()
    helpers.down(purge=True)
    assert port_is_free(port)
