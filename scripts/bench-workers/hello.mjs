// The floor: the cheapest possible Worker under the same harness.
export default {
  fetch() {
    return new Response("ok");
  },
};
