"""The demo's generator processes run without the cyclic garbage collector: that is only safe
while generating a chunk leaves no reference cycles behind."""
from __future__ import annotations

import gc
from datetime import timedelta

from app.demo import loader as demo


def test_generating_a_chunk_leaves_no_reference_cycles(desk):
    town = demo.read_json("demo_town.json")
    now = desk.now()
    demo._init_worker({"refs": desk.refs(), "overrides": desk.calendar().overrides, "town": town, "now": now,
                       "seed": 1, "workstation": desk.workstation, "town_code": desk.town_code,
                       "device": desk.device_id, "yellow": (desk.setting("yellow_days"),
                                                            desk.setting("yellow_fraction"))})
    numbered = [(now - timedelta(minutes=7 * i), f"FS-20261127-01-{i:05d}") for i in range(400)]
    demo._generate_chunk((0, numbered[:50]))  # warm the generator's caches
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        cases, actions, docs = demo._generate_chunk((1, numbered))
        assert len(cases) == len(docs) == 400 and len(actions) > 400
        del cases, actions, docs
        assert gc.collect() == 0  # nothing unreachable that only the cyclic collector would free
    finally:
        if enabled:
            gc.enable()
