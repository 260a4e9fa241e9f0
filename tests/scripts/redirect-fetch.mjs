// Preloaded (node --import) into scripts/deploy and scripts/rotate-signing-key by their
// tests: every https request goes to the local stand-in of the deployed Worker named by
// AUTHSEC_TEST_REDIRECT instead, carrying the host it was meant for.
const target = process.env.AUTHSEC_TEST_REDIRECT;
if (target) {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input.url);
    if (url.protocol !== "https:") return realFetch(input, init);
    const headers = { ...init.headers, "x-meant-for": url.host };
    return realFetch(`${target}${url.pathname}${url.search}`, { ...init, headers });
  };
}
