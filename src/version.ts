/** The basekv release, reported by `--version` and the protocols' version replies. */
export const VERSION = "0.1.0";
