#!/usr/bin/env bash
# The demo: import the bundled sample athletes into a throwaway store and print their reports.
# Every line is a plain runload command you can run yourself.
set -euo pipefail
cd "$(dirname "$0")/.."
demo_dir=$(mktemp -d)
trap 'rm -rf "$demo_dir"' EXIT
export RUNLOAD_STORE="$demo_dir/demo.sqlite"

run() { printf '\n$ %s\n' "$*"; "$@"; }

run runload athlete add maya --name "Maya Lindqvist" --email maya@example.org \
    --timezone Europe/Stockholm --sex female --birth-year 1991 --hr-rest 52 --hr-max 188 \
    --injury "hamstring strain, right, 2024"
run runload athlete add ben --name "Ben Okafor" --email ben@example.org \
    --timezone America/Denver --sex male --birth-year 1984 --hr-rest 48 --hr-max 182
run runload import --athlete maya sample_activities/maya/activities
run runload import --athlete ben sample_activities/ben/strava_export
run runload pain import --athlete maya sample_activities/maya/pain.csv
run runload pain import --athlete ben sample_activities/ben/pain.csv
run runload weeks --athlete maya
note() { printf '\n# %s\n' "$@"; }
note "The sample athletes' data ends on Sunday 2026-10-18, so the demo asks for that week; without" \
     "--week (or --as-of), runload judges this week so far, as of today."
note "Maya's history: the 56 km week with its 25.6 km run, the pain episode that followed, the red flag."
run runload check --athlete maya --all --as-of 2026-10-18
note "Three weeks into the pain episode the red flag stood: no running advice, only care."
run runload check --athlete maya --week 2026-W37
run runload pain status --athlete maya --as-of 2026-10-18
run runload report --athlete maya --week 2026-W42
run runload report --athlete ben --week 2026-W42
note "Plan ahead: Ben's next week with a 12 km Sunday, checked before it is run (exit 1: it breaks a limit)."
run runload plan check --athlete ben --as-of 2026-10-18 --run 2026-10-20:5 --run 2026-10-22:6:tempo \
    --run 2026-10-25:12:long || [ $? -eq 1 ]  # 1: the plan breaks a limit; anything else stops the demo
printf '\nThe demo store was %s (deleted now).\n' "$RUNLOAD_STORE"
