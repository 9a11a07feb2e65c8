/**
 * A throwaway certificate authority for TLS tests, made with the `openssl` CLI at test time:
 * a CA and server certificates for 127.0.0.1 and localhost that it signs, and client
 * certificates.
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

/** A P-256 key and a request for it (self-signed when `extra` says -x509). */
function newKey(dir: string, key: string, out: string, subject: string, extra: string[]) {
  return openssl(
    "req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes".split(" ").concat(
      extra,
      ["-keyout", key, "-out", out, "-subj", subject],
    ),
    dir,
  );
}

/** Sign `name`.csr in `dir` with the CA there into `name`.pem, with extensions `ext`. */
async function sign(dir: string, name: string, ext: string): Promise<void> {
  await Deno.writeTextFile(`${dir}/${name}.cnf`, ext);
  await openssl([
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    `${name}.pem`,
    "-days",
    "2",
    "-extfile",
    `${name}.cnf`,
  ], dir);
}

/** Make a CA named `name` in a fresh temporary directory and a server certificate it signed. */
export async function makeTestCa(name = "basekv test CA"): Promise<TestCa> {
  const dir = await Deno.makeTempDir({ prefix: "basekv-tls-" });
  await newKey(dir, "ca.key", "ca.pem", `/CN=${name}`, ["-x509", "-days", "2"]);
  await newKey(dir, "server.key", "server.csr", "/CN=localhost", []);
  await sign(
    dir,
    "server",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
  );
  return {
    dir,
    caFile: `${dir}/ca.pem`,
    ca: await Deno.readTextFile(`${dir}/ca.pem`),
    certFile: `${dir}/server.pem`,
    keyFile: `${dir}/server.key`,
  };
}

/** A client certificate and its key, files and PEM text. */
export interface ClientCert {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/**
 * A client certificate `ca` signed for `name`: X.509 v3 with extendedKeyUsage clientAuth, as
 * webpki (the verifier behind node:tls in Deno) refuses a v1 certificate without extensions.
 */
export async function makeClientCert(ca: TestCa, name = "client"): Promise<ClientCert> {
  await newKey(ca.dir, `${name}.key`, `${name}.csr`, `/CN=${name}`, []);
  await sign(
    ca.dir,
    name,
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n",
  );
  const certFile = `${ca.dir}/${name}.pem`;
  const keyFile = `${ca.dir}/${name}.key`;
  return {
    certFile,
    keyFile,
    cert: await Deno.readTextFile(certFile),
    key: await Deno.readTextFile(keyFile),
  };
}
