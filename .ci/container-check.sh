#!/usr/bin/env bash
# Builds deploy/Dockerfile with podman and starts the image: the Kie.ai simulator (`sim`) in one
# container, the worker (`run`) in another against it and a Kafka broker on the host, until
# /health/ready answers 200 (under the Deployment's 768 MiB memory limit, whose 75 % must be the max
# heap); then stops both (the worker must shut down on SIGTERM) and removes them.
#
# No Docker engine and no container registry are needed (see docs/operations.md, "Container image"):
# podman runs the containers with runc, and the base image is a Debian bookworm rootfs with a headless
# JRE 17 made by mmdebstrap from Debian's packages, passed to the Dockerfile as RUNTIME_IMAGE. The
# image is the Dockerfile's "prebuilt" target: it copies target/kie-worker.jar (built before this runs).
#
# KIE_CI_CONTAINER=auto (default): a machine that cannot get podman or cannot run any container
#   (probed with the base image) is skipped with a note; everything after that probe must pass.
# KIE_CI_CONTAINER=require: such a machine fails too.   KIE_CI_CONTAINER=skip: do nothing.
# Cache (outside the repository): KIE_CI_CACHE, default ~/.cache/kie-worker-ci-containers, holds the
# rootfs tarball (~340 MB, rebuilt after KIE_CI_BASE_MAX_AGE_DAYS days, default 7) and the podman
# configuration; the base image stays in podman's storage. The application image is removed.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE="${KIE_CI_CONTAINER:-auto}"
CACHE="${KIE_CI_CACHE:-${HOME:-/tmp}/.cache/kie-worker-ci-containers}"
MAX_AGE_DAYS="${KIE_CI_BASE_MAX_AGE_DAYS:-7}"
JAR=target/kie-worker.jar
IMAGE=localhost/kie-worker:ci-$$
RUN_ID="kie-ci-$$"

note() { printf 'container-check: %s\n' "$*"; }
fail() { note "FAIL: $*"; exit 1; }
skip() {
  if [ "$MODE" = require ]; then fail "$* (KIE_CI_CONTAINER=require)"; fi
  note "SKIP: $* (the image was not built or started on this machine)"
  exit 0
}

case "$MODE" in
  skip) note "SKIP: KIE_CI_CONTAINER=skip"; exit 0 ;;
  auto|require) ;;
  *) fail "KIE_CI_CONTAINER must be auto, require or skip, not '$MODE'" ;;
esac

# --- timing: each step prints how long it took ----------------------------------------------------
START=$EPOCHREALTIME
STEP_START=$EPOCHREALTIME
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%6.1f s", b - a }'; }
done_step() { note "[$(elapsed "$STEP_START")] $*"; STEP_START=$EPOCHREALTIME; }

