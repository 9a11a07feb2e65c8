/**
 * DynamoDB access keys from `--aws-credentials FILE`: the access key ids basekv accepts and the
 * secret each request must be signed with. The file is AWS's credentials INI
 * (`aws_access_key_id = …` / `aws_secret_access_key = …` under `[profile]` headers) or plain
 * lines `ACCESS_KEY_ID SECRET`; `#` and `;` start comments.
 * @module
 */

/** The flag naming the credentials file. */
export const AWS_CREDENTIALS_FLAG = "aws-credentials";

/** Access key id → secret access key. */
export type Credentials = ReadonlyMap<string, string>;

/** Parse a credentials file's text; throws an Error naming the bad line. */
export function parseCredentials(text: string): Credentials {
  const keys = new Map<string, string>();
  let id: string | null = null;
  let secret: string | null = null;
  const flush = () => {
    if (id !== null && secret !== null) keys.set(id, secret);
    id = secret = null;
  };
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    if (line.startsWith("[")) {
      flush();
      continue;
    }
    const ini = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(line);
    if (ini) {
      const name = ini[1].toLowerCase();
      if (name === "aws_access_key_id") id = ini[2];
      else if (name === "aws_secret_access_key") secret = ini[2];
      // Other profile settings (region, session tokens) do not matter to the server.
      if (id !== null && secret !== null) flush();
      continue;
    }
    const pair = line.split(/\s+/);
    if (pair.length !== 2) {
      throw new Error(`line ${n + 1}: expected "ACCESS_KEY_ID SECRET" or "name = value"`);
    }
    keys.set(pair[0], pair[1]);
  }
  flush();
  if (keys.size === 0) throw new Error("no access key with its secret");
  return keys;
}

/** Read and parse the file named by --aws-credentials; null when the flag is empty. */
export function loadCredentials(path: string): Credentials | null {
  if (!path) return null;
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new Error(`--${AWS_CREDENTIALS_FLAG} ${path}: ${(error as Error).message}`);
  }
  try {
    return parseCredentials(text);
  } catch (error) {
    throw new Error(`--${AWS_CREDENTIALS_FLAG} ${path}: ${(error as Error).message}`);
  }
}
