"""Server time of the busiest staff pages, beside a minimal Django view on the same server.

    DEBUG=0 SECRET_KEY=... SECURE_SSL_REDIRECT=0 DATABASE_URL=postgres://... \\
        python manage.py bench_pages --complaints 1000000 --requests 60 [--searches] [--breakdown]

Requests go through the whole Django stack in this process (every middleware: sessions, two-factor,
audit, CSP), with the test client: the time is the server's, without a network. The floor is
``/healthz`` (one ``SELECT 1``). The last row, an auditor's empty queue, is what any staff page costs
before it shows anything (its audit entry, the page layout). The pages are timed in rounds, one
request of each per round, so that the load of a shared machine falls on all of them alike. A page
that shows an error message (a refused filter, say) stops the run: it would not be the page meant.
Seeding, when the database holds fewer complaints than asked, uses ``seed_demo``. ``--searches`` then
times the list's search for many words, common, rare and of several words (docs/benchmarks.md, seventh
round).

``--breakdown`` also times each statement the pages send to the database (the round trip: sending,
the database's planning and work, the answer coming back) and prints, for each page, the median time
its requests spent waiting on the database and the rest, the server's own work (Python). Its last
column is a lower bound: the page's ratio to the floor if everything it does beyond the floor's own
work were its database statements, that is, if its Python (queries built, rows read, the page written)
took no time at all (docs/benchmarks.md, ninth round).
"""

from __future__ import annotations

import contextlib
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from parley.accounts.models import User
from parley.accounts.roles import Role
from parley.cases.demo import LAST
from parley.cases.models import Complaint, Party, PartyKind


