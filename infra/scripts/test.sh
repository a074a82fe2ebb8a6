#!/usr/bin/env bash
# The test command: builds and runs every test project of Platform.sln (Release) and prints, as the very last
# line, "N passed, N failed" (", N skipped" is added when tests were skipped), totalled over all projects.
#
#   infra/scripts/test.sh                                        # everything
#   infra/scripts/test.sh --filter "FullyQualifiedName~RabbitMq"  # extra arguments go to dotnet test
#
# Set-up it does itself: broker tests need RabbitMQ and the browser test needs chromium and playwright-core. When
# rabbitmq-server or chromium is missing and this runs as root, they are installed with apt (Debian/Ubuntu), and
# playwright-core and amqplib (the Node.js interop test) with `npm ci`; otherwise it says what to install and those tests skip (they fail instead when CI is set). The tests start their own private, throw-away RabbitMQ node (see
# tests/Platform.Testing/RabbitMqBroker.cs); set RABBITMQ_URL to use an existing broker instead.
#
# Exit status: non-zero when dotnet test failed (build errors included), when any test failed, or when no test
# passed. TRX files of every test project are left in artifacts/test-results/.
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root" || exit 1
results_dir="$repo_root/artifacts/test-results"

say() { printf '[test.sh] %s\n' "$*"; }

print_summary() {
    # $1 passed, $2 failed, $3 skipped
    if [ "$3" -gt 0 ]; then
        printf '%d passed, %d failed, %d skipped\n' "$1" "$2" "$3"
    else
        printf '%d passed, %d failed\n' "$1" "$2"
    fi
}

# The processor first: which kernels ONNX Runtime and LibTorch run (and so every number below) depends on it.
describe_cpu() {
    local name flags wanted f list=""
    name="$(grep -m1 -E '^(model name|Model)[[:space:]]*:' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
    flags=" $(grep -m1 -E '^(flags|Features)[[:space:]]*:' /proc/cpuinfo 2>/dev/null | cut -d: -f2-) "
    case "$(uname -m)" in
        aarch64|arm64) wanted="asimd asimddp i8mm bf16 sve" ;;
        *) wanted="avx2 fma avx512f avx512_vnni avx_vnni avx512_bf16 amx_int8" ;;
    esac
    for f in $wanted; do
        case "$flags" in *" $f "*) list="$list $f" ;; *) list="$list no-$f" ;; esac
    done
    printf '%s, %s, %s logical cores; flags:%s\n' "${name:-unknown CPU}" "$(uname -m)" "$(nproc 2>/dev/null || echo '?')" "$list"
}
say "CPU: $(describe_cpu)"

export DOTNET_NOLOGO="${DOTNET_NOLOGO:-1}"
export DOTNET_CLI_TELEMETRY_OPTOUT="${DOTNET_CLI_TELEMETRY_OPTOUT:-1}"
# Several test projects may start a private RabbitMQ node at the same time on a small machine: be patient.
export RABBITMQ_START_TIMEOUT_SECONDS="${RABBITMQ_START_TIMEOUT_SECONDS:-180}"

