/**
 * connect-redis with express-session and express, unchanged, on basekv over node-redis: a
 * session set in one request is read in the next through the cookie, carries the cookie's
 * lifetime as the key's TTL, is refreshed by touch, and destroy removes it; the store's
 * listing calls (SCAN MATCH + MGET) see exactly the live sessions.
 * @module
 */
import assert from "node:assert/strict";
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { RedisStore } from "connect-redis";
// @ts-types="@types/express-session"
import session from "express-session";
// @ts-types="@types/express"
import express from "express";
import { appTest, type ErrorTrap, nodeRedisFor } from "./target.ts";

declare module "express-session" {
  interface SessionData {
    user: string;
    views: number;
  }
}

const MAX_AGE_MS = 600_000;

/** The app: /login sets the user, /me reads it and counts views, /logout destroys. */
function app(store: RedisStore, trap: ErrorTrap): express.Express {
  const a = express();
  a.use(session({
    store,
    secret: "test secret",
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: { maxAge: MAX_AGE_MS },
  }));
  a.post("/login/:user", (req, res) => {
    req.session.user = req.params.user;
    req.session.views = 0;
    res.json({ sid: req.sessionID });
  });
  a.get("/me", (req, res) => {
    if (!req.session.user) return void res.status(401).json({ user: null });
    req.session.views = (req.session.views ?? 0) + 1;
    res.json({ user: req.session.user, views: req.session.views, sid: req.sessionID });
  });
  a.get("/peek", (req, res) => {
    res.json({ user: req.session.user ?? null });
  });
  a.post("/logout", (req, res) => {
    req.session.destroy((err) => {
      if (err) trap.record(err);
      res.json({ ok: !err });
    });
  });
  a.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    trap.record(err);
    res.status(500).json({ error: err.message });
  });
  return a;
}

/** What the app's routes answer. */
interface Body {
  user?: string | null;
  views?: number;
  sid?: string;
  ok?: boolean;
}

/** A cookie-carrying caller of the app. */
class Browser {
  cookie = "";
  constructor(readonly base: string) {}

  async call(method: string, path: string): Promise<{ status: number; body: Body }> {
    const res = await fetch(this.base + path, {
      method,
      headers: this.cookie ? { cookie: this.cookie } : {},
    });
    const set = res.headers.get("set-cookie");
    if (set) this.cookie = set.split(";")[0];
    return { status: res.status, body: await res.json() };
  }
}

appTest(
  "connect-redis: a session survives across requests, has the cookie's TTL, is destroyed",
  async (port, trap) => {
    const client = await nodeRedisFor(port, trap);
    const store = new RedisStore({ client, prefix: "sess:" });
    const http: HttpServer = await new Promise((resolve) => {
      const s = app(store, trap).listen(0, "127.0.0.1", () => resolve(s));
    });
    try {
      const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      const alice = new Browser(base);
      const bob = new Browser(base);
      assert.equal((await alice.call("GET", "/me")).status, 401);
      assert.equal(alice.cookie, "", "no session is stored before one is set");
      assert.deepEqual(await client.keys("sess:*"), []);

      const { body: login } = await alice.call("POST", "/login/alice");
      assert.match(alice.cookie, /^connect\.sid=s%3A/);
      const key = `sess:${login.sid}`;
      const stored = JSON.parse((await client.get(key))!);
      assert.equal(stored.user, "alice");
      const ttl = await client.ttl(key);
      assert.ok(ttl > 0 && ttl <= MAX_AGE_MS / 1000, `TTL ${ttl} follows the cookie's maxAge`);

      assert.deepEqual((await alice.call("GET", "/me")).body, {
        user: "alice",
        views: 1,
        sid: login.sid,
      });
      assert.equal((await alice.call("GET", "/me")).body.views, 2, "the next request sees it");
      assert.equal(JSON.parse((await client.get(key))!).views, 2);

      await bob.call("POST", "/login/bob");
      assert.equal((await bob.call("GET", "/me")).body.user, "bob");
      const count = await new Promise((resolve, reject) =>
        store.length((err, n) => err ? reject(err) : resolve(n))
      );
      assert.equal(count, 2);
      const all = await new Promise<unknown[]>((resolve, reject) =>
        store.all((err, sessions) => err ? reject(err) : resolve(sessions as unknown[]))
      );
      assert.deepEqual(
        all.map((s) => (s as { user: string }).user).sort(),
        ["alice", "bob"],
      );

      // touch() (express-session calls it on an unmodified session) resets the TTL by EXPIRE.
      await client.expire(key, 5);
      await alice.call("GET", "/peek");
      assert.ok((await client.ttl(key)) > 5, "touch pushed the TTL back out");

      assert.deepEqual((await alice.call("POST", "/logout")).body, { ok: true });
      assert.equal(await client.exists(key), 0, "destroy removes the key");
      assert.equal((await alice.call("GET", "/me")).status, 401);
      assert.equal((await bob.call("GET", "/me")).body.user, "bob", "other sessions stay");

      await new Promise<void>((resolve, reject) =>
        store.clear((err) => err ? reject(err) : resolve())
      );
      assert.deepEqual(await client.keys("sess:*"), []);
    } finally {
      await new Promise((r) => http.close(r));
      await client.close();
    }
  },
);
