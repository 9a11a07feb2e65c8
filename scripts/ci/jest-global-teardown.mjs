// Jest globalTeardown: stop the basekv that jest-global-setup.mjs started.
export default async function globalTeardown() {
  await globalThis.__BASEKV_STOP__?.();
}
