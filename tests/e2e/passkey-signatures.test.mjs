// The passkey signature vectors (tests/vectors/webauthn-signatures.json) through Web
// Crypto inside workerd, by the development route POST /authsec/dev/webauthn/signature:
// the same requests `cargo test` sends through RustCrypto, expecting the same verdicts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { call } from "./helpers.mjs";

const { vectors } = JSON.parse(readFileSync(new URL("../vectors/webauthn-signatures.json", import.meta.url)));
const check = ({ alg, key, message, signature }) =>
  call("POST", "/authsec/dev/webauthn/signature", { json: { alg, key, message, signature } });

test("every passkey signature vector gets its verdict through Web Crypto", async () => {
  assert.ok(vectors.length > 0);
  // Twice: the second round verifies with the CryptoKeys the first one imported.
  for (let round = 0; round < 2; round++) {
    for (const vector of vectors) {
      const res = await check(vector);
      assert.equal(res.status, 200, `${vector.name}: ${res.text}`);
      assert.equal(res.data.verdict, vector.expected, `${vector.name}: ${res.text}`);
    }
  }
});

test("the vectors sent all at once get the same verdicts", async () => {
  const answers = await Promise.all(vectors.map(check));
  answers.forEach((res, i) => assert.equal(res.data?.verdict, vectors[i].expected, `${vectors[i].name}: ${res.text}`));
});
