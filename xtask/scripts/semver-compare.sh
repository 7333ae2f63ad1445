#!/usr/bin/env bash
# Holds `cargo xtask diff` against an independent judge, cargo-semver-checks
# (`cargo install cargo-semver-checks --locked`), on real docs revisions: for
# each pair of revisions of the couponcodes pages in ../shared/docs/history,
# two worktrees of HEAD take the older and the newer pages, regenerate spec and
# code, and both tools compare the busifavor area crate. Results and the
# differences explained: README, "When the docs change".
#
#   xtask/scripts/semver-compare.sh            # pairs 01->02, 02->03, 03->04, 08->09
#   PAIRS="0 1 2 3 4 5 6 7" xtask/scripts/semver-compare.sh   # every pair
#
# Needs about 5 GB of disk (two worktrees, each with its own target directory:
# a shared one would run one worktree's xtask against the other's files).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
history="$root/../shared/docs/history"
work=${WORK:-$(mktemp -d)}
pages=('openapi/v3/marketing/busifavor/stocks/{stock_id}/couponcodes.md'
       'openapi/v3/marketing/busifavor/stocks/{stock_id}/couponcodes/{coupon_code}.md')
crate=wechatpay-bindings-v3-marketing-busifavor
unset CARGO_TARGET_DIR
revisions=($(ls "$history"))
for side in old new; do
  [ -d "$work/$side" ] || git -C "$root" worktree add -q --detach "$work/$side" HEAD
done
regenerate() { # worktree revision
  for page in "${pages[@]}"; do cp "$history/$2/$page" "$1/spec/docs/$page"; done
  (cd "$1" && cargo xtask spec >/dev/null 2>&1) || { echo "  spec of $2 failed"; return 1; }
  # The JSON Schemas step compiles the hand-written helpers, which need the
  # newest pages; the area crate is written before it.
  (cd "$1" && cargo xtask codegen >/dev/null 2>&1) || echo "  (schemas of $2 not printed: the helpers need newer pages)"
}
for i in ${PAIRS:-0 1 2 7}; do
  old=${revisions[$i]} new=${revisions[$((i + 1))]}
  echo "=== $old -> $new"
  regenerate "$work/old" "$old" && regenerate "$work/new" "$new" || continue
  (cd "$work/new" && cargo xtask diff "$work/old/spec/wechatpay.json" spec/wechatpay.json 2>&1) |
    sed -n '1p;/BREAKING/p' | sed 's/^/  xtask diff: /'
  (cd "$work/new" && cargo semver-checks check-release -p "$crate" --baseline-root "$work/old" 2>&1) |
    grep -E '^--- failure|^ +Summary|^  [A-Za-z_:]+' | sed 's/^/  semver-checks: /'
done
echo "worktrees in $work (git worktree remove them when done)"
