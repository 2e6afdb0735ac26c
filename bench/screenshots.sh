#!/usr/bin/env bash
# Takes the README's pictures (docs/screenshots/*.png) in headless Chromium: the gallery in light
# and dark, on a phone, and the login page; and the widget reference's (docs/widgets/img/*.png):
# each built-in widget in both themes. Needs chromium and chromium-driver (README, "Run the
# tests").
set -euo pipefail
cd "$(dirname "$0")/.."
NUMEROUS_SCREENSHOTS=1 NUMEROUS_REQUIRE_BROWSER=1 \
  cargo test -p example-widgets --test gallery screenshots_of_
ls -l docs/screenshots
ls docs/widgets/img | wc -l
