// The Worker's entry module: the Rust Worker built by worker-build, wrapped so that a
// request that fails outside Rust's own error handling (a panic, a thrown JS error)
// still gets the contract's JSON error body instead of workerd's plain-text 500.
// Durable Object classes are re-exported unchanged.
import RustWorker from "../../build/index.js";

export * from "../../build/index.js";

const INTERNAL_ERROR = JSON.stringify({ error: "internal_error", message: "internal error" });

export default class GuardedWorker extends RustWorker {
  async fetch(request) {
    try {
      return await super.fetch(request);
    } catch (error) {
      console.error("unhandled error in the Worker", error && error.stack ? error.stack : error);
      return new Response(INTERNAL_ERROR, {
        status: 500,
        headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
      });
    }
  }
}