# --- cleanup: only what this run started ------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/kie-container-check.XXXXXX")"
BROKER_PID=""
cleanup() {
  for c in "$RUN_ID-worker" "$RUN_ID-sim"; do
    timeout 40 podman rm -f -t 10 "$c" >/dev/null 2>&1 || true
  done
  timeout 60 podman rmi -f "$IMAGE" >/dev/null 2>&1 || true
  if [ -n "$BROKER_PID" ]; then
    kill "$BROKER_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$BROKER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$BROKER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # run the cleanup on a signal too

# --- 1. tools: podman, runc, mmdebstrap, curl --------------------------------------------------------
missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || missing+=(runc)
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    skip "missing ${missing[*]} and cannot install them (needs root and apt-get)"
  fi
  note "installing ${missing[*]}"
  if ! (timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 300 \
          apt-get install -y -qq "${missing[@]}") > "$WORK/apt.log" 2>&1; then
    tail -5 "$WORK/apt.log"
    skip "apt-get could not install ${missing[*]}"
  fi
fi
done_step "tools: $(podman --version), runc $(runc --version 2>/dev/null | head -1 | awk '{print $3}')"

# The two defaults that fail here (measured): crun cannot set RLIMIT_NOFILE and refuses hybrid
# cgroups; runc with the cgroupfs manager and no default ulimits works. CONTAINERS_CONF makes podman
# read only this file, so the machine's own configuration is neither used nor changed.
mkdir -p "$CACHE"
cat > "$CACHE/containers.conf" <<'EOF'
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
EOF
export CONTAINERS_CONF="$CACHE/containers.conf"

# --- 2. base image: Debian bookworm + headless JRE 17, from Debian packages -----------------------
# Man pages, docs and locales are left out; update-alternatives still needs /usr/share/man/man1.
MMDEBSTRAP_ARGS=(--variant=essential --include=passwd,openjdk-17-jre-headless,ca-certificates
  --setup-hook='mkdir -p "$1/usr/share/man/man1"'
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-exclude=/usr/share/info/*'
  bookworm)
MIRRORS=("deb http://deb.debian.org/debian bookworm main"
  "deb http://deb.debian.org/debian bookworm-updates main"
  "deb http://deb.debian.org/debian-security bookworm-security main")
key="$(printf '%s\n' "${MMDEBSTRAP_ARGS[@]}" "${MIRRORS[@]}" | sha256sum | cut -c1-12)"
BASE="localhost/kie-worker-base:17-$key"
TARBALL="$CACHE/base-$key.tar"
PARTIAL="$CACHE/base-$key.$$.partial.tar"   # per run; mmdebstrap picks the format by the name
if [ ! -f "$TARBALL" ] || [ ! -s "$TARBALL" ] || [ -n "$(find "$TARBALL" -mtime +"$MAX_AGE_DAYS" 2>/dev/null)" ]; then
  if ! timeout 600 mmdebstrap "${MMDEBSTRAP_ARGS[@]}" "$PARTIAL" "${MIRRORS[@]}" > "$WORK/mmdebstrap.log" 2>&1; then
    tail -15 "$WORK/mmdebstrap.log"
    rm -f "$PARTIAL"
    fail "mmdebstrap could not make the base rootfs (log above)"
  fi
  mv "$PARTIAL" "$TARBALL"
  timeout 60 podman rmi -f "$BASE" >/dev/null 2>&1 || true
  # Bases made from other package lists (an older version of this script) are not used again.
  find "$CACHE" -maxdepth 1 -name 'base-*.tar' ! -name '*.partial.tar' ! -name "base-$key.tar" -delete
  for old in $(podman images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/kie-worker-base:' | grep -v ":17-$key\$"); do
    timeout 60 podman rmi "$old" >/dev/null 2>&1 || true
  done
  done_step "base rootfs: mmdebstrap bookworm + openjdk-17-jre-headless -> $TARBALL ($(du -m "$TARBALL" | cut -f1) MB)"
else
  done_step "base rootfs: cached $TARBALL (made $(date -r "$TARBALL" '+%F %H:%M'))"
fi
if ! timeout 60 podman image exists "$BASE"; then
  timeout 300 podman import --quiet "$TARBALL" "$BASE" >/dev/null || fail "podman import of $TARBALL"
  done_step "base image: imported $BASE"
else
  done_step "base image: $BASE already in podman's storage"
fi

# Can this machine run a container at all? A failure here is the machine's, not the image's.
if ! timeout 120 podman run --rm --network host "$BASE" java -version > "$WORK/probe.log" 2>&1; then
  tail -5 "$WORK/probe.log"
  skip "podman cannot run a container here (output above)"
fi
done_step "probe: a container runs ($(grep -m1 -o 'version "[^"]*"' "$WORK/probe.log" | tr -d '"'))"

# --- 3. the application image from deploy/Dockerfile ---------------------------------------------
# The public defaults must stay pinned by tag (the lint cannot see through the ARGs).
for arg in RUNTIME_IMAGE BUILD_IMAGE; do
  grep -Eq "^ARG $arg=[^:[:space:]]+:[^[:space:]]+$" deploy/Dockerfile \
    || fail "deploy/Dockerfile: ARG $arg needs a default image with a tag"
done
if [ ! -s "$JAR" ]; then
  note "$JAR is missing: building it"
  timeout 900 mvn -q -B -DskipTests package || fail "mvn package"
fi
if ! timeout 300 podman build --pull=never --layers=false --network host \
       --build-arg RUNTIME_IMAGE="$BASE" --target prebuilt \
       -f deploy/Dockerfile -t "$IMAGE" . > "$WORK/build.log" 2>&1; then
  tail -20 "$WORK/build.log"
  fail "podman build of deploy/Dockerfile (target prebuilt)"
fi
size_mb="$(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f", $1 / 1e6}')"
base_mb="$(podman image inspect --format '{{.Size}}' "$BASE" | awk '{printf "%.0f", $1 / 1e6}')"
done_step "image: built $IMAGE, $size_mb MB (base $base_mb MB, jar $(du -m "$JAR" | cut -f1) MB)"

user="$(timeout 60 podman run --rm --network host --entrypoint id "$IMAGE" -u)" || fail "podman run id"
[ "$user" = 10001 ] || fail "the image runs as uid $user, expected 10001"
# The heap follows the container's memory limit (JAVA_TOOL_OPTIONS in the image): 75 % of the
# Deployment's 768 MiB, where a JVM without those options would take 25 %.
MEMORY_MB=768
heap="$(timeout 60 podman run --rm --network host --memory "${MEMORY_MB}m" --entrypoint java "$IMAGE" \
          -XshowSettings:vm -version 2>&1 | sed -n 's/.*Max. Heap Size (Estimated): \([0-9.]*\)M.*/\1/p')" \
  || fail "podman run java -XshowSettings:vm"
awk -v h="${heap:-0}" -v m="$MEMORY_MB" 'BEGIN { exit !(h >= 0.6 * m && h <= 0.8 * m) }' \
  || fail "max heap ${heap:-?} MB under a $MEMORY_MB MB limit, expected ~75 % (MaxRAMPercentage)"
done_step "image: runs as uid $user; max heap ${heap} MB under a $MEMORY_MB MB memory limit"

# --- 4. start it: simulator, broker on the host, worker ------------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# wait_http URL SECONDS CONTAINER: until URL answers 2xx; the container must keep running meanwhile.
wait_http() {
  local deadline=$((SECONDS + $2))
  while [ "$SECONDS" -lt "$deadline" ]; do
    curl -fsS -m 2 -o "$WORK/body" "$1" 2>/dev/null && return 0
    if [ "$(podman inspect --format '{{.State.Running}}' "$3" 2>/dev/null)" != true ]; then
      note "container $3 stopped:"; podman logs --tail 20 "$3" 2>&1 | sed 's/^/  /'; return 1
    fi
    sleep 0.5
  done
  note "no 2xx from $1 within $2 s; container $3 log:"; podman logs --tail 20 "$3" 2>&1 | sed 's/^/  /'
  return 1
}

# The worker needs Kafka: a single-node KRaft broker on the host, from the Kafka classes of the
# build's jars (the tools jar after the split of issue 12, the fat jar before it). Started first, so
# that its start overlaps the simulator's.
KAFKA_CP="target/kie-worker-tools.jar:$JAR"
KAFKA_PORT="$(free_port)"; CONTROLLER_PORT="$(free_port)"; HTTP_PORT="$(free_port)"
cat > "$WORK/server.properties" <<EOF
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
log.dirs=$WORK/kafka-data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
EOF
cluster_id="$(python3 -c 'import base64, uuid; print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))')"
if ! timeout 60 java -cp "$KAFKA_CP" kafka.tools.StorageTool format -t "$cluster_id" -c "$WORK/server.properties" \
     > "$WORK/kafka-format.log" 2>&1; then
  if grep -q 'Could not find or load main class' "$WORK/kafka-format.log"; then
    NO_BROKER=1
  else
    cat "$WORK/kafka-format.log"; fail "formatting the Kafka data directory"
  fi
fi
if [ -z "${NO_BROKER:-}" ]; then
  java -Xmx512m -cp "$KAFKA_CP" kafka.Kafka "$WORK/server.properties" > "$WORK/broker.log" 2>&1 &
  BROKER_PID=$!
fi

SIM_PORT="$(free_port)"
timeout 60 podman run -d --name "$RUN_ID-sim" --network host "$IMAGE" \
  sim --host 127.0.0.1 --port "$SIM_PORT" --api-key ci-key >/dev/null \
  || fail "podman run (sim)"
wait_http "http://127.0.0.1:$SIM_PORT/sim/stats" 60 "$RUN_ID-sim" || fail "the simulator in the image did not answer"
done_step "sim: container answers GET /sim/stats on 127.0.0.1:$SIM_PORT (Kafka broker starting meanwhile)"

if [ -n "${NO_BROKER:-}" ]; then
  note "SKIP (worker): no Kafka broker classes in $KAFKA_CP; only the simulator was started"
  note "[$(elapsed "$START")] total; image $size_mb MB"
  exit 0
fi
# The request topic must exist before the worker starts (it creates the other three from it).
cat > "$WORK/CreateTopic.java" <<'EOF'
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

/** Creates a topic on a broker that may still be starting. Args: bootstrap, topic, partitions. */
public class CreateTopic {
  public static void main(String[] args) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", args[0], "default.api.timeout.ms", "60000"))) {
      admin.createTopics(List.of(new NewTopic(args[1], Integer.parseInt(args[2]), (short) 1)))
          .all().get(60, TimeUnit.SECONDS);
    }
  }
}
EOF
if ! timeout 90 java -cp "$KAFKA_CP" "$WORK/CreateTopic.java" "127.0.0.1:$KAFKA_PORT" kie.generation.requests 2 \
     > "$WORK/create-topic.log" 2>&1; then
  grep -v ' WARN ' "$WORK/create-topic.log" | tail -5; tail -20 "$WORK/broker.log"
  fail "the Kafka broker on the host did not start or create the request topic"
