// Validates Kubernetes (and KEDA) objects against their OpenAPI schemas with kubernetes-models.
// Input on stdin: a JSON array of {file, doc}. Exit 1 when any object is invalid or of an unknown kind.
'use strict';
const fs = require('fs');

function modelFor(apiVersion, kind) {
  const candidates = [`kubernetes-models/${apiVersion}/${kind}`];
  if (apiVersion.startsWith('keda.sh/')) {
    candidates.unshift(`@kubernetes-models/keda/${apiVersion}/${kind}`);
  }
  for (const path of candidates) {
    try {
      const mod = require(path);
      return mod[kind] || mod.default || mod;
    } catch (e) {
      if (e.code !== 'MODULE_NOT_FOUND') throw e;
    }
  }
  return null;
}

const items = JSON.parse(fs.readFileSync(0, 'utf8'));
let failures = 0;
for (const { file, doc } of items) {
  const name = `${file}: ${doc.kind}/${doc.metadata && doc.metadata.name}`;
  const Model = modelFor(doc.apiVersion, doc.kind);
  if (!Model) {
    console.log(`FAIL ${name}: no schema for ${doc.apiVersion} ${doc.kind}`);
    failures++;
    continue;
  }
  try {
    new Model(doc).validate();
    console.log(`ok   ${name}`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e.message}`);
    failures++;
  }
}
console.log(`${items.length - failures} valid, ${failures} invalid`);
process.exit(failures === 0 ? 0 : 1);
