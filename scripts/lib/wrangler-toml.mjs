// Reads and writes the few values scripts/deploy owns in wrangler.toml: the resource ids
// and vars of `[env.<name>...]` sections. Line-based on purpose, so that every comment
// and the layout of the file survive; it understands only the forms this file uses
// (`key = "string"` lines under `[table]` and `[[array.of.tables]]` headers). Everything
// else is read through wrangler's own parser (scripts/lib/deploy-config.mjs).
import { readFileSync, writeFileSync } from "node:fs";

const HEADER = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/;
const ASSIGN = /^\s*([A-Za-z0-9_]+)\s*=\s*"([^"]*)"\s*(#.*)?$/;

/** The sections of `text`: `{ name, start, end }` (lines [start, end), header at start). */
export function sections(text) {
  const lines = text.split("\n");
  const found = [{ name: "", start: 0, end: lines.length }];
  lines.forEach((line, i) => {
    const m = HEADER.exec(line);
    if (!m) return;
    found[found.length - 1].end = i;
    found.push({ name: m[1], start: i, end: lines.length });
  });
  return { lines, found };
}

/** The string values of the first section called `name` (e.g. "env.staging.vars"). */
export function readStrings(text, name) {
  const { lines, found } = sections(text);
  const section = found.find((s) => s.name === name);
  const values = {};
  if (!section) return values;
  for (const line of lines.slice(section.start + 1, section.end)) {
    const m = ASSIGN.exec(line);
    if (m) values[m[1]] = m[2];
  }
  return values;
}

/**
 * Sets `key = "value"` in the first section called `name`, replacing the line if the key
 * is there, else adding it after the last assignment. With `create`, a missing section
 * is appended at the end of the `env.<env>` block it belongs to (after `afterSection`).
 */
export function setString(text, name, key, value, { create = false, arrayTable = false } = {}) {
  if (/["\n\\]/.test(value)) throw new Error(`${key}: value not writable as a plain TOML string`);
  const { lines, found } = sections(text);
  let section = found.find((s) => s.name === name);
  if (!section) {
    if (!create) throw new Error(`wrangler.toml has no [${name}] section`);
    const env = /^env\.([^.]+)/.exec(name)?.[1];
    const own = found.filter((s) => env && s.name.startsWith(`env.${env}`));
    const at = own.length ? own[own.length - 1].end : lines.length;
    const header = arrayTable ? `[[${name}]]` : `[${name}]`;
    // Keep a blank line between blocks.
    const block = [header, `${key} = "${value}"`, ""];
    if (at > 0 && lines[at - 1].trim() !== "") block.unshift("");
    lines.splice(at, 0, ...block);
    return lines.join("\n");
  }
  let lastAssign = section.start;
  for (let i = section.start + 1; i < section.end; i++) {
    const m = ASSIGN.exec(lines[i]);
    if (!m && !/^\s*[A-Za-z0-9_]+\s*=/.test(lines[i])) continue;
    lastAssign = i;
    if (m && m[1] === key) {
      lines[i] = `${key} = "${value}"${m[3] ? ` ${m[3]}` : ""}`;
      return lines.join("\n");
    }
  }
  lines.splice(lastAssign + 1, 0, `${key} = "${value}"`);
  return lines.join("\n");
}

export const readToml = (path) => readFileSync(path, "utf8");
export const writeToml = (path, text) => writeFileSync(path, text);

/** An id scripts/deploy has not replaced yet (wrangler.toml ships all-zero ids). */
export const isPlaceholderId = (id) => !id || /^[0-]+$/.test(id);
