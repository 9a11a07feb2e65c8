// Vitest globalSetup: start basekv before the test run, stop it after (see README, "Vitest").
import { startBasekv } from "./basekv.mjs";

export default async function setup() {
  return await startBasekv();
}