# ---------------------------------------------------------------- RabbitMQ
have_rabbitmq() {
    [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || [ -x /usr/sbin/rabbitmq-server ] \
        || command -v rabbitmq-server >/dev/null 2>&1
}

apt_updated=0
# apt_install PACKAGE...: installs with apt-get when running as root on Debian/Ubuntu (3 attempts); 1 otherwise.
apt_install() {
    [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 || return 1
    export DEBIAN_FRONTEND=noninteractive
    local attempt
    for attempt in 1 2 3; do
        if { [ "$apt_updated" = "1" ] || apt-get update -q; } && apt-get install -y -q --no-install-recommends "$@"; then
            apt_updated=1
            return 0
        fi
        say "apt-get install $* failed (attempt $attempt of 3)"
        sleep $((attempt * 5))
    done
    return 1
}

if [ -n "${RABBITMQ_URL:-}" ]; then
    say "RabbitMQ: using RABBITMQ_URL (host $(printf '%s' "$RABBITMQ_URL" | sed -E 's#^[a-z]+://([^@/]*@)?([^/:]*).*#\2#'))"
elif have_rabbitmq; then
    say "RabbitMQ: installed; tests start private nodes"
else
    say "RabbitMQ: not installed; installing rabbitmq-server"
    if apt_install rabbitmq-server && have_rabbitmq; then
        say "RabbitMQ: installed"
    elif [ -n "${CI:-}" ]; then
        say "ERROR: could not install rabbitmq-server, and CI is set (broker tests must not be skipped)"
        print_summary 0 0 0
        exit 1
    else
        say "RabbitMQ: not installed, so broker tests will be SKIPPED (they fail when CI is set)."
        say "  Install it: sudo apt-get install -y rabbitmq-server   (or set RABBITMQ_URL=amqp://user:pass@host:5672/)"
    fi
fi

# ---------------------------------------------------------------- browser tests
# Notification's browser test drives Debian's chromium with playwright-core (npm); without them it is skipped
# locally and fails under CI.
browser_dir="$repo_root/tests/Notification.Tests/browser"
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null 2>&1; then
    say "Chromium: not installed; installing chromium"
    apt_install chromium || say "Chromium: could not install it (apt-get install -y chromium); the browser test will be skipped"
fi
if [ ! -f "$browser_dir/node_modules/playwright-core/package.json" ]; then
    if command -v npm >/dev/null 2>&1; then
        say "playwright-core: npm ci in tests/Notification.Tests/browser"
        (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error) || say "npm ci failed; the browser test will be skipped"
    else
        say "npm is missing (Node.js 20+ is needed); the browser test will be skipped"
    fi
fi

# Interop.Tests' Node.js scripts (tests/Interop.Tests/node): a client that publishes and consumes plain JSON with
# amqplib, and the AsyncAPI document's validation with @asyncapi/parser; without node or the packages those tests
# are skipped locally and fail under CI. No package needs an install script (one would only send telemetry).
interop_dir="$repo_root/tests/Interop.Tests/node"
if [ ! -f "$interop_dir/node_modules/amqplib/package.json" ] || [ ! -f "$interop_dir/node_modules/@asyncapi/parser/package.json" ]; then
    if command -v npm >/dev/null 2>&1; then
        say "amqplib, @asyncapi/parser: npm ci in tests/Interop.Tests/node"
        (cd "$interop_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || say "npm ci failed; the Node.js interop tests will be skipped"
    else
        say "npm is missing (Node.js 20+ is needed); the Node.js interop test will be skipped"
    fi
fi

# ---------------------------------------------------------------- dotnet test
if ! command -v dotnet >/dev/null 2>&1; then
    say "ERROR: dotnet is not on PATH (the .NET SDK of global.json is required)"
    print_summary 0 0 0
    exit 1
fi

rm -rf "$results_dir"
mkdir -p "$results_dir"

say "dotnet test Platform.sln -c Release $*"
# The output is also kept (to check below that every test run left a TRX file).
dotnet test Platform.sln -c Release --logger "trx" --results-directory "$results_dir" "$@" 2>&1 \
    | tee "$results_dir/dotnet-test.log"
test_rc=${PIPESTATUS[0]}

# ---------------------------------------------------------------- TRX totals
# VSTest's TRX logger writes one file per test project with
#   <ResultSummary outcome="..."><Counters total=".." executed=".." passed=".." failed=".." error=".." timeout=".."
#   aborted=".." inconclusive=".." ... notExecuted=".." .../>
# Skipped tests (xunit Skip / Assert.Skip) are results with outcome="NotExecuted" that count in total but not in
# executed, while the notExecuted counter stays 0; so skipped = total - executed. failed sums failed, error,
# timeout and aborted.
passed=0
failed=0
skipped=0
trx_count=0
while IFS= read -r -d '' trx; do
    trx_count=$((trx_count + 1))
    counters="$(grep -o '<Counters [^>]*>' "$trx" | tail -n 1)"
    project="$(grep -o 'storage="[^"]*"' "$trx" | head -n 1 | sed -E 's#^storage="(.*/)?([^/"]*)"$#\2#')"
    if [ -z "$counters" ]; then
        say "WARNING: no <Counters> in $trx (test run aborted?)"
        failed=$((failed + 1))
        continue
    fi
    read -r t e p f er to ab < <(printf '%s\n' "$counters" | awk '
        function attr(name,   m) {
            if (match($0, " " name "=\"[0-9]+\"")) {
                m = substr($0, RSTART, RLENGTH); gsub(/[^0-9]/, "", m); return m + 0
            }
            return 0
        }
        { print attr("total"), attr("executed"), attr("passed"), attr("failed"), attr("error"), attr("timeout"), attr("aborted") }')
    s=$((t - e))
    [ "$s" -lt 0 ] && s=0
    ff=$((f + er + to + ab))
    say "  ${project:-(no test ran)}: $p passed, $ff failed, $s skipped ($(basename "$trx"))"
    passed=$((passed + p))
    failed=$((failed + ff))
    skipped=$((skipped + s))
done < <(find "$results_dir" -maxdepth 2 -name '*.trx' -print0 | sort -z)

# One "Test run for <assembly>" per test project; VSTest names TRX files by user, machine and time to the second,
# so make sure none was lost (two projects finishing in the same second).
runs="$(grep -c '^Test run for ' "$results_dir/dotnet-test.log")"
exit_code=0
if [ "$trx_count" -lt "$runs" ]; then
    say "ERROR: $runs test runs but only $trx_count TRX files in $results_dir: the totals below are incomplete"
    exit_code=1
fi
if [ "$test_rc" -ne 0 ]; then
    say "dotnet test exited with $test_rc"
    [ "$exit_code" -eq 0 ] && exit_code=$test_rc
fi
if [ "$trx_count" -eq 0 ]; then
    say "no TRX files in $results_dir"
    [ "$exit_code" -eq 0 ] && exit_code=1
fi
if [ "$failed" -gt 0 ] && [ "$exit_code" -eq 0 ]; then
    exit_code=1
fi
if [ "$passed" -eq 0 ]; then
    say "no test passed"
    [ "$exit_code" -eq 0 ] && exit_code=1
fi

print_summary "$passed" "$failed" "$skipped"
exit "$exit_code"
