#!/usr/bin/env bash
# The Node suite on other Node versions than the machine's: both vitest projects (fetch and undici,
# the short soak included, at the size npm test runs it) and the Node parts of the examples' tests.
#
#   bash scripts/node-suite.sh            # the newest Node 22 and Node 24 the npm registry serves
#   bash scripts/node-suite.sh 24.22.3    # one exact version (npm run test:node-versions -- 24.22.3)
#
# Each binary comes from scripts/node-binary.mjs (installed on demand into a cache folder, not into
# node_modules); vitest runs on it, and so does every process the tests start (vitest's workers and
# the examples' child processes take process.execPath; `node` on PATH is that binary too).
# Every version runs even when one fails; the exit code is non-zero if any failed. With
# NODE_SUITE_RESULTS=<file>, one line per version (passed or failed, what, seconds; tab-separated) is appended to
# it, for .ci/run's summary.
set -uo pipefail
cd "$(dirname "$0")/.."

versions=("$@")
[ ${#versions[@]} -eq 0 ] && versions=(22 24)

# The dashboard example's client runs in Chromium, not in Node: the Node version changes nothing it
# tests, and npm test runs it.
EXAMPLES=(examples/pipeline examples/angular)

results=()
failed=0
for spec in "${versions[@]}"; do
  started=$SECONDS
  if ! bin=$(node scripts/node-binary.mjs "$spec"); then
    results+=("failed"$'\t'"Node ${spec}: could not be installed"$'\t'"$((SECONDS - started))")
    failed=$((failed + 1))
    continue
  fi
  what=$("$bin" -p '`Node ${process.version} (its fetch: undici ${process.versions.undici})`')
  echo
  echo "=== the Node suite on ${what}: ${bin}"
  ok=1
  PATH="$(dirname "$bin"):$PATH" "$bin" node_modules/vitest/vitest.mjs run || ok=0
  echo "=== the examples' Node parts (${EXAMPLES[*]}) on ${what}"
  PATH="$(dirname "$bin"):$PATH" "$bin" node_modules/vitest/vitest.mjs run --config examples/vitest.config.ts "${EXAMPLES[@]}" || ok=0
  seconds=$((SECONDS - started))
  if [ $ok -eq 1 ]; then
    results+=("passed"$'\t'"the Node suite and the examples' Node parts on ${what}"$'\t'"${seconds}")
  else
    results+=("failed"$'\t'"the Node suite and the examples' Node parts on ${what}"$'\t'"${seconds}")
    failed=$((failed + 1))
  fi
done

echo
echo "=== Node versions"
for line in "${results[@]}"; do
  IFS=$'\t' read -r status what seconds <<<"$line"
  echo "${status}  ${what}, ${seconds} s"
  [ -n "${NODE_SUITE_RESULTS:-}" ] && echo "$line" >>"$NODE_SUITE_RESULTS"
done
[ $failed -eq 0 ]
