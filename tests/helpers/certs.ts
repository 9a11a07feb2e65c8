/**
 * A throwaway certificate authority for TLS tests, made with the `openssl` CLI at test time:
 * a CA and server certificates for 127.0.0.1 and localhost that it signs.
 * @module
 */

/** A CA's files and a server certificate it signed. */
export interface TestCa {
  dir: string;
  /** The CA certificate (PEM), for clients' trust stores. */
  caFile: string;
  ca: string;
  /** A server certificate and key signed by this CA. */
  certFile: string;
  keyFile: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Make a CA named `name` in a fresh temporary directory and a server certificate it signed. */
export async function makeTestCa(name = "basekv test CA"): Promise<TestCa> {
  const dir = await Deno.makeTempDir({ prefix: "basekv-tls-" });
  // A P-256 key and a request for it: self-signed for the CA, a CSR for the server.
  const newKey = (key: string, out: string, subject: string, extra: string[]) =>
    openssl(
      "req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes".split(" ").concat(
        extra,
        ["-keyout", key, "-out", out, "-subj", subject],
      ),
      dir,
    );
  await newKey("ca.key", "ca.pem", `/CN=${name}`, ["-x509", "-days", "2"]);
  await newKey("server.key", "server.csr", "/CN=localhost", []);
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  await openssl([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
  ], dir);
  return {
    dir,
    caFile: `${dir}/ca.pem`,
    ca: await Deno.readTextFile(`${dir}/ca.pem`),
    certFile: `${dir}/server.pem`,
    keyFile: `${dir}/server.key`,
  };
}