fi
done_step "kafka: broker on 127.0.0.1:$KAFKA_PORT (host JVM), topic kie.generation.requests (2 partitions)"

timeout 60 podman run -d --name "$RUN_ID-worker" --network host --memory "${MEMORY_MB}m" \
  -e KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT" -e KIE_API_KEY=ci-key \
  -e KIE_BASE_URL="http://127.0.0.1:$SIM_PORT" -e KIE_UPLOAD_BASE_URL="http://127.0.0.1:$SIM_PORT" \
  -e WORKER_CALLBACK_SECRET=ci-callback-secret -e HTTP_PORT="$HTTP_PORT" "$IMAGE" >/dev/null \
  || fail "podman run (worker)"
wait_http "http://127.0.0.1:$HTTP_PORT/health/live" 90 "$RUN_ID-worker" || fail "the worker's /health/live did not answer"
done_step "worker: container (CMD run) answers GET /health/live on 127.0.0.1:$HTTP_PORT"
wait_http "http://127.0.0.1:$HTTP_PORT/health/ready" 90 "$RUN_ID-worker" || fail "the worker did not become ready"
done_step "worker: /health/ready 200 $(cat "$WORK/body")"

# --- 5. stop: SIGTERM, graceful shutdown within the grace period, exit code 0 -------------------
# 143 = the JVM's own exit after its shutdown hooks ran on SIGTERM; 137 would be podman's SIGKILL
# after the 30 s grace period, i.e. a shutdown that hung.
timeout 60 podman stop -t 30 "$RUN_ID-worker" >/dev/null || fail "podman stop (worker)"
code="$(podman inspect --format '{{.State.ExitCode}}' "$RUN_ID-worker")"
case "$code" in
  0|143) ;;
  *) podman logs --tail 20 "$RUN_ID-worker" 2>&1 | sed 's/^/  /'
     fail "the worker exited with $code after SIGTERM, expected 0 or 143 (shutdown hooks ran)" ;;
esac
timeout 60 podman stop -t 10 "$RUN_ID-sim" >/dev/null || fail "podman stop (sim)"
done_step "stop: worker exited $code on SIGTERM (graceful); containers stopped (removed on exit)"
note "[$(elapsed "$START")] total; image $size_mb MB"
