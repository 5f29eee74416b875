# Shared by the shell benchmarks (`source scripts/bench_common.sh` after setting OUT).
timed() {  # timed NAME COMMAND...: run COMMAND, keep its output and its time/memory report
  local name=$1; shift
  echo "== $name: $*"
  /usr/bin/time -v -o "$OUT/$name.time" "$@" > "$OUT/$name.log" 2>&1
  grep -E "Elapsed \(wall|Maximum resident" "$OUT/$name.time"
}
