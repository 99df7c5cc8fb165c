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
run runload check --athlete maya
run runload pain status --athlete maya
run runload report --athlete maya
run runload report --athlete ben
printf '\nThe demo store was %s (deleted now).\n' "$RUNLOAD_STORE"
