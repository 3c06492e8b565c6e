# Shared end-to-end assertions (bash). Source it; every failure prints what was expected and exits 1.
#   expect_eq ACTUAL EXPECTED WHAT
#   expect_contains TEXT NEEDLE WHAT
#   expect_not_contains TEXT NEEDLE WHAT
#   expect_fails WHAT -- CMD...      runs CMD, which must fail; its stderr+stdout is left in $LAST_OUTPUT
#   eventually SECONDS CMD...        retries CMD every 0.2 s until it succeeds (returns 1 on timeout)

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

expect_eq() {
  [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"
}

expect_contains() {
  [[ "$1" == *"$2"* ]] || fail "$3: expected to contain '$2', got: $1"
}

expect_not_contains() {
  [[ "$1" != *"$2"* ]] || fail "$3: expected not to contain '$2', got: $1"
}

expect_fails() {
  local what="$1"
  shift
  [ "$1" == "--" ] && shift
  if LAST_OUTPUT="$("$@" 2>&1)"; then
    fail "$what: expected '$*' to fail, it succeeded: $LAST_OUTPUT"
  fi
}

eventually() {
  local timeout="$1"
  shift
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.2
  done
}

step() {
  echo "--- $*"
}
