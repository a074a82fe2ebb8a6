// Validates docs/asyncapi.yaml with the AsyncAPI Initiative's own parser (schema and semantic rules), resolving the
// JSON Schema files it references. Prints one JSON line: { valid, errors, warnings, channels, messages }.
// Usage: node validate-asyncapi.mjs <path to asyncapi.yaml>
import { readFile } from "node:fs/promises";
import { Parser, fromFile } from "@asyncapi/parser";

const path = process.argv[2];
if (!path) {
  console.error("usage: node validate-asyncapi.mjs <asyncapi.yaml>");
  process.exit(2);
}
const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, path).parse();
// Severity 0 = error, 1 = warning (Spectral's levels).
const describe = (d) => `${d.code}: ${d.message} at ${(d.path ?? []).join(".")}`;
const errors = diagnostics.filter((d) => d.severity === 0).map(describe);
const warnings = diagnostics.filter((d) => d.severity === 1).map(describe);
console.log(JSON.stringify({
  valid: document !== undefined && errors.length === 0,
  errors,
  warnings,
  channels: document ? document.channels().length : 0,
  messages: document ? document.allMessages().length : 0,
}));
