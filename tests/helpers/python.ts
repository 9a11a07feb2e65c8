/** The python3 the Python client tests run: Debian's, where scripts/test-deps.sh installs them. */

/** Debian's python3, even when another python3 comes first on PATH. */
export const PYTHON = ["/usr/bin/python3", "python3"].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return p === "python3";
  }
})!;
