#!/usr/bin/env bash
# Builds every anywidget class of some third-party packages (their PyPI wheels, modules
# unchanged) as a numerous custom widget, with a struct made from the class's synced traitlets:
# the build checks each module's model.get/set/on/send against its struct
# (`#[numerous::widget]`; README, "Custom widgets"). Prints what the check found, widget by widget.
# Needs pip (to download the wheels) and cargo; writes under target/third-party-widgets.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$root/target/third-party-widgets
rm -rf "$work" && mkdir -p "$work/wheels"
python3 -m pip download --no-deps --quiet --dest "$work/wheels" \
  numerous-widgets==0.3.0 wigglystuff==0.5.36 drawdata==0.5.2 searchselect==0.1.0
python3 bench/third_party_widgets.py "$work/wheels" "$work/crate" "$root/numerous"
cd "$work/crate"
# The check reports every mismatch of a widget at once; the build goes on to the next.
if CARGO_TARGET_DIR=$root/target cargo build --quiet 2>"$work/build.log"; then
  echo "every module builds: the check found nothing"
else
  grep -E '^error' "$work/build.log" | sort | uniq -c | sort -rn
  echo "(whole log: $work/build.log)"
fi
