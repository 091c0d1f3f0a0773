#!/usr/bin/env bash
# Page weight and slow-3G load time of every page (issue 6): builds and starts motcua with demo
# data, measures each page in headless Chromium and rewrites the "Page weight and slow 3G"
# section of BENCHMARKS.md. Run by hand; CI asserts only the byte budget (tests/browser/run.sh).
set -euo pipefail
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/browser/run.sh" weight
