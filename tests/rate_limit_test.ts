/** The shared rate limiter and auth layer every protocol calls. */
import assert from "node:assert/strict";
import { RateLimiter } from "../src/rate_limit.ts";
import { Auth } from "../src/auth.ts";

Deno.test("RateLimiter.take() allows one second of burst, then refills at the rate", () => {
  const limiter = new RateLimiter(10);
  let allowed = 0;
  for (let i = 0; i < 20; i++) if (limiter.take("a", 1, 1000)) allowed++;
  assert.equal(allowed, 10);
  assert.equal(limiter.take("a", 1, 1000), false);
  assert.equal(limiter.take("b", 1, 1000), true, "clients have their own buckets");
  assert.equal(limiter.take("a", 1, 1100), true, "100 ms refills one request at 10/s");
  assert.equal(limiter.take("a", 1, 1100), false);
});

Deno.test("RateLimiter with rate 0 never limits", () => {
  const limiter = new RateLimiter(0);
  assert.equal(limiter.enabled, false);
  for (let i = 0; i < 1000; i++) assert.equal(limiter.take("a"), true);
});

Deno.test("Auth.verify() accepts only the configured password", () => {
  const open = new Auth(null);
  assert.equal(open.required, false);
  assert.equal(open.verify("anything"), true);
  const auth = new Auth("s3cret");
  assert.equal(auth.required, true);
  assert.equal(auth.verify("s3cret"), true);
  assert.equal(auth.verify("s3cre"), false);
  assert.equal(auth.verify("s3cret!"), false);
  assert.equal(auth.verify(""), false);
});
