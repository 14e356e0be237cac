#!/usr/bin/env bash
# The week run: the SQLite part of the suite (no PostGIS, no browser, no topology) once for
# each day of one week, with the system clock of pytest and of every process it starts faked to
# that day by libfaketime. Tests read "now" from the fixed test clock (tests/clock.py), so every
# day must give the same result; IOC_TEST_NOW is left unset on purpose, or it would prove
# nothing.
#
#   bash scripts/test_week.sh                          four days, as CI runs them
#   bash scripts/test_week.sh friday                   one of them (reproduces a failing day)
#   bash scripts/test_week.sh 2027-02-05T16:30+07:00   any instant
#   bash scripts/test_week.sh friday -- tests/feedback -x     pytest arguments after --
#
# Needs Debian's faketime package (apt-get install faketime). Tests that need Redis run when it
# is reachable (IOC_TEST_REDIS_URL), as in scripts/test.sh. Each day runs on pytest-xdist
# workers, one per core unless IOC_TEST_WORKERS says how many.
set -euo pipefail
cd "$(dirname "$0")/.."

# Monday 7 to Sunday 13 December 2026, Vietnam time, at hours that catch the edges. CI runs
# four of them, each an edge of its own:
#   monday     06:00  before work, and still Sunday (a weekend day) in UTC
#   wednesday  12:15  the lunch break of a working day
#   friday     17:45  after work, the weekend ahead
#   saturday   06:00  the weekend here, and still Friday (a working day) in UTC
# Tuesday (after work, Friday's edge again), Thursday (late evening of a working day) and
# Sunday (a weekend afternoon) are left to those who ask for them by name.
declare -A WEEK=(
  [monday]="2026-12-07 06:00 +07:00"
  [tuesday]="2026-12-08 17:45 +07:00"
  [wednesday]="2026-12-09 12:15 +07:00"
  [thursday]="2026-12-10 23:30 +07:00"
  [friday]="2026-12-11 17:45 +07:00"
  [saturday]="2026-12-12 06:00 +07:00"
  [sunday]="2026-12-13 17:45 +07:00"
)
ORDER=(monday wednesday friday saturday)

days=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  days+=("$1")
  shift
done
[ "${1:-}" = "--" ] && shift
[ ${#days[@]} -eq 0 ] && days=("${ORDER[@]}")

library=${IOC_TEST_LIBFAKETIME:-}
if [ -z "$library" ]; then
  for candidate in /usr/lib/*-linux-gnu/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
    if [ -f "$candidate" ]; then library=$candidate; break; fi
  done
fi
if [ -z "$library" ] || [ ! -f "$library" ]; then
  echo "libfaketime not found: apt-get install faketime (or set IOC_TEST_LIBFAKETIME)" >&2
  exit 1
fi

source scripts/venv.sh
bash scripts/build_frontend.sh

epochs=()
for day in "${days[@]}"; do
  instant=${WEEK[${day,,}]:-$day}
  if ! epochs+=("$(date -d "${instant/T/ }" +%s 2>/dev/null)"); then
    echo "neither a day of the week nor an instant: $day" >&2
    exit 2
  fi
done

summary=()
failed=0
for i in "${!days[@]}"; do
  day=${days[$i]}
  # The clock starts at the day's instant and ticks (FAKETIME_FMT=%s: no time zone can move
  # it); monotonic clocks stay real so that timeouts work. FAKETIME_WAIT_MS and the
  # sitecustomize in tests/faketime_site work around Debian 12's libfaketime (see tests/clock.py).
  faked=(env -u IOC_TEST_NOW -u IOC_TEST_POSTGIS_URL -u IOC_TEST_REQUIRE_POSTGIS
    LD_PRELOAD="$library${LD_PRELOAD:+ $LD_PRELOAD}" FAKETIME_FMT=%s FAKETIME="@${epochs[$i]}"
    DONT_FAKE_MONOTONIC=1 FAKETIME_WAIT_MS=5
    PYTHONPATH="$PWD/tests/faketime_site${PYTHONPATH:+:$PYTHONPATH}")
  label="$(TZ=Asia/Ho_Chi_Minh date -d "@${epochs[$i]}" '+%A %Y-%m-%d %H:%M %z')"
  echo "==> week run, $label in Vietnam: the system clock reads" \
    "$("${faked[@]}" date -u '+%Y-%m-%d %H:%M UTC'); IOC_TEST_NOW is unset"
  started=$SECONDS
  # -m "not postgis": the PostGIS variants cannot run here (IOC_TEST_POSTGIS_URL is unset) and
  # would each be set up only to be skipped: close to half the suite's items, every day, for
  # nothing. The tests that run are the same. A -m given after -- replaces this one.
  if "${faked[@]}" .venv/bin/python -m pytest -q -p no:cacheprovider -rfE --ignore=tests/browser \
      --ignore=tests/topology -m "not postgis" \
      --numprocesses="${IOC_TEST_WORKERS:-auto}" "$@"; then
    outcome=passed
  else
    outcome=FAILED
    failed=1
    echo "==> $label FAILED; repeat it with: bash scripts/test_week.sh $day"
  fi
  summary+=("$(printf '%-6s %-10s %s, %d s' "$outcome" "$day" "$label" $((SECONDS - started)))")
done

echo "==> week run summary (repeat a day with: bash scripts/test_week.sh DAY)"
printf '  %s\n' "${summary[@]}"
exit $failed
