#!/usr/bin/env bash
# After the build: the production jar runs run/sim/dlq and carries no broker; the tools jar runs demo/bench.
set -euo pipefail
cd "$(dirname "$0")/.."
prod=target/kie-worker.jar tools=target/kie-worker-tools.jar
for jar in "$prod" "$tools"; do
  [[ -f $jar ]] || { echo "check-jars: $jar missing"; exit 1; }
done
# Broker-only content that must never reach production (the server, Scala, ZooKeeper, the tools).
forbidden='^(kafka/[^/]+\.class|kafka/server/|scala/|org/apache/zookeeper/|org/apache/commons/beanutils/|org/apache/commons/collections/|io/kieworker/tools/|io/kieworker/.*CrashHook)'
prod_list=$(unzip -Z1 "$prod")
found=$(grep -E "$forbidden" <<<"$prod_list" | head -5 || true)
if [[ -n $found ]]; then
  echo "check-jars: $prod carries broker/tool classes:"; echo "$found"; exit 1
fi
# (listings captured first: grep -q closing the pipe early would fail the pipeline under pipefail)
tools_list=$(unzip -Z1 "$tools")
grep -q '^kafka/server/KafkaServer.class$' <<<"$tools_list" || { echo "check-jars: $tools has no broker"; exit 1; }
help=$(java -jar "$prod" --help)
for cmd in run sim dlq; do grep -qE "^ +$cmd( |$)" <<<"$help" || { echo "check-jars: $prod lacks '$cmd'"; exit 1; }; done
if grep -qE '^ +(demo|bench)( |$)' <<<"$help"; then echo "check-jars: $prod offers demo/bench"; exit 1; fi
java -jar "$tools" demo --help >/dev/null
java -jar "$tools" bench --help >/dev/null
printf 'check-jars: ok  %s %s MB (run, sim, dlq)  %s %s MB (+ demo, bench, broker)\n' \
  "$prod" "$(( $(stat -c %s "$prod") / 1048576 ))" "$tools" "$(( $(stat -c %s "$tools") / 1048576 ))"