def _verified_client(user: User) -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@contextlib.contextmanager
def _database_time() -> Iterator[list[float]]:
    """The time spent in each statement sent to the database inside the block, in ms, in a list that
    fills as they run."""
    spent: list[float] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append((time.perf_counter() - started) * 1000)

    with connection.execute_wrapper(timed):
        yield spent


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class Command(BaseCommand):
    help = "Measure the median and 95th-percentile server time of the list, search, queue and complaint page."

    def add_arguments(self, parser):
        parser.add_argument("--complaints", type=int, default=0, help="Seed up to this many complaints first.")
        parser.add_argument("--requests", type=int, default=60, help="Timed requests per page (after 5 warm-ups).")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--searches",
            action="store_true",
            help="Then time a search for each last name of the demo data and a few others, with and without "
            "an outcome, and print the median, 90th percentile and slowest of their medians.",
        )
        parser.add_argument(
            "--breakdown",
            action="store_true",
            help="Also print each page's time waiting on the database and the rest, and its ratio to the floor "
            "if it spent no time of its own beyond its database statements.",
        )

    def handle(
        self,
        *args,
        complaints: int,
        requests: int,
        seed: int,
        searches: bool = False,
        breakdown: bool = False,
        **options,
    ):
        if settings.DEBUG:
            raise CommandError("Run with DEBUG=0: DEBUG records every query and would distort the figures.")
        if requests < 5:
            raise CommandError("--requests must be at least 5.")
        have = Complaint.objects.count()
        if complaints > have:
            self.stdout.write(f"Seeding {complaints - have:,} complaints (the database has {have:,}) ...")
            call_command("seed_demo", complaints=complaints - have, seed=seed + have, stdout=self.stdout)
        total = Complaint.objects.count()
        if not total:
            raise CommandError("No complaints to measure: pass --complaints N.")
        rng = random.Random(seed)
        intake = User.objects.filter(role=Role.INTAKE, is_active=True).order_by("id").first()
        if intake is None:
            raise CommandError("No intake user: run seed_demo first.")
        client = _verified_client(intake)
        max_id = Complaint.objects.order_by("-id").values_list("id", flat=True).first()

        def some_reference() -> str:
            while True:
                found = (
                    Complaint.objects.filter(id__gte=rng.randint(1, max_id))
                    .order_by("id")
                    .values_list("reference", flat=True)[:1]
                )
                if found:
                    return found[0]

        def some_last_name() -> str:
            ref = some_reference()
            return (
                Party.objects.filter(complaint__reference=ref, kind=PartyKind.COMPLAINANT)
                .values_list("last_name", flat=True)
                .first()
                or "Garcia"
            )

        pages: dict[str, tuple[Client, Callable[[], str]]] = {
            "floor: minimal view (/healthz)": (client, lambda: "/healthz"),
            "complaint list": (client, lambda: "/complaints/"),
            # "mediated" is an outcome (a closed complaint's status): the list's "outcome" filter
            "filtered search (name + mediated)": (
                client,
                lambda: f"/complaints/?q={some_last_name()}&outcome=mediated",
            ),
            "my queue (intake)": (client, lambda: "/"),
            "complaint page": (client, lambda: f"/complaints/{some_reference()}/"),
        }
        auditor = User.objects.filter(role=Role.AUDITOR, is_active=True).order_by("id").first()
        if auditor is not None:
            # What every staff page costs before it shows anything: the audit entry, the page layout.
            pages["reference: empty staff page"] = (_verified_client(auditor), lambda: "/")
        self.stdout.write(
            f"{connection.vendor} {connection.settings_dict.get('NAME')}: {total:,} complaints; "
            f"{requests} timed requests per page; load average {_load()}"
        )
        header = f"{'page':<34} {'median ms':>10} {'p95 ms':>10} {'x floor':>8}"
        if breakdown:
            header += f" {'db ms':>7} {'other ms':>9} {'x floor, db only':>17}"
        self.stdout.write(header)
        # In rounds: one request of each page per round, so that a change of load on a shared machine
        # falls on every page alike and the ratios to the floor stay meaningful. 5 rounds warm up.
        timings: dict[str, list[float]] = {name: [] for name in pages}
        in_database: dict[str, list[float]] = {name: [] for name in pages}
        for round_number in range(requests + 5):
            for name, (page_client, url_for) in pages.items():
                url = url_for()
                with _database_time() if breakdown else contextlib.nullcontext([]) as spent:
                    started = time.perf_counter()
                    response = page_client.get(url)
                    elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
                if b'role="alert"' in response.content:  # e.g. a filter the form refused: not the page meant
                    raise CommandError(f"{url} shows an error message")
                if round_number >= 5:
                    timings[name].append(elapsed)
                    in_database[name].append(sum(spent))
        floor_name = next(iter(pages))
        floor = statistics.median(timings[floor_name])

        def other(name: str) -> float:  # the median of each request's time outside its database statements
            return statistics.median(total - db for total, db in zip(timings[name], in_database[name], strict=True))

        floor_other = other(floor_name)
        for name, values in timings.items():
            median, p95 = statistics.median(values), _percentile(values, 0.95)
            line = f"{name:<34} {median:>10.1f} {p95:>10.1f} {median / floor:>8.1f}"
            if breakdown:
                db = statistics.median(in_database[name])
                line += f" {db:>7.2f} {other(name):>9.2f} {(floor_other + db) / floor:>17.1f}"
            self.stdout.write(line)
        self.stdout.write(f"load average at the end: {_load()}")
        if searches:
            self._searches(client)

    def _searches(self, client: Client) -> None:
        """Every last name of the demo data (people and officers share them), several words (with an
        initial too), a word that matches nothing, a rare one and short ones, each with and without the
        outcome "mediated": the page's whole time, the median of 3 requests each (after one)."""
        words = [*dict.fromkeys(LAST), "Maria Garcia", "Zzyzx", "Smithson", "Ng", "Ann", "ez", "son"]
        words += ["M Garcia", "Garcia Ma", "Ana Maria Lopez", "Li Wu"]  # an initial; three words; short ones
        timed: list[tuple[float, str]] = []
        for word in words:
            for outcome in ("", "mediated"):
                url = f"/complaints/?{urlencode({'q': word, 'outcome': outcome})}"
                times = []
                for attempt in range(4):
                    started = time.perf_counter()
                    response = client.get(url)
                    elapsed = (time.perf_counter() - started) * 1000
                    if response.status_code != 200 or b'role="alert"' in response.content:
                        raise CommandError(f"{url} answered {response.status_code}, or with an error message")
                    if attempt:
                        times.append(elapsed)
                timed.append(
                    (statistics.median(times), f"{word!r}" + (f" with outcome {outcome!r}" if outcome else ""))
                )
        medians = [ms for ms, _ in timed]
        self.stdout.write(
            f"{len(timed)} searches: median {statistics.median(medians):.1f} ms, "
            f"90th percentile {_percentile(medians, 0.9):.1f} ms, slowest {max(medians):.1f} ms"
        )
        for ms, what in sorted(timed, reverse=True)[:5]:
            self.stdout.write(f"  {ms:8.1f} ms  {what}")
