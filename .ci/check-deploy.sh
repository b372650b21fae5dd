#!/usr/bin/env bash
# Static checks of deploy/ and docs/: every YAML/JSON parses; the Kubernetes manifests (kustomize
# output) validate against the Kubernetes and KEDA schemas; the Dockerfile passes a linter.
# A check that ran and failed fails this script; a validator that cannot be installed is skipped
# with a note (only Maven Central, Debian packages and npm are reachable).
set -uo pipefail
cd "$(dirname "$0")/.."

failed=0
note() { printf 'check-deploy: %s\n' "$*"; }
fail() { note "FAIL: $*"; failed=1; }

# --- 1. YAML and JSON parse ------------------------------------------------------------------
if ! python3 -c 'import yaml' 2>/dev/null; then
  note "installing python3-yaml"
  if command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && apt-get install -y -qq python3-yaml) >/dev/null 2>&1 || true
  fi
fi
if python3 -c 'import yaml' 2>/dev/null; then
  python3 - <<'PY' || fail "YAML/JSON parse"
import json, pathlib, sys, yaml
bad = 0
files = sorted(p for d in ("deploy", "docs") for p in pathlib.Path(d).rglob("*")
               if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
for p in files:
    try:
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".json":
            json.loads(text)
        else:
            list(yaml.safe_load_all(text))
    except Exception as e:
        bad += 1
        print(f"  {p}: {e}")
print(f"check-deploy: parsed {len(files) - bad} of {len(files)} YAML/JSON files")

# docs/asyncapi.yaml: its payload schemas are the worker's own model schema files, every one of them
# (and docs/schemas/*.schema.json; a ref's #fragment names a part of its file).
def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and not v.startswith("#"):
                yield v
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)
spec_path = pathlib.Path("docs/asyncapi.yaml")
if spec_path.is_file():
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    linked = {(spec_path.parent / r.split("#")[0]).resolve() for r in refs(spec)}
    for r in sorted(linked):
        if not r.is_file():
            bad += 1
            print(f"  docs/asyncapi.yaml: $ref to a missing file {r}")
    models = pathlib.Path("src/main/resources/models")
    index = json.loads((models / "index.json").read_text())
    for name in index["models"] + [index["legacy"]]:
        if (models / name).resolve() not in linked:
            bad += 1
            print(f"  docs/asyncapi.yaml: no $ref to the model schema {name}")
    print(f"check-deploy: docs/asyncapi.yaml links {len(linked)} schema files")
sys.exit(1 if bad else 0)
PY
else
  fail "python3 with PyYAML is not available: cannot parse YAML"
fi

# --- 2. Kubernetes schemas, 3. Dockerfile lint: npm tools in a cache outside the repo -----------
TOOLS="${KIE_CI_TOOLS:-${HOME:-/tmp}/.cache/kie-worker-ci-tools}"
tools_ok=0
if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
  if [ -d "$TOOLS/node_modules/kubernetes-models" ] && [ -d "$TOOLS/node_modules/dockerfilelint" ]; then
    tools_ok=1
  else
    mkdir -p "$TOOLS"
    if (cd "$TOOLS" && timeout 300 npm install --no-audit --no-fund --silent \
          kubernetes-models@4.5.1 @kubernetes-models/keda@0.4.2 dockerfilelint@1.8.0) >/dev/null 2>&1; then
      tools_ok=1
    else
      note "SKIP: npm could not install kubernetes-models/dockerfilelint"
    fi
  fi
else
  note "SKIP: node/npm not found; Kubernetes schema validation and Dockerfile lint not run"
fi

if [ "$tools_ok" = 1 ]; then
  if command -v kubectl >/dev/null 2>&1; then
    render=(kubectl kustomize deploy/k8s/base)
  else
    render=()
    note "kubectl not found: validating the base files one by one (no kustomize rendering)"
  fi
  python3 - "${render[@]}" <<'PY' > "$TOOLS/objects.json" || fail "rendering the Kubernetes manifests"
import json, pathlib, subprocess, sys, yaml
items = []
if len(sys.argv) > 1:
    out = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True).stdout
    items = [{"file": "deploy/k8s/base (kustomize)", "doc": d} for d in yaml.safe_load_all(out) if d]
else:
    for p in sorted(pathlib.Path("deploy/k8s").rglob("*.yaml")):
        if p.name != "kustomization.yaml":
            items += [{"file": str(p), "doc": d} for d in yaml.safe_load_all(p.read_text()) if d]
print(json.dumps(items))
PY
  if [ -s "$TOOLS/objects.json" ]; then
    NODE_PATH="$TOOLS/node_modules" node .ci/validate-k8s.js < "$TOOLS/objects.json" | sed 's/^/  /' \
      || fail "Kubernetes schema validation"
  fi
  "$TOOLS/node_modules/.bin/dockerfilelint" deploy/Dockerfile | sed 's/^/  /' || fail "dockerfilelint deploy/Dockerfile"
fi
if command -v hadolint >/dev/null 2>&1; then
  hadolint deploy/Dockerfile || fail "hadolint deploy/Dockerfile"
else
  note "SKIP: hadolint is not installable from the reachable registries (dockerfilelint ran instead)"
fi

if [ "$failed" = 0 ]; then
  note "all checks that ran passed"
fi
exit "$failed"
