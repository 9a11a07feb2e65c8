// Jest globalSetup: start basekv before the test run (see README, "Jest").
import { startBasekv } from "./basekv.mjs";

export default async function globalSetup() {
  globalThis.__BASEKV_STOP__ = await startBasekv();
}
