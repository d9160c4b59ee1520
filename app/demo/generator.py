"""Generate realistic sample cases with their whole action histories (demo and benchmarks).

Each case is a scenario: intake, then the steps a real case of that age would have taken
(dispatch, returns, transfers, signing, progress, 督办, suspension, extension, closure review,
callback, archiving, or rejection, merging, escalation, 即办). Actions are folded with the same
reducer the services use, so ``towndesk check`` finds the rows equal to their logs.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain import deadlines as dl
from app.domain.casefold import ActionRecord, CaseState, apply
from app.domain.ids import new_id
from app.domain.routing import route
from app.domain.timezone import LOCAL_TZ

CHANNEL_WEIGHTS = {"visit": 22, "phone": 14, "hotline_12345": 26, "grid_report": 20, "mini_program": 8,
                   "online_petition": 5, "police_feed": 3, "district_assign": 2}


class CaseBuilder:
    """Appends actions to one case and folds them as it goes."""

    def __init__(self, case_id: str):
        self.case_id = case_id
        self.state: CaseState | None = None
        self.actions: list[ActionRecord] = []

    def __call__(self, kind: str, at: datetime, who: Staff, payload: dict | None = None) -> datetime:
        rec = ActionRecord(new_id(), self.case_id, kind, at, who.username, who.role, payload or {}, who.unit)
        rec.actor_name = who.name
        self.state = apply(self.state, rec)
        self.actions.append(rec)
        return at


@dataclass
class Staff:
    username: str
    name: str
    role: str
    unit: str | None = None


class DemoGenerator:
    """Builds (state, actions) for sample cases. Deterministic for a seed."""

    def __init__(self, refs, text: dict, town: dict, calendar, now: datetime, seed: int, workstation: str,
                 town_code: str, yellow_days: float = 1.0, yellow_fraction: float = 0.2):
        self.r = random.Random(seed)
        self.refs, self.text, self.cal, self.now = refs, text, calendar, now
        self.town_code, self.workstation = town_code, workstation
        self.yellow_days, self.yellow_fraction = yellow_days, yellow_fraction
        self.leaves = [c for c in refs.categories.values() if c.leaf and c.code in text["templates"]]
        self.grids = [g for g in refs.grids.values() if g.level in ("grid", "micro")]
        self.streets = town.get("streets") or ["解放北路"]
        users = {u["role"]: u for u in town["users"]}
        self.intake = Staff("intake", users["intake"]["name"], "intake")
        self.dispatcher = Staff("dispatcher", users["dispatcher"]["name"], "dispatcher")
        self.director = Staff("director", users["director"]["name"], "director")
        self.system = Staff("system", "系统自动派单", "system")
        self.routes = {}
        self.unit_codes = [u.code for u in refs.units.values() if u.kind != "district"]
        self.channels = list(CHANNEL_WEIGHTS)
        self.channel_w = list(CHANNEL_WEIGHTS.values())
        self._deadline_cache: dict = {}
        self._callback_cache: dict = {}
        self.recent: list[tuple[str, str]] = []  # (case_no, state) of registered cases, for merges

    def reseed(self, seed: int) -> None:
        """Start a new deterministic stream (per chunk); caches stay warm."""
        self.r.seed(seed)
        self.recent.clear()

    def callback_due(self, t: datetime) -> datetime:
        day = t.astimezone(LOCAL_TZ).date()
        if day not in self._callback_cache:
            self._callback_cache[day] = self.cal.next_workday_end(t)
        return self._callback_cache[day]

    # -- helpers -----------------------------------------------------------------------------
    def unit_staff(self, code: str) -> Staff:
        return Staff(f"unit_{code.lower()}", f"{self.refs.unit_name(code)}经办人", "unit", code)

    def route_for(self, category: str, village: str, grid: str):
        key = (category, village, grid)
        if key not in self.routes:
            self.routes[key] = route(category, self.refs.rules, village=village, grid=grid,
                                     category_parents=self.refs.category_parents)
        return self.routes[key]

    def deadlines(self, at: datetime, category, urgent: bool) -> dict:
        """Sign and handling deadlines (cached per 10-minute start slot; starts are on slots)."""
        policy = dl.DeadlinePolicy(category.sign_days, category.handle_days, category.urgent_sign_hours,
                                   category.urgent_handle_days)
        key = (at, policy, urgent)
        hit = self._deadline_cache.get(key)
        if hit is None:
            due = dl.handle_deadline(self.cal, at, policy, urgent)
            sign = min(dl.sign_deadline(self.cal, at, policy, urgent), due)
            hit = {"due_at": due.isoformat(),
                   "warn_at": dl.warn_at(self.cal, at, due, self.yellow_days, self.yellow_fraction).isoformat(),
                   "sign_due_at": sign.isoformat(),
                   "sign_warn_at": dl.warn_at(self.cal, at, sign, 0.0, self.yellow_fraction).isoformat()}
            self._deadline_cache[key] = hit
        return hit

    def fill(self, template: str, place: str, name: str) -> str:
        fills = self.text["fills"]
        out = template.replace("{place}", place).replace("{name}", name)
        while "{" in out:
            start = out.index("{")
            end = out.index("}", start)
            out = out[:start] + self.r.choice(fills[out[start + 1:end]]) + out[end + 1:]
        return out

    def slot(self, t: datetime) -> datetime:
        """Round to the next 10-minute slot (deadline cache key), never in the future."""
        t = t.replace(second=0, microsecond=0) + timedelta(minutes=10 - t.minute % 10)
        latest = self.now.replace(second=0, microsecond=0) - timedelta(minutes=self.now.minute % 10)
        return t if t <= latest else latest

    # -- one case ------------------------------------------------------------------------------
    def case(self, received: datetime, case_no: str) -> tuple[CaseState, list[ActionRecord]]:
        r = self.r
        cat = r.choice(self.leaves)
        g = r.choice(self.grids)
        village = g.village
        grid = g.code if g.level == "grid" else g.parent
        channel = r.choices(self.channels, self.channel_w)[0]
        tpl = self.text["templates"][cat.code]
        name = r.choice(self.text["surnames"]) + r.choice(self.text["given"])
        place = f"{self.refs.grid_name(village)}{r.choice(self.streets)}{r.randint(1, 188)}号"
        anonymous = channel in ("mini_program", "online_petition") and r.random() < 0.15
        no_reporter = channel in ("grid_report", "police_feed", "district_assign")
        phone = None if anonymous or no_reporter else f"1{r.choice('3578')}{r.randint(0, 999999999):09d}"
        fields = {
            "case_no": case_no,
            "town": self.town_code, "channel": channel, "type": cat.case_type or "help",
            "title": self.fill(r.choice(tpl["titles"]), place, name)[:100],
            "description": self.fill(r.choice(tpl["descriptions"]), place, name),
            "reporter_name": None if anonymous or no_reporter else name, "reporter_phone": phone,
            "reporter_id_no": None, "anonymous": anonymous,
            "persons": r.choice((2, 3, 5, 8, 12)) if channel == "visit" and r.random() < 0.12 else 1,
            "category": cat.code, "village": village, "grid": grid, "address": place,
            "urgency": "urgent" if r.random() < 0.08 else "normal", "major": cat.major, "repeat_of": [],
        }
        add = CaseBuilder(new_id())
        t = add("intake", received, self.intake if channel in ("visit", "phone") else self.dispatcher, fields)
        self.walk(add, t, cat, village, grid, fields, received)
        if add.state.state == "registered" and r.random() < 0.5:
            self.recent.append((fields["case_no"], add.state.state))
            del self.recent[:-200]
        return add.state, add.actions

    def walk(self, add, t, cat, village, grid, fields, received) -> None:
        """Carry a case forward as far as its age allows."""
        r, now = self.r, self.now
        age_days = (now - received).total_seconds() / 86400
        done_p = min(0.97, age_days / 9)

        def later(hours_lo: float, hours_hi: float) -> datetime | None:
            nonlocal t
            nt = t + timedelta(hours=r.uniform(hours_lo, hours_hi))
            if nt >= now:
                return None
            t = nt
            return t

        roll = r.random()
        if roll < 0.02 and later(0.2, 3):
            add("reject", t, self.intake, {"reason": r.choice(self.text["reject_reasons"]), "reason_code": "other"})
            return
        if roll < 0.035 and self.recent and later(0.1, 1):
            into = r.choice(self.recent)[0]
            add("merge", t, self.intake, {"into": into})
            return
        if fields["type"] == "consult" and roll < 0.35 and later(0.05, 0.5):
            add("answer", t, self.intake, {"result": r.choice(self.text["results"])})
            add("callback", t, self.intake, {"satisfaction": "satisfied", "note": "即办件当场答复"})
            return
        routed = self.route_for(cat.code, village, grid)
        if cat.auto_dispatch and routed.unique:
            unit, who = routed.unit, self.system
            t = max(self.slot(t + timedelta(minutes=1)), received)
        else:
            if later(0.5, 30) is None:
                return
            if roll > 0.985:
                add("escalate", t, self.dispatcher, {"reason": "涉及跨部门重大事项，提请区级协调"})
                return
            unit = routed.unit or (routed.candidates[0] if routed.candidates else r.choice(self.unit_codes))
            who = self.dispatcher
            t = self.slot(t)
        self.dispatch(add, t, who, unit, cat, fields, routed)
        unit_staff = self.unit_staff(unit)
        if r.random() < 0.05:  # returned, then dispatched again
            if later(1, 20) is None:
                return
            add("return", t, unit_staff, {"reason": r.choice(self.text["return_reasons"])})
            if later(0.5, 8) is None:
                return
            unit = r.choice([u for u in self.unit_codes if u != unit])
            unit_staff = self.unit_staff(unit)
            t = self.slot(t)
            self.dispatch(add, t, self.dispatcher, unit, cat, fields, None)
        if r.random() > done_p * 1.15 + 0.15 or later(0.3, 26) is None:
            return  # still waiting to be signed
        add("sign", t, unit_staff)
        if r.random() < 0.03 and later(1, 24):
            new_unit = r.choice([u for u in self.unit_codes if u != unit])
            add("transfer", t, self.dispatcher, {"unit": new_unit, "reason": "经核实属其他单位职责"})
            unit, unit_staff = new_unit, self.unit_staff(new_unit)
        if later(2, 40):
            add("progress", t, unit_staff, {"note": r.choice(self.text["progress_notes"])})
        if r.random() < 0.06 and later(1, 30):
            add("urge", t, self.director, {"level": r.choice(("normal", "normal", "yellow", "red")),
                                           "instruction": r.choice(self.text["urge_instructions"])})
        if r.random() < 0.02 and later(1, 10):
            add("suspend", t, self.director, {"reason": "需等待上级政策明确"})
            suspended_at = t
            if r.random() < 0.5 or later(24, 120) is None:
                return
            due = dl.shift_for_suspension(self.cal, add.state.due_at, suspended_at, t)
            add("resume", t, self.director, {"due_at": due.isoformat(), "warn_at": due.isoformat()})
        if r.random() < 0.03 and later(1, 10):
            add("extend_request", t, unit_staff, {"days": 3, "reason": "需协调多个部门现场会商"})
            if later(1, 8):
                due = dl.extend(self.cal, add.state.due_at, 3)
                add("extend_approve", t, self.director, {"days": 3, "due_at": due.isoformat(),
                                                          "warn_at": (due - timedelta(days=1)).isoformat()})
        if r.random() > done_p or later(4, 90) is None:
            return  # still in progress (old ones turn red)
        add("request_close", t, unit_staff, {"result": r.choice(self.text["results"]),
                                             "close_type": r.choices(("substantive", "staged", "procedural"),
                                                                     (85, 10, 5))[0]})
        if later(0.5, 20) is None:
            return
        if r.random() < 0.04:
            add("reject_close", t, self.director, {"reason": "办理结果不完整，请补充现场核实情况"})
            return
        cb = self.callback_due(t)
        add("approve_close", t, self.director, {"callback_due_at": cb.isoformat(),
                                                "callback_warn_at": (cb - timedelta(hours=24)).isoformat()})
        if r.random() > done_p or later(1, 30) is None:
            return
        sat = r.choices(("satisfied", "basic", "unsatisfied"), (86, 10, 4))[0]
        add("callback", t, self.intake, {"satisfaction": sat, "note": r.choice(self.text["callback_notes"]),
                                         "unit_at_fault": sat == "unsatisfied" and r.random() < 0.5})
        if age_days > 25 and r.random() < 0.5 and later(24, 200):
            if add.state.state == "closed":
                add("archive", t, self.director)

    def dispatch(self, add, t, who, unit, cat, fields, routed) -> None:
        d = self.deadlines(t, cat, fields["urgency"] == "urgent")
        payload = {"unit": unit, "co_units": [], **d}
        if who.role == "system":
            payload.update(auto=True, note=routed.reason)
        add("dispatch", t, who, payload)
