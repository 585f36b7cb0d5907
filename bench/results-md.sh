#!/bin/sh
# Print the figures of a bench results.json as Markdown tables (the README's
# performance section is written from this output).
#   bench/results-md.sh build/bench/results.json
set -eu
f=${1:-build/bench/results.json}
jq -r '
def num: if . == null then "n/a"
  elif (. | fabs) >= 100 then (. | round | tostring)
  elif (. | fabs) >= 10 then ((. * 10 | round) / 10 | tostring)
  elif (. | fabs) >= 1 then ((. * 100 | round) / 100 | tostring)
  else ((. * 1000 | round) / 1000 | tostring) end;
def val: if (.value | type) == "object"
  then "\(.value.median | num) | \(.value.min | num)..\(.value.max | num)"
  else "\(.value | num) | " end;
def ratio: if .ratio then "\(.ratio.median | num)x \(.baseline) [\(.ratio.min | num)..\(.ratio.max | num)]"
  elif .ratio_of_medians then "\(.ratio_of_medians | num)x \(.baseline) (medians)"
  else "" end;
"Machine: Linux \(.machine.kernel), \(.machine.cpu) (2 vCPUs), \(.machine.date), load average \(.machine.loadavg_start // "?") at start, \(.machine.loadavg_end // "?") at end; \(.machine.runs) runs per figure\(if .machine.fifo_consumer then "; -F (SCHED_FIFO consumer)" else "" end).",
"",
(.rows | group_by(.section) | .[] |
  "#### \(.[0].section)", "",
  "| measurement | median | min..max | unit | vs baseline, same run | notes |",
  "|---|---:|---|---|---|---|",
  (.[] | "| \(.name | gsub("^ +"; "&#8195;")) | \(val) | \(.unit) | \(ratio) | \(.note | gsub("\\|"; "/")) |"),
  ""),
"#### Targets", "",
"| ratio | median | min..max | target | result | why |",
"|---|---:|---|---|---|---|",
(.targets[] | "| \(.name) | \(.ratio.median | num) | \(.ratio.min | num)..\(.ratio.max | num) | \(.op) \(.target | num) | \(if .met then "met" else "**missed**" end) | \(.note) |"),
"",
(.notes[] | "- \(.section): \(.text)")
' "$f"
